// peek-server backup / restore (issue 17, docs/operations.md "Backup and restore") on a real
// server with the embedded SQLite database: a backup taken while a client keeps pushing actions
// holds every action confirmed before it started; it restores into a fresh home whose server
// starts and serves the rows; a restore over a running server, a backup of a newer Peek and a
// second server with the same roles on one home are refused with the reason.
#include "action/tupleactionprocessor.h"
#include "action/tupleactions.h"
#include "storage/databaselocation.h"
#include "tuple/tuple.h"
#include "vortex/futurecontext.h"
#include "vortex/vortex.h"

#include "pgdatabase.h"
#include "pgrequired.h"
#include "serverprocess.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <JlCompress.h>

using namespace peek;

namespace {

constexpr int kWaitMs = 30000;

using Run = testing::AdminRun;

Run peekServer(const QStringList &args)
{
    return testing::runServerCommand(args);
}

// The tutorial's row 1 as stored: in a home's SQLite file, or in a PostgreSQL database (-1: unreadable).
qint64 int1Of(const QString &home, const QString &postgresUrl = {})
{
    qint64 value = -1;
    {
        QSqlDatabase db;
        if (postgresUrl.isEmpty()) {
            db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
            db.setDatabaseName(home + QStringLiteral("/pl_tutorial.sqlite"));
        } else {
            const auto location = DatabaseLocation::parse(postgresUrl).value();
            db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("check"));
            db.setHostName(location.host);
            db.setPort(location.port);
            db.setUserName(location.user);
            db.setPassword(location.password);
            db.setDatabaseName(location.databaseName);
        }
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(postgresUrl.isEmpty() ? QStringLiteral("SELECT int1 FROM \"StringInt\" WHERE id = 1")
                                             : QStringLiteral("SELECT int1 FROM pl_tutorial.\"StringInt\" WHERE id = 1"))
                && q.next())
                value = q.value(0).toLongLong();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("check"));
    return value;
}

// What a backup taken while a client keeps adding 1 to row 1 saw: the row before, the additions
// confirmed when the backup started and when it ended.
struct UnderLoad
{
    qint64 start = -1;
    int before = 0;
    int after = 0;
    QByteArray output;
    bool ok = false;
};

UnderLoad backupUnderLoad(const QString &home, quint16 fieldPort, const QString &file, const QString &postgresUrl = {})
{
    UnderLoad r;
    r.start = int1Of(home, postgresUrl);
    Vortex device(QStringLiteral("peek-field-app"));
    device.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(fieldPort)));
    if (!QTest::qWaitFor([&] { return device.isConnectedTo(QStringLiteral("peek-field-service")); }, kWaitMs))
        return r;
    int confirmed = 0;
    bool pushing = true;
    std::function<void()> pushOne = [&] {
        auto add = std::make_shared<GenericTuple>(QStringLiteral("peek_plugin_tutorial.AddIntValueActionTuple"),
                                                  Dict {{QStringLiteral("stringIntId"), qint64(1)}, {QStringLiteral("offset"), qint64(1)}});
        action::stamp(*add);
        onFinished(&device, pushAction(&device, QStringLiteral("peek_plugin_tutorial"), QStringLiteral("peek_plugin_tutorial"), add,
                                       QStringLiteral("peek-field-service"), kWaitMs),
                   [&](QFuture<std::vector<TuplePtr>> done) {
                       if (resultOf(done, QStringLiteral("cancelled")))
                           ++confirmed;
                       if (pushing)
                           pushOne();
                   });
    };
    pushOne();
    if (!QTest::qWaitFor([&] { return confirmed >= 20; }, kWaitMs))
        return r;
    r.before = confirmed;
    QProcess backup;
    backup.start(QStringLiteral(PEEK_SERVER_BIN), {QStringLiteral("backup"), QStringLiteral("--to"), file, QStringLiteral("--home"), home});
    // The client goes on meanwhile.
    if (!QTest::qWaitFor([&] { return backup.state() == QProcess::NotRunning; }, 120000))
        return r;
    r.after = confirmed;
    pushing = false;
    r.output = backup.readAllStandardOutput() + backup.readAllStandardError();
    r.ok = backup.exitCode() == 0;
    // The last answer may still be on its way: let it land before the client goes.
    (void)QTest::qWaitFor([&] { return confirmed > r.after; }, 2000);
    device.close();
    return r;
}

} // namespace

