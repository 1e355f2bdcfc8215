#pragma once

// Shared by the storage tests: the two backends as data rows, opening a test database of the
// row's backend, and small catalog queries that read the same on SQLite and PostgreSQL.
#include "pgrequired.h"
#include "storage/database.h"
#include "storage/sql.h"

#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

namespace storagetest {

inline QString postgresUrl()
{
    return qEnvironmentVariable("PEEK_TEST_PG_URL");
}

inline constexpr const char *kNoPostgres
    = "PostgreSQL not configured: set PEEK_TEST_PG_URL=postgresql://user@host:port/db "
      "(./test.sh starts a throw-away server and sets it)";

// The rows "sqlite" and "postgresql" of a data-driven test (column "backend").
inline void backendRows()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgresql") << QStringLiteral("postgresql");
}

// A name no other test run uses (PostgreSQL databases outlive a run when given from outside).
inline QString uniqueName(const QString &prefix)
{
    return prefix + QLatin1Char('_') + QUuid::createUuid().toString(QUuid::Id128).left(12);
}

inline QString urlFor(const QString &backend, const QTemporaryDir &dir)
{
    return backend == QLatin1String("sqlite") ? dir.filePath(QStringLiteral("peek.sqlite"))
                                              : postgresUrl();
}

} // namespace storagetest

// In a test function of a data-driven test with backendRows(): fetches `backend` and skips the
// PostgreSQL row, saying why, when no server is configured.
#define STORAGE_BACKEND()                                                                          \
    QFETCH(QString, backend);                                                                      \
    if (backend == QLatin1String("postgresql"))                                                    \
    PEEK_REQUIRE_POSTGRES(!storagetest::postgresUrl().isEmpty(), QString::fromLatin1(storagetest::kNoPostgres))

// Then opens `var` (a std::unique_ptr<peek::Database>) on that backend, in `dir` for SQLite.
#define STORAGE_OPEN(var, dir, ...)                                                                \
    auto var##Opened                                                                               \
        = peek::Database::open(storagetest::urlFor(backend, dir) __VA_OPT__(, ) __VA_ARGS__);      \
    QVERIFY2(var##Opened, qPrintable(var##Opened.error().message()));                              \
    std::unique_ptr<peek::Database> var = std::move(var##Opened).value()

// Fails the test with the error's message when a Result is an error.
#define STORAGE_VERIFY(result)                                                                     \
    do {                                                                                           \
        const auto &storageResult_ = (result);                                                     \
        QVERIFY2(storageResult_.ok(), qPrintable(storageResult_.error().message()));               \
    } while (false)

namespace storagetest {

// Runs one statement on the calling thread and gives its first value (invalid on error, with a
// warning naming the error, so a QCOMPARE shows what went wrong).
inline QVariant scalar(peek::Database &db, const QString &statement, const QVariantList &bind = {},
                       const QStringList &schemas = {})
{
    auto result = db.runSync(
        schemas, [&](QSqlDatabase &c) { return peek::sql::scalar(c, statement, bind); });
    if (!result) {
        qWarning().noquote() << result.error().message();
        return {};
    }
    return result.value();
}

inline bool tableExists(peek::Database &db, const QString &schema, const QString &table)
{
    if (db.backend() == peek::DatabaseBackend::Sqlite) {
        return scalar(db,
                      QStringLiteral(
                          "SELECT COUNT(*) FROM %1.sqlite_master WHERE type = 'table' AND name = ?")
                          .arg(peek::sql::quoteIdentifier(schema)),
                      {table}, {schema})
                   .toInt()
            > 0;
    }
    return scalar(db,
                  QStringLiteral("SELECT COUNT(*) FROM information_schema.tables "
                                 "WHERE table_schema = ? AND table_name = ?"),
                  {schema, table})
               .toInt()
        > 0;
}

inline bool indexExists(peek::Database &db, const QString &schema, const QString &index)
{
    if (db.backend() == peek::DatabaseBackend::Sqlite) {
        return scalar(db,
                      QStringLiteral(
                          "SELECT COUNT(*) FROM %1.sqlite_master WHERE type = 'index' AND name = ?")
                          .arg(peek::sql::quoteIdentifier(schema)),
                      {index}, {schema})
                   .toInt()
            > 0;
    }
    return scalar(db,
                  QStringLiteral(
                      "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = ? AND indexname = ?"),
                  {schema, index})
               .toInt()
        > 0;
}

// Drops a PostgreSQL schema with everything in it (SQLite test files go with their temp dir).
inline void dropSchema(peek::Database &db, const QString &schema)
{
    if (db.backend() != peek::DatabaseBackend::PostgreSql)
        return;
    auto dropped = db.runSync([&](QSqlDatabase &c) {
        return peek::sql::exec(c,
                               QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE")
                                   .arg(peek::sql::quoteIdentifier(schema)));
    });
    if (!dropped)
        qWarning().noquote() << dropped.error().message();
}

} // namespace storagetest
