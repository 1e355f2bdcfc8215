#pragma once

#include "base/export.h"
#include "base/result.h"
#include <QLoggingCategory>
#include <QString>

// The server's log: one file per service home (e.g. `<home>/peek-server.log`), rotated by size,
// plus stderr. Every Qt message of the process becomes one record:
//
//   2026-11-23 10:00:00.123 INFO  logic  peek_plugin_tutorial     message text
//   2026-11-23 10:00:00.124 WARN  logic  -                        [peek.vortex.rpc] message text
//     second line of a multi-line message
//
// local time with milliseconds, level (DEBUG, INFO, WARN, ERROR, FATAL), role, plugin, message.
// Role and plugin come from the message's category: "peek.<role>.<plugin>" (pluginCategory()),
// "peek.<role>" (roleCategory(), plugin "-"), where <role> is logic, field, office, agent or
// worker. Any other category gets Options::defaultRole, plugin "-", and its name in brackets at
// the start of the message (except Qt's "default" category of plain qDebug()/qWarning()).
// A message with several lines is written as the first line plus continuation lines indented by
// two spaces: a line that starts with a digit starts a record, any other line continues one.
namespace peek::logging {

struct Options {
    QString filePath; // empty: stderr only
    qint64 maxFileBytes = 20 * 1024 * 1024; // rotate before a record would take the file past this
    int keepRotated = 2; // peek-server.log.1 (newest) .. .2; older ones are deleted
    bool toStderr = true;
    QString level = QStringLiteral("info"); // debug | info | warning | error
    QString defaultRole; // role label for records whose category names no role, e.g. "logic,field"
    // Under systemd (the journal reads stderr): every stderr line starts with the record's
    // syslog priority, "<6>" for info, "<4>" for a warning, "<3>" for an error, so
    // `journalctl -p warning` finds them. The file is written as always.
    bool journal = false;
};

// Installs a Qt message handler writing every message as one record to the file and to stderr;
// safe to log from any thread. An existing file is appended to (rotated first if already full).
// Fails, and installs nothing, when the level is unknown or the file
// cannot be opened ("cannot open /x/peek-server.log for writing: <reason>"). Installing again
// replaces the options; uninstall() then restores the handler that was there before the first.
//
// When rotating fails (a rename refused), no record is lost: file logging stops, records go to
// stderr (even with toStderr false) and the failure is reported there once.
PEEK_CORE_EXPORT Result<void> install(const Options &options);

// Restores the previous message handler and closes the file. Filter rules stay as they are.
PEEK_CORE_EXPORT void uninstall();

// Applies QLoggingCategory filter rules for Peek's categories ("peek.*"): "debug" shows
// everything, "info" hides debug, "warning" hides info too, "error" shows only errors and fatals.
// The rules replace any set earlier with QLoggingCategory::setFilterRules() (QT_LOGGING_RULES in
// the environment still wins, which is handy for debugging one category).
// An unknown level changes nothing and fails naming it and the allowed ones.
PEEK_CORE_EXPORT Result<void> setLevel(const QString &level);

// The category of a plugin on a role, "peek.<role>.<plugin>": created on first use and kept for
// the process's life, so the reference stays valid (use it with qCInfo() etc.).
PEEK_CORE_EXPORT const QLoggingCategory &pluginCategory(const QString &role, const QString &plugin);

// The category of a role's platform code, "peek.<role>"; kept like pluginCategory().
PEEK_CORE_EXPORT const QLoggingCategory &roleCategory(const QString &role);

// The log file of a service home: <home>/peek-server.log.
PEEK_CORE_EXPORT QString filePathIn(const QString &home);

// What readTail() found: whole records (a record's continuation lines with it), oldest first,
// and where the file ended, to ask for what comes after (follow).
struct Tail {
    QStringList records;
    qint64 endOffset = 0;
};
// The records of the log at `filePath` at `minLevel` or above (debug | info | warning | error):
// with afterOffset < 0 the last `maxRecords` of the file; else those written after that offset
// (from the start when the file is shorter: it was rotated), at most `maxRecords`, the oldest
// first. Reads at most the last 4 MiB. Fails on an unknown level or a file that cannot be read
// (a missing file is empty).
PEEK_CORE_EXPORT Result<Tail> readTail(const QString &filePath, qint64 afterOffset, int maxRecords,
                                       const QString &minLevel);

} // namespace peek::logging
