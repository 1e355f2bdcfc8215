// The server and its plugins as real processes on loopback: all roles in one process, and
// logic, field and agent as separate processes. A test client (vortex peek-field-app) on the
// field port watches the tutorial's StringInt tuples and pushes its actions; the agent's RPC
// both ways shows up as rows; logic is killed and started again and everything resumes.
#include "action/tupleactionprocessor.h"
#include "observable/tupledataobserverclient.h"
#include "service/tlsbundle.h"
#include "tuple/tuple.h"
#include "vortex/vortex.h"
#include "quickvortex.h"

#include "serverprocess.h"
#include "base/apiversion.h"

#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace peek;
using testing::httpGet;
using testing::Ports;
using testing::ServerProcess;

namespace {

const QString kTutorial = QStringLiteral("peek_plugin_tutorial");
const QString kNoop = QStringLiteral("peek_plugin_noop");
const QString kStringInt = QStringLiteral("peek_plugin_tutorial.StringIntTuple");

// Copies a plugin folder (plugin.json + library) into a home's plugins directory.
bool installIntoHome(const QString &pluginDir, const QString &home)
{
    const QDir source(pluginDir);
    const QString target = home + QStringLiteral("/plugins/") + source.dirName();
    if (!QDir().mkpath(target))
        return false;
    for (const QString &file : source.entryList(QDir::Files)) {
        if (!QFile::copy(source.absoluteFilePath(file), target + u'/' + file))
            return false;
    }
    return true;
}

// The field app's side: a vortex linked to the field service, watching StringInt rows.
struct FieldApp
{
    Vortex vortex {QStringLiteral("peek-field-app"), testing::quickReconnect()};
    TupleDataObserverClient observer {&vortex, kTutorial, kTutorial, TupleDataObserverClient::Options {}};
    TupleSubscription *rows = nullptr;

    explicit FieldApp(quint16 fieldPort)
    {
        vortex.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(fieldPort)));
        rows = observer.subscribe(TupleSelector(kStringInt), &observer); // freed with it (LeakSanitizer)
    }

    // The row whose string1 is `text`, or null.
    TuplePtr row(const QString &text) const
    {
        for (const TuplePtr &tuple : rows->tuples()) {
            if (tuple->field(QStringLiteral("string1")).toString() == text)
                return tuple;
        }
        return nullptr;
    }
    qint64 intOf(const QString &text) const
    {
        const TuplePtr tuple = row(text);
        return tuple ? tuple->field(QStringLiteral("int1")).toInt() : -1;
    }

    QFuture<std::vector<TuplePtr>> addToInt(qint64 id, qint64 offset)
    {
        Dict fields;
        fields.insert(QStringLiteral("stringIntId"), id);
        fields.insert(QStringLiteral("offset"), offset);
        return pushAction(&vortex, kTutorial, kTutorial,
                          std::make_shared<GenericTuple>(QStringLiteral("peek_plugin_tutorial.AddIntValueActionTuple"), fields));
    }
    QFuture<std::vector<TuplePtr>> toggleCaps(qint64 id)
    {
        Dict fields;
        fields.insert(QStringLiteral("stringIntId"), id);
        return pushAction(&vortex, kTutorial, kTutorial,
                          std::make_shared<GenericTuple>(QStringLiteral("peek_plugin_tutorial.StringCapToggleActionTuple"), fields));
    }
};

// The state of each plugin on each role in a /health answer: "role/plugin" -> state.
QMap<QString, QString> pluginStates(const QJsonObject &health)
{
    QMap<QString, QString> states;
    for (const QJsonValue &entry : health.value(QStringLiteral("plugins")).toArray()) {
        const QJsonObject plugin = entry.toObject();
        states.insert(plugin.value(QStringLiteral("role")).toString() + u'/' + plugin.value(QStringLiteral("name")).toString(),
                      plugin.value(QStringLiteral("state")).toString());
    }
    return states;
}

