// Peek across processes on one PostgreSQL (issue 5): logic and worker processes share the task
// queue in the database, workers die and logic restarts without losing a task, services with a
// wrong join token are refused, and field services in two processes serve the same data.
//
// Each test gets a database of its own on the PostgreSQL of PEEK_TEST_PG_URL (./test.sh starts
// one); the join-token test needs none. Tasks come from the test plugin peek_test_tasks: its
// worker tasks record every run (task, pid, attempt) in a table, its logic RPCs queue tasks and
// collect their results.
#include "pgrequired.h"
#include "observable/tupledataobserverclient.h"
#include "action/tupleactionprocessor.h"
#include "storage/databaselocation.h"
#include "tuple/tuple.h"
#include "vortex/rpc.h"
#include "vortex/vortex.h"
#include "quickvortex.h"

#include "pgdatabase.h"
#include "serverprocess.h"

#include <QDir>
#include <QSet>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace peek;
using testing::httpGet;
using testing::PgDatabase;
using testing::Ports;
using testing::ServerProcess;

namespace {

const QString kTestTasks = QStringLiteral("peek_test_tasks");
const QString kTutorial = QStringLiteral("peek_plugin_tutorial");
const QString kNoop = QStringLiteral("peek_plugin_noop");


#define REQUIRE_POSTGRES(db)                                                                                 \
    do {                                                                                                     \
        PEEK_REQUIRE_POSTGRES((db).available(), (db).error());                                         \
    } while (false)

// The config of a test home on PostgreSQL: quick leases and polls, so recovery shows in seconds.
QJsonObject sharedStorage(const QString &url, int threads = 2)
{
    return QJsonObject {{QStringLiteral("storage"), QJsonObject {{QStringLiteral("url"), url}}},
                        {QStringLiteral("worker"), QJsonObject {{QStringLiteral("threads"), threads}}},
                        {QStringLiteral("tasks"), QJsonObject {{QStringLiteral("leaseSeconds"), 2},
                                                               {QStringLiteral("retryBackoffSeconds"), 1}}}};
}

// A test home with its config (roles, plugins, storage) written.
struct Home
{
    QTemporaryDir dir;
    Home(const Ports &ports, const QStringList &roles, const QStringList &plugins, const QJsonObject &extra)
    {
        testing::writeConfig(dir.path(), ports, roles, plugins, extra);
    }
    QString path() const { return dir.path(); }
};

// peek_test_tasks' RPCs on logic.
Rpc testRpc(const char *name)
{
    return Rpc(kTestTasks + u'.' + QLatin1String(name), {kTestTasks, QStringLiteral("peek-logic-service"), {}, 120000});
}

// A client of logic's data-exchange port that calls peek_test_tasks' RPCs.
struct LogicClient
{
    Vortex vortex {QStringLiteral("peek-test-client"), testing::quickReconnect()};

    LogicClient(quint16 port, const QByteArray &token = testing::kJoinToken)
    {
        vortex.setJoinToken(token);
        vortex.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port)));
    }
    bool waitConnected(int ms = 20000)
    {
        return QTest::qWaitFor([this] { return vortex.isConnectedTo(QStringLiteral("peek-logic-service")); }, ms);
    }
    // Calls and waits; a failure is returned as the error text.
    Value call(const char *name, ValueList args, QString *error, int ms = 120000)
    {
        QFuture<Value> answer = testRpc(name).call(&vortex, std::move(args), {}, ms);
        if (!QTest::qWaitFor([&] { return answer.isFinished(); }, ms + 5000)) {
            *error = QStringLiteral("no answer to %1 in %2 ms").arg(QLatin1String(name)).arg(ms);
            return {};
        }
        try {
            return answer.result();
        } catch (const std::exception &e) {
            *error = QString::fromUtf8(e.what());
            return {};
        }
    }
};

// /health of logic: its task queue's counts ("queued", "running", "done", "failed").
QJsonObject taskCounts(quint16 logicPort)
{
    const QJsonArray services = httpGet(logicPort, "/health").json().value(QStringLiteral("services")).toArray();
    for (const QJsonValue &service : services) {
        if (service.toObject().value(QStringLiteral("role")).toString() == QLatin1String("logic"))
            return service.toObject().value(QStringLiteral("taskQueue")).toObject().value(QStringLiteral("tasks")).toObject();
    }
    return {};
}

