#include "service/logging.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QMutex>
#include <QMutexLocker>
#include <QStringList>

#include <cstdio>
#include <memory>

namespace peek::logging {

namespace {

constexpr int kLevelWidth = 5; // "DEBUG", "INFO ", "WARN ", "ERROR", "FATAL"
constexpr int kRoleWidth = 6; // the longest role name, "office"
constexpr int kPluginWidth = 24; // most plugin names; longer ones push the message right

// Everything the handler needs, behind one mutex. Never deleted: messages can arrive from other
// threads, or from static destructors, after main() returns.
struct LogState {
    QMutex mutex;
    bool active = false; // the handler writes records (false between uninstall() and install())
    Options options;
    QByteArray defaultRole; // UTF-8, "-" when Options::defaultRole is empty
    std::unique_ptr<QFile> file; // open while records go to the file
    qint64 fileSize = 0;
    bool fileAbandoned = false; // rotation failed: records go to stderr from then on
    bool writeFailureReported = false;
};

LogState &state()
{
    static LogState *s = new LogState;
    return *s;
}

// Set while this thread is inside the logger (handler, install): a message emitted from there
// (e.g. a warning from Qt's file code) goes straight to stderr instead of deadlocking on the mutex.
thread_local bool t_inLogger = false;

struct InLoggerGuard {
    InLoggerGuard() { t_inLogger = true; }
    ~InLoggerGuard() { t_inLogger = false; }
    InLoggerGuard(const InLoggerGuard &) = delete;
    InLoggerGuard &operator=(const InLoggerGuard &) = delete;
};

// Only touched by install() and uninstall(), which the application calls from one thread.
bool g_handlerInstalled = false;
QtMessageHandler g_previousHandler = nullptr;

void writeToStderr(QByteArrayView bytes)
{
    std::fwrite(bytes.data(), 1, size_t(bytes.size()), stderr);
    std::fflush(stderr);
}

// The filter rules of a level, or why the level is unknown.
Result<QString> filterRulesForLevel(const QString &level)
{
    static constexpr const char *kLevels[] = {"debug", "info", "warning", "error"};
    int index = -1;
    for (int i = 0; i < 4; ++i) {
        if (level.trimmed().compare(QLatin1String(kLevels[i]), Qt::CaseInsensitive) == 0)
            index = i;
    }
    if (index < 0)
        return Error {QStringLiteral("unknown log level \"%1\": use debug, info, warning or error").arg(level)};
    // All four types every time, so the result does not depend on rules set earlier.
    static constexpr const char *kTypes[] = {"debug", "info", "warning", "critical"};
    QStringList lines;
    for (int i = 0; i < 4; ++i) {
        lines << QStringLiteral("peek.*.%1=%2")
                     .arg(QLatin1String(kTypes[i]),
                          i >= index ? QStringLiteral("true") : QStringLiteral("false"));
    }
    return lines.join(QLatin1Char('\n'));
}

bool isRole(QByteArrayView name)
{
    return name == "logic" || name == "field" || name == "office" || name == "agent"
        || name == "worker";
}

QByteArrayView levelLabel(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return "DEBUG";
    case QtInfoMsg:
        return "INFO";
    case QtWarningMsg:
        return "WARN";
    case QtCriticalMsg:
        return "ERROR";
    case QtFatalMsg:
        return "FATAL";
    }
    return "?";
}

void appendPadded(QByteArray &out, QByteArrayView text, int width)
{
    out.append(text);
    for (qsizetype i = text.size(); i < width; ++i)
        out.append(' ');
    out.append(' ');
}

// One record: a line, plus continuation lines indented by two spaces for a multi-line message.
QByteArray formatRecord(QtMsgType type, const char *categoryName, const QString &message,
                        QByteArrayView defaultRole)
{
    const QByteArrayView category = categoryName ? QByteArrayView(categoryName) : "default";
    QByteArrayView role = defaultRole;
    QByteArrayView plugin = "-";
    bool roleKnown = false;
    if (category.startsWith("peek.")) {
        const QByteArrayView rest = category.sliced(5);
        const qsizetype dot = rest.indexOf('.');
        const QByteArrayView first = dot < 0 ? rest : rest.first(dot);
        if (isRole(first)) {
            roleKnown = true;
            role = first;
            if (dot >= 0 && dot + 1 < rest.size())
                plugin = rest.sliced(dot + 1);
        }
    }

    QByteArray out;
    out.reserve(80 + message.size());
    out.append(QDateTime::currentDateTime()
                   .toString(QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz"))
                   .toLatin1());
    out.append(' ');
    appendPadded(out, levelLabel(type), kLevelWidth);
    appendPadded(out, role, kRoleWidth);
    appendPadded(out, plugin, kPluginWidth);
    if (!roleKnown && category != "default") {
        out.append('[');
        out.append(category);
        out.append("] ");
    }

    QByteArray text = message.toUtf8();
    text.replace("\r\n", "\n");
    while (text.endsWith('\n'))
        text.chop(1);
    text.replace("\n", "\n  ");
    out.append(text);
    out.append('\n');
    return out;
}

QString rotatedPath(const QString &path, int index)
{
    return path + QLatin1Char('.') + QString::number(index);
}

// Closes `file`, shifts path.1 .. path.<keep-1> up by one (deleting path.<keep>), moves the file
// to path.1 and opens a fresh one. On failure the error says which step failed and the file is closed.
Result<void> rotate(QFile &file, int keepRotated)
{
    const QString path = file.fileName();
    file.close();
    if (keepRotated <= 0) {
        if (!file.remove()) {
            return Error {QStringLiteral("cannot delete %1: %2").arg(path, file.errorString())};
        }
    } else {
        QFile oldest(rotatedPath(path, keepRotated));
        if (oldest.exists() && !oldest.remove()) {
            return Error {QStringLiteral("cannot delete %1: %2")
                       .arg(oldest.fileName(), oldest.errorString())};
        }
        for (int i = keepRotated - 1; i >= 1; --i) {
            QFile older(rotatedPath(path, i));
            if (older.exists() && !older.rename(rotatedPath(path, i + 1))) {
                return Error {QStringLiteral("cannot rename %1 to %2: %3")
                           .arg(older.fileName(), rotatedPath(path, i + 1), older.errorString())};
            }
        }
        if (!file.rename(rotatedPath(path, 1))) {
            return Error {QStringLiteral("cannot rename %1 to %2: %3")
                       .arg(path, rotatedPath(path, 1), file.errorString())};
        }
        file.setFileName(path); // rename() pointed the QFile at the new name
    }
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered)) {
        return Error {QStringLiteral("cannot open %1 for writing: %2").arg(path, file.errorString())};
    }
    return {};
}