QStringList phasesOnDisk(const QString &home, const QString &role)
{
    QFile file(home + QStringLiteral("/plugin-files/peek_plugin_noop/") + role + QStringLiteral(".phases"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
}

} // namespace

class TestPlatform : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void allRolesInOneProcess()
    {
        QTemporaryDir home;
        const Ports ports;
        QVERIFY(testing::writeConfig(home.path(), ports, {QStringLiteral("logic"), QStringLiteral("field"),
                                     QStringLiteral("office"), QStringLiteral("agent"), QStringLiteral("worker")},
                                     {kTutorial, kNoop, QStringLiteral("peek_test_failstart"), QStringLiteral("peek_test_badtuple"),
                                      QStringLiteral("peek_plugin_missing")}));
        QVERIFY(installIntoHome(QStringLiteral(PEEK_TEST_PLUGINS_DIR "/peek_test_failstart"), home.path()));
        QVERIFY(installIntoHome(QStringLiteral(PEEK_TEST_PLUGINS_DIR "/peek_test_badtuple"), home.path()));
        ServerProcess server(home.path());
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());

        // Every port answers /health; the plugins run on the right roles; the failing one is
        // reported with its reason and the rest still run.
        for (quint16 port : {ports.field, ports.office, ports.logicAdmin, ports.logicDataExchange}) {
            const auto health = httpGet(port, "/health");
            QCOMPARE(health.status, 200);
            QCOMPARE(health.json().value(QStringLiteral("roles")).toArray().size(), 5);
        }
        const QJsonObject health = httpGet(ports.field, "/health").json();
        QCOMPARE(health.value(QStringLiteral("status")).toString(), QStringLiteral("degraded"));
        QCOMPARE(health.value(QStringLiteral("version")).toString(), QStringLiteral(PEEK_VERSION));
        const auto states = pluginStates(health);
        for (const char *role : {"logic", "field", "office", "agent", "worker"})
            QCOMPARE(states.value(QLatin1String(role) + QStringLiteral("/peek_plugin_tutorial")), QStringLiteral("started"));
        QVERIFY(!states.contains(QStringLiteral("field/peek_test_failstart"))); // not one of its services
        for (const char *role : {"logic", "field", "office", "agent", "worker"})
            QCOMPARE(states.value(QLatin1String(role) + QStringLiteral("/peek_plugin_noop")), QStringLiteral("started"));
        QCOMPARE(states.value(QStringLiteral("logic/peek_test_failstart")), QStringLiteral("failed"));
        const QByteArray body = httpGet(ports.field, "/health").body;
        QVERIFY2(body.contains("start failed: the test plugin refuses to start (on purpose)"), body.constData());
        QCOMPARE(httpGet(ports.logicAdmin, "/peek_test_failstart/alive").status, 404); // torn down
        QCOMPARE(states.value(QStringLiteral("logic/peek_test_badtuple")), QStringLiteral("failed"));
        QCOMPARE(states.value(QStringLiteral("-/peek_plugin_missing")), QStringLiteral("failed"));
        QVERIFY2(body.contains("peek_plugin_missing is enabled in config.json but not installed"), body.constData());
        QVERIFY2(body.contains("tuple type names must start with \\\"peek_test_badtuple.\\\"; rename peek_plugin_tutorial.StolenTuple"),
                 body.constData());

        // Plugin HTTP resources under /<plugin>/ on the role's port.
        QCOMPARE(httpGet(ports.field, "/peek_plugin_noop/phases").jsonArray(),
                 QJsonArray({QStringLiteral("load"), QStringLiteral("start")}));
        const auto view = httpGet(ports.field, "/peek_plugin_tutorial/qml/field/TutorialFieldView.qml");
        QCOMPARE(view.status, 200);
        QVERIFY(view.body.contains("StringCapToggleActionTuple"));
        QCOMPARE(httpGet(ports.field, "/peek_plugin_tutorial/qml/../../plugin.json").status, 404);

        // The field app sees the rows: seeded by the migration, stored by the agent's RPC to
        // logic, by logic's RPC to the agent, and by noop through the tutorial's API.
        FieldApp app(ports.field);
        QTRY_VERIFY_WITH_TIMEOUT(app.row(QStringLiteral("Peek")) != nullptr, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(app.intOf(QStringLiteral("agent called logic's addInts(1, 2)")), 3, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(app.intOf(QStringLiteral("logic called the agent's subInts(10, 3)")), 7, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(app.intOf(QStringLiteral("noop called the tutorial's API")), 42, 20000);
        // ... and by a worker task (the tutorial's pickRandomNumber, queued through its API).
        QTRY_VERIFY_WITH_TIMEOUT(app.intOf(QStringLiteral("noop asked a worker for a random number")) >= 0, 20000);
        QVERIFY(app.intOf(QStringLiteral("noop asked a worker for a random number")) < 1000);

        // Actions through the field service change logic's rows, and the update comes back.
        const qint64 before = app.intOf(QStringLiteral("Peek"));
        auto added = app.addToInt(1, 5);
        QTRY_VERIFY_WITH_TIMEOUT(added.isFinished(), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(app.intOf(QStringLiteral("Peek")), before + 5, 20000);
        auto toggled = app.toggleCaps(1);
        QTRY_VERIFY_WITH_TIMEOUT(toggled.isFinished(), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(app.row(QStringLiteral("PEEK")) != nullptr, 20000);

        // Stop: every role's noop went through load, start, stop, unload; the log says who did what.
        server.terminate();
        QVERIFY(server.process().waitForFinished(20000));
        QCOMPARE(server.process().exitCode(), 0);
        for (const char *role : {"field", "office", "agent", "worker"})
            QCOMPARE(phasesOnDisk(home.path(), QLatin1String(role)),
                     (QStringList {QStringLiteral("load"), QStringLiteral("start"), QStringLiteral("stop"), QStringLiteral("unload")}));
        QCOMPARE(phasesOnDisk(home.path(), QStringLiteral("logic")),
                 (QStringList {QStringLiteral("load"), QStringLiteral("start"), QStringLiteral("called peek_plugin_tutorial"),
                               QStringLiteral("stop"), QStringLiteral("unload")}));
        QFile log(home.filePath(QStringLiteral("peek-server.log")));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray lines = log.readAll();
        QVERIFY2(lines.contains("logic  peek_plugin_tutorial") || lines.contains("logic peek_plugin_tutorial"), lines.left(2000).constData());
        QVERIFY(lines.contains("the test plugin refuses to start"));
    }

    // In a running server: plugins start in dependency order (noop needs the tutorial, though
    // listed first) and stop in the reverse order; a plugin whose dependency failed to start is
    // not started, and /health says why.
    void pluginsStartInDependencyOrderAndStopInReverse()
    {
        QTemporaryDir home;
        const Ports ports;
        QVERIFY(testing::writeConfig(home.path(), ports, {QStringLiteral("logic")},
                                     {kNoop, QStringLiteral("peek_test_needsfailed"), kTutorial,
                                      QStringLiteral("peek_test_failstart")}));
        QVERIFY(installIntoHome(QStringLiteral(PEEK_TEST_PLUGINS_DIR "/peek_test_failstart"), home.path()));
        QVERIFY(installIntoHome(QStringLiteral(PEEK_TEST_PLUGINS_DIR "/peek_test_needsfailed"), home.path()));
        ServerProcess server(home.path());
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());

        const QJsonObject health = httpGet(ports.logicAdmin, "/health").json();
        QString needsFailedError;
        for (const QJsonValue &plugin : health.value(QStringLiteral("plugins")).toArray()) {
            const QJsonObject p = plugin.toObject();
            if (p.value(QStringLiteral("name")).toString() == QLatin1String("peek_test_needsfailed")) {
                QCOMPARE(p.value(QStringLiteral("state")).toString(), QStringLiteral("failed"));
                needsFailedError = p.value(QStringLiteral("error")).toString();
            }
        }
        QVERIFY2(needsFailedError.contains(QStringLiteral("needs peek_test_failstart, which failed")),
                 qPrintable(needsFailedError));

        server.terminate();
        QVERIFY(server.process().waitForFinished(20000));
        QFile log(home.filePath(QStringLiteral("peek-server.log")));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray lines = log.readAll();
        const auto at = [&lines](const char *text) {
            const qsizetype i = lines.indexOf(text);
            if (i < 0)
                qWarning() << "not in the log:" << text;
            return i;
        };
        const qsizetype tutorialStarted = at("started peek_plugin_tutorial 1.0.0 on logic");
        const qsizetype noopStarted = at("started peek_plugin_noop 1.0.0 on logic");
        const qsizetype noopStopped = at("stopped peek_plugin_noop on logic");
        const qsizetype tutorialStopped = at("stopped peek_plugin_tutorial on logic");
        QVERIFY(tutorialStarted >= 0 && noopStarted >= 0 && noopStopped >= 0 && tutorialStopped >= 0);
        QVERIFY2(tutorialStarted < noopStarted, "noop started before the tutorial it depends on");
        QVERIFY2(noopStopped < tutorialStopped, "the tutorial stopped before noop, which depends on it");
        QVERIFY2(!lines.contains("peek_test_needsfailed ran its start"), "a plugin whose dependency failed was started");
    }

    // In a running server: a plugin written for another major version of the plugin API is not
    // loaded (its library is never opened) and is reported failed in /health with the reason, and
    // so is a plugin that needs it; the others run.
    // Plugins that cannot run are reported failed in /health with a reason a person can act on,
    // and the rest run: one written for another API major (and one that needs it), and one whose
    // migration fails (its SQL and the database's text go to the log, not to /health).
    void pluginForAnotherApiMajorIsReportedFailed()
    {
        QTemporaryDir home;
        const Ports ports;
        const QString future = QStringLiteral("peek_test_futureapi");
        const QString needsFuture = QStringLiteral("peek_test_needsfutureapi");
        const QString badMigration = QStringLiteral("peek_test_failstart");
        QVERIFY(testing::writeConfig(home.path(), ports, {QStringLiteral("logic")}, {future, needsFuture, badMigration, kTutorial}));
        QVERIFY(installIntoHome(QStringLiteral(PEEK_TEST_PLUGINS_DIR "/peek_test_failstart"), home.path()));
        {
            const QString migrations = home.filePath(QStringLiteral("plugins/peek_test_failstart/migrations"));
            QFile sql(migrations + QStringLiteral("/0001_broken.sql"));
            QVERIFY(QDir().mkpath(migrations) && sql.open(QIODevice::WriteOnly));
            QVERIFY(sql.write("CREATE TABLE secret_layout (id INTEGER PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);\n") > 0);
        }
        const auto writePlugin = [&home](const QString &name, const QByteArray &json) {
            const QString dir = home.filePath(QStringLiteral("plugins/") + name);
            QFile file(dir + QStringLiteral("/plugin.json"));
            return QDir().mkpath(dir) && file.open(QIODevice::WriteOnly) && file.write(json) == json.size();
        };
        const int nextMajor = PluginApiVersion::current().majorVersion() + 1;
        QVERIFY(writePlugin(future, QStringLiteral(R"({"name": "peek_test_futureapi", "title": "From the future", "version": "1.0.0",
            "peekApi": "%1.0", "roles": ["logic"]})").arg(nextMajor).toUtf8()));
        QVERIFY(writePlugin(needsFuture, R"({"name": "peek_test_needsfutureapi", "title": "Needs the future", "version": "1.0.0",
            "peekApi": "1.0", "roles": ["logic"], "dependencies": [{"name": "peek_test_futureapi"}]})"));
        ServerProcess server(home.path());
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());

        const QJsonObject health = httpGet(ports.logicAdmin, "/health").json();
        QCOMPARE(health.value(QStringLiteral("status")).toString(), QStringLiteral("degraded"));
        QMap<QString, QJsonObject> plugins;
        for (const QJsonValue &plugin : health.value(QStringLiteral("plugins")).toArray())
            plugins.insert(plugin.toObject().value(QStringLiteral("name")).toString(), plugin.toObject());
        QCOMPARE(plugins.value(future).value(QStringLiteral("state")).toString(), QStringLiteral("failed"));
        const QString futureError = plugins.value(future).value(QStringLiteral("error")).toString();
        QVERIFY2(futureError.contains(QStringLiteral("needs plugin API %1.0, this platform offers %2")
                                          .arg(nextMajor)
                                          .arg(PluginApiVersion::current().toString())),
                 qPrintable(futureError));
        QCOMPARE(plugins.value(needsFuture).value(QStringLiteral("state")).toString(), QStringLiteral("failed"));
        const QString needsError = plugins.value(needsFuture).value(QStringLiteral("error")).toString();
        QVERIFY2(needsError.contains(future), qPrintable(needsError));
        QCOMPARE(plugins.value(badMigration).value(QStringLiteral("state")).toString(), QStringLiteral("failed"));
        const QString migrationError = plugins.value(badMigration).value(QStringLiteral("error")).toString();
        QVERIFY2(migrationError.startsWith(QStringLiteral("migration failed: ")), qPrintable(migrationError));
        QVERIFY2(migrationError.contains(QStringLiteral("0001_broken.sql")), qPrintable(migrationError));
        QVERIFY2(migrationError.contains(QStringLiteral("the service's log has the details")), qPrintable(migrationError));
        QVERIFY2(!migrationError.contains(QStringLiteral("no_such_table")), qPrintable(migrationError));
        QTRY_VERIFY_WITH_TIMEOUT(server.errors().contains("no_such_table"), 10000);
        QCOMPARE(plugins.value(kTutorial).value(QStringLiteral("state")).toString(), QStringLiteral("started"));
    }

    void separateProcessesAndLogicRestart()
    {
        QTemporaryDir logicHome, fieldHome, agentHome;
        const Ports ports;
        const QStringList plugins {kTutorial, kNoop};
        QVERIFY(testing::writeConfig(logicHome.path(), ports, {QStringLiteral("logic")}, plugins));
        QVERIFY(testing::writeConfig(fieldHome.path(), ports, {QStringLiteral("field")}, plugins));
        QVERIFY(testing::writeConfig(agentHome.path(), ports, {QStringLiteral("agent")}, plugins));
        const QStringList toLogic {QStringLiteral("--logic-url"), QStringLiteral("ws://127.0.0.1:%1").arg(ports.logicDataExchange)};
        auto logic = std::make_unique<ServerProcess>(logicHome.path());
        QVERIFY2(logic->start(), (logic->output() + logic->errors()).constData());
        ServerProcess field(fieldHome.path(), toLogic);
        QVERIFY2(field.start(), (field.output() + field.errors()).constData());
        ServerProcess agent(agentHome.path(), toLogic);
        QVERIFY2(agent.start(), (agent.output() + agent.errors()).constData());

        const auto fieldStates = pluginStates(httpGet(ports.field, "/health").json());
        QCOMPARE(fieldStates.value(QStringLiteral("field/peek_plugin_tutorial")), QStringLiteral("started"));
        // Only the field role's plugins in this process: the two enabled ones and the core plugins
        // (peek_core_device, peek_core_user).
        QCOMPARE(fieldStates.size(), 4);
        const auto logicStates = pluginStates(httpGet(ports.logicAdmin, "/health").json());
        QCOMPARE(logicStates.value(QStringLiteral("logic/peek_plugin_noop")), QStringLiteral("started"));

        FieldApp app(ports.field);
        QTRY_VERIFY_WITH_TIMEOUT(app.row(QStringLiteral("Tutorial")) != nullptr, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(app.intOf(QStringLiteral("agent called logic's addInts(1, 2)")), 3, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(app.intOf(QStringLiteral("logic called the agent's subInts(10, 3)")), 7, 30000);
        auto added = app.addToInt(2, 10);
        QTRY_VERIFY_WITH_TIMEOUT(added.isFinished(), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(app.intOf(QStringLiteral("Tutorial")), 12, 20000);

        // Logic dies as in a crash and comes back: field and agent reconnect by themselves, the
        // app's subscription (through field) resumes, and the agent calls logic again.
        logic->kill();
        QTRY_VERIFY_WITH_TIMEOUT(!httpGet(ports.field, "/health").json().value(QStringLiteral("services"))
                                      .toArray().first().toObject().value(QStringLiteral("logicConnected")).toBool(), 20000);
        logic = std::make_unique<ServerProcess>(logicHome.path());
        QVERIFY2(logic->start(), (logic->output() + logic->errors()).constData());
        QTRY_VERIFY_WITH_TIMEOUT(httpGet(ports.field, "/health").json().value(QStringLiteral("services"))
                                     .toArray().first().toObject().value(QStringLiteral("logicConnected")).toBool(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(agent.errors().contains("logic's addInts(1, 2) answered 3")
                                     && agent.errors().count("logic's addInts(1, 2) answered 3") >= 2, 30000);
        auto again = app.addToInt(2, 1);
        QTRY_VERIFY_WITH_TIMEOUT(again.isFinished(), 30000);
        QVERIFY2(!again.isCanceled(), "the action after logic's restart failed");
        QTRY_COMPARE_WITH_TIMEOUT(app.intOf(QStringLiteral("Tutorial")), 13, 30000);
    }
    // With peek-ssl-bundle.pem in the homes, logic and field serve wss/https and field dials
    // logic over wss, verifying it against the CA of its own bundle; a broken bundle stops the
    // server with the file and the reason.
    void tlsBetweenProcesses()
    {
        QTemporaryDir logicHome, fieldHome, brokenHome;
        const Ports ports;
        const QString fixtures = QStringLiteral(PEEK_TLS_FIXTURES);
        QVERIFY(QFile::copy(fixtures + QStringLiteral("/server/peek-ssl-bundle.pem"), logicHome.filePath(QStringLiteral("peek-ssl-bundle.pem"))));
        QVERIFY(QFile::copy(fixtures + QStringLiteral("/server/peek-ssl-bundle.pem"), fieldHome.filePath(QStringLiteral("peek-ssl-bundle.pem"))));
        QVERIFY(testing::writeConfig(logicHome.path(), ports, {QStringLiteral("logic")}, {kTutorial}));
        QVERIFY(testing::writeConfig(fieldHome.path(), ports, {QStringLiteral("field")}, {kTutorial}));
        ServerProcess logic(logicHome.path());
        QVERIFY2(logic.start(), (logic.output() + logic.errors()).constData());
        QVERIFY(logic.output().contains(QByteArray("wss://127.0.0.1:") + QByteArray::number(ports.logicDataExchange)));
        ServerProcess field(fieldHome.path(), {QStringLiteral("--logic-url"), QStringLiteral("wss://127.0.0.1:%1").arg(ports.logicDataExchange)});
        QVERIFY2(field.start(), (field.output() + field.errors()).constData());

        auto client = TlsBundle::load(fixtures + QStringLiteral("/client/peek-ssl-bundle.pem"));
        QVERIFY2(client, qPrintable(client.error().message()));
        const QSslConfiguration trust = client.value().clientConfiguration();
        QTRY_VERIFY_WITH_TIMEOUT(httpGet(ports.field, "/health", 10000, &trust).json().value(QStringLiteral("services"))
                                     .toArray().first().toObject().value(QStringLiteral("logicConnected")).toBool(), 30000);
        const QJsonObject health = httpGet(ports.logicAdmin, "/health", 10000, &trust).json();
        QCOMPARE(health.value(QStringLiteral("tls")).toBool(), true);
        QCOMPARE(httpGet(ports.logicAdmin, "/health").status, 400); // plain HTTP on a TLS port

        QFile broken(brokenHome.filePath(QStringLiteral("peek-ssl-bundle.pem")));
        QVERIFY(QFile::copy(fixtures + QStringLiteral("/broken/peek-ssl-bundle.pem"), broken.fileName()));
        QVERIFY(testing::writeConfig(brokenHome.path(), Ports(), {QStringLiteral("logic")}, {}));
        ServerProcess refused(brokenHome.path());
        QVERIFY(!refused.start());
        QCOMPARE(refused.process().exitCode(), 1);
        QVERIFY2(refused.errors().contains("peek-ssl-bundle.pem"), refused.errors().constData());
    }
};

QTEST_GUILESS_MAIN(TestPlatform)
#include "tst_platform.moc"
