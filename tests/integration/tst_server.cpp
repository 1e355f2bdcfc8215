// peek-server as a real process: command line, the logic vortex on loopback, server echo of
// the golden payload, clients reconnecting after the server restarts, clean shutdown.
#include "action/tupleactions.h"
#include "base/role.h"
#include "vortex/futurecontext.h"
#include "vortex/payloadenvelope.h"
#include "vortex/payloadresponse.h"
#include "vortex/vortex.h"
#include "quickvortex.h"

#include "serverprocess.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace peek;

namespace {

using testing::freePort;

// The logic role alone (no plugins) on `port`, its other port free too.
class ServerProcess
{
public:
    explicit ServerProcess(quint16 port) : m_port(port)
    {
        testing::Ports ports;
        ports.logicDataExchange = port;
        testing::writeConfig(m_home.path(), ports, {QStringLiteral("logic")}, {});
        m_server = std::make_unique<testing::ServerProcess>(m_home.path());
    }
    bool start() { return m_server->start() && output().contains(QByteArray("ws://127.0.0.1:") + QByteArray::number(m_port)); }
    QProcess &process() { return m_server->process(); }
    QByteArray output() { return m_server->output(); }

private:
    QTemporaryDir m_home;
    quint16 m_port;
    std::unique_ptr<testing::ServerProcess> m_server;
};

QByteArray vectorText(const QString &name)
{
    QFile f(QStringLiteral(PEEK_VECTORS_DIR "/%1.json").arg(name));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("text")).toString().toUtf8();
}

} // namespace

class TestServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helpAndVersion()
    {
        QProcess p;
        p.start(QStringLiteral(PEEK_SERVER_BIN), {QStringLiteral("--version")});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardOutput().contains(PEEK_VERSION));
        p.start(QStringLiteral(PEEK_SERVER_BIN), {QStringLiteral("--help")});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        const QByteArray help = p.readAllStandardOutput();
        QVERIFY(help.contains("--port"));
        QVERIFY(help.contains("--version"));
        p.start(QStringLiteral(PEEK_SERVER_BIN), {QStringLiteral("--port"), QStringLiteral("seventy")});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("--port must be a number"));
    }

    void aBusyPortIsAClearError()
    {
        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
        QProcess p;
        QTemporaryDir home;
        QVERIFY(testing::writeConfig(home.path(), testing::Ports(), {QStringLiteral("logic")}, {}));
        p.start(QStringLiteral(PEEK_SERVER_BIN), {QStringLiteral("--port"), QString::number(squatter.serverPort()),
                                                  QStringLiteral("--home"), home.path(),
                                                  QStringLiteral("--listen"), QStringLiteral("127.0.0.1")});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(p.readAllStandardError().contains("cannot listen"));
    }

    void configJsonIsCompletedAndItsPortUsed()
    {
        QTemporaryDir home;
        const quint16 port = freePort();
        QFile file(home.filePath(QStringLiteral("config.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QStringLiteral(R"({"ports": {"logicDataExchange": %1, "logicAdmin": %2}, "roles": ["logic"], "myTypo": 1})")
                       .arg(port).arg(freePort()).toUtf8());
        file.close();
        QProcess p;
        p.start(QStringLiteral(PEEK_SERVER_BIN), {QStringLiteral("--home"), home.path(),
                                                  QStringLiteral("--listen"), QStringLiteral("127.0.0.1")});
        QByteArray out, err;
        QVERIFY(QTest::qWaitFor([&] {
            out += p.readAllStandardOutput();
            return out.contains("listening on") || p.state() == QProcess::NotRunning;
        }, 10000));
        QVERIFY2(out.contains(QByteArray("ws://127.0.0.1:") + QByteArray::number(port)), out.constData());
        p.terminate();
        QVERIFY(p.waitForFinished(10000));
        err = p.readAllStandardError();
        QVERIFY2(err.contains("unknown key myTypo"), err.constData());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject written = QJsonDocument::fromJson(file.readAll()).object();
        file.close();
        QCOMPARE(written.value(QStringLiteral("myTypo")).toInt(), 1); // unknown keys kept
        QCOMPARE(written.value(QStringLiteral("ports")).toObject().value(QStringLiteral("logicDataExchange")).toInt(), int(port));
        QCOMPARE(written.value(QStringLiteral("ports")).toObject().value(QStringLiteral("field")).toInt(), 8000);
        QCOMPARE(written.value(QStringLiteral("logging")).toObject().value(QStringLiteral("level")).toString(), QStringLiteral("info"));
        // Logic made the installation's join token and keeps the file to its owner.
        const QString token = written.value(QStringLiteral("logic")).toObject().value(QStringLiteral("joinToken")).toString();
        QCOMPARE(token.size(), 43); // 256 random bits, base64url
        QVERIFY2(!err.contains(token.toUtf8()), "the join token must not be logged");
        QCOMPARE(QFileInfo(file).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
    }

    // --enable-plugin and --plugin-dir run a plugin from its build folder for one run, without
    // touching config.json; a bad name or folder is refused before anything starts.
    void enablePluginForOneRun()
    {
        QTemporaryDir home;
        testing::Ports ports;
        QVERIFY(testing::writeConfig(home.path(), ports, {QStringLiteral("logic"), QStringLiteral("field")}, {}));
        testing::ServerProcess server(home.path(), {QStringLiteral("--enable-plugin"), QStringLiteral("peek_test_kit"),
                                                    QStringLiteral("--plugin-dir"), QStringLiteral(PEEK_TEST_PLUGINS_DIR)});
        QVERIFY2(server.start(), server.output().constData());
        const auto health = testing::httpGet(ports.field, "/health");
        QStringList kit;
        for (const auto &plugin : health.json().value(QStringLiteral("plugins")).toArray()) {
            const QJsonObject p = plugin.toObject();
            if (p.value(QStringLiteral("name")).toString() == QLatin1String("peek_test_kit"))
                kit << p.value(QStringLiteral("role")).toString() + u':' + p.value(QStringLiteral("state")).toString();
        }
        QCOMPARE(kit, (QStringList {QStringLiteral("logic:started"), QStringLiteral("field:started")}));
        server.terminate();
        QFile config(home.filePath(QStringLiteral("config.json")));
        QVERIFY(config.open(QIODevice::ReadOnly));
        QVERIFY(!config.readAll().contains("peek_test_kit"));

        for (const QStringList &bad : {QStringList {QStringLiteral("--enable-plugin"), QStringLiteral("../x")},
                                       QStringList {QStringLiteral("--plugin-dir"), home.filePath(QStringLiteral("none"))}}) {
            QProcess p;
            p.start(QStringLiteral(PEEK_SERVER_BIN), QStringList {QStringLiteral("--home"), home.path()} + bad);
            QVERIFY(p.waitForFinished(10000));
            QCOMPARE(p.exitCode(), 2);
            const QByteArray err = p.readAllStandardError();
            QVERIFY2(err.contains(bad.first().toUtf8()), err.constData());
        }
    }

    // --no-enrolment (a developer's machine, the tutorial): this run serves a device that never
    // enrolled nor logged in, says so in its log, and leaves config.json alone; it is refused
    // unless the server listens on loopback only.
    void noEnrolmentServesThisMachinesAppsForOneRun()
    {
        QTemporaryDir home;
        testing::Ports ports;
        QVERIFY(testing::writeConfig(home.path(), ports, {QStringLiteral("logic"), QStringLiteral("field")}, {}));
        // As a real home has it (the tests' configs serve devices without enrolment).
        QFile config(home.filePath(QStringLiteral("config.json")));
        QVERIFY(config.open(QIODevice::ReadOnly));
        QJsonObject written = QJsonDocument::fromJson(config.readAll()).object();
        config.close();
        written.insert(QStringLiteral("devices"), QJsonObject {{QStringLiteral("requireEnrolment"), true}});
        QVERIFY(config.open(QIODevice::WriteOnly | QIODevice::Truncate));
        config.write(QJsonDocument(written).toJson());
        config.close();
        QProcess open;
        open.start(QStringLiteral(PEEK_SERVER_BIN), {QStringLiteral("--home"), home.path(), QStringLiteral("--no-enrolment")});
        QVERIFY(open.waitForFinished(10000));
        QCOMPARE(open.exitCode(), 2);
        const QByteArray refusal = open.readAllStandardError();
        QVERIFY2(refusal.contains("--no-enrolment serves every device without enrolment or login: it runs only with --listen 127.0.0.1"),
                 refusal.constData());

        testing::ServerProcess server(home.path(), {QStringLiteral("--no-enrolment"), QStringLiteral("--enable-plugin"), QStringLiteral("peek_test_kit"),
                                                    QStringLiteral("--plugin-dir"), QStringLiteral(PEEK_TEST_PLUGINS_DIR)});
        QVERIFY2(server.start(), server.output().constData());
        Vortex device(Role(Role::Field).appVortexName(), ::testing::quickReconnect());
        device.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(ports.field)));
        QTRY_VERIFY_WITH_TIMEOUT(device.isConnectedTo(QStringLiteral("peek-field-service")), 10000);
        auto ping = std::make_shared<GenericTuple>(QStringLiteral("peek_test_kit.PingAction"), Dict {});
        action::stamp(*ping);
        auto answer = PayloadResponse::send(&device, PayloadEnvelope::fromPayload(Payload(action::processorFilt(QStringLiteral("peek_test_kit"),
                                                                                                                 QStringLiteral("peek_test_kit")),
                                                                                          {ping})),
                                            QStringLiteral("peek-field-service"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(answer.isFinished(), 15000);
        const auto applied = resultOf(answer, QStringLiteral("cancelled"));
        QVERIFY2(applied, qPrintable(applied.error().message()));
        QVERIFY2(server.errors().contains("devices are served without enrolment or login for this run (--no-enrolment, on 127.0.0.1 only"),
                 server.errors().constData());
        server.terminate();
        QVERIFY(server.process().waitForFinished(10000));
        QVERIFY(config.open(QIODevice::ReadOnly));
        written = QJsonDocument::fromJson(config.readAll()).object();
        QCOMPARE(written.value(QStringLiteral("devices")).toObject().value(QStringLiteral("requireEnrolment")).toBool(false), true);
    }

    // A service that dials logic cannot start without the join token, and says where to get it.
    void aServiceWithoutTheJoinTokenDoesNotStart()
    {
        QTemporaryDir home;
        testing::Ports ports;
        QVERIFY(testing::writeConfig(home.path(), ports, {QStringLiteral("field")}, {}));
        QFile file(home.filePath(QStringLiteral("config.json")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QJsonObject config = QJsonDocument::fromJson(file.readAll()).object();
        file.close();
        QJsonObject logic = config.value(QStringLiteral("logic")).toObject();
        logic.insert(QStringLiteral("joinToken"), QString());
        config.insert(QStringLiteral("logic"), logic);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(QJsonDocument(config).toJson());
        file.close();
        QProcess p;
        p.start(QStringLiteral(PEEK_SERVER_BIN), {QStringLiteral("--home"), home.path(),
                                                  QStringLiteral("--listen"), QStringLiteral("127.0.0.1")});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains("logic.joinToken is empty") && err.contains("copy logic.joinToken from the logic service's config.json"),
                 err.constData());
    }

    // A worker in its own process needs the database logic uses: with the SQLite file it cannot.
    void aWorkerAloneNeedsASharedDatabase()
    {
        QTemporaryDir home;
        QVERIFY(testing::writeConfig(home.path(), testing::Ports(), {QStringLiteral("worker")}, {}));
        QProcess p;
        p.start(QStringLiteral(PEEK_SERVER_BIN), {QStringLiteral("--home"), home.path()});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 1);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains("set storage.url in config.json"), err.constData());
        QVERIFY2(!err.contains("another peek-server"), err.constData());
    }

    void aBrokenConfigIsRefusedWithLineAndColumn()
    {
        QTemporaryDir home;
        const QByteArray broken = "{\n  \"ports\": {\n    \"field\": 8000\n    \"office\": 8002\n  }\n}\n";
        QFile file(home.filePath(QStringLiteral("config.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(broken);
        file.close();
        QProcess p;
        p.start(QStringLiteral(PEEK_SERVER_BIN), {QStringLiteral("--home"), home.path()});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains("line 4") && err.contains("column"), err.constData());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), broken); // left as it was
    }

    void echoesTheGoldenPayloadThroughTheCodec()
    {
        const quint16 port = freePort();
        ServerProcess server(port);
        QVERIFY2(server.start(), server.output().constData());
        Vortex client(QStringLiteral("peek-field-app"), testing::quickReconnect());
        QSignalSpy up(&client, &Vortex::peerConnected);
        client.setJoinToken(testing::kJoinToken);
        client.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port)));
        QVERIFY(up.wait(10000));
        QCOMPARE(up.first().first().value<PeerInfo>().vortexName, QStringLiteral("peek-logic-service"));

        // The echo comes back re-encoded by the server's codec: it must decode to the same text.
        const QByteArray text = vectorText(QStringLiteral("payload-all-types"));
        QVERIFY(!text.isEmpty());
        Result<Payload> decoded = Payload::fromJson(text);
        QVERIFY2(decoded, qPrintable(decoded.error().message()));
        Payload payload = std::move(decoded).value();
        payload.filt.insert(QStringLiteral("rapuiServerEcho"), true);
        auto reply = PayloadResponse::send(&client, PayloadEnvelope::fromPayload(payload, 9),
                                           QStringLiteral("peek-logic-service"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(reply.isFinished(), 10000);
        Result<Payload> echoedResult = reply.result().decodePayload();
        QVERIFY2(echoedResult, qPrintable(echoedResult.error().message()));
        Payload echoed = std::move(echoedResult).value();
        echoed.filt.remove(PayloadRouter::kMessageIdKey);
        QCOMPARE(echoed.toJson(), text);
    }

    void clientsReconnectAfterTheServerRestarts()
    {
        const quint16 port = freePort();
        auto server = std::make_unique<ServerProcess>(port);
        QVERIFY(server->start());
        Vortex client(QStringLiteral("peek-field-service"), testing::quickReconnect());
        QSignalSpy up(&client, &Vortex::peerConnected);
        QSignalSpy down(&client, &Vortex::peerDisconnected);
        client.setJoinToken(testing::kJoinToken);
        client.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port)));
        QVERIFY(up.wait(10000));
        const QString firstUuid = up.first().first().value<PeerInfo>().vortexUuid;

        server->process().kill(); // as abrupt as a crash
        QVERIFY(down.wait(10000));
        server = std::make_unique<ServerProcess>(port);
        QVERIFY(server->start());
        // The client may be back already while start() waited for the server's ready line.
        QTRY_COMPARE_WITH_TIMEOUT(up.size(), 2, 15000);
        const QString secondUuid = up.last().first().value<PeerInfo>().vortexUuid;
        QVERIFY(secondUuid != firstUuid);
        QVERIFY(client.isConnectedTo(QStringLiteral("peek-logic-service")));
    }

    void sigtermShutsDownCleanly()
    {
        const quint16 port = freePort();
        ServerProcess server(port);
        QVERIFY(server.start());
        Vortex client(QStringLiteral("peek-field-service"), testing::quickReconnect());
        QSignalSpy up(&client, &Vortex::peerConnected);
        QSignalSpy down(&client, &Vortex::peerDisconnected);
        client.setJoinToken(testing::kJoinToken);
        client.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port)));
        QVERIFY(up.wait(10000));
        ::kill(pid_t(server.process().processId()), SIGTERM);
        QVERIFY(server.process().waitForFinished(10000));
        QCOMPARE(server.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(server.process().exitCode(), 0);
        QVERIFY(server.output().contains("SIGTERM received"));
        QVERIFY(server.output().contains("stopped"));
        QTRY_COMPARE_WITH_TIMEOUT(down.size(), 1, 10000);
    }
};

QTEST_GUILESS_MAIN(TestServer)
#include "tst_server.moc"
