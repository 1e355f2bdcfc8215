// Migrations: splitting scripts into statements, loading numbered files (disk and Qt resources),
// applying them in order on SQLite and PostgreSQL, only once, a failing one leaving no trace and
// naming file, statement and error, and refusing edited, unknown or self-transacting ones.
#include "pgrequired.h"
#include "storagetest.h"

#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/sql.h"
#include "storage/sqlscript.h"

#include <QDir>
#include <QFile>
#include <QScopeGuard>

using namespace peek;
using storagetest::scalar;

namespace {

const QString kSchema = QStringLiteral("pl_storage_test");
const QString kResourceDir = QStringLiteral(":/migrations/pl_storage_test");

MigrationSet resourceSet(int upTo = 3)
{
    auto set = MigrationSet::fromDirectory(kSchema, kResourceDir);
    if (!set) {
        qWarning().noquote() << set.error().message();
        return {};
    }
    MigrationSet result = set.value();
    while (!result.migrations.isEmpty() && result.migrations.last().number > upTo)
        result.migrations.removeLast();
    return result;
}

QStringList texts(const QList<SqlStatement> &statements)
{
    QStringList result;
    for (const SqlStatement &statement : statements)
        result << statement.text;
    return result;
}

bool writeFile(const QString &path, const QString &text)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return file.write(text.toUtf8()) >= 0;
}

// The rows of StringInt as "id|string_value|int_value|note" lines, in id order.
QStringList stringIntRows(Database &db)
{
    auto rows = db.runSync({kSchema}, [](QSqlDatabase &c) -> Result<QStringList> {
        auto query = sql::exec(c,
                               QStringLiteral("SELECT id, string_value, int_value, note FROM "
                                              "pl_storage_test.\"StringInt\" ORDER BY id"));
        if (!query)
            return query.error();
        QStringList lines;
        while (query.value().next()) {
            QStringList fields;
            for (int i = 0; i < 4; ++i)
                fields << query.value().value(i).toString();
            lines << fields.join(QLatin1Char('|'));
        }
        return lines;
    });
    if (!rows) {
        qWarning().noquote() << rows.error().message();
        return {};
    }
    return rows.value();
}

const QStringList kExpectedRows = {QStringLiteral("1|one; with a semicolon|10|it's quoted"),
                                   QStringLiteral("2|two -- not a comment|20|/* not a comment */")};

} // namespace