QByteArray internalRecord(QtMsgType type, const QString &message, QByteArrayView defaultRole)
{
    return formatRecord(type, "peek.logging", message, defaultRole);
}

// The record with its syslog priority before each line (sd-daemon's "<N>" prefixes).
QByteArray forJournal(QtMsgType type, const QByteArray &record)
{
    const char *priority = "<6>";
    switch (type) {
    case QtDebugMsg: priority = "<7>"; break;
    case QtInfoMsg: priority = "<6>"; break;
    case QtWarningMsg: priority = "<4>"; break;
    case QtCriticalMsg: priority = "<3>"; break;
    case QtFatalMsg: priority = "<2>"; break;
    }
    QByteArray out;
    out.reserve(record.size() + 8);
    for (const QByteArray &line : record.split('\n')) {
        if (line.isEmpty())
            continue;
        out += priority;
        out += line;
        out += '\n';
    }
    return out;
}

// With the mutex held: the record goes to the file (rotating first when it would not fit) and,
// when asked or when the file cannot take it, to stderr.
void writeRecord(LogState &s, const QByteArray &record, QtMsgType type = QtInfoMsg)
{
    bool toStderr = s.options.toStderr;
    if (s.file && s.fileSize > 0 && s.fileSize + record.size() > s.options.maxFileBytes) {
        if (auto rotated = rotate(*s.file, s.options.keepRotated)) {
            s.fileSize = s.file->size();
        } else {
            s.file.reset();
            s.fileAbandoned = true;
            writeToStderr(internalRecord(
                QtCriticalMsg,
                QStringLiteral("cannot rotate the log file: %1; logging to stderr only until the "
                               "next start")
                    .arg(rotated.error().message()),
                s.defaultRole));
        }
    }
    if (s.file) {
        const qint64 written = s.file->write(record);
        if (written > 0)
            s.fileSize += written;
        if (written != record.size()) {
            // E.g. disk full: keep the file (space may come back), but do not lose this record.
            toStderr = true;
            if (!s.writeFailureReported) {
                s.writeFailureReported = true;
                writeToStderr(internalRecord(QtCriticalMsg,
                                             QStringLiteral("cannot write to %1: %2")
                                                 .arg(s.file->fileName(), s.file->errorString()),
                                             s.defaultRole));
            }
        }
    } else if (s.fileAbandoned) {
        toStderr = true;
    }
    if (toStderr)
        writeToStderr(s.options.journal ? forJournal(type, record) : record);
}

void messageHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (t_inLogger) {
        writeToStderr((qFormatLogMessage(type, context, message) + QLatin1Char('\n')).toUtf8());
        return;
    }
    InLoggerGuard guard;
    LogState &s = state();
    QMutexLocker lock(&s.mutex);
    if (!s.active) { // between uninstall() and the previous handler taking over
        writeToStderr((qFormatLogMessage(type, context, message) + QLatin1Char('\n')).toUtf8());
        return;
    }
    // Formatted under the mutex so that the times in the file only go forward.
    writeRecord(s, formatRecord(type, context.category, message, s.defaultRole), type);
}

// Categories live for the process: QLoggingCategory keeps the name pointer, and the logging
// registry may still reach a category at exit. So entries are created once and never deleted.
struct CategoryEntry {
    explicit CategoryEntry(QByteArray categoryName)
        : name(std::move(categoryName)), category(name.constData())
    {
    }
    const QByteArray name; // declared first: constructed before the category that points into it
    QLoggingCategory category;
};

const QLoggingCategory &categoryNamed(const QString &name)
{
    static QMutex mutex;
    static auto *entries = new QHash<QString, CategoryEntry *>;
    QMutexLocker lock(&mutex);
    CategoryEntry *&entry = (*entries)[name];
    if (!entry)
        entry = new CategoryEntry(name.toUtf8());
    return entry->category;
}

} // namespace

Result<void> install(const Options &options)
{
    const auto fail = [](const QString &message) { return Result<void>(Error {message}); };
    auto rules = filterRulesForLevel(options.level);
    if (!rules)
        return rules.error();
    if (options.maxFileBytes <= 0)
        return fail(QStringLiteral("the log file's maximum size must be positive, not %1")
                        .arg(options.maxFileBytes));
    if (options.keepRotated < 0)
        return fail(QStringLiteral("the number of rotated log files to keep cannot be negative "
                                   "(%1)")
                        .arg(options.keepRotated));

    LogState &s = state();
    {
        InLoggerGuard guard;
        QMutexLocker lock(&s.mutex);
        std::unique_ptr<QFile> file;
        qint64 fileSize = 0;
        if (!options.filePath.isEmpty()) {
            file = std::make_unique<QFile>(options.filePath);
            if (!file->open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered))
                return fail(QStringLiteral("cannot open %1 for writing: %2")
                                .arg(options.filePath, file->errorString()));
            fileSize = file->size();
            if (fileSize >= options.maxFileBytes) {
                if (auto rotated = rotate(*file, options.keepRotated); !rotated)
                    return fail(QStringLiteral("cannot rotate the log file: %1").arg(rotated.error().message()));
                fileSize = file->size();
            }
        }
        s.options = options;
        s.defaultRole
            = options.defaultRole.isEmpty() ? QByteArray("-") : options.defaultRole.toUtf8();
        s.file = std::move(file);
        s.fileSize = fileSize;
        s.fileAbandoned = false;
        s.writeFailureReported = false;
        s.active = true;
    }
    QLoggingCategory::setFilterRules(rules.value());
    // Outside the mutex: Qt may hold its own lock around handler calls.
    if (!g_handlerInstalled) {
        g_previousHandler = qInstallMessageHandler(messageHandler);
        g_handlerInstalled = true;
    }
    return {};
}

