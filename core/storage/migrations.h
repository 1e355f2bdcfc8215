#pragma once

#include "base/export.h"
#include "base/result.h"

#include <QFuture>
#include <QList>
#include <QString>

namespace peek {

class Database;

// One numbered SQL migration: several statements, written in the SQL that SQLite and
// PostgreSQL share, applied once, in one transaction.
struct Migration {
    int number = 0;
    QString name; // "create_string_int"
    QString fileName; // "0001_create_string_int.sql" (for messages; made up when not from a file)
    QString sql;
};

// The migrations of one schema, in order of number. A plugin keeps them as files named
// "<number>_<name>.sql" (e.g. 0001_create_string_int.sql) in one directory, on disk or in Qt
// resources (":/pl_tutorial/migrations").
//
// `schema` is the plugin's schema (created/attached before migrating) and holds the version
// table "<schema>"."_migrations"(set_name, number, name, checksum, applied_at), so on SQLite a
// migration and its record are in the same file and commit together. An empty schema means the
// main database (platform tables; version table "_migrations" there). `name` tells apart sets
// that share a schema (the platform's modules in the main database); it defaults to the schema.
struct PEEK_CORE_EXPORT MigrationSet {
    QString schema;
    QString name;
    QList<Migration> migrations;

    QString setName() const { return name.isEmpty() ? schema : name; }

    // Reads every *.sql file of `directory`; a file whose name is not <number>_<name>.sql, a
    // number used twice or an unreadable file is an error naming the file.
    static Result<MigrationSet> fromDirectory(const QString &schema,
                                                     const QString &directory);
    // Checks numbers (positive, unique), names and sorts the migrations by number.
    static Result<MigrationSet> fromList(const QString &schema, QList<Migration> migrations,
                                                const QString &name = {});
};

struct MigrationReport {
    QList<int> applied; // numbers applied by this run, in order
    int version = 0; // the highest number applied now (0: none)
};

// Applies the migrations of a set that the database has not applied yet, in order, each in its
// own transaction with its version-table row. A failing migration is rolled back (earlier ones
// stay) and reported with its file, the failing statement and the database's error. Migrations
// recorded in the database must still be in the set with the same content: an edited or missing
// applied migration is an error (write a new migration instead). Several processes may migrate
// the same database at once: each migration is applied once.
//
// Writing one migration for both databases:
// - qualify every table you create or use: pl_tutorial."StringInt";
// - inside a table definition, REFERENCES takes the bare table name ("StringInt"), as SQLite
//   requires; on PostgreSQL the migration runs with its schema first on the search_path, so the
//   bare name finds the same table;
// - qualify index names, not their table: CREATE INDEX pl_tutorial."StringInt_x" ON "StringInt"
//   (x) (SQLite's form; on PostgreSQL the migrator drops the index name's qualifier);
// - no BEGIN/COMMIT (every migration already runs in a transaction), and on SQLite touch only the
//   set's own schema (in WAL mode a transaction is atomic per database file only).
class PEEK_CORE_EXPORT Migrator {
public:
    // On the calling thread (start-up code).
    static Result<MigrationReport> migrate(Database &database, const MigrationSet &set);
    // On the Database's pool.
    static QFuture<Result<MigrationReport>> migrateAsync(Database &database,
                                                                MigrationSet set);
    // The numbers recorded for a set, in order.
    static Result<QList<int>> appliedMigrations(Database &database, const MigrationSet &set);
};

} // namespace peek