class TestMigrations : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // --- splitting -------------------------------------------------------------------------

    void scriptsSplitAtTheSemicolonsThatEndStatements()
    {
        const QString script = QStringLiteral(
            "-- leading comment; with a semicolon\n"
            "CREATE TABLE a (x TEXT DEFAULT 'semi;colon', \"we;ird\" INTEGER);\n"
            "INSERT INTO a VALUES ('it''s; quoted', 1); /* block; comment */\n"
            "/* nested /* comment; */ still comment; */ SELECT 1;\n"
            "CREATE FUNCTION f() RETURNS trigger AS $body$ BEGIN x := 1; RETURN NEW; END; $body$ "
            "LANGUAGE plpgsql;\n"
            "SELECT $$one;two$$, E'back\\'slash;', `tick;`;\n"
            "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = CASE WHEN 1 THEN 'y' END; "
            "DELETE FROM a; END;\n"
            "CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\n"
            ";;  \n"
            "SELECT $1, a$b FROM t -- no semicolon at the end");
        auto split = splitSqlScript(script);
        STORAGE_VERIFY(split);
        const QStringList expected = {
            QStringLiteral("CREATE TABLE a (x TEXT DEFAULT 'semi;colon', \"we;ird\" INTEGER)"),
            QStringLiteral("INSERT INTO a VALUES ('it''s; quoted', 1)"),
            QStringLiteral("SELECT 1"),
            QStringLiteral("CREATE FUNCTION f() RETURNS trigger AS $body$ BEGIN x := 1; RETURN "
                           "NEW; END; $body$ LANGUAGE plpgsql"),
            QStringLiteral("SELECT $$one;two$$, E'back\\'slash;', `tick;`"),
            QStringLiteral("CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = CASE WHEN 1 "
                           "THEN 'y' END; DELETE FROM a; END"),
            QStringLiteral("CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; "
                           "SELECT 2; END"),
            QStringLiteral("SELECT $1, a$b FROM t"),
        };
        QCOMPARE(texts(split.value()), expected);
        QCOMPARE(split.value().at(0).line, 2);
        QCOMPARE(split.value().at(2).line, 4);
        QCOMPARE(split.value().last().line, 10);
    }

    void unterminatedQuotesAndCommentsAreErrors_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<QString>("expected");
        QTest::newRow("string") << "SELECT 1;\nSELECT 'open;\n"
                                << "unterminated 'string' starting on line 2";
        QTest::newRow("identifier") << "SELECT \"open"
                                    << "unterminated quoted identifier starting on line 1";
        QTest::newRow("comment") << "SELECT 1;\n\n/* open"
                                 << "unterminated /* comment */ starting on line 3";
        QTest::newRow("dollar") << "SELECT $x$ open $y$"
                                << "unterminated dollar-quoted body starting on line 1";
        QTest::newRow("trigger") << "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1;"
                                 << "unterminated BEGIN ... END body";
    }
    void unterminatedQuotesAndCommentsAreErrors()
    {
        QFETCH(QString, script);
        QFETCH(QString, expected);
        auto split = splitSqlScript(script);
        QVERIFY(!split);
        QVERIFY2(split.error().message().contains(expected), qPrintable(split.error().message()));
    }

    // --- loading ---------------------------------------------------------------------------

    void setsLoadFromResourcesAndDirectoriesInNumberOrder()
    {
        auto fromResources = MigrationSet::fromDirectory(kSchema, kResourceDir);
        STORAGE_VERIFY(fromResources);
        QCOMPARE(fromResources.value().schema, kSchema);
        QCOMPARE(fromResources.value().migrations.size(), 3);
        QCOMPARE(fromResources.value().migrations.at(0).name, QStringLiteral("create_string_int"));
        QCOMPARE(fromResources.value().migrations.at(2).fileName,
                 QStringLiteral("0003_index_int_value.sql"));

        QTemporaryDir dir;
        // Numbers order the files, not their names: 10 comes after 9.
        QVERIFY(
            writeFile(dir.filePath(QStringLiteral("10_last.sql")), QStringLiteral("SELECT 10;")));
        QVERIFY(
            writeFile(dir.filePath(QStringLiteral("9_middle.sql")), QStringLiteral("SELECT 9;")));
        QVERIFY(
            writeFile(dir.filePath(QStringLiteral("0001_first.sql")), QStringLiteral("SELECT 1;")));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("README.md")),
                          QStringLiteral("not a migration")));
        auto fromDisk = MigrationSet::fromDirectory(QStringLiteral("pl_disk"), dir.path());
        STORAGE_VERIFY(fromDisk);
        QList<int> numbers;
        for (const Migration &migration : fromDisk.value().migrations)
            numbers << migration.number;
        QCOMPARE(numbers, (QList<int> {1, 9, 10}));
        QCOMPARE(fromDisk.value().migrations.last().sql, QStringLiteral("SELECT 10;"));

        QVERIFY(
            writeFile(dir.filePath(QStringLiteral("0009_again.sql")), QStringLiteral("SELECT 9;")));
        auto duplicate = MigrationSet::fromDirectory(QStringLiteral("pl_disk"), dir.path());
        QVERIFY(!duplicate);
        QVERIFY2(duplicate.error().message().contains(QStringLiteral("number 9 is used twice")),
                 qPrintable(duplicate.error().message()));
        QVERIFY(QFile::remove(dir.filePath(QStringLiteral("0009_again.sql"))));

        QVERIFY(writeFile(dir.filePath(QStringLiteral("create things.sql")),
                          QStringLiteral("SELECT 1;")));
        auto badName = MigrationSet::fromDirectory(QStringLiteral("pl_disk"), dir.path());
        QVERIFY(!badName);
        QVERIFY2(badName.error().message().contains(QStringLiteral("create things.sql")),
                 qPrintable(badName.error().message()));

        auto missing = MigrationSet::fromDirectory(QStringLiteral("pl_disk"),
                                                   dir.filePath(QStringLiteral("nowhere")));
        QVERIFY(!missing);
        QVERIFY(missing.error().message().contains(QStringLiteral("does not exist")));
    }

    // --- applying --------------------------------------------------------------------------

    void migrationsApplyInOrderAndAreRecorded_data() { storagetest::backendRows(); }
    void migrationsApplyInOrderAndAreRecorded()
    {
        STORAGE_BACKEND();
        QTemporaryDir dir;
        STORAGE_OPEN(db, dir);
        storagetest::dropSchema(*db, kSchema);
        auto cleanup = qScopeGuard([&] { storagetest::dropSchema(*db, kSchema); });

        const MigrationSet set = resourceSet();
        QCOMPARE(set.migrations.size(), 3);
        auto report = Migrator::migrate(*db, set);
        STORAGE_VERIFY(report);
        QCOMPARE(report.value().applied, (QList<int> {1, 2, 3}));
        QCOMPARE(report.value().version, 3);

        // 2 fills the table 1 created, 3 multiplies what 2 inserted: the order held.
        QCOMPARE(stringIntRows(*db), kExpectedRows);
        QVERIFY(storagetest::indexExists(*db, kSchema, QStringLiteral("StringInt_int_value")));
        QCOMPARE(scalar(*db,
                        QStringLiteral("SELECT body FROM pl_storage_test.\"Note\" WHERE id = 1"),
                        {}, {kSchema})
                     .toString(),
                 QStringLiteral("a \"note\"; with quotes"));

        // The version table, in the schema itself.
        auto recorded = db->runSync({kSchema}, [](QSqlDatabase &c) -> Result<QStringList> {
            auto query
                = sql::exec(c,
                            QStringLiteral("SELECT set_name, number, name, applied_at FROM "
                                           "pl_storage_test.\"_migrations\" ORDER BY number"));
            if (!query)
                return query.error();
            QStringList rows;
            while (query.value().next()) {
                if (query.value().value(3).toString().isEmpty())
                    return Error {QStringLiteral("no applied_at"), {}, {}};
                rows << QStringLiteral("%1 %2 %3")
                            .arg(query.value().value(0).toString(),
                                 query.value().value(1).toString(),
                                 query.value().value(2).toString());
            }
            return rows;
        });
        STORAGE_VERIFY(recorded);
        QCOMPARE(recorded.value(),
                 (QStringList {QStringLiteral("pl_storage_test 1 create_string_int"),
                               QStringLiteral("pl_storage_test 2 fill_string_int"),
                               QStringLiteral("pl_storage_test 3 index_int_value")}));
        auto applied = Migrator::appliedMigrations(*db, set);
        STORAGE_VERIFY(applied);
        QCOMPARE(applied.value(), (QList<int> {1, 2, 3}));

        // The bare REFERENCES of migration 1 points at the plugin's own table on both backends.
        auto orphan = db->runSync({kSchema}, [](QSqlDatabase &c) {
            return sql::exec(c,
                             QStringLiteral("INSERT INTO pl_storage_test.\"Note\" (id, "
                                            "string_int_id, body) VALUES (2, 99, 'x')"));
        });
        QVERIFY2(!orphan, "a note without its StringInt row was accepted");
    }

    void rerunningAppliesOnlyNewMigrations_data() { storagetest::backendRows(); }
    void rerunningAppliesOnlyNewMigrations()
    {
        STORAGE_BACKEND();
        QTemporaryDir dir;
        STORAGE_OPEN(db, dir);
        storagetest::dropSchema(*db, kSchema);
        auto cleanup = qScopeGuard([&] { storagetest::dropSchema(*db, kSchema); });

        auto first = Migrator::migrate(*db, resourceSet(2));
        STORAGE_VERIFY(first);
        QCOMPARE(first.value().applied, (QList<int> {1, 2}));
        QCOMPARE(scalar(*db,
                        QStringLiteral(
                            "SELECT int_value FROM pl_storage_test.\"StringInt\" WHERE id = 2"),
                        {}, {kSchema})
                     .toInt(),
                 2);

        auto second = Migrator::migrate(*db, resourceSet(3));
        STORAGE_VERIFY(second);
        QCOMPARE(second.value().applied, QList<int> {3});
        QCOMPARE(second.value().version, 3);

        // A new process (a new Database) finds nothing left to do; 3's UPDATE ran once.
        db.reset();
        auto reopened = Database::open(storagetest::urlFor(backend, dir));
        STORAGE_VERIFY(reopened);
        db = std::move(reopened).value();
        auto third = Migrator::migrate(*db, resourceSet(3));
        STORAGE_VERIFY(third);
        QVERIFY(third.value().applied.isEmpty());
        QCOMPARE(third.value().version, 3);
        QCOMPARE(stringIntRows(*db), kExpectedRows);
    }

    void aFailingMigrationLeavesNoTrace_data() { storagetest::backendRows(); }
    void aFailingMigrationLeavesNoTrace()
    {
        STORAGE_BACKEND();
        QTemporaryDir dir;
        STORAGE_OPEN(db, dir);
        const QString schema = QStringLiteral("pl_storage_fail");
        storagetest::dropSchema(*db, schema);
        auto cleanup = qScopeGuard([&] { storagetest::dropSchema(*db, schema); });

        QTemporaryDir migrations;
        QVERIFY(writeFile(
            migrations.filePath(QStringLiteral("0001_create_kept.sql")),
            QStringLiteral("CREATE TABLE pl_storage_fail.\"Kept\" (id INTEGER PRIMARY KEY);\n"
                           "INSERT INTO pl_storage_fail.\"Kept\" (id) VALUES (1);\n")));
        const QString broken
            = QStringLiteral("-- creates a table and a row, then fails\n"
                             "CREATE TABLE pl_storage_fail.\"Half\" (id INTEGER PRIMARY KEY);\n"
                             "INSERT INTO pl_storage_fail.\"Half\" (id) VALUES (1);\n"
                             "INSERT INTO pl_storage_fail.\"Kept\" (id) VALUES (2);\n"
                             "INSERT INTO pl_storage_fail.\"NoSuchTable\" (id) VALUES (1);\n");
        QVERIFY(writeFile(migrations.filePath(QStringLiteral("0002_break.sql")), broken));
        auto set = MigrationSet::fromDirectory(schema, migrations.path());
        STORAGE_VERIFY(set);

        auto failed = Migrator::migrate(*db, set.value());
        QVERIFY(!failed);
        const Error &error = failed.error();
        QVERIFY2(error.what.contains(QStringLiteral("0002_break.sql")),
                 qPrintable(error.message()));
        QVERIFY2(error.what.contains(QStringLiteral("statement 4 of 4 (line 5)")),
                 qPrintable(error.message()));
        QCOMPARE(error.statement,
                 QStringLiteral("INSERT INTO pl_storage_fail.\"NoSuchTable\" (id) VALUES (1)"));
        QVERIFY2(error.cause.contains(QStringLiteral("NoSuchTable")),
                 qPrintable(error.message()));
        QVERIFY(error.message().contains(error.statement));

        // 1 stays; nothing of 2: no table, no row, no record.
        auto applied = Migrator::appliedMigrations(*db, set.value());
        STORAGE_VERIFY(applied);
        QCOMPARE(applied.value(), QList<int> {1});
        QVERIFY(storagetest::tableExists(*db, schema, QStringLiteral("Kept")));
        QVERIFY(!storagetest::tableExists(*db, schema, QStringLiteral("Half")));
        QCOMPARE(scalar(*db, QStringLiteral("SELECT COUNT(*) FROM pl_storage_fail.\"Kept\""), {},
                        {schema})
                     .toInt(),
                 1);

        // Fixed, it applies on the next run.
        QVERIFY(writeFile(migrations.filePath(QStringLiteral("0002_break.sql")),
                          QString(broken).replace(QStringLiteral("\"NoSuchTable\" (id) VALUES (1)"),
                                                  QStringLiteral("\"Half\" (id) VALUES (2)"))));
        auto fixedSet = MigrationSet::fromDirectory(schema, migrations.path());
        STORAGE_VERIFY(fixedSet);
        auto fixed = Migrator::migrate(*db, fixedSet.value());
        STORAGE_VERIFY(fixed);
        QCOMPARE(fixed.value().applied, QList<int> {2});
        QCOMPARE(scalar(*db, QStringLiteral("SELECT COUNT(*) FROM pl_storage_fail.\"Half\""), {},
                        {schema})
                     .toInt(),
                 2);
        QCOMPARE(scalar(*db, QStringLiteral("SELECT COUNT(*) FROM pl_storage_fail.\"Kept\""), {},
                        {schema})
                     .toInt(),
                 2);
    }

    void theSameSetGivesTheSameDataOnSqliteAndPostgres()
    {
        PEEK_REQUIRE_POSTGRES(!storagetest::postgresUrl().isEmpty(), QString::fromLatin1(storagetest::kNoPostgres));
        QTemporaryDir dir;
        auto sqlite = Database::open(dir.filePath(QStringLiteral("peek.sqlite")));
        STORAGE_VERIFY(sqlite);
        auto postgres = Database::open(storagetest::postgresUrl());
        STORAGE_VERIFY(postgres);
        storagetest::dropSchema(*postgres.value(), kSchema);
        auto cleanup = qScopeGuard([&] { storagetest::dropSchema(*postgres.value(), kSchema); });

        const MigrationSet set = resourceSet();
        auto onSqlite = Migrator::migrate(*sqlite.value(), set);
        STORAGE_VERIFY(onSqlite);
        auto onPostgres = Migrator::migrate(*postgres.value(), set);
        STORAGE_VERIFY(onPostgres);
        QCOMPARE(onSqlite.value().applied, onPostgres.value().applied);
        QCOMPARE(stringIntRows(*sqlite.value()), kExpectedRows);
        QCOMPARE(stringIntRows(*postgres.value()), stringIntRows(*sqlite.value()));
    }

    void concurrentMigratorsApplyEachMigrationOnce_data() { storagetest::backendRows(); }
    void concurrentMigratorsApplyEachMigrationOnce()
    {
        STORAGE_BACKEND();
        // Two Database objects stand for two processes starting at once.
        QTemporaryDir dir;
        STORAGE_OPEN(first, dir);
        STORAGE_OPEN(second, dir);
        storagetest::dropSchema(*first, kSchema);
        auto cleanup = qScopeGuard([&] { storagetest::dropSchema(*first, kSchema); });

        auto a = Migrator::migrateAsync(*first, resourceSet());
        auto b = Migrator::migrateAsync(*second, resourceSet());
        auto ra = a.result();
        auto rb = b.result();
        STORAGE_VERIFY(ra);
        STORAGE_VERIFY(rb);
        QList<int> all = ra.value().applied + rb.value().applied;
        std::sort(all.begin(), all.end());
        QCOMPARE(all, (QList<int> {1, 2, 3}));
        QCOMPARE(ra.value().version, 3);
        QCOMPARE(rb.value().version, 3);
        QCOMPARE(stringIntRows(*first), kExpectedRows);
    }

    void editedOrUnknownAppliedMigrationsAreRefused_data() { storagetest::backendRows(); }
    void editedOrUnknownAppliedMigrationsAreRefused()
    {
        STORAGE_BACKEND();
        QTemporaryDir dir;
        STORAGE_OPEN(db, dir);
        storagetest::dropSchema(*db, kSchema);
        auto cleanup = qScopeGuard([&] { storagetest::dropSchema(*db, kSchema); });
        STORAGE_VERIFY(Migrator::migrate(*db, resourceSet()));

        MigrationSet edited = resourceSet();
        edited.migrations[1].sql
            += QStringLiteral("\nINSERT INTO pl_storage_test.\"StringInt\" (id, string_value, "
                              "int_value) VALUES (5, 'five', 5);");
        auto refused = Migrator::migrate(*db, edited);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message().contains(QStringLiteral("0002_fill_string_int.sql")),
                 qPrintable(refused.error().message()));
        QVERIFY2(refused.error().message().contains(QStringLiteral("changed after it was applied")),
                 qPrintable(refused.error().message()));

        auto older = Migrator::migrate(*db, resourceSet(2));
        QVERIFY(!older);
        QVERIFY2(older.error().message().contains(QStringLiteral("newer than the software")),
                 qPrintable(older.error().message()));
        QCOMPARE(stringIntRows(*db), kExpectedRows); // nothing ran
    }

    void migrationsMustNotControlTheirTransaction()
    {
        QTemporaryDir dir;
        auto db = Database::open(dir.filePath(QStringLiteral("peek.sqlite")));
        STORAGE_VERIFY(db);
        auto set = MigrationSet::fromList(
            QStringLiteral("pl_tx"),
            {{1,
              QStringLiteral("own_transaction"),
              {},
              QStringLiteral("BEGIN;\nCREATE TABLE pl_tx.\"T\" (id INTEGER);\nCOMMIT;")}});
        STORAGE_VERIFY(set);
        auto refused = Migrator::migrate(*db.value(), set.value());
        QVERIFY(!refused);
        QVERIFY2(refused.error().message().contains(QStringLiteral("0001_own_transaction.sql")),
                 qPrintable(refused.error().message()));
        QVERIFY2(refused.error().message().contains(QStringLiteral("controls its own transaction")),
                 qPrintable(refused.error().message()));
        QVERIFY(
            !storagetest::tableExists(*db.value(), QStringLiteral("pl_tx"), QStringLiteral("T")));
    }

    void postgresFunctionBodiesSurviveSplitting()
    {
        PEEK_REQUIRE_POSTGRES(!storagetest::postgresUrl().isEmpty(), QString::fromLatin1(storagetest::kNoPostgres));
        auto db = Database::open(storagetest::postgresUrl());
        STORAGE_VERIFY(db);
        const QString schema = QStringLiteral("pl_storage_plpgsql");
        storagetest::dropSchema(*db.value(), schema);
        auto cleanup = qScopeGuard([&] { storagetest::dropSchema(*db.value(), schema); });
        auto set = MigrationSet::fromList(
            schema,
            {{1,
              QStringLiteral("function"),
              {},
              QStringLiteral(
                  "CREATE TABLE pl_storage_plpgsql.\"Counter\" (id INTEGER PRIMARY KEY, n "
                  "INTEGER);\n"
                  "CREATE FUNCTION pl_storage_plpgsql.bump() RETURNS integer AS $body$\n"
                  "DECLARE result integer;\n"
                  "BEGIN\n"
                  "  UPDATE pl_storage_plpgsql.\"Counter\" SET n = n + 1 WHERE id = 1 RETURNING n "
                  "INTO result;\n"
                  "  RETURN result; -- a comment; inside\n"
                  "END;\n"
                  "$body$ LANGUAGE plpgsql;\n"
                  "INSERT INTO pl_storage_plpgsql.\"Counter\" (id, n) VALUES (1, 41);\n")}});
        STORAGE_VERIFY(set);
        STORAGE_VERIFY(Migrator::migrate(*db.value(), set.value()));
        QCOMPARE(scalar(*db.value(), QStringLiteral("SELECT pl_storage_plpgsql.bump()")).toInt(),
                 42);
    }
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
