// Upgrades (issue 17, docs/operations.md "Upgrades"): a home made by Peek 0.1.0 (its backup,
// tests/fixtures/home-0.1.0.peekbackup: an admin user, a tutorial setting) is restored and run by
// this build, which applies whatever migrations it has on top and keeps the data; a database that
// a newer Peek migrated is refused at start by name, and left as it was.
#include "serverprocess.h"

#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

namespace {

using Run = testing::AdminRun;

Run peekServer(const QStringList &args)
{
    return testing::runServerCommand(args);
}

// Runs `statement` on a home's main SQLite file; the first column of the first row, if any.
QVariant onMainDatabase(const QString &home, const QString &statement)
{
    QVariant value;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("upgrade"));
        db.setDatabaseName(home + QStringLiteral("/peek.sqlite"));
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(statement) && q.next())
                value = q.value(0);
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("upgrade"));
    return value;
}

} // namespace

class TestUpgrade : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    testing::Ports m_ports;

private Q_SLOTS:
    // The 0.1.0 home runs on this build with its user and setting.
    void aHomeOfAnOlderReleaseRunsOnThisBuild()
    {
        const Run restored = peekServer({QStringLiteral("restore"), QStringLiteral(PEEK_FIXTURES_DIR "/home-0.1.0.peekbackup"),
                                         QStringLiteral("--home"), m_home.path()});
        QVERIFY2(restored.code == 0, (restored.out + restored.err).constData());
        QVERIFY2(restored.out.contains("made by Peek 0.1.0"), restored.out.constData());
        // This test's ports and join token; the databases stay the fixture's.
        QVERIFY(testing::writeConfig(m_home.path(), m_ports, {QStringLiteral("logic"), QStringLiteral("field")},
                                     {QStringLiteral("peek_plugin_tutorial")}));
        testing::ServerProcess server(m_home.path());
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());
        const auto users = testing::runAdmin(m_home.path(), {QStringLiteral("--json"), QStringLiteral("users"), QStringLiteral("list")});
        QVERIFY2(users.out.contains("made-in-0.1.0"), (users.out + users.err).constData());
        const auto settings = testing::runAdmin(m_home.path(), {QStringLiteral("--json"), QStringLiteral("plugins"), QStringLiteral("settings"),
                                                                QStringLiteral("peek_plugin_tutorial")});
        QVERIFY2(settings.out.contains("Hello from a 0.1.0 home"), (settings.out + settings.err).constData());
        server.terminate();
        QVERIFY(server.process().waitForFinished(20000));
    }

    // A migration this build does not know, as a newer Peek would have left it: the start is
    // refused naming the set and the migration, and the record stays.
    void aDatabaseOfANewerPeekIsRefused()
    {
        const QString set = onMainDatabase(m_home.path(), QStringLiteral("SELECT set_name FROM \"_migrations\" ORDER BY set_name LIMIT 1")).toString();
        QVERIFY(!set.isEmpty());
        QVERIFY(!onMainDatabase(m_home.path(),
                                QStringLiteral("INSERT INTO \"_migrations\" (set_name, number, name, checksum, applied_at) "
                                               "VALUES ('%1', 9999, 'from_the_future', 'x', '2030-01-01') RETURNING number")
                                    .arg(set))
                     .isNull());
        QProcess server;
        server.start(QStringLiteral(PEEK_SERVER_BIN), {QStringLiteral("--home"), m_home.path(), QStringLiteral("--listen"), QStringLiteral("127.0.0.1")});
        QVERIFY(server.waitForFinished(30000));
        const QByteArray err = server.readAllStandardError();
        QVERIFY(server.exitCode() != 0);
        QVERIFY2(err.contains("9999") && err.contains("from_the_future") && err.contains("newer than the software"), err.constData());
        QCOMPARE(onMainDatabase(m_home.path(), QStringLiteral("SELECT COUNT(*) FROM \"_migrations\" WHERE number = 9999")).toInt(), 1);
    }
};

QTEST_GUILESS_MAIN(TestUpgrade)
#include "tst_upgrade.moc"
