#pragma once
// peek-server backup / restore (docs/operations.md "Backup and restore"): one archive (zip) of a
// home's databases, config.json, plugin files and installed plugin packages, with a manifest
// saying which platform made it.

#include <QString>
#include <QStringList>

#include <memory>

#include <QLockFile>

namespace peek::admin {

// peek-server backup --to FILE [--home DIR]: while the server runs (SQLite: VACUUM INTO each
// database file, a consistent copy of each file; PostgreSQL: pg_dump's custom format).
int backup(const QStringList &arguments);
// peek-server restore FILE --home DIR [--storage-url URL]: into a home no peek-server runs on,
// from a backup of this platform version or older.
int restore(const QStringList &arguments);

// The lock a running peek-server holds on its home (one per set of roles: two processes with
// different roles may share a home; the same roles twice may not). Null with `why` set when
// another process holds it.
std::unique_ptr<QLockFile> lockHome(const QString &home, const QStringList &roles, QString *why);
// Whether any peek-server runs on `home` now; `who` says which (its pid and roles).
bool homeInUse(const QString &home, QString *who);

} // namespace peek::admin
