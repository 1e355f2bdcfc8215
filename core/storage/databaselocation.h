#pragma once

#include "base/export.h"
#include "base/result.h"

#include <QString>

namespace peek {

enum class DatabaseBackend { Sqlite, PostgreSql };

// Where the database is, parsed from the configured URL:
//   sqlite:///abs/path/peek.sqlite     an SQLite file (the embedded default)
//   /abs/path/peek.sqlite, data/peek.sqlite
//                                      a plain file path is SQLite too (relative to the
//                                      working directory)
//   postgresql://user:pass@host:port/db?sslmode=require
//                                      PostgreSQL (also postgres://); user and password are
//                                      percent-decoded; query items become libpq options
// In-memory SQLite is refused: each thread has its own connection, and an in-memory database
// would differ per connection.
struct PEEK_CORE_EXPORT DatabaseLocation {
    DatabaseBackend backend = DatabaseBackend::Sqlite;
    QString sqlitePath; // absolute, cleaned

    QString host; // empty: libpq's default (the local socket)
    int port = 5432;
    QString user;
    QString password;
    QString databaseName;
    QString connectOptions; // "key=value;key=value" as QtSql's QPSQL driver takes them

    static Result<DatabaseLocation> parse(const QString &url);

    // The URL with the password masked: safe for logs and error messages.
    QString displayString() const;
    // Names the database regardless of credentials: the same file or server database gives the
    // same identity (used to share state between Database objects of one process).
    QString identity() const;
    // The directory of the SQLite file, where the per-schema files live.
    QString sqliteDirectory() const;
};

} // namespace peek
