#include "migrations.h"

#include "database.h"
#include "sql.h"
#include "sqlscript.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QThreadPool>

Q_LOGGING_CATEGORY(lcMigrations, "peek.storage.migrations")

namespace peek {

namespace {

QString checksumOf(const QString &sqlText)
{
    QString normalised = sqlText;
    normalised.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    return QString::fromLatin1(
        QCryptographicHash::hash(normalised.toUtf8(), QCryptographicHash::Sha256).toHex());
}

QString setLabel(const MigrationSet &set)
{
    if (set.schema.isEmpty())
        return QStringLiteral("migration set %1 (main database)").arg(set.setName());
    if (set.setName() == set.schema)
        return QStringLiteral("schema %1").arg(set.schema);
    return QStringLiteral("migration set %1 of schema %2").arg(set.setName(), set.schema);
}

QString versionTable(const MigrationSet &set)
{
    const QString table = sql::quoteIdentifier(QStringLiteral("_migrations"));
    return set.schema.isEmpty() ? table
                                : sql::quoteIdentifier(set.schema) + QLatin1Char('.') + table;
}

// On PostgreSQL, one migrating process at a time per set (released at commit or rollback).
Result<void> lockSet(QSqlDatabase &db, const MigrationSet &set, const QString &what)
{
    if (sql::dialectOf(db) != sql::Dialect::PostgreSql)
        return {}; // SQLite: BEGIN IMMEDIATE already serialises writers
    auto locked = sql::exec(db, QStringLiteral("SELECT pg_advisory_xact_lock(hashtext(?))"),
                            {QStringLiteral("peek.storage.migrations:") + set.schema
                             + QLatin1Char(':') + set.setName()},
                            what);
    return locked ? Result<void>() : locked.error();
}

// SQLite wants `CREATE INDEX <schema>."name" ON "table"`, PostgreSQL refuses a qualified index
// name (the index lives with its table, found on the search path): drop the qualifier.
QString forPostgres(const QString &statement, const QString &schema)
{
    if (schema.isEmpty())
        return statement;
    static const QRegularExpression createIndex(
        QStringLiteral("^(CREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+(?:CONCURRENTLY\\s+)?(?:IF\\s+NOT\\s+"
                       "EXISTS\\s+)?)"),
        QRegularExpression::CaseInsensitiveOption);
    const auto match = createIndex.match(statement);
    if (!match.hasMatch())
        return statement;
    const QString rest = statement.mid(match.capturedEnd());
    for (const QString &qualifier :
         {schema + QLatin1Char('.'), sql::quoteIdentifier(schema) + QLatin1Char('.')}) {
        if (rest.startsWith(qualifier))
            return match.captured(1) + rest.mid(qualifier.size());
    }
    return statement;
}

struct Applied {
    QString name;
    QString checksum;
};

Result<QMap<int, Applied>> readApplied(QSqlDatabase &db, const MigrationSet &set)
{
    auto query
        = sql::exec(db,
                    QStringLiteral("SELECT number, name, checksum FROM %1 WHERE set_name = ? "
                                   "ORDER BY number")
                        .arg(versionTable(set)),
                    {set.setName()},
                    QStringLiteral("cannot read the applied migrations of %1").arg(setLabel(set)));
    if (!query)
        return query.error();
    QMap<int, Applied> applied;
    while (query.value().next()) {
        applied.insert(query.value().value(0).toInt(),
                       {query.value().value(1).toString(), query.value().value(2).toString()});
    }
    return applied;
}

Result<void> createVersionTable(QSqlDatabase &db, const MigrationSet &set)
{
    const QString what = QStringLiteral("cannot create the version table of %1").arg(setLabel(set));
    sql::Transaction transaction(db);
    if (auto begun = transaction.begin(what); !begun)
        return begun;
    if (auto locked = lockSet(db, set, what); !locked)
        return locked;
    auto created = sql::exec(db,
                             QStringLiteral("CREATE TABLE IF NOT EXISTS %1 ("
                                            "set_name VARCHAR(200) NOT NULL, "
                                            "number INTEGER NOT NULL, "
                                            "name VARCHAR(200) NOT NULL, "
                                            "checksum VARCHAR(64) NOT NULL, "
                                            "applied_at VARCHAR(32) NOT NULL, "
                                            "PRIMARY KEY (set_name, number))")
                                 .arg(versionTable(set)),
                             {}, what);
    if (!created)
        return created.error();
    return transaction.commit(what);
}

Result<bool> applyOne(QSqlDatabase &db, const MigrationSet &set, const Migration &migration,
                             const QList<SqlStatement> &statements)
{
    const QString label
        = QStringLiteral("migration %1 of %2").arg(migration.fileName, setLabel(set));
    sql::Transaction transaction(db);
    if (auto begun = transaction.begin(QStringLiteral("cannot start %1").arg(label)); !begun)
        return begun.error();
    if (auto locked = lockSet(db, set, QStringLiteral("cannot lock %1").arg(label)); !locked)
        return locked.error();
    // Another process may have applied it since we looked.
    auto already = sql::scalar(
        db,
        QStringLiteral("SELECT COUNT(*) FROM %1 WHERE set_name = ? AND number = ?")
            .arg(versionTable(set)),
        {set.setName(), migration.number}, QStringLiteral("cannot check %1").arg(label));
    if (!already)
        return already.error();
    if (already.value().toInt() > 0)
        return false;

    const bool postgres = sql::dialectOf(db) == sql::Dialect::PostgreSql;
    if (postgres && !set.schema.isEmpty()) {
        // Bare table names (REFERENCES "T", ON "T") mean the plugin's own tables, as on SQLite.
        auto searchPath = sql::exec(db,
                                    QStringLiteral("SET LOCAL search_path TO %1, public")
                                        .arg(sql::quoteIdentifier(set.schema)),
                                    {}, QStringLiteral("cannot start %1").arg(label));
        if (!searchPath)
            return searchPath.error();
    }
    for (int i = 0; i < statements.size(); ++i) {
        const SqlStatement &statement = statements.at(i);
        const QString written = sql::withSchema(statement.text, set.schema);
        const QString text = postgres ? forPostgres(written, set.schema) : written;
        auto done
            = sql::exec(db, text, {},
                        QStringLiteral("%1 failed at statement %2 of %3 (line %4); the migration "
                                       "was rolled back")
                            .arg(label)
                            .arg(i + 1)
                            .arg(statements.size())
                            .arg(statement.line));
        if (!done)
            return done.error(); // the transaction rolls back
    }
    auto recorded
        = sql::exec(db,
                    QStringLiteral("INSERT INTO %1 (set_name, number, name, checksum, applied_at) "
                                   "VALUES (?, ?, ?, ?, ?)")
                        .arg(versionTable(set)),
                    {set.setName(), migration.number, migration.name, checksumOf(migration.sql),
                     QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
                    QStringLiteral("cannot record %1").arg(label));
    if (!recorded)
        return recorded.error();
    if (auto committed = transaction.commit(QStringLiteral("cannot commit %1").arg(label));
        !committed)
        return committed.error();
    return true;
}

Result<MigrationReport> migrateOnConnection(QSqlDatabase &db, const MigrationSet &set)
{
    // Parse everything first: a script that cannot be split fails before anything runs.
    QList<QList<SqlStatement>> scripts;
    for (const Migration &migration : set.migrations) {
        auto statements = splitSqlScript(migration.sql);
        if (!statements) {
            return Error {
                QStringLiteral("migration %1 of %2 cannot be read: %3")
                    .arg(migration.fileName, setLabel(set), statements.error().what),
                {},
                {}};
        }
        static const QRegularExpression transactionControl(
            QStringLiteral(
                "^(BEGIN|COMMIT|ROLLBACK|END|START\\s+TRANSACTION|SAVEPOINT|RELEASE)\\b"),
            QRegularExpression::CaseInsensitiveOption);
        for (const SqlStatement &statement : statements.value()) {
            if (transactionControl.match(statement.text).hasMatch()) {
                return Error {
                    QStringLiteral("migration %1 of %2 controls its own transaction "
                                   "(line %3); remove it: every migration already runs "
                                   "in one transaction")
                        .arg(migration.fileName, setLabel(set))
                        .arg(statement.line),
                    statement.text,
                    {}};
            }
        }
        scripts << statements.value();
    }

    if (auto created = createVersionTable(db, set); !created)
        return created.error();
    auto applied = readApplied(db, set);
    if (!applied)
        return applied.error();

    QHash<int, const Migration *> byNumber;
    for (const Migration &migration : set.migrations)
        byNumber.insert(migration.number, &migration);
    for (auto it = applied.value().cbegin(); it != applied.value().cend(); ++it) {
        const Migration *known = byNumber.value(it.key());
        if (!known) {
            return Error {
                QStringLiteral("%1 has migration %2 (%3) applied, which this build does "
                               "not have: the database is newer than the software; "
                               "run a build that knows it")
                    .arg(setLabel(set))
                    .arg(it.key())
                    .arg(it.value().name),
                {},
                {}};
        }
        if (it.value().checksum != checksumOf(known->sql)) {
            return Error {
                QStringLiteral("migration %1 of %2 was changed after it was applied; "
                               "restore it and put the change in a new migration")
                    .arg(known->fileName, setLabel(set)),
                {},
                {}};
        }
    }

    MigrationReport report;
    report.version = applied.value().isEmpty() ? 0 : applied.value().lastKey();
    for (int i = 0; i < set.migrations.size(); ++i) {
        const Migration &migration = set.migrations.at(i);
        if (applied.value().contains(migration.number))
            continue;
        auto done = applyOne(db, set, migration, scripts.at(i));
        if (!done)
            return done.error();
        if (done.value()) {
            report.applied << migration.number;
            qCInfo(lcMigrations).noquote()
                << "applied migration" << migration.fileName << "of" << setLabel(set);
        }
        report.version = qMax(report.version, migration.number);
    }
    return report;
}

} // namespace

Result<MigrationSet> MigrationSet::fromList(const QString &schema,
                                                   QList<Migration> migrations, const QString &name)
{
    MigrationSet set {schema, name, {}};
    if (!schema.isEmpty()) {
        if (auto valid = Database::checkSchemaName(schema); !valid)
            return valid.error();
    } else if (name.isEmpty()) {
        return Error {
            QStringLiteral("a migration set of the main database needs a name"), {}, {}};
    }
    QSet<int> numbers;
    for (Migration &migration : migrations) {
        if (migration.fileName.isEmpty()) {
            migration.fileName = QStringLiteral("%1_%2.sql")
                                     .arg(migration.number, 4, 10, QLatin1Char('0'))
                                     .arg(migration.name);
        }
        if (migration.number <= 0) {
            return Error {QStringLiteral("migration %1 of %2 needs a positive number")
                                     .arg(migration.fileName, setLabel(set)),
                                 {},
                                 {}};
        }
        if (numbers.contains(migration.number)) {
            return Error {
                QStringLiteral("migration number %1 is used twice in %2 (%3 is one)")
                    .arg(migration.number)
                    .arg(setLabel(set), migration.fileName),
                {},
                {}};
        }
        numbers.insert(migration.number);
    }
    std::sort(migrations.begin(), migrations.end(),
              [](const Migration &a, const Migration &b) { return a.number < b.number; });
    set.migrations = std::move(migrations);
    return set;
}

Result<MigrationSet> MigrationSet::fromDirectory(const QString &schema,
                                                        const QString &directory)
{
    const QDir dir(directory);
    if (!dir.exists()) {
        return Error {
            QStringLiteral("the migrations directory %1 of schema %2 does not exist")
                .arg(directory, schema),
            {},
            {}};
    }
    static const QRegularExpression fileName(QStringLiteral("^(\\d+)_([A-Za-z0-9_\\-]+)\\.sql$"));
    QList<Migration> migrations;
    const QStringList files = dir.entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
    for (const QString &file : files) {
        const auto match = fileName.match(file);
        if (!match.hasMatch()) {
            return Error {QStringLiteral("the migration file %1 in %2 is not named "
                                                "<number>_<name>.sql (e.g. 0001_create_table.sql)")
                                     .arg(file, directory),
                                 {},
                                 {}};
        }
        QFile f(dir.filePath(file));
        if (!f.open(QIODevice::ReadOnly)) {
            return Error {QStringLiteral("cannot read the migration file %1: %2")
                                     .arg(dir.filePath(file), f.errorString()),
                                 {},
                                 {}};
        }
        migrations.append(
            {match.captured(1).toInt(), match.captured(2), file, QString::fromUtf8(f.readAll())});
    }
    return fromList(schema, std::move(migrations));
}

Result<MigrationReport> Migrator::migrate(Database &database, const MigrationSet &set)
{
    if (!set.schema.isEmpty()) {
        if (auto ensured = database.ensureSchema(set.schema); !ensured)
            return ensured.error();
    }
    const QStringList schemas = set.schema.isEmpty() ? QStringList() : QStringList {set.schema};
    return database.runSync(schemas,
                            [&](QSqlDatabase &db) { return migrateOnConnection(db, set); });
}

QFuture<Result<MigrationReport>> Migrator::migrateAsync(Database &database, MigrationSet set)
{
    // ensureSchema works on the calling thread's connection: run the whole thing on the pool.
    return database.run(
        [&database, set = std::move(set)](QSqlDatabase &) { return migrate(database, set); });
}

Result<QList<int>> Migrator::appliedMigrations(Database &database, const MigrationSet &set)
{
    const QStringList schemas = set.schema.isEmpty() ? QStringList() : QStringList {set.schema};
    return database.runSync(schemas, [&](QSqlDatabase &db) -> Result<QList<int>> {
        auto applied = readApplied(db, set);
        if (!applied)
            return applied.error();
        return applied.value().keys();
    });
}

} // namespace peek
