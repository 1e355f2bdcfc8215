// What an attacker on the network can send a real peek-server (defaults: all roles, bundled
// plugins) with a WebSocket client and no credentials (issue 12's table): each case shows the
// process stays up, answers or closes only the offender with a clear reason, and keeps serving a
// well-behaved client meanwhile.
#include "serverprocess.h"

#include "../unit/vortex/rawpeer.h"

#include "observable/observablefilt.h"
#include "tuple/tupleselector.h"
#include "vortex/payload.h"
#include "vortex/payloadenvelope.h"
#include "vortex/payloadrouter.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonArray>
#include <QJsonObject>
#include <QUuid>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace peek;
using namespace testing;

namespace {

const QString kTutorial = QStringLiteral("peek_plugin_tutorial");
const QString kPositions = QStringLiteral("peek_plugin_positions");

// An envelope whose payload is `payloadJson` as written (not made by our encoder, so it can be
// anything a peer could send).
QByteArray envelopeWithPayload(const Dict &filt, const QByteArray &payloadJson)
{
    const QByteArray data = zlib::compress(payloadJson.constData(), payloadJson.size(), 6).toBase64();
    return PayloadEnvelope(filt, data).toVortexMsg();
}

Dict actionFilt(const QString &plugin, const QString &messageId)
{
    return Dict {{QStringLiteral("plugin"), plugin},
                 {QStringLiteral("key"), QStringLiteral("tupleActionProcessorName")},
                 {QStringLiteral("name"), plugin},
                 {PayloadRouter::kMessageIdKey, messageId}};
}

QByteArray actionPayload(const QByteArray &tupleJson)
{
    return R"({"_ct":"rp","filt":{},"tuples":[)" + tupleJson + R"(],"date":null})";
}

Dict tutorialRowsFilt(bool subscribe)
{
    return observable::requestFilt(kTutorial, kTutorial,
                                   TupleSelector(QStringLiteral("peek_plugin_tutorial.StringIntTuple"), {}), subscribe);
}

} // namespace