class TestBackup : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home, m_restored, m_files;
    testing::Ports m_ports;
    std::unique_ptr<testing::ServerProcess> m_server;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(testing::writeConfig(m_home.path(), m_ports, {QStringLiteral("logic"), QStringLiteral("field")},
                                     {QStringLiteral("peek_plugin_tutorial")}));
        m_server = std::make_unique<testing::ServerProcess>(m_home.path());
        QVERIFY2(m_server->start(), (m_server->output() + m_server->errors()).constData());
    }

    // A client adds 1 to row 1 over and over while the backup runs: the backup holds at least
    // every addition confirmed before it started and at most those confirmed by its end; the
    // restored home's server starts on it.
    void aBackupTakenUnderLoadRestoresIntoAFreshHome()
    {
        const QString file = m_files.filePath(QStringLiteral("peek.backup"));
        const UnderLoad taken = backupUnderLoad(m_home.path(), m_ports.field, file);
        QVERIFY2(taken.ok, taken.output.constData());
        QVERIFY2(taken.output.contains("backup: database pl_tutorial.sqlite") && taken.output.contains("written"), taken.output.constData());
        const qint64 start = taken.start;
        const int before = taken.before, after = taken.after;

        // A restore over the running server is refused, and changes nothing there.
        const Run over = peekServer({QStringLiteral("restore"), file, QStringLiteral("--home"), m_home.path()});
        QCOMPARE(over.code, 1);
        QVERIFY2(over.err.contains("runs on") && over.err.contains("stop it before restoring"), over.err.constData());

        // Into a fresh home: the rows are those of the backup's moment.
        const Run restored = peekServer({QStringLiteral("restore"), file, QStringLiteral("--home"), m_restored.path()});
        QVERIFY2(restored.code == 0, (restored.out + restored.err).constData());
        const qint64 int1 = int1Of(m_restored.path());
        QVERIFY2(int1 >= start + before && int1 <= start + after + 1,
                 qPrintable(QStringLiteral("restored %1; %2 + [%3, %4] expected").arg(int1).arg(start).arg(before).arg(after)));

        // The restored home runs (the original stops first: the restored config has its ports).
        m_server->terminate();
        QVERIFY(m_server->process().waitForFinished(20000));
        testing::ServerProcess again(m_restored.path());
        QVERIFY2(again.start(), (again.output() + again.errors()).constData());
        const testing::HttpAnswer health = testing::httpGet(m_ports.logicDataExchange, "/health");
        QCOMPARE(health.json().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        again.terminate();
        QVERIFY(again.process().waitForFinished(20000));
        QVERIFY2(m_server->start(), (m_server->output() + m_server->errors()).constData());
    }

    // The same on PostgreSQL (logic, field and a worker in one process): pg_dump while the client
    // pushes, pg_restore into a fresh database named with --storage-url, and a server on it.
    void aPostgreSqlBackupRestoresIntoAFreshDatabase()
    {
        testing::PgDatabase source, target;
        PEEK_REQUIRE_POSTGRES(source.available() && target.available(), source.error() + target.error());
        QTemporaryDir home, restored;
        testing::Ports ports;
        QVERIFY(testing::writeConfig(home.path(), ports, {QStringLiteral("logic"), QStringLiteral("field"), QStringLiteral("worker")},
                                     {QStringLiteral("peek_plugin_tutorial")},
                                     QJsonObject {{QStringLiteral("storage"), QJsonObject {{QStringLiteral("url"), source.url()}}}}));
        testing::ServerProcess server(home.path());
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());
        const QString file = m_files.filePath(QStringLiteral("pg.backup"));
        const UnderLoad taken = backupUnderLoad(home.path(), ports.field, file, source.url());
        QVERIFY2(taken.ok, taken.output.constData());
        QVERIFY2(taken.output.contains("pg_dump"), taken.output.constData());

        const Run restoredRun = peekServer({QStringLiteral("restore"), file, QStringLiteral("--home"), restored.path(),
                                            QStringLiteral("--storage-url"), target.url()});
        QVERIFY2(restoredRun.code == 0, (restoredRun.out + restoredRun.err).constData());
        const qint64 int1 = int1Of({}, target.url());
        QVERIFY2(int1 >= taken.start + taken.before && int1 <= taken.start + taken.after + 1,
                 qPrintable(QStringLiteral("restored %1; %2 + [%3, %4] expected").arg(int1).arg(taken.start).arg(taken.before).arg(taken.after)));
        server.terminate();
        QVERIFY(server.process().waitForFinished(20000));
        testing::ServerProcess again(restored.path());
        QVERIFY2(again.start(), (again.output() + again.errors()).constData());
        again.terminate();
        QVERIFY(again.process().waitForFinished(20000));
    }

    // A backup made by a newer Peek is refused by name; so is a home that already has an
    // installation, and a file that is no backup.
    void whatCannotBeRestoredIsRefused()
    {
        QTemporaryDir staged;
        QFile manifest(staged.filePath(QStringLiteral("manifest.json")));
        QVERIFY(manifest.open(QIODevice::WriteOnly));
        manifest.write(QJsonDocument(QJsonObject {{QStringLiteral("format"), QStringLiteral("peek-backup")},
                                                  {QStringLiteral("formatVersion"), 1},
                                                  {QStringLiteral("platformVersion"), QStringLiteral("99.0.0")},
                                                  {QStringLiteral("storage"), QStringLiteral("sqlite")}})
                           .toJson());
        manifest.close();
        const QString newer = m_files.filePath(QStringLiteral("newer.backup"));
        QVERIFY(JlCompress::compressDir(newer, staged.path(), true));
        QTemporaryDir fresh;
        const Run refused = peekServer({QStringLiteral("restore"), newer, QStringLiteral("--home"), fresh.path()});
        QCOMPARE(refused.code, 1);
        QVERIFY2(refused.err.contains("made by Peek 99.0.0, newer than this peek-server"), refused.err.constData());
        QVERIFY(!QFileInfo::exists(fresh.filePath(QStringLiteral("config.json"))));

        const Run occupied = peekServer({QStringLiteral("restore"), m_files.filePath(QStringLiteral("peek.backup")),
                                         QStringLiteral("--home"), m_restored.path()});
        QCOMPARE(occupied.code, 1);
        QVERIFY2(occupied.err.contains("already holds an installation"), occupied.err.constData());

        QFile junk(m_files.filePath(QStringLiteral("junk.backup")));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not a zip at all");
        junk.close();
        const Run notABackup = peekServer({QStringLiteral("restore"), junk.fileName(), QStringLiteral("--home"), fresh.path()});
        QCOMPARE(notABackup.code, 1);
        QVERIFY2(notABackup.err.contains("is not a Peek backup"), notABackup.err.constData());
    }

    // The same roles twice on one home: the second is refused at once with the first one's pid.
    void aSecondServerOnTheSameHomeIsRefused()
    {
        const Run second = peekServer({QStringLiteral("--home"), m_home.path(), QStringLiteral("--listen"), QStringLiteral("127.0.0.1")});
        QCOMPARE(second.code, 1);
        QVERIFY2(second.err.contains("another peek-server (pid"), second.err.constData());
    }

    void cleanupTestCase()
    {
        if (m_server)
            m_server->terminate();
    }
};

QTEST_GUILESS_MAIN(TestBackup)
#include "tst_backup.moc"