void uninstall()
{
    LogState &s = state();
    {
        QMutexLocker lock(&s.mutex);
        s.active = false;
        s.file.reset();
        s.fileSize = 0;
    }
    if (g_handlerInstalled) {
        qInstallMessageHandler(g_previousHandler);
        g_previousHandler = nullptr;
        g_handlerInstalled = false;
    }
}

Result<void> setLevel(const QString &level)
{
    auto rules = filterRulesForLevel(level);
    if (!rules)
        return rules.error();
    QLoggingCategory::setFilterRules(rules.value());
    return {};
}

const QLoggingCategory &pluginCategory(const QString &role, const QString &plugin)
{
    if (plugin.isEmpty())
        return roleCategory(role);
    return categoryNamed(QStringLiteral("peek.%1.%2").arg(role, plugin));
}

const QLoggingCategory &roleCategory(const QString &role)
{
    return categoryNamed(QStringLiteral("peek.") + role);
}

QString filePathIn(const QString &home)
{
    return QDir(home).absoluteFilePath(QStringLiteral("peek-server.log"));
}

Result<Tail> readTail(const QString &filePath, qint64 afterOffset, int maxRecords, const QString &minLevel)
{
    static const QStringList levels {QStringLiteral("debug"), QStringLiteral("info"), QStringLiteral("warning"),
                                     QStringLiteral("error")};
    const int min = int(levels.indexOf(minLevel));
    if (min < 0)
        return Error {QStringLiteral("unknown log level \"%1\": use debug, info, warning or error").arg(minLevel.left(20))};
    constexpr qint64 kMaxRead = 4 * 1024 * 1024;
    QFile file(filePath);
    Tail tail;
    if (!file.exists())
        return tail;
    if (!file.open(QIODevice::ReadOnly))
        return Error {QStringLiteral("cannot read the log %1: %2").arg(filePath, file.errorString())};
    const qint64 size = file.size();
    qint64 from = afterOffset < 0 || afterOffset > size ? std::max<qint64>(0, size - kMaxRead) : afterOffset;
    from = std::max(from, size - kMaxRead);
    if (!file.seek(from))
        return Error {QStringLiteral("cannot read the log %1: %2").arg(filePath, file.errorString())};
    const QByteArray data = file.read(size - from);
    tail.endOffset = from + data.size();
    // A partial first line (reading from the middle) is skipped: records start with a digit.
    QList<QByteArray> lines = data.split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    QStringList records;
    bool keep = false;
    for (const QByteArray &line : std::as_const(lines)) {
        const bool starts = !line.isEmpty() && line.front() >= '0' && line.front() <= '9' && line.size() > 24;
        if (starts) {
            const QByteArray label = line.mid(24, 5).trimmed();
            const int level = label == "DEBUG" ? 0 : label == "INFO" ? 1 : label == "WARN" ? 2 : 3;
            keep = level >= min;
            if (keep)
                records << QString::fromUtf8(line);
        } else if (keep && !records.isEmpty()) {
            records.last() += u'\n' + QString::fromUtf8(line);
        }
    }
    if (records.size() > maxRecords)
        records = records.mid(records.size() - maxRecords);
    tail.records = records;
    return tail;
}

} // namespace peek::logging