// The runs the worker tasks recorded: task id -> [(pid, attempt), ...].
QHash<QString, QList<QPair<qint64, int>>> runsByTask(const Value &rows)
{
    QHash<QString, QList<QPair<qint64, int>>> runs;
    for (const Value &row : rows.toList())
        runs[row.toList().at(0).toString()].append({row.toList().at(1).toInt(), int(row.toList().at(2).toInt())});
    return runs;
}

qint64 pidOf(ServerProcess &process)
{
    return process.process().processId();
}

} // namespace

class TestTasks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("PEEK_PLUGIN_PATH", QByteArrayLiteral(PEEK_TEST_PLUGINS_DIR));
    }

    // Logic and two worker processes on PostgreSQL: 1,000 tasks, each runs exactly once and every
    // result reaches its caller.
    void thousandTasksTwoWorkers()
    {
        PgDatabase pg;
        REQUIRE_POSTGRES(pg);
        const Ports ports;
        Home logicHome(ports, {QStringLiteral("logic")}, {kTestTasks}, sharedStorage(pg.url()));
        Home workerHomeA(ports, {QStringLiteral("worker")}, {kTestTasks}, sharedStorage(pg.url()));
        Home workerHomeB(ports, {QStringLiteral("worker")}, {kTestTasks}, sharedStorage(pg.url()));
        ServerProcess logic(logicHome.path());
        QVERIFY2(logic.start(), (logic.output() + logic.errors()).constData());
        ServerProcess workerA(workerHomeA.path());
        QVERIFY2(workerA.start(), (workerA.output() + workerA.errors()).constData());
        ServerProcess workerB(workerHomeB.path());
        QVERIFY2(workerB.start(), (workerB.output() + workerB.errors()).constData());

        LogicClient client(ports.logicDataExchange);
        QVERIFY(client.waitConnected());
        QString error;
        const Value answers = client.call("run", {kTestTasks + QStringLiteral(".echo"), 1000, ValueList {7}}, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error + QStringLiteral("\nlogic said:\n") + QString::fromUtf8(logic.errors().right(3000))
                                             + QStringLiteral("\nexit status %1 code %2").arg(logic.process().exitStatus()).arg(logic.process().exitCode())));
        QCOMPARE(answers.toList().size(), size_t(1000));
        QSet<QString> ids;
        QSet<qint64> pids;
        for (const Value &answer : answers.toList()) {
            const Dict &entry = answer.toDict();
            QVERIFY2(!entry.contains(QStringLiteral("error")), qPrintable(entry.value(QStringLiteral("error")).toString()));
            ids.insert(entry.value(QStringLiteral("id")).toString());
            const Dict &result = entry.value(QStringLiteral("result")).toDict();
            QCOMPARE(result.value(QStringLiteral("args")).toList().at(0).toInt(), 7);
            QCOMPARE(result.value(QStringLiteral("attempt")).toInt(), 1);
            pids.insert(result.value(QStringLiteral("pid")).toInt());
        }
        QCOMPARE(ids.size(), 1000);
        const QSet<qint64> workerPids {pidOf(workerA), pidOf(workerB)};
        QVERIFY(!pids.isEmpty());
        QVERIFY2(workerPids.contains(pids), "a result came from a process that is not one of the workers");

        // Exactly once: the workers recorded one run per task.
        const auto runs = runsByTask(client.call("runs", {}, &error));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(runs.size(), 1000);
        for (auto it = runs.cbegin(); it != runs.cend(); ++it) {
            QVERIFY2(it.value().size() == 1, qPrintable(QStringLiteral("task %1 ran %2 times").arg(it.key()).arg(it.value().size())));
            QVERIFY(ids.contains(it.key()));
        }
        qInfo("worker A ran %lld, worker B ran %lld",
              qint64(std::count_if(answers.toList().begin(), answers.toList().end(), [&](const Value &a) {
                  return a.toDict().value(QStringLiteral("result")).toDict().value(QStringLiteral("pid")).toInt() == pidOf(workerA);
              })),
              qint64(std::count_if(answers.toList().begin(), answers.toList().end(), [&](const Value &a) {
                  return a.toDict().value(QStringLiteral("result")).toDict().value(QStringLiteral("pid")).toInt() == pidOf(workerB);
              })));
        QTRY_COMPARE_WITH_TIMEOUT(taskCounts(ports.logicAdmin).value(QStringLiteral("done")).toInt(), 1000, 20000);
    }

    // A worker killed while it holds tasks: after their lease they run on the other worker; none
    // is lost, none reported twice.
    void killedWorkersTasksRunElsewhere()
    {
        PgDatabase pg;
        REQUIRE_POSTGRES(pg);
        const Ports ports;
        Home logicHome(ports, {QStringLiteral("logic")}, {kTestTasks}, sharedStorage(pg.url()));
        Home workerHomeA(ports, {QStringLiteral("worker")}, {kTestTasks}, sharedStorage(pg.url(), 4));
        Home workerHomeB(ports, {QStringLiteral("worker")}, {kTestTasks}, sharedStorage(pg.url(), 4));
        ServerProcess logic(logicHome.path());
        QVERIFY2(logic.start(), (logic.output() + logic.errors()).constData());
        ServerProcess workerA(workerHomeA.path());
        QVERIFY2(workerA.start(), (workerA.output() + workerA.errors()).constData());

        LogicClient client(ports.logicDataExchange);
        QVERIFY(client.waitConnected());
        QString error;
        // Four tasks whose first attempt holds a thread of worker A (4 threads) for a minute.
        const Value queued = client.call("queue", {kTestTasks + QStringLiteral(".holdFirstAttempt"), 4, ValueList {60000}}, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(queued.toList().size(), size_t(4));
        QTRY_COMPARE_WITH_TIMEOUT(taskCounts(ports.logicAdmin).value(QStringLiteral("running")).toInt(), 4, 20000);

        const qint64 pidA = pidOf(workerA);
        workerA.process().kill(); // SIGKILL: no goodbye, its leases simply run out
        QVERIFY(workerA.process().waitForFinished(10000));
        ServerProcess workerB(workerHomeB.path());
        QVERIFY2(workerB.start(), (workerB.output() + workerB.errors()).constData());

        const Value answers = client.call("results", {queued}, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(answers.toList().size(), size_t(4));
        QSet<QString> ids;
        for (const Value &answer : answers.toList()) {
            const Dict &entry = answer.toDict();
            QVERIFY2(!entry.contains(QStringLiteral("error")), qPrintable(entry.value(QStringLiteral("error")).toString()));
            ids.insert(entry.value(QStringLiteral("id")).toString());
            const Dict &result = entry.value(QStringLiteral("result")).toDict();
            QCOMPARE(result.value(QStringLiteral("pid")).toInt(), pidOf(workerB));
            QCOMPARE(result.value(QStringLiteral("attempt")).toInt(), 2);
        }
        QCOMPARE(ids.size(), 4);
        // Each ran twice: attempt 1 on A (killed), attempt 2 on B.
        const auto runs = runsByTask(client.call("runs", {}, &error));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(runs.size(), 4);
        for (const auto &taskRuns : runs) {
            QCOMPARE(taskRuns.size(), 2);
            QVERIFY((taskRuns.contains(qMakePair(pidA, 1))));
            QVERIFY((taskRuns.contains(qMakePair(pidOf(workerB), 2))));
        }
        QTRY_COMPARE_WITH_TIMEOUT(taskCounts(ports.logicAdmin).value(QStringLiteral("done")).toInt(), 4, 20000);
        QCOMPARE(taskCounts(ports.logicAdmin).value(QStringLiteral("failed")).toInt(), 0);
        QVERIFY2(logic.errors().contains("queued again"), logic.errors().right(2000).constData());
    }

    // Logic restarts with tasks queued and no worker: the tasks still run, their results are kept.
    void logicRestartKeepsQueuedTasks()
    {
        PgDatabase pg;
        REQUIRE_POSTGRES(pg);
        const Ports ports;
        Home logicHome(ports, {QStringLiteral("logic")}, {kTestTasks}, sharedStorage(pg.url()));
        Home workerHome(ports, {QStringLiteral("worker")}, {kTestTasks}, sharedStorage(pg.url()));
        auto logic = std::make_unique<ServerProcess>(logicHome.path());
        QVERIFY2(logic->start(), (logic->output() + logic->errors()).constData());
        Value queued;
        {
            LogicClient client(ports.logicDataExchange);
            QVERIFY(client.waitConnected());
            QString error;
            queued = client.call("queue", {kTestTasks + QStringLiteral(".echo"), 20, ValueList {QStringLiteral("kept")}}, &error);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QCOMPARE(queued.toList().size(), size_t(20));
        }
        logic->kill();
        logic = std::make_unique<ServerProcess>(logicHome.path());
        QVERIFY2(logic->start(), (logic->output() + logic->errors()).constData());
        QTRY_COMPARE_WITH_TIMEOUT(taskCounts(ports.logicAdmin).value(QStringLiteral("queued")).toInt(), 20, 10000);
        ServerProcess worker(workerHome.path());
        QVERIFY2(worker.start(), (worker.output() + worker.errors()).constData());

        LogicClient client(ports.logicDataExchange);
        QVERIFY(client.waitConnected());
        for (int round = 0; round < 2; ++round) { // the second asks again: the results are kept
            QString error;
            const Value answers = client.call("results", {queued}, &error);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QCOMPARE(answers.toList().size(), size_t(20));
            for (const Value &answer : answers.toList()) {
                const Dict &entry = answer.toDict();
                QVERIFY2(!entry.contains(QStringLiteral("error")), qPrintable(entry.value(QStringLiteral("error")).toString()));
                QCOMPARE(entry.value(QStringLiteral("result")).toDict().value(QStringLiteral("args")).toList().at(0).toString(),
                         QStringLiteral("kept"));
                QCOMPARE(entry.value(QStringLiteral("result")).toDict().value(QStringLiteral("pid")).toInt(), pidOf(worker));
            }
        }
        QString error;
        QCOMPARE(runsByTask(client.call("runs", {}, &error)).size(), 20);
    }

    // A service with the wrong join token is refused, and both sides log it; the right token
    // joins.
    void wrongJoinTokenIsRefused()
    {
        const Ports ports;
        Home logicHome(ports, {QStringLiteral("logic")}, {}, {});
        QJsonObject wrong {{QStringLiteral("logic"), QJsonObject {{QStringLiteral("url"), QStringLiteral("ws://127.0.0.1:%1").arg(ports.logicDataExchange)},
                                                                  {QStringLiteral("joinToken"), QStringLiteral("not-the-token")}}}};
        Home strayHome(ports, {QStringLiteral("field")}, {}, {});
        {
            // writeConfig puts the shared token in; the stray gets another one.
            QFile file(strayHome.path() + QStringLiteral("/config.json"));
            QVERIFY(file.open(QIODevice::ReadOnly));
            QJsonObject config = QJsonDocument::fromJson(file.readAll()).object();
            file.close();
            config.insert(QStringLiteral("logic"), wrong.value(QStringLiteral("logic")));
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write(QJsonDocument(config).toJson());
        }
        Home fieldHome(ports, {QStringLiteral("office")}, {}, {});
        ServerProcess logic(logicHome.path());
        QVERIFY2(logic.start(), (logic.output() + logic.errors()).constData());
        ServerProcess stray(strayHome.path());
        QVERIFY2(stray.start(), (stray.output() + stray.errors()).constData());
        QTRY_VERIFY_WITH_TIMEOUT(logic.errors().contains("peek-field-service"), 20000);
        QVERIFY2(logic.errors().contains("wrong"), logic.errors().constData());
        QTRY_VERIFY_WITH_TIMEOUT(stray.errors().contains("logic.joinToken"), 20000);
        QVERIFY(!stray.errors().contains("not-the-token")); // the secret is never logged
        QVERIFY(!logic.errors().contains("not-the-token"));
        const QJsonObject strayHealth = httpGet(ports.field, "/health").json();
        QCOMPARE(strayHealth.value(QStringLiteral("services")).toArray().first().toObject().value(QStringLiteral("logicConnected")).toBool(), false);

        // The same process type with the right token joins.
        ServerProcess office(fieldHome.path());
        QVERIFY2(office.start(), (office.output() + office.errors()).constData());
        QTRY_VERIFY_WITH_TIMEOUT(httpGet(ports.office, "/health").json().value(QStringLiteral("services")).toArray().first()
                                     .toObject().value(QStringLiteral("logicConnected")).toBool(), 20000);
        QCOMPARE(httpGet(ports.field, "/health").json().value(QStringLiteral("services")).toArray().first().toObject()
                     .value(QStringLiteral("logicConnected")).toBool(), false);
    }

    // Field services in two processes against one logic on PostgreSQL (with a worker for the
    // tutorial's task): devices on either see the same updates.
    void twoFieldServicesShareUpdates()
    {
        PgDatabase pg;
        REQUIRE_POSTGRES(pg);
        const Ports ports;
        Ports secondField = ports;
        secondField.field = testing::freePort();
        const QStringList plugins {kTutorial, kNoop};
        Home logicHome(ports, {QStringLiteral("logic")}, plugins, sharedStorage(pg.url()));
        Home workerHome(ports, {QStringLiteral("worker")}, plugins, sharedStorage(pg.url()));
        Home fieldHomeA(ports, {QStringLiteral("field")}, plugins, {});
        Home fieldHomeB(secondField, {QStringLiteral("field")}, plugins, {});
        ServerProcess logic(logicHome.path());
        QVERIFY2(logic.start(), (logic.output() + logic.errors()).constData());
        ServerProcess worker(workerHome.path());
        QVERIFY2(worker.start(), (worker.output() + worker.errors()).constData());
        ServerProcess fieldA(fieldHomeA.path());
        QVERIFY2(fieldA.start(), (fieldA.output() + fieldA.errors()).constData());
        ServerProcess fieldB(fieldHomeB.path());
        QVERIFY2(fieldB.start(), (fieldB.output() + fieldB.errors()).constData());

        struct Device
        {
            Vortex vortex;
            TupleDataObserverClient observer;
            TupleSubscription *rows;
            Device(const QString &name, quint16 port)
                : vortex(name, testing::quickReconnect()),
                  observer(&vortex, kTutorial, kTutorial, TupleDataObserverClient::Options {})
            {
                vortex.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port)));
                rows = observer.subscribe(TupleSelector(QStringLiteral("peek_plugin_tutorial.StringIntTuple")), &observer);
            }
            qint64 intOf(const QString &text) const
            {
                for (const TuplePtr &tuple : rows->tuples())
                    if (tuple->field(QStringLiteral("string1")).toString() == text)
                        return tuple->field(QStringLiteral("int1")).toInt();
                return -1;
            }
        };
        Device onA(QStringLiteral("peek-field-app"), ports.field);
        Device onB(QStringLiteral("peek-field-app"), secondField.field);
        QTRY_COMPARE_WITH_TIMEOUT(onA.intOf(QStringLiteral("Tutorial")), 2, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(onB.intOf(QStringLiteral("Tutorial")), 2, 30000);
        // The tutorial's worker task ran (noop asked it through the tutorial's API on logic).
        QTRY_VERIFY_WITH_TIMEOUT(onA.intOf(QStringLiteral("noop asked a worker for a random number")) >= 0, 30000);
        QVERIFY(onA.intOf(QStringLiteral("noop asked a worker for a random number")) < 1000);
        QTRY_COMPARE_WITH_TIMEOUT(onB.intOf(QStringLiteral("noop asked a worker for a random number")),
                                  onA.intOf(QStringLiteral("noop asked a worker for a random number")), 30000);

        // An action through field A shows on devices of field B, and the other way round.
        Dict add;
        add.insert(QStringLiteral("stringIntId"), 2);
        add.insert(QStringLiteral("offset"), 10);
        auto viaA = pushAction(&onA.vortex, kTutorial, kTutorial,
                               std::make_shared<GenericTuple>(QStringLiteral("peek_plugin_tutorial.AddIntValueActionTuple"), add));
        QTRY_VERIFY_WITH_TIMEOUT(viaA.isFinished(), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(onB.intOf(QStringLiteral("Tutorial")), 12, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(onA.intOf(QStringLiteral("Tutorial")), 12, 20000);
        add.insert(QStringLiteral("offset"), 5);
        auto viaB = pushAction(&onB.vortex, kTutorial, kTutorial,
                               std::make_shared<GenericTuple>(QStringLiteral("peek_plugin_tutorial.AddIntValueActionTuple"), add));
        QTRY_VERIFY_WITH_TIMEOUT(viaB.isFinished(), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(onA.intOf(QStringLiteral("Tutorial")), 17, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(onB.intOf(QStringLiteral("Tutorial")), 17, 20000);
    }
};

QTEST_GUILESS_MAIN(TestTasks)
#include "tst_tasks.moc"
