// The Database: URL forms, SQLite set-up (WAL, foreign keys, busy timeout), errors that name the
// statement and the database's error, work off the calling thread, a connection per thread
// (closed with its thread), and per-plugin schemas read the same way on SQLite and PostgreSQL.
#include "storagetest.h"

#include "storage/database.h"
#include "storage/sql.h"

#include <QDir>
#include <QFile>
#include <QScopeGuard>
#include <QSemaphore>
#include <QSet>
#include <QSqlDatabase>
#include <QThread>

#include <stdexcept>

using namespace peek;
using storagetest::scalar;

// Plugin API 1.0's names stay until API 2.0, as deprecated aliases of the one result type.
#include "storage/storageresult.h"
QT_WARNING_PUSH
QT_WARNING_DISABLE_DEPRECATED
static_assert(std::is_same_v<StorageResult<int>, Result<int>> && std::is_same_v<StorageError, Error>,
              "StorageResult/StorageError must stay aliases of Result/Error within API 1.x");
QT_WARNING_POP

class TestDatabase : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void urlsNameSqliteFilesAndPostgresServers()
    {
        auto sqliteUrl
            = DatabaseLocation::parse(QStringLiteral("sqlite:///var/lib/peek/peek.sqlite"));
        STORAGE_VERIFY(sqliteUrl);
        QCOMPARE(sqliteUrl.value().backend, DatabaseBackend::Sqlite);
        QCOMPARE(sqliteUrl.value().sqlitePath, QStringLiteral("/var/lib/peek/peek.sqlite"));
        QCOMPARE(sqliteUrl.value().sqliteDirectory(), QStringLiteral("/var/lib/peek"));

        auto plainPath = DatabaseLocation::parse(QStringLiteral("/srv/peek/../peek/data.sqlite"));
        STORAGE_VERIFY(plainPath);
        QCOMPARE(plainPath.value().backend, DatabaseBackend::Sqlite);
        QCOMPARE(plainPath.value().sqlitePath, QStringLiteral("/srv/peek/data.sqlite"));

        auto relative = DatabaseLocation::parse(QStringLiteral("data/peek.sqlite"));
        STORAGE_VERIFY(relative);
        QCOMPARE(relative.value().sqlitePath,
                 QDir::current().absoluteFilePath(QStringLiteral("data/peek.sqlite")));

        auto postgres = DatabaseLocation::parse(QStringLiteral(
            "postgresql://peek%40site:p%3Aw0rd%2Fx@db.example:6543/peek_db?sslmode=require"));
        STORAGE_VERIFY(postgres);
        const DatabaseLocation &pg = postgres.value();
        QCOMPARE(pg.backend, DatabaseBackend::PostgreSql);
        QCOMPARE(pg.host, QStringLiteral("db.example"));
        QCOMPARE(pg.port, 6543);
        QCOMPARE(pg.user, QStringLiteral("peek@site"));
        QCOMPARE(pg.password, QStringLiteral("p:w0rd/x"));
        QCOMPARE(pg.databaseName, QStringLiteral("peek_db"));
        QCOMPARE(pg.connectOptions, QStringLiteral("sslmode=require"));
        QVERIFY2(!pg.displayString().contains(QStringLiteral("w0rd")),
                 qPrintable(pg.displayString()));
        QVERIFY(pg.displayString().contains(QStringLiteral("****")));
        QVERIFY(pg.displayString().contains(QStringLiteral("db.example:6543/peek_db")));

        auto defaultPort = DatabaseLocation::parse(QStringLiteral("postgres://localhost/peek"));
        STORAGE_VERIFY(defaultPort);
        QCOMPARE(defaultPort.value().port, 5432);
        QCOMPARE(defaultPort.value().identity(), QStringLiteral("postgresql:localhost:5432/peek"));
    }

    void badUrlsAreRefusedWithoutShowingPasswords_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << QString() << "empty";
        QTest::newRow("memory") << ":memory:"
                                << "in-memory";
        QTest::newRow("unknown scheme") << "mysql://u:topsecret@host/db"
                                        << "unknown scheme 'mysql'";
        QTest::newRow("no database") << "postgresql://u:topsecret@host:5432"
                                     << "name one database";
        QTest::newRow("sqlite with host") << "sqlite://host/peek.sqlite"
                                          << "three slashes";
    }
    void badUrlsAreRefusedWithoutShowingPasswords()
    {
        QFETCH(QString, url);
        QFETCH(QString, expected);
        auto parsed = DatabaseLocation::parse(url);
        QVERIFY(!parsed);
        const QString message = parsed.error().message();
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(!message.contains(QStringLiteral("topsecret")), qPrintable(message));
        auto opened = Database::open(url);
        QVERIFY(!opened);
        QCOMPARE(opened.error().message(), message);
    }

    void sqliteOpensInWalWithForeignKeysAndABusyTimeout()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sub/dir/peek.sqlite"));
        DatabaseOptions options;
        options.busyTimeoutMs = 1234;
        auto opened = Database::open(QStringLiteral("sqlite://") + path, options);
        STORAGE_VERIFY(opened);
        Database &db = *opened.value();
        QVERIFY(QFile::exists(path)); // directory and file created at open
        QCOMPARE(db.backend(), DatabaseBackend::Sqlite);
        QCOMPARE(db.displayUrl(), QStringLiteral("sqlite://") + path);

        // Here (the calling thread's connection) and on a pool thread's connection.
        auto pragmas = [](QSqlDatabase &c) -> Result<QStringList> {
            QStringList values;
            for (const char *pragma : {"journal_mode", "foreign_keys", "busy_timeout"}) {
                auto value = sql::scalar(c, QStringLiteral("PRAGMA ") + QLatin1String(pragma));
                if (!value)
                    return value.error();
                values << value.value().toString().toLower();
            }
            return values;
        };
        const QStringList expected
            = {QStringLiteral("wal"), QStringLiteral("1"), QStringLiteral("1234")};
        auto here = db.runSync(pragmas);
        STORAGE_VERIFY(here);
        QCOMPARE(here.value(), expected);
        auto there = db.run(pragmas).result();
        STORAGE_VERIFY(there);
        QCOMPARE(there.value(), expected);

        // Foreign keys are enforced.
        STORAGE_VERIFY(db.runSync([](QSqlDatabase &c) -> Result<void> {
            for (const char *statement : {"CREATE TABLE parent (id INTEGER PRIMARY KEY)",
                                          "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id "
                                          "INTEGER REFERENCES parent (id))"}) {
                if (auto done = sql::exec(c, QString::fromLatin1(statement)); !done)
                    return done.error();
            }
            return {};
        }));
        auto orphan = db.runSync([](QSqlDatabase &c) {
            return sql::exec(c, QStringLiteral("INSERT INTO child (id, parent_id) VALUES (1, 42)"));
        });
        QVERIFY(!orphan);
        QVERIFY2(orphan.error().cause.contains(QStringLiteral("FOREIGN KEY"),
                                                       Qt::CaseInsensitive),
                 qPrintable(orphan.error().message()));
    }

    void openFailuresNameTheDatabase()
    {
        QTemporaryDir dir;
        QFile blocker(dir.filePath(QStringLiteral("blocker")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        const QString path = dir.filePath(QStringLiteral("blocker/peek.sqlite"));
        auto sqlite = Database::open(path);
        QVERIFY(!sqlite);
        QVERIFY2(sqlite.error().message().contains(path), qPrintable(sqlite.error().message()));

        // Nothing listens on port 1: the error names host and port, never the password.
        auto postgres
            = Database::open(QStringLiteral("postgresql://peek:topsecret@127.0.0.1:1/peek"));
        QVERIFY(!postgres);
        const QString message = postgres.error().message();
        QVERIFY2(message.contains(QStringLiteral("127.0.0.1:1/peek")), qPrintable(message));
        QVERIFY2(!postgres.error().cause.isEmpty(), qPrintable(message));
        QVERIFY2(!message.contains(QStringLiteral("topsecret")), qPrintable(message));
    }

    void errorsNameTheStatementAndTheDatabaseError_data() { storagetest::backendRows(); }
    void errorsNameTheStatementAndTheDatabaseError()
    {
        STORAGE_BACKEND();
        QTemporaryDir dir;
        STORAGE_OPEN(db, dir);
        const QString statement = QStringLiteral("SELECT * FROM missing_table_xyz");
        auto failed = db->runSync([&](QSqlDatabase &c) {
            return sql::exec(c, statement, {}, QStringLiteral("reading the missing table"));
        });
        QVERIFY(!failed);
        QCOMPARE(failed.error().what, QStringLiteral("reading the missing table"));
        QCOMPARE(failed.error().statement, statement);
        QVERIFY2(failed.error().cause.contains(QStringLiteral("missing_table_xyz")),
                 qPrintable(failed.error().cause));
        const QString message = failed.error().message();
        QVERIFY(message.contains(QStringLiteral("reading the missing table")));
        QVERIFY(message.contains(statement));
        QVERIFY(message.contains(failed.error().cause));

        // The same through run(), and an exception thrown by work fails the future with it.
        auto viaPool = db->run([&](QSqlDatabase &c) { return sql::exec(c, statement); }).result();
        QVERIFY(!viaPool);
        QCOMPARE(viaPool.error().statement, statement);
        auto throwing = db->run(
            [](QSqlDatabase &) -> Result<int> { throw std::runtime_error("boom"); });
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, throwing.waitForFinished());
    }

    void runWorksOffTheCallingThread_data() { storagetest::backendRows(); }
    void runWorksOffTheCallingThread()
    {
        STORAGE_BACKEND();
        QTemporaryDir dir;
        STORAGE_OPEN(db, dir);
        const QString table = storagetest::uniqueName(QStringLiteral("run_table"));
        auto cleanup = qScopeGuard([&] {
            (void)db->runSync([&](QSqlDatabase &c) {
                return sql::exec(c, QStringLiteral("DROP TABLE ") + table);
            });
        });
        struct Ran {
            QThread *thread = nullptr;
            QString connection;
        };
        auto here = db->runSync([&](QSqlDatabase &c) -> Result<Ran> {
            if (auto created = sql::exec(
                    c, QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY)").arg(table));
                !created)
                return created.error();
            return Ran {QThread::currentThread(), c.connectionName()};
        });
        STORAGE_VERIFY(here);
        QCOMPARE(here.value().thread, QThread::currentThread());

        QFuture<Result<Ran>> future = db->run([&](QSqlDatabase &c) -> Result<Ran> {
            if (auto inserted
                = sql::exec(c, QStringLiteral("INSERT INTO %1 (id) VALUES (?)").arg(table), {7});
                !inserted)
                return inserted.error();
            return Ran {QThread::currentThread(), c.connectionName()};
        });
        auto there = future.result();
        STORAGE_VERIFY(there);
        QVERIFY(there.value().thread != QThread::currentThread());
        QVERIFY(there.value().connection != here.value().connection);
        // What the pool thread wrote is committed and seen by this thread's connection.
        QCOMPARE(scalar(*db, QStringLiteral("SELECT id FROM %1").arg(table)).toInt(), 7);
        QCOMPARE(db->connectionNames().size(), 2);
    }

    void eachThreadHasItsOwnConnection_data() { storagetest::backendRows(); }
    void eachThreadHasItsOwnConnection()
    {
        STORAGE_BACKEND();
        QTemporaryDir dir;
        DatabaseOptions options;
        options.maxThreads = 3;
        STORAGE_OPEN(db, dir, options);
        const QString table = storagetest::uniqueName(QStringLiteral("threads_table"));
        auto cleanup = qScopeGuard([&] {
            (void)db->runSync([&](QSqlDatabase &c) {
                return sql::exec(c, QStringLiteral("DROP TABLE ") + table);
            });
        });
        STORAGE_VERIFY(db->runSync([&](QSqlDatabase &c) {
            return sql::exec(
                c,
                QStringLiteral(
                    "CREATE TABLE %1 (id INTEGER PRIMARY KEY, connection_name VARCHAR(100))")
                    .arg(table));
        }));

        // Three tasks that all wait until all three run: three threads at once, three connections.
        QSemaphore arrived;
        QSemaphore go;
        struct Ran {
            QThread *thread = nullptr;
            QString connection;
        };
        QList<QFuture<Result<Ran>>> futures;
        for (int i = 0; i < 3; ++i) {
            futures << db->run([&, i](QSqlDatabase &c) -> Result<Ran> {
                arrived.release();
                if (!go.tryAcquire(1, 10000))
                    return Error {QStringLiteral("the other tasks never started"), {}, {}};
                auto inserted = sql::exec(
                    c,
                    QStringLiteral("INSERT INTO %1 (id, connection_name) VALUES (?, ?)").arg(table),
                    {i, c.connectionName()});
                if (!inserted)
                    return inserted.error();
                return Ran {QThread::currentThread(), c.connectionName()};
            });
        }
        QVERIFY(arrived.tryAcquire(3, 10000));
        go.release(3);
        QSet<QThread *> threads;
        QSet<QString> connections;
        for (auto &future : futures) {
            auto ran = future.result();
            STORAGE_VERIFY(ran);
            threads.insert(ran.value().thread);
            connections.insert(ran.value().connection);
        }
        QCOMPARE(threads.size(), 3);
        QCOMPARE(connections.size(), 3);
        QVERIFY(!threads.contains(QThread::currentThread()));
        QCOMPARE(
            scalar(*db, QStringLiteral("SELECT COUNT(DISTINCT connection_name) FROM %1").arg(table))
                .toInt(),
            3);
    }

    void connectionsCloseWithTheirThreadAndTheDatabase()
    {
        QTemporaryDir dir;
        DatabaseOptions options;
        options.threadExpiryMs = 50; // pool threads end soon after their work
        auto opened = Database::open(dir.filePath(QStringLiteral("peek.sqlite")), options);
        STORAGE_VERIFY(opened);
        std::unique_ptr<Database> db = std::move(opened).value();
        const QString mainConnection = db->connectionNames().value(0);
        QVERIFY(QSqlDatabase::connectionNames().contains(mainConnection));

        // A QThread of its own: its connection closes when it finishes.
        QString threadConnection;
        std::unique_ptr<QThread> thread(QThread::create([&] {
            auto name = db->runSync(
                [](QSqlDatabase &c) -> Result<QString> { return c.connectionName(); });
            threadConnection = name ? name.value() : QString();
        }));
        thread->start();
        QVERIFY(thread->wait(10000));
        QVERIFY(!threadConnection.isEmpty());
        QVERIFY(threadConnection != mainConnection);
        QVERIFY(!db->connectionNames().contains(threadConnection));
        QVERIFY(!QSqlDatabase::connectionNames().contains(threadConnection));

        // A pool thread's connection closes when the idle thread expires.
        auto poolName = db->run([](QSqlDatabase &c) -> Result<QString> {
                              return c.connectionName();
                          }).result();
        STORAGE_VERIFY(poolName);
        QTRY_VERIFY_WITH_TIMEOUT(!QSqlDatabase::connectionNames().contains(poolName.value()),
                                 10000);
        QCOMPARE(db->connectionNames(), QStringList {mainConnection});

        // Destroying the Database closes the rest, pool connections included.
        auto another = db->run([](QSqlDatabase &c) -> Result<QString> {
                             return c.connectionName();
                         }).result();
        STORAGE_VERIFY(another);
        QVERIFY(QSqlDatabase::connectionNames().contains(another.value()));
        db.reset();
        QVERIFY(!QSqlDatabase::connectionNames().contains(mainConnection));
        QVERIFY(!QSqlDatabase::connectionNames().contains(another.value()));
    }

    void destroyingTheDatabaseFinishesQueuedWork()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("peek.sqlite"));
        QList<QFuture<Result<QSqlQuery>>> futures;
        {
            DatabaseOptions options;
            options.maxThreads = 1;
            auto opened = Database::open(path, options);
            STORAGE_VERIFY(opened);
            Database &db = *opened.value();
            STORAGE_VERIFY(db.runSync([](QSqlDatabase &c) {
                return sql::exec(c, QStringLiteral("CREATE TABLE queued (id INTEGER PRIMARY KEY)"));
            }));
            for (int i = 0; i < 20; ++i) {
                futures << db.run([i](QSqlDatabase &c) {
                    return sql::exec(c, QStringLiteral("INSERT INTO queued (id) VALUES (?)"), {i});
                });
            }
        } // destroyed with work still queued
        for (auto &future : futures) {
            QVERIFY(future.isFinished());
            STORAGE_VERIFY(future.result());
        }
        auto reopened = Database::open(path);
        STORAGE_VERIFY(reopened);
        QCOMPARE(scalar(*reopened.value(), QStringLiteral("SELECT COUNT(*) FROM queued")).toInt(),
                 20);
    }

    void schemaQualifiedSqlWorksOnBothBackends_data() { storagetest::backendRows(); }
    void schemaQualifiedSqlWorksOnBothBackends()
    {
        STORAGE_BACKEND();
        QTemporaryDir dir;
        STORAGE_OPEN(db, dir);
        const QString schema = storagetest::uniqueName(QStringLiteral("pl_tutorial")).toLower();
        auto cleanup = qScopeGuard([&] { storagetest::dropSchema(*db, schema); });
        STORAGE_VERIFY(db->ensureSchema(schema));
        STORAGE_VERIFY(db->ensureSchema(schema)); // twice is fine
        QCOMPARE(db->schemas(), QStringList {schema});

        // The same SQL text on both backends, written here and read on a pool thread.
        const QString create
            = QStringLiteral("CREATE TABLE %1.\"StringInt\" (id INTEGER PRIMARY KEY, "
                             "string_value VARCHAR(50), int_value INTEGER)")
                  .arg(schema);
        STORAGE_VERIFY(db->runSync([&](QSqlDatabase &c) { return sql::exec(c, create); }));
        STORAGE_VERIFY(db->runSync([&](QSqlDatabase &c) {
            return sql::exec(
                c,
                QStringLiteral(
                    "INSERT INTO %1.\"StringInt\" (id, string_value, int_value) VALUES (?, ?, ?)")
                    .arg(schema),
                {1, QStringLiteral("one"), 1});
        }));
        auto read = db->run([&](QSqlDatabase &c) -> Result<QString> {
                          auto value = sql::scalar(
                              c,
                              QStringLiteral(
                                  "SELECT string_value FROM %1.\"StringInt\" WHERE int_value = 1")
                                  .arg(schema));
                          if (!value)
                              return value.error();
                          return value.value().toString();
                      }).result();
        STORAGE_VERIFY(read);
        QCOMPARE(read.value(), QStringLiteral("one"));
        QVERIFY(storagetest::tableExists(*db, schema, QStringLiteral("StringInt")));

        if (db->backend() == DatabaseBackend::Sqlite) {
            // An attached file of the schema's name next to the main file, in WAL mode too.
            QVERIFY(QFile::exists(dir.filePath(schema + QStringLiteral(".sqlite"))));
            QCOMPARE(scalar(*db, QStringLiteral("PRAGMA %1.journal_mode").arg(schema))
                         .toString()
                         .toLower(),
                     QStringLiteral("wal"));
            QCOMPARE(scalar(*db,
                            QStringLiteral(
                                "SELECT COUNT(*) FROM main.sqlite_master WHERE name = 'StringInt'"))
                         .toInt(),
                     0);
        }
    }

    void schemasReachConnectionsThatAlreadyExist()
    {
        QTemporaryDir dir;
        DatabaseOptions options;
        options.maxThreads = 1; // one pool thread: its connection is the one opened first
        auto opened = Database::open(dir.filePath(QStringLiteral("peek.sqlite")), options);
        STORAGE_VERIFY(opened);
        Database &db = *opened.value();
        auto connectionName
            = [](QSqlDatabase &c) -> Result<QString> { return c.connectionName(); };
        auto poolBefore = db.run(connectionName).result();
        STORAGE_VERIFY(poolBefore);

        // Another thread opens its connection, then waits while the schema appears.
        QSemaphore opened1, schemaReady;
        QString threadBefore, threadAfter, threadRead;
        std::unique_ptr<QThread> thread(QThread::create([&] {
            auto name = db.runSync(connectionName);
            threadBefore = name ? name.value() : QString();
            opened1.release();
            if (!schemaReady.tryAcquire(1, 10000))
                return;
            auto read = db.runSync([&](QSqlDatabase &c) -> Result<QString> {
                threadAfter = c.connectionName();
                auto value = sql::scalar(
                    c, QStringLiteral("SELECT string_value FROM pl_late.\"StringInt\""));
                if (!value)
                    return value.error();
                return value.value().toString();
            });
            threadRead = read ? read.value() : read.error().message();
        }));
        thread->start();
        QVERIFY(opened1.tryAcquire(1, 10000));

        STORAGE_VERIFY(db.ensureSchema(QStringLiteral("pl_late")));
        STORAGE_VERIFY(db.runSync([](QSqlDatabase &c) -> Result<void> {
            for (const char *statement :
                 {"CREATE TABLE pl_late.\"StringInt\" (id INTEGER PRIMARY KEY, string_value "
                  "VARCHAR(50))",
                  "INSERT INTO pl_late.\"StringInt\" (id, string_value) VALUES (1, 'late')"}) {
                if (auto done = sql::exec(c, QString::fromLatin1(statement)); !done)
                    return done.error();
            }
            return {};
        }));

        auto poolRead
            = db.run([](QSqlDatabase &c) -> Result<QStringList> {
                    auto value = sql::scalar(
                        c, QStringLiteral("SELECT string_value FROM pl_late.\"StringInt\""));
                    if (!value)
                        return value.error();
                    return QStringList {c.connectionName(), value.value().toString()};
                }).result();
        STORAGE_VERIFY(poolRead);
        QCOMPARE(poolRead.value(), (QStringList {poolBefore.value(), QStringLiteral("late")}));

        schemaReady.release();
        QVERIFY(thread->wait(10000));
        QCOMPARE(threadAfter, threadBefore);
        QCOMPARE(threadRead, QStringLiteral("late"));
    }

    void moreSchemasThanSqliteCanAttachAreUsedByName()
    {
        QTemporaryDir dir;
        DatabaseOptions options;
        options.maxThreads = 1;
        auto opened = Database::open(dir.filePath(QStringLiteral("peek.sqlite")), options);
        STORAGE_VERIFY(opened);
        Database &db = *opened.value();
        const int limit = db.maxAttachedSchemas();
        QVERIFY(limit >= 1);
        const int count = limit + 3;
        for (int i = 0; i < count; ++i) {
            const QString schema = QStringLiteral("pl_many_%1").arg(i);
            STORAGE_VERIFY(db.ensureSchema(schema));
            STORAGE_VERIFY(db.runSync({schema}, [&](QSqlDatabase &c) -> Result<void> {
                if (auto done
                    = sql::exec(c,
                                QStringLiteral("CREATE TABLE %1.\"Item\" (id INTEGER PRIMARY KEY)")
                                    .arg(schema));
                    !done)
                    return done.error();
                if (auto done = sql::exec(
                        c, QStringLiteral("INSERT INTO %1.\"Item\" (id) VALUES (?)").arg(schema),
                        {i});
                    !done)
                    return done.error();
                return {};
            }));
        }
        QCOMPARE(db.schemas().size(), count);
        // One pool connection reads every schema in turn, and then the first ones again.
        for (int round = 0; round < 2; ++round) {
            for (int i = 0; i < count; ++i) {
                const QString schema = QStringLiteral("pl_many_%1").arg(i);
                auto read = db.run({schema}, [&](QSqlDatabase &c) {
                                  return sql::scalar(
                                      c, QStringLiteral("SELECT id FROM %1.\"Item\"").arg(schema));
                              }).result();
                STORAGE_VERIFY(read);
                QCOMPARE(read.value().toInt(), i);
            }
        }
        auto attached = db.run({QStringLiteral("pl_many_0")}, [](QSqlDatabase &c) {
                              return sql::scalar(
                                  c, QStringLiteral("SELECT COUNT(*) FROM pragma_database_list"));
                          }).result();
        STORAGE_VERIFY(attached);
        QCOMPARE(attached.value().toInt(), limit + 1); // main and `limit` schemas

        QStringList tooMany;
        for (int i = 0; i <= limit; ++i)
            tooMany << QStringLiteral("pl_many_%1").arg(i);
        auto refused = db.runSync(tooMany, [](QSqlDatabase &) { return Result<void>(); });
        QVERIFY(!refused);
        QVERIFY2(refused.error().message().contains(QStringLiteral("at most %1").arg(limit)),
                 qPrintable(refused.error().message()));
        auto unknown = db.runSync({QStringLiteral("pl_never_ensured")},
                                  [](QSqlDatabase &) { return Result<void>(); });
        QVERIFY(!unknown);
        QVERIFY2(unknown.error().message().contains(QStringLiteral("ensureSchema")),
                 qPrintable(unknown.error().message()));
    }

    void badSchemaNamesAreRefused_data()
    {
        QTest::addColumn<QString>("schema");
        QTest::newRow("upper case") << "Pl_tutorial";
        QTest::newRow("digit first") << "1plugin";
        QTest::newRow("dash") << "pl-tutorial";
        QTest::newRow("quote") << "pl\"x";
        QTest::newRow("main") << "main";
        QTest::newRow("public") << "public";
        QTest::newRow("pg_") << "pg_catalog";
        QTest::newRow("empty") << "";
    }
    void badSchemaNamesAreRefused()
    {
        QFETCH(QString, schema);
        QTemporaryDir dir;
        auto opened = Database::open(dir.filePath(QStringLiteral("peek.sqlite")));
        STORAGE_VERIFY(opened);
        auto refused = opened.value()->ensureSchema(schema);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message().contains(QLatin1Char('\'') + schema + QLatin1Char('\'')),
                 qPrintable(refused.error().message()));
        QVERIFY(opened.value()->schemas().isEmpty());
    }

    void aSchemaCannotBeTheMainFile()
    {
        QTemporaryDir dir;
        auto opened = Database::open(dir.filePath(QStringLiteral("peek.sqlite")));
        STORAGE_VERIFY(opened);
        auto refused = opened.value()->ensureSchema(QStringLiteral("peek"));
        QVERIFY(!refused);
        QVERIFY2(refused.error().message().contains(QStringLiteral("main database file")),
                 qPrintable(refused.error().message()));
    }
};

QTEST_GUILESS_MAIN(TestDatabase)
#include "tst_database.moc"