class TestHardening : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    Ports m_ports;
    std::unique_ptr<ServerProcess> m_server;

    // A well-behaved device: asks for the tutorial's rows and must get them.
    void checkStillServed(const char *after)
    {
        QVERIFY2(m_server->process().state() == QProcess::Running,
                 qPrintable(QStringLiteral("peek-server died after %1:\n%2").arg(QLatin1String(after), QString::fromUtf8(m_server->errors().right(3000)))));
        RawPeer good;
        QVERIFY2(good.open(m_ports.field), after);
        good.send(PayloadEnvelope(tutorialRowsFilt(false)));
        QVERIFY2(good.waitForMessage(2, 10000), after);
        const PayloadEnvelope rows = good.envelope(1);
        QVERIFY2(rows.isSuccess(), qPrintable(rows.errorText()));
        QVERIFY(rows.decodePayload());
    }

    // The id of a tutorial row (the agent's call at start makes rows; wait for one).
    qint64 firstRowId()
    {
        qint64 id = -1;
        (void)QTest::qWaitFor([&] {
            RawPeer device;
            if (!device.open(m_ports.field))
                return false;
            device.send(PayloadEnvelope(tutorialRowsFilt(false)));
            if (!device.waitForMessage(2, 5000))
                return false;
            const Result<Payload> payload = device.envelope(1).decodePayload();
            if (payload && !payload.value().tuples.empty())
                id = payload.value().tuples.front()->field(QStringLiteral("id")).toInt();
            return id >= 0;
        }, 20000);
        return id;
    }

    QJsonObject fieldHealth(const QString &role = QStringLiteral("field"))
    {
        const HttpAnswer health = httpGet(m_ports.field, "/health");
        for (const QJsonValue &service : health.json().value(QStringLiteral("services")).toArray())
            if (service.toObject().value(QStringLiteral("role")).toString() == role)
                return service.toObject();
        return {};
    }
    qint64 trippedOnLogic(const QString &limit)
    {
        return qint64(fieldHealth(QStringLiteral("logic")).value(QStringLiteral("limitsTripped")).toObject().value(limit).toDouble());
    }

    qint64 tripped(const QString &limit)
    {
        return qint64(fieldHealth().value(QStringLiteral("limitsTripped")).toObject().value(limit).toDouble());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        // The defaults, but a small output buffer and subscription budget so the tests reach
        // them quickly, and a per-address accept budget a storm exceeds at once.
        const QJsonObject limits {{QStringLiteral("maxOutputBufferBytes"), 256 * 1024},
                                  {QStringLiteral("maxSubscriptionsPerConnection"), 5},
                                  {QStringLiteral("newConnectionsPerSecondPerAddress"), 20},
                                  {QStringLiteral("newConnectionBurstPerAddress"), 40}};
        QVERIFY(writeConfig(m_home.path(), m_ports,
                            {QStringLiteral("logic"), QStringLiteral("field"), QStringLiteral("office"),
                             QStringLiteral("agent"), QStringLiteral("worker")},
                            {kTutorial, kPositions}, QJsonObject {{QStringLiteral("limits"), limits}}));
        m_server = std::make_unique<ServerProcess>(m_home.path());
        QVERIFY2(m_server->start(), m_server->errors().constData());
        checkStillServed("start");
    }

    void cleanupTestCase() { m_server.reset(); }

    void deeplyNestedJsonClosesOnlyItsSender_data()
    {
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("arrays 70,000 deep") << QByteArray(70000, '[') + QByteArray(70000, ']');
        QTest::newRow("objects 70,000 deep") << QByteArray("{\"a\":").repeated(70000) + "1" + QByteArray(70000, '}');
        // The same inside an encoded payload of an action.
        QTest::newRow("payload 70,000 deep")
            << envelopeWithPayload(actionFilt(kTutorial, QStringLiteral("deep")),
                                   R"({"_ct":"rp","filt":)" + QByteArray(70000, '[') + QByteArray(70000, ']') + "}");
    }

    void deeplyNestedJsonClosesOnlyItsSender()
    {
        QFETCH(QByteArray, message);
        RawPeer attacker;
        QVERIFY(attacker.open(m_ports.field));
        attacker.send(message);
        if (message.startsWith("{\"_ct\":\"rpe\"")) {
            // A readable envelope with an unreadable payload: the action is answered with why.
            QVERIFY(attacker.waitForMessage(2, 10000));
            QVERIFY(!attacker.envelope(1).isSuccess());
            QVERIFY2(attacker.envelope(1).errorText().contains(QStringLiteral("deeper than")),
                     qPrintable(attacker.envelope(1).errorText()));
        } else {
            QVERIFY(attacker.waitForDisconnect(10000));
            QCOMPARE(attacker.socket.closeCode(), QWebSocketProtocol::CloseCodeWrongDatatype);
        }
        checkStillServed("deep nesting");
    }

    void inflateBombsAreRefusedWithoutTheMemory()
    {
        // 100 MiB of JSON whitespace around an empty payload deflates to ~100 KB.
        QByteArray json = R"({"_ct":"rp","filt":{},"tuples":[)";
        json += QByteArray(100 << 20, ' ');
        json += "]}";
        RawPeer attacker;
        QVERIFY(attacker.open(m_ports.field));
        attacker.send(envelopeWithPayload(actionFilt(kTutorial, QStringLiteral("bomb")), json));
        QVERIFY(attacker.waitForMessage(2, 10000));
        QVERIFY2(attacker.envelope(1).errorText().contains(QStringLiteral("inflates to more than")),
                 qPrintable(attacker.envelope(1).errorText()));

        // 100 million numbers in 100 MB: the same cap stops them before they are parsed.
        QByteArray numbers = R"({"_ct":"rp","filt":{"n":[0)";
        numbers += QByteArray(",0").repeated(50'000'000);
        numbers += "]}";
        attacker.send(envelopeWithPayload(actionFilt(kTutorial, QStringLiteral("numbers")), numbers));
        QVERIFY(attacker.waitForMessage(3, 20000));
        QVERIFY(!attacker.envelope(2).isSuccess());
        checkStillServed("inflate bombs");
    }

    void serverEchoIsNotAnsweredToDevices()
    {
        RawPeer attacker;
        QVERIFY(attacker.open(m_ports.field));
        Dict filt {{QStringLiteral("key"), QStringLiteral("echo")}, {QStringLiteral("rapuiServerEcho"), true}};
        attacker.send(envelopeWithPayload(filt, R"({"_ct":"rp","filt":{},"tuples":[]})"));
        QVERIFY(attacker.waitForMessage(2, 10000));
        QVERIFY2(attacker.envelope(1).errorText().contains(QStringLiteral("does not answer the server echo")),
                 qPrintable(attacker.envelope(1).errorText()));
        QVERIFY(attacker.envelope(1).data.isEmpty());
        checkStillServed("server echo");
    }

    // A tuple that does not fit its declared type never reaches the plugin (the positions plugin
    // crashed on a string latitude; the tutorial answered with a heap address as the row id).
    void wronglyTypedActionsAreRefusedNamingTheField_data()
    {
        QTest::addColumn<QString>("plugin");
        QTest::addColumn<QByteArray>("tuple");
        QTest::addColumn<QString>("field");
        QTest::newRow("position latitude \"x\"")
            << kPositions
            << QByteArray(R"({"_ct":"rt","_c":"peek_plugin_positions.DevicePositionTuple","deviceId":"d1","latitude":"x","longitude":1.0,"uuid":"u-lat","time":{"_ft":"datetime","_fd":"2026-01-02 03:04:05.000000+0000"}})")
            << "peek_plugin_positions.DevicePositionTuple.latitude";
        QTest::newRow("tutorial stringIntId \"abc\"")
            << kTutorial
            << QByteArray(R"({"_ct":"rt","_c":"peek_plugin_tutorial.AddIntValueActionTuple","stringIntId":"abc","offset":{"_ft":"int","_fd":1},"uuid":"u-abc"})")
            << "peek_plugin_tutorial.AddIntValueActionTuple.stringIntId";
        QTest::newRow("tutorial offset as a list")
            << kTutorial
            << QByteArray(R"({"_ct":"rt","_c":"peek_plugin_tutorial.AddIntValueActionTuple","stringIntId":1,"offset":[1,2],"uuid":"u-list"})")
            << "peek_plugin_tutorial.AddIntValueActionTuple.offset";
    }

    void wronglyTypedActionsAreRefusedNamingTheField()
    {
        QFETCH(QString, plugin);
        QFETCH(QByteArray, tuple);
        QFETCH(QString, field);
        RawPeer attacker;
        QVERIFY(attacker.open(m_ports.field));
        attacker.send(envelopeWithPayload(actionFilt(plugin, QStringLiteral("typed")), actionPayload(tuple)));
        QVERIFY(attacker.waitForMessage(2, 10000));
        const QString error = attacker.envelope(1).errorText();
        QVERIFY2(error.contains(field), qPrintable(error));
        QVERIFY2(!error.contains(QStringLiteral("0x")), qPrintable(error));
        QVERIFY2(!QRegularExpression(QStringLiteral("\\d{9,}")).match(error).hasMatch(), qPrintable(error));
        checkStillServed("a wrongly typed action");
    }

    // vortexjs sends action uuids as numbers: accepted, applied, answered.
    void numericActionUuidIsAccepted()
    {
        const qint64 id = firstRowId();
        QVERIFY(id >= 0);
        RawPeer device;
        QVERIFY(device.open(m_ports.field));
        device.send(envelopeWithPayload(
            actionFilt(kTutorial, QStringLiteral("numeric")),
            actionPayload(R"({"_ct":"rt","_c":"peek_plugin_tutorial.AddIntValueActionTuple","stringIntId":)"
                          + QByteArray::number(id) + R"(,"offset":1,"uuid":1733300000000.4567,"dateTime":null})")));
        QVERIFY(device.waitForMessage(2, 10000));
        QVERIFY2(device.envelope(1).isSuccess(), qPrintable(device.envelope(1).errorText()));
    }

    // The original's TypeScript client: its own messages (base64, encodedPayload, numeric uuid)
    // are read, and it is answered in the form it reads.
    void vortexjsIsAnsweredInItsOwnForm()
    {
        const auto vector = [](const char *name) {
            QFile file(QStringLiteral(PEEK_VORTEXJS_VECTORS_DIR "/") + QLatin1String(name));
            file.open(QIODevice::ReadOnly);
            return QJsonDocument::fromJson(file.readAll()).object();
        };
        const qint64 id = firstRowId();
        QVERIFY(id >= 0);
        RawPeer vortexjs;
        QVERIFY(vortexjs.open(m_ports.field));
        vortexjs.send(vector("hello-message.json").value(QStringLiteral("message")).toString().toLatin1());
        // The action of the vector, for a row that exists here.
        const QJsonObject action = vector("action-message.json");
        QByteArray payloadJson = action.value(QStringLiteral("payloadJson")).toString().toUtf8();
        payloadJson.replace("\"stringIntId\":1,", "\"stringIntId\":" + QByteArray::number(id) + ",");
        QJsonObject envelope = QJsonDocument::fromJson(action.value(QStringLiteral("envelopeJson")).toString().toUtf8()).object();
        envelope.insert(QStringLiteral("encodedPayload"),
                        QString::fromLatin1(zlib::compress(payloadJson.constData(), payloadJson.size(), 6).toBase64()));
        vortexjs.send(QJsonDocument(envelope).toJson(QJsonDocument::Compact).toBase64() + ".");
        vortexjs.send(vector("subscribe-message.json").value(QStringLiteral("message")).toString().toLatin1());

        // Everything after its first message comes back as base64 with encodedPayload.
        bool answered = false, rows = false, hello = false;
        QVERIFY2(QTest::qWaitFor([&] {
            for (const QByteArray &m : std::as_const(vortexjs.messages)) {
                if (m.startsWith('{'))
                    continue; // the hello sent before the peer's form was known
                const QByteArray json = QByteArray::fromBase64(m);
                const QJsonObject e = QJsonDocument::fromJson(json).object();
                if (e.isEmpty() || e.contains(QStringLiteral("data")))
                    return false;
                const QJsonObject filt = e.value(QStringLiteral("filt")).toObject();
                hello = hello || filt.contains(QStringLiteral("__vortexName__"));
                if (filt.value(QStringLiteral("PayloadResponse.messageId")).toString() == QLatin1String("vjs-1")) {
                    answered = e.value(QStringLiteral("result")).isNull();
                    if (!answered)
                        qWarning() << "the action was refused:" << e.value(QStringLiteral("result"));
                }
                if (filt.value(QStringLiteral("key")).toString() == QLatin1String("tupleDataObservable")) {
                    const Result<Payload> payload
                        = Payload::decode(e.value(QStringLiteral("encodedPayload")).toString().toLatin1());
                    rows = payload && !payload.value().tuples.empty();
                }
            }
            return answered && rows && hello;
        }, 10000), qPrintable(QStringLiteral("answered %1, rows %2, hello %3").arg(answered).arg(rows).arg(hello)));
    }

    // One address's storm of connect-and-close is refused by its own budget before it can use
    // up the global allowance: a device on another address still connects.
    void aConnectionStormFromOneAddressDoesNotLockOutOthers()
    {
        const qint64 before = tripped(QStringLiteral("acceptRatePerAddress"));
        int refused = 0;
        for (int i = 0; i < 600; ++i) {
            QTcpSocket storm;
            storm.bind(QHostAddress(QStringLiteral("127.0.0.2")));
            storm.connectToHost(QHostAddress::LocalHost, m_ports.field);
            if (!storm.waitForConnected(5000))
                continue;
            storm.write("GET /vortexws?vortexName=x&vortexUuid=s" + QByteArray::number(i)
                        + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            storm.waitForReadyRead(2000);
            if (storm.readAll().startsWith("HTTP/1.1 503"))
                ++refused;
            storm.abort();
        }
        QVERIFY2(refused > 0, "the per-address budget never refused the storm");
        QVERIFY(tripped(QStringLiteral("acceptRatePerAddress")) > before);
        // Another address is not refused: the storm did not use up the global allowance.
        checkStillServed("a connection storm from 127.0.0.2");
    }

    void subscriptionsPerConnectionAreBounded()
    {
        RawPeer device;
        QVERIFY(device.open(m_ports.field));
        for (int i = 0; i < 6; ++i)
            device.send(PayloadEnvelope(observable::requestFilt(
                kTutorial, kTutorial,
                TupleSelector(QStringLiteral("peek_plugin_tutorial.StringIntTuple"), Dict {{QStringLiteral("n"), i}}), true)));
        QVERIFY(QTest::qWaitFor([&] {
            for (int i = 1; i < device.messages.size(); ++i)
                if (device.envelope(i).errorText().contains(QStringLiteral("maxSubscriptionsPerConnection")))
                    return true;
            return false;
        }, 10000));
        QVERIFY(tripped(QStringLiteral("maxSubscriptionsPerConnection")) >= 1);
        checkStillServed("too many subscriptions");
    }

    // Logic's admin port takes connections without the join token (admins log in there), held
    // to budgets of their own: 20 open per address, floods cut off; services are not counted.
    void strangersOnTheAdminPortAreHeldToBudgets()
    {
        std::vector<std::unique_ptr<RawPeer>> strangers;
        for (int i = 0; i < 20; ++i) {
            strangers.push_back(std::make_unique<RawPeer>());
            QVERIFY2(strangers.back()->open(m_ports.logicAdmin), qPrintable(QString::number(i)));
        }
        const qint64 before = trippedOnLogic(QStringLiteral("maxConnectionsPerAddress"));
        RawPeer oneTooMany;
        QVERIFY(!oneTooMany.open(m_ports.logicAdmin));
        QVERIFY(trippedOnLogic(QStringLiteral("maxConnectionsPerAddress")) > before);
        // A service with the join token is not one of them.
        RawPeer service;
        QVERIFY(service.open(m_ports.logicAdmin, QStringLiteral("peek-test-service"), kJoinToken));
        strangers.pop_back(); // one leaves: another may come
        QVERIFY(QTest::qWaitFor([this] { return RawPeer().open(m_ports.logicAdmin); }, 10000));

        // A flood before any login: that connection is cut off, the others stay.
        RawPeer &flooder = *strangers.front();
        for (int i = 0; i < 5000; ++i)
            flooder.send(QByteArray("."));
        QVERIFY(flooder.waitForDisconnect(10000));
        QCOMPARE(flooder.socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
        QVERIFY(trippedOnLogic(QStringLiteral("messagesPerSecond")) >= 1);
        QCOMPARE(strangers.back()->socket.state(), QAbstractSocket::ConnectedState);
        checkStillServed("strangers on the admin port");
    }

    void aFloodOfMessagesCutsOffOnlyTheFlooder()
    {
        RawPeer flooder;
        QVERIFY(flooder.open(m_ports.field));
        // Far past the default budget (500/s, bursts of 2,000): the flooder is cut off.
        for (int i = 0; i < 5000; ++i)
            flooder.send(QByteArray("."));
        QVERIFY(flooder.waitForDisconnect(10000));
        QCOMPARE(flooder.socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
        QVERIFY(tripped(QStringLiteral("messagesPerSecond")) >= 1);
        checkStillServed("a message flood");
    }

    // A peer that asks and never reads: its unsent output is capped and it is cut off. A server
    // of its own, with a small output buffer and no message budget to stop the asking first.
    // Who a peer is (docs/threats.md rule 1): a device cannot pass for a service, in its URL or
    // its hello; a device reusing another's uuid does not push it out; /health tells anyone only
    // whether the service is up, and a service (the join token) the details.
    void aDeviceCannotPassForAService()
    {
        RawPeer impostor;
        QVERIFY(!impostor.open(m_ports.field, QStringLiteral("peek-logic-service")));
        QTRY_VERIFY_WITH_TIMEOUT(m_server->errors().contains("calling itself peek-logic-service: that name is reserved"), 10000);

        RawPeer renamer;
        QVERIFY(renamer.open(m_ports.field));
        renamer.hello(QStringLiteral("peek-logic-service"));
        QVERIFY(renamer.waitForDisconnect(10000));
        QVERIFY2(renamer.socket.closeReason().contains(QStringLiteral("reserved for services")),
                 qPrintable(renamer.socket.closeReason()));

        // A second connection with a device's uuid: the first keeps being served.
        const QString uuid = QUuid::createUuid().toString(QUuid::WithoutBraces);
        RawPeer owner(uuid);
        QVERIFY(owner.open(m_ports.field));
        RawPeer intruder(uuid);
        QVERIFY(intruder.open(m_ports.field));
        owner.send(PayloadEnvelope(tutorialRowsFilt(false)));
        QVERIFY(owner.waitForMessage(2, 10000));
        QVERIFY(owner.envelope(1).isSuccess());
        QCOMPARE(owner.socket.state(), QAbstractSocket::ConnectedState);

        for (quint16 port : {m_ports.field, m_ports.office, m_ports.logicAdmin}) {
            const QJsonObject anyone = httpGet(port, "/health", 10000, nullptr, QByteArray()).json();
            QCOMPARE(QStringList(anyone.keys()), (QStringList {QStringLiteral("status"), QStringLiteral("version")}));
            QVERIFY(anyone.value(QStringLiteral("status")).toString() == QLatin1String("ok")
                    || anyone.value(QStringLiteral("status")).toString() == QLatin1String("degraded"));
            const QJsonObject wrong = httpGet(port, "/health", 10000, nullptr, "guessed").json();
            QVERIFY(!wrong.contains(QStringLiteral("services")));
            const QJsonObject service = httpGet(port, "/health").json();
            QVERIFY(service.value(QStringLiteral("services")).toArray().size() >= 5);
        }
        checkStillServed("a device claimed a service's name and another's uuid");
    }

    void aPeerThatDoesNotReadIsCutOff()
    {
        QTemporaryDir home;
        Ports ports;
        const QJsonObject limits {{QStringLiteral("maxOutputBufferBytes"), 16 * 1024},
                                  {QStringLiteral("messagesPerSecondPerConnection"), 1e6},
                                  {QStringLiteral("messageBurstPerConnection"), 1e6}};
        QVERIFY(writeConfig(home.path(), ports, {QStringLiteral("logic"), QStringLiteral("field")}, {kTutorial},
                            QJsonObject {{QStringLiteral("limits"), limits}}));
        ServerProcess server(home.path());
        QVERIFY2(server.start(), server.errors().constData());
        const auto outputTrips = [&ports] {
            const HttpAnswer health = httpGet(ports.field, "/health");
            for (const QJsonValue &service : health.json().value(QStringLiteral("services")).toArray())
                if (service.toObject().value(QStringLiteral("role")).toString() == QLatin1String("field"))
                    return service.toObject().value(QStringLiteral("limitsTripped")).toObject()
                        .value(QStringLiteral("maxOutputBufferBytes")).toInt();
            return -1;
        };

        QTcpSocket lazy;
        lazy.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
        lazy.setReadBufferSize(4096); // Qt stops reading from the kernel once this is full
        lazy.connectToHost(QHostAddress::LocalHost, ports.field);
        QVERIFY(lazy.waitForConnected(5000));
        lazy.write("GET /vortexws?vortexName=peek-field-app&vortexUuid=lazy HTTP/1.1\r\nHost: x\r\n"
                   "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        QVERIFY(lazy.waitForReadyRead(5000));
        // One poll for the rows as a masked client frame, sent again and again; the answers pile
        // up at the server because nothing is read.
        const QByteArray poll = PayloadEnvelope(tutorialRowsFilt(false)).toVortexMsg();
        QVERIFY(poll.size() >= 126 && poll.size() < 65536);
        QByteArray frame;
        frame.append(char(0x81));
        frame.append(char(0x80 | 126));
        frame.append(char((poll.size() >> 8) & 0xff));
        frame.append(char(poll.size() & 0xff));
        frame.append(QByteArray(4, '\0')); // a zero mask leaves the payload as it is
        frame.append(poll);
        // In rounds of 500 polls, each followed by asking the server whether it cut the peer off.
        const QByteArray burst = frame.repeated(500);
        bool cut = false;
        for (int round = 0; round < 200 && !cut; ++round) {
            if (lazy.state() == QAbstractSocket::ConnectedState) {
                lazy.write(burst);
                lazy.waitForBytesWritten(1000);
            }
            cut = outputTrips() > 0;
        }
        QVERIFY2(cut, server.errors().right(4000).constData());
        QVERIFY(server.process().state() == QProcess::Running);
        RawPeer good;
        QVERIFY(good.open(ports.field));
    }
};

QTEST_GUILESS_MAIN(TestHardening)
#include "tst_hardening.moc"
