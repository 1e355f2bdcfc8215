// The Vortex node over real WebSockets on loopback: hello, heartbeats, silence, reconnect,
// duplicate uuids, the connection throttle, bad input, server echo, local links, routing and the
// join token.
#include "rawpeer.h"

#include "tuple/tupleregistry.h"
#include "vortex/httproutes.h"
#include "vortex/payloadresponse.h"
#include "vortex/backoff.h"
#include "vortex/vortex.h"

#include <QMutex>
#include <QTcpSocket>
#include <QThread>

using namespace peek;

namespace {

VortexOptions fastOptions()
{
    VortexOptions o;
    o.heartbeatMs = 50;
    o.silenceTimeoutMs = 400;
    o.watchdogMs = 20;
    o.reconnectMinMs = 50;
    o.reconnectMaxMs = 200;
    o.answerServerEcho = true; // as logic's ports do
    return o;
}

// A raw HTTP request to the vortex port; returns the whole response.
QByteArray httpExchange(quint16 port, const QByteArray &request)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    if (!s.waitForConnected(5000))
        return {};
    s.write(request);
    QByteArray response;
    (void)QTest::qWaitFor([&] {
        response += s.readAll();
        return s.state() == QAbstractSocket::UnconnectedState || response.contains("\r\n\r\n");
    }, 5000);
    return response + s.readAll();
}

QByteArray upgradeRequest(const QByteArray &target, const QByteArray &extraHeaders = {})
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
}

// A device that speaks the upgrade over a bare TCP socket and then reads (or not) frames itself;
// false when the connection was not made.
bool upgradeRaw(QTcpSocket &socket, quint16 port, const QByteArray &uuid)
{
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return false;
    socket.write(upgradeRequest("/vortexws?vortexName=peek-field-app&vortexUuid=" + uuid));
    return true;
}

QUrl urlOf(const Vortex &server)
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.serverPort()));
}

struct Item : TypedTuple<Item>
{
    PEEK_TUPLE(Item, "test_vortex.Item", id, name)
    qint64 id = 0;
    QString name;
};
PEEK_REGISTER_TUPLE(Item)

std::shared_ptr<Item> item(qint64 id, const QString &name)
{
    auto t = std::make_shared<Item>();
    t->id = id;
    t->name = name;
    return t;
}

PayloadEnvelope envelopeOf(Dict filt, std::vector<TuplePtr> tuples = {})
{
    return PayloadEnvelope::fromPayload(Payload(std::move(filt), std::move(tuples)));
}

} // namespace

class TestVortex : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helloIsExchangedBothWays()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        Vortex client(QStringLiteral("peek-field-service"), fastOptions());
        QSignalSpy serverSaw(&server, &Vortex::peerConnected);
        QSignalSpy clientSaw(&client, &Vortex::peerConnected);
        client.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.serverPort())));
        QVERIFY(clientSaw.wait(5000));
        if (serverSaw.isEmpty())
            QVERIFY(serverSaw.wait(5000));
        const auto fromClient = clientSaw.first().first().value<PeerInfo>();
        QCOMPARE(fromClient.vortexName, server.name());
        QCOMPARE(fromClient.vortexUuid, server.uuid());
        const auto fromServer = serverSaw.first().first().value<PeerInfo>();
        QCOMPARE(fromServer.vortexName, client.name());
        QCOMPARE(fromServer.vortexUuid, client.uuid());
        QVERIFY(fromServer.incoming);

        // A raw peer's first message is the server's hello envelope.
        RawPeer raw;
        QVERIFY(raw.open(server.serverPort()));
        const PayloadEnvelope hello = raw.envelope(0);
        QCOMPARE(hello.filt.value(QStringLiteral("__vortexName__")).toString(), server.name());
        QCOMPARE(hello.filt.value(QStringLiteral("__vortexUuid__")).toString(), server.uuid());
        QVERIFY(hello.data.isEmpty());
    }

    void connectionsWithoutNameOrUuidAreRefused()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        const QByteArray noUuid = httpExchange(server.serverPort(), upgradeRequest("/vortexws?vortexName=x"));
        QVERIFY2(noUuid.startsWith("HTTP/1.1 400"), noUuid.constData());
        QVERIFY(noUuid.contains("vortexUuid"));
        const QByteArray noName = httpExchange(server.serverPort(), upgradeRequest("/vortexws?vortexUuid=u"));
        QVERIFY2(noName.startsWith("HTTP/1.1 400"), noName.constData());
        const QByteArray ok = httpExchange(server.serverPort(), upgradeRequest("/vortexws?vortexName=x&vortexUuid=u"));
        QVERIFY2(ok.startsWith("HTTP/1.1 101"), ok.constData());
        QVERIFY(httpExchange(server.serverPort(), upgradeRequest("/elsewhere")).startsWith("HTTP/1.1 404"));
    }

    void heartbeatsFlowAndSilenceClosesTheLink()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        // A vortex client heartbeats; a raw peer stays silent.
        Vortex client(QStringLiteral("peek-field-service"), fastOptions());
        QSignalSpy clientUp(&client, &Vortex::peerConnected);
        client.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.serverPort())));
        QVERIFY(clientUp.wait(5000));
        RawPeer silent;
        QVERIFY(silent.open(server.serverPort()));
        QVERIFY(QTest::qWaitFor([&] { return silent.heartbeats >= 2; }, 5000));
        QVERIFY(silent.waitForDisconnect(5000));
        QCOMPARE(silent.socket.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
        QVERIFY(silent.socket.closeReason().contains(QStringLiteral("heartbeat")));
        // The heartbeating client outlived the silent peer on the same server.
        QVERIFY(client.isConnectedTo(server.name()));
        QCOMPARE(server.peers().size(), 1);
    }

    void aLateWatchdogResetsTheClockInsteadOfClosing()
    {
        if (qEnvironmentVariableIsSet("PEEK_IO_THREADS"))
            QSKIP("freezes the node's thread to play a sleeping machine; its I/O threads would go on (a real sleep "
                  "stops them all)");
        VortexOptions o = fastOptions();
        o.sleepGuardMs = 150;
        Vortex server(QStringLiteral("peek-logic-service"), o);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        RawPeer silent;
        QVERIFY(silent.open(server.serverPort()));
        QTRY_COMPARE_WITH_TIMEOUT(server.peers().size(), 1, 5000);
        // Simulate a machine that slept: the event loop is frozen for longer than the silence
        // timeout. (A freeze, not a wait for something to happen.)
        QThread::msleep(600);
        QCoreApplication::processEvents();
        QCOMPARE(silent.socket.state(), QAbstractSocket::ConnectedState);
        QCOMPARE(server.peers().size(), 1);
        // With the clock restarted, real silence still closes the link afterwards.
        QVERIFY(silent.waitForDisconnect(5000));
    }

    // VortexOptions::ioThreads: accepted connections are spread over the I/O threads, a fan-out
    // and a single send reach each peer, what peers send reaches the node's thread, a bad peer is
    // closed alone, and the I/O threads keep serving while the node's thread is busy.
    void connectionsAreServedOnIoThreads()
    {
        // PEEK_IO_THREADS, when set, overrides what a test asks for.
        const int threads = qEnvironmentVariableIsSet("PEEK_IO_THREADS") ? qEnvironmentVariableIntValue("PEEK_IO_THREADS") : 2;
        if (threads <= 0)
            QSKIP("PEEK_IO_THREADS=0: no I/O threads in this run");
        VortexOptions o = fastOptions();
        o.ioThreads = 2;
        o.silenceTimeoutMs = 60000;
        Vortex server(QStringLiteral("peek-field-service"), o);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QList<quint64> ids;
        connect(&server, &Vortex::peerConnected, this, [&ids](const PeerInfo &peer) { ids.append(peer.connectionId); });
        std::vector<std::unique_ptr<RawPeer>> peers;
        for (int i = 0; i < 4; ++i) {
            peers.push_back(std::make_unique<RawPeer>());
            QVERIFY(peers.back()->open(server.serverPort()));
        }
        QTRY_COMPARE_WITH_TIMEOUT(ids.size(), 4, 5000);
        QCOMPARE(server.ioThreadCount(), threads);

        QCOMPARE(server.sendToConnections(ids, "to all"), 4);
        for (auto &peer : peers)
            QTRY_VERIFY_WITH_TIMEOUT(peer->messages.contains("to all"), 5000);
        QVERIFY(server.sendToConnection(ids[2], "to one"));
        QTRY_VERIFY_WITH_TIMEOUT(peers[2]->messages.contains("to one"), 5000);

        // A peer's message is routed on the node's thread.
        QThread *routedOn = nullptr;
        server.router().addEndpoint(Dict {{QStringLiteral("key"), QStringLiteral("io")}},
                                   [&routedOn](const PayloadEnvelope &, const MessageSource &) {
                                       routedOn = QThread::currentThread();
                                   });
        peers[1]->send(PayloadEnvelope(Dict {{QStringLiteral("key"), QStringLiteral("io")}}));
        QTRY_VERIFY_WITH_TIMEOUT(routedOn != nullptr, 5000);
        QCOMPARE(routedOn, QThread::currentThread());

        // Garbage closes that peer only.
        QSignalSpy rejected(&server, &Vortex::peerRejected);
        peers[0]->send(QByteArray("{not json"));
        QVERIFY(peers[0]->waitForDisconnect(5000));
        QCOMPARE(rejected.size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(server.peers().size(), 3, 5000);
        QCOMPARE(server.sendToConnections(ids, "after"), 3);
        for (size_t i = 1; i < peers.size(); ++i)
            QTRY_VERIFY_WITH_TIMEOUT(peers[i]->messages.contains("after"), 5000);

        // While the node's thread is frozen, the I/O threads still send heartbeats: they are in
        // the peer's kernel buffer when it first reads after the freeze.
        QTcpSocket raw;
        QVERIFY(upgradeRaw(raw, server.serverPort(), "raw"));
        QTRY_COMPARE_WITH_TIMEOUT(server.peers().size(), 4, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(raw.bytesAvailable() > 0, 5000);
        raw.readAll(); // the upgrade answer, the hello, maybe a heartbeat
        QThread::msleep(500); // a busy node: ~10 heartbeat periods
        QVERIFY(raw.waitForReadyRead(5000));
        const QByteArray during = raw.readAll();
        QVERIFY2(during.count(QByteArray("\x81\x01.")) >= 3, during.toHex().constData());
    }

    // Hundreds of devices that drop at once (a mast goes down) are forgotten, each in its I/O
    // thread and on the node's, and the server serves the next one as before.
    void manyPeersDroppingAtOnceAreForgotten()
    {
        VortexOptions o = fastOptions();
        o.ioThreads = 2;
        o.silenceTimeoutMs = 60000;
        Vortex server(QStringLiteral("peek-field-service"), o);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        constexpr int kPeers = 300;
        std::vector<std::unique_ptr<QTcpSocket>> peers;
        for (int i = 0; i < kPeers; ++i) {
            peers.push_back(std::make_unique<QTcpSocket>());
            QVERIFY(upgradeRaw(*peers.back(), server.serverPort(), "drop" + QByteArray::number(i)));
        }
        QTRY_COMPARE_WITH_TIMEOUT(server.peers().size(), kPeers, 20000);
        QVERIFY(server.isConnectedTo(QStringLiteral("peek-field-app")));
        for (auto &peer : peers)
            peer->abort();
        QTRY_COMPARE_WITH_TIMEOUT(server.peers().size(), 0, 20000);
        QVERIFY(!server.isConnectedTo(QStringLiteral("peek-field-app")));
        QCOMPARE(server.connectionTo(QStringLiteral("peek-field-app")), quint64(0));
        RawPeer next;
        QVERIFY(next.open(server.serverPort()));
        QTRY_COMPARE_WITH_TIMEOUT(server.peers().size(), 1, 5000);
        QVERIFY(server.sendToConnection(server.connectionTo(QStringLiteral("peek-field-app")), "after the drop"));
        QTRY_VERIFY_WITH_TIMEOUT(next.messages.contains("after the drop"), 5000);
    }

    void oneTrailingDotIsTolerated()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        int delivered = 0;
        server.router().addEndpoint(Dict{{QStringLiteral("key"), QStringLiteral("k")}},
                                    [&](const PayloadEnvelope &, const MessageSource &) { ++delivered; });
        RawPeer peer;
        QVERIFY(peer.open(server.serverPort()));
        peer.send(envelopeOf(Dict{{QStringLiteral("key"), QStringLiteral("k")}}).toVortexMsg() + ".");
        QTRY_COMPARE_WITH_TIMEOUT(delivered, 1, 5000);
        QCOMPARE(peer.socket.state(), QAbstractSocket::ConnectedState);
    }

    void clientReconnectsAfterTheServerRestarts()
    {
        auto server = std::make_unique<Vortex>(QStringLiteral("peek-logic-service"), fastOptions());
        QVERIFY(server->listen(QHostAddress::LocalHost, 0));
        const quint16 port = server->serverPort();
        Vortex client(QStringLiteral("peek-field-service"), fastOptions());
        QSignalSpy up(&client, &Vortex::peerConnected);
        QSignalSpy down(&client, &Vortex::peerDisconnected);
        client.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port)));
        QVERIFY(up.wait(5000));
        const QString firstUuid = server->uuid();

        server.reset();
        QVERIFY(down.wait(5000));
        QVERIFY(!client.isConnectedTo(QStringLiteral("peek-logic-service")));

        Vortex restarted(QStringLiteral("peek-logic-service"), fastOptions());
        QVERIFY(restarted.listen(QHostAddress::LocalHost, port));
        QVERIFY(up.wait(5000));
        const auto peer = up.last().first().value<PeerInfo>();
        QCOMPARE(peer.vortexUuid, restarted.uuid());
        QVERIFY(peer.vortexUuid != firstUuid);
    }

    void aDuplicateUuidReplacesTheOldConnection()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        const QString uuid = QUuid::createUuid().toString(QUuid::WithoutBraces);
        RawPeer first(uuid);
        QVERIFY(first.open(server.serverPort()));
        RawPeer second(uuid);
        QVERIFY(second.open(server.serverPort()));
        QVERIFY(first.waitForDisconnect(5000));
        QVERIFY(first.socket.closeReason().contains(QStringLiteral("replaced")));
        QCOMPARE(second.socket.state(), QAbstractSocket::ConnectedState);
        QTRY_COMPARE_WITH_TIMEOUT(server.peers().size(), 1, 5000);
        QCOMPARE(server.peers().first().vortexUuid, uuid);
    }

    void aConnectionStormIsAnswered503WithRetryAfter()
    {
        VortexOptions o = fastOptions();
        o.acceptBurst = 2;
        o.acceptRatePerSecond = 0.01;
        o.retryAfterSeconds = 7;
        Vortex server(QStringLiteral("peek-logic-service"), o);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        RawPeer a, b;
        QVERIFY(a.open(server.serverPort()));
        QVERIFY(b.open(server.serverPort()));
        const QByteArray third = httpExchange(server.serverPort(), upgradeRequest("/vortexws?vortexName=x&vortexUuid=u3"));
        QVERIFY2(third.startsWith("HTTP/1.1 503"), third.constData());
        QVERIFY(third.contains("Retry-After: 7\r\n"));
        // The ones already in keep working.
        QCOMPARE(a.socket.state(), QAbstractSocket::ConnectedState);
        QCOMPARE(b.socket.state(), QAbstractSocket::ConnectedState);
    }

    void oversizedAndMalformedMessagesCloseOnlyTheirSender()
    {
        VortexOptions o = fastOptions();
        o.maxMessageBytes = 4096;
        o.silenceTimeoutMs = 60000;
        Vortex server(QStringLiteral("peek-logic-service"), o);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QSignalSpy rejected(&server, &Vortex::peerRejected);
        RawPeer good, big, garbage;
        QVERIFY(good.open(server.serverPort()));
        QVERIFY(big.open(server.serverPort()));
        QVERIFY(garbage.open(server.serverPort()));

        big.send(QByteArray(8192, 'x'));
        QVERIFY(big.waitForDisconnect(5000));
        QCOMPARE(big.socket.closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);

        garbage.send(QByteArray("{\"_ct\":\"rpe\", this is not json"));
        QVERIFY(garbage.waitForDisconnect(5000));
        QCOMPARE(garbage.socket.closeCode(), QWebSocketProtocol::CloseCodeWrongDatatype);
        QVERIFY(garbage.socket.closeReason().contains(QStringLiteral("malformed")));
        QTRY_COMPARE_WITH_TIMEOUT(rejected.size(), 2, 5000);

        // The well-behaved peer is still served: its echo comes back.
        good.send(envelopeOf(Dict{{QStringLiteral("key"), QStringLiteral("e")},
                                  {QStringLiteral("rapuiServerEcho"), true}}));
        QVERIFY(good.waitForMessage(2));
        QCOMPARE(good.envelope(1).filt.value(QStringLiteral("key")).toString(), QStringLiteral("e"));
    }

    // A peer that reads slower than updates come gets the newest update of a selector, not every
    // one: updates wait on its connection once its backlog passes supersedeAboveBytes, a newer one
    // replaces the waiting one, and they go out, in order, as it catches up. A peer that reads
    // meanwhile gets every update, at once.
    void aSlowPeerGetsTheNewestUpdateNotEveryOne()
    {
        VortexOptions o = fastOptions();
        o.silenceTimeoutMs = 60000;
        Vortex server(QStringLiteral("peek-field-service"), o);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QList<quint64> ids;
        connect(&server, &Vortex::peerConnected, this, [&ids](const PeerInfo &peer) { ids.append(peer.connectionId); });

        QTcpSocket lazy; // reads nothing until told: its kernel buffers, then the server's, fill
        lazy.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
        lazy.setReadBufferSize(4096);
        QVERIFY(upgradeRaw(lazy, server.serverPort(), "lazy"));
        QTRY_COMPARE_WITH_TIMEOUT(ids.size(), 1, 5000);
        RawPeer quick;
        QVERIFY(quick.open(server.serverPort()));
        QTRY_COMPARE_WITH_TIMEOUT(ids.size(), 2, 5000);
        const int before = quick.messages.size();

        constexpr int kUpdates = 120;
        const auto update = [](int i) { return QByteArray("update ") + QByteArray::number(i).rightJustified(4, '0') + QByteArray(64 * 1024, '.'); };
        for (int i = 0; i < kUpdates; ++i) {
            QCOMPARE(server.sendToConnections(ids, update(i), QStringLiteral("sel")), 2);
            QCoreApplication::processEvents();
        }
        QTRY_COMPARE_WITH_TIMEOUT(quick.messages.size(), before + kUpdates, 20000);
        for (int i = 0; i < kUpdates; ++i)
            QVERIFY(quick.messages[before + i].startsWith(update(i).left(11)));

        // Now the slow one reads everything: the frames it gets are in order, end with the newest,
        // and are fewer than were sent (the waiting ones were replaced).
        lazy.setReadBufferSize(0);
        QByteArray wire;
        QList<int> got;
        const auto parse = [&] {
            wire += lazy.readAll();
            const qsizetype body = wire.indexOf("\r\n\r\n");
            if (body >= 0 && wire.startsWith("HTTP/1.1"))
                wire.remove(0, body + 4);
            while (wire.size() >= 2) {
                const uchar opcode = uchar(wire[0]) & 0x0f;
                qint64 length = uchar(wire[1]) & 0x7f;
                qsizetype header = 2;
                if (length == 126) {
                    if (wire.size() < 4)
                        return;
                    length = (uchar(wire[2]) << 8) | uchar(wire[3]);
                    header = 4;
                } else if (length == 127) {
                    if (wire.size() < 10)
                        return;
                    length = 0;
                    for (int b = 2; b < 10; ++b)
                        length = (length << 8) | uchar(wire[b]);
                    header = 10;
                }
                if (wire.size() < header + length)
                    return;
                const QByteArray payload = wire.mid(header, length);
                wire.remove(0, header + length);
                if (opcode == 0x1 && payload.startsWith("update "))
                    got.append(payload.mid(7, 4).toInt());
            }
        };
        QTRY_VERIFY_WITH_TIMEOUT((parse(), !got.isEmpty() && got.last() == kUpdates - 1), 20000);
        QVERIFY2(got.size() < kUpdates, qPrintable(QStringLiteral("the slow peer got all %1 updates").arg(got.size())));
        QVERIFY(std::is_sorted(got.begin(), got.end()));
        QVERIFY(std::adjacent_find(got.begin(), got.end()) == got.end());
    }

    // Reconnects and queued actions wait longer after each failure, from the minimum up to the
    // cap and never past it, whatever the jitter draws.
    void backoffGrowsAndStaysUnderItsCap()
    {
        for (double random : {0.0, 0.37, 1.0}) {
            qint64 previous = 0;
            for (int failures = 0; failures < 200; ++failures) {
                const qint64 delay = backoffDelayMs(failures, 5000, 60000, random, 0.5);
                QVERIFY2(delay >= 5000 && delay <= 60000, qPrintable(QString::number(delay)));
                QVERIFY2(delay >= previous, qPrintable(QStringLiteral("%1 after %2").arg(delay).arg(previous)));
                previous = delay;
            }
            QCOMPARE(previous, qint64(60000));
        }
        QCOMPARE(backoffDelayMs(0, 5000, 60000), qint64(5000));
        QCOMPARE(backoffDelayMs(1, 5000, 60000), qint64(10000));
        QCOMPARE(backoffDelayMs(3, 5000, 60000), qint64(40000));
        QCOMPARE(backoffDelayMs(4, 5000, 60000), qint64(60000));
        QCOMPARE(backoffDelayMs(0, 5000, 60000, 1.0, 0.5), qint64(7500));
        QCOMPARE(backoffDelayMs(1000000, 1, 1000), qint64(1000));
    }

    void serverEchoIsRefusedWhereNotOffered()
    {
        VortexOptions o = fastOptions();
        o.answerServerEcho = false; // a port devices reach
        Vortex server(QStringLiteral("peek-field-service"), o);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        RawPeer peer;
        QVERIFY(peer.open(server.serverPort()));
        Payload sent(Dict{{QStringLiteral("key"), QStringLiteral("echo")}, {QStringLiteral("rapuiServerEcho"), true}},
                     {item(1, QStringLiteral("one"))});
        peer.send(PayloadEnvelope::fromPayload(sent));
        QVERIFY(peer.waitForMessage(2));
        const PayloadEnvelope refused = peer.envelope(1);
        QVERIFY(!refused.isSuccess());
        QVERIFY(refused.data.isEmpty());
        QVERIFY2(refused.errorText().contains(QStringLiteral("does not answer the server echo")), qPrintable(refused.errorText()));
    }

    // A peer that writes base64 messages (vortexjs) is answered in that form, hello included;
    // a JSON peer on the same server still gets JSON.
    void base64PeersAreAnsweredInTheirForm()
    {
        Vortex server(QStringLiteral("peek-field-service"), fastOptions());
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        server.router().addEndpoint(Dict{{QStringLiteral("key"), QStringLiteral("ask")}},
                                    [](const PayloadEnvelope &e, const MessageSource &source) {
                                        source.reply(PayloadEnvelope::fromPayload(Payload(e.filt, {item(5, QStringLiteral("five"))})));
                                    });
        RawPeer js, json;
        QVERIFY(js.open(server.serverPort()));
        QVERIFY(json.open(server.serverPort()));
        const QByteArray ask = PayloadEnvelope(Dict{{QStringLiteral("key"), QStringLiteral("ask")}}).toVortexMsg();
        js.send(PayloadEnvelope::convertVortexMsg(ask, PayloadEnvelope::Form::Base64EncodedPayload) + ".");
        json.send(ask);
        QVERIFY(js.waitForMessage(3));
        QVERIFY(json.waitForMessage(2));
        QVERIFY(json.messages.at(1).startsWith('{'));
        for (int i = 1; i < 3; ++i) {
            const QByteArray m = js.messages.at(i);
            QVERIFY2(!m.startsWith('{'), m.constData());
            const QByteArray inner = QByteArray::fromBase64(m);
            QVERIFY2(inner.startsWith('{') && !inner.contains("\"data\":"), inner.constData());
        }
        const Result<PayloadEnvelope> hello = PayloadEnvelope::fromVortexMsg(js.messages.at(1));
        QVERIFY(hello);
        QVERIFY(hello.value().filt.contains(QStringLiteral("__vortexName__")));
        const Result<PayloadEnvelope> answer = PayloadEnvelope::fromVortexMsg(js.messages.at(2));
        QVERIFY(answer);
        QVERIFY(QByteArray::fromBase64(js.messages.at(2)).contains("\"encodedPayload\":"));
        const Result<Payload> payload = answer.value().decodePayload();
        QVERIFY(payload);
        QCOMPARE(payload.value().tuples.size(), size_t(1));
    }

    void serverEchoDecodesAndReencodes()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        RawPeer peer;
        QVERIFY(peer.open(server.serverPort()));
        Payload sent(Dict{{QStringLiteral("plugin"), QStringLiteral("p")},
                          {QStringLiteral("key"), QStringLiteral("echo")},
                          {QStringLiteral("rapuiServerEcho"), true}},
                     {item(1, QStringLiteral("one")), item(2, QString::fromUtf8("twö ✓"))});
        // Sent at level 9 as the Python side does; the echo comes back re-encoded.
        peer.send(PayloadEnvelope::fromPayload(sent, 9));
        QVERIFY(peer.waitForMessage(2));
        const PayloadEnvelope echoed = peer.envelope(1);
        QVERIFY(echoed.isSuccess());
        QVERIFY(!echoed.filt.contains(QStringLiteral("rapuiServerEcho")));
        QCOMPARE(echoed.filt.value(QStringLiteral("key")).toString(), QStringLiteral("echo"));
        const Result<Payload> back = echoed.decodePayload();
        QVERIFY(back);
        QVERIFY(!back.value().filt.contains(QStringLiteral("rapuiServerEcho")));
        sent.filt.remove(QStringLiteral("rapuiServerEcho"));
        QCOMPARE(back.value().toJson(), sent.toJson());
    }

    void localLinksDeliverWithoutASocket()
    {
        Vortex logic(QStringLiteral("peek-logic-service"));
        Vortex field(QStringLiteral("peek-field-service"));
        logic.router().addEndpoint(Dict{{QStringLiteral("key"), QStringLiteral("ping")}},
                                   [](const PayloadEnvelope &e, const MessageSource &source) {
                                       PayloadEnvelope reply = e;
                                       source.reply(reply);
                                   });
        field.connectLocal(&logic);
        QVERIFY(field.isConnectedTo(logic.name()));
        QVERIFY(logic.isConnectedTo(field.name()));
        QCOMPARE(field.peers().first().address, QStringLiteral("local"));
        auto future = PayloadResponse::send(&field, envelopeOf(Dict{{QStringLiteral("key"), QStringLiteral("ping")}},
                                                               {item(5, QStringLiteral("five"))}),
                                            logic.name(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), 5000);
        const Result<Payload> p = future.result().decodePayload();
        QVERIFY(p);
        QCOMPARE(std::dynamic_pointer_cast<Item>(p.value().tuples.at(0))->name, QStringLiteral("five"));
    }

    // peek-server's service threads: the two ends of a local link on different threads. What
    // one end sends before the other exists waits for it; order holds; a node that goes closes
    // the other end.
    void localLinksCrossThreads()
    {
        QThread logicThread;
        logicThread.start();
        QObject anchor;
        anchor.moveToThread(&logicThread);
        const auto onLogic = [&](const std::function<void()> &call) {
            QMetaObject::invokeMethod(&anchor, call, Qt::BlockingQueuedConnection);
        };
        Vortex *logic = nullptr;
        QAtomicInt wrongThread = 0;
        QMutex seenMutex;
        QList<qint64> seen;
        onLogic([&] {
            logic = new Vortex(QStringLiteral("peek-logic-service"));
            logic->router().addEndpoint(Dict {{QStringLiteral("key"), QStringLiteral("ping")}},
                                        [&](const PayloadEnvelope &e, const MessageSource &source) {
                                            if (QThread::currentThread() != &logicThread)
                                                wrongThread = 1;
                                            source.reply(e);
                                        });
            logic->router().addEndpoint(Dict {{QStringLiteral("key"), QStringLiteral("seq")}},
                                        [&](const PayloadEnvelope &e, const MessageSource &) {
                                            QMutexLocker lock(&seenMutex);
                                            seen << e.filt.value(QStringLiteral("n")).toInt();
                                        });
        });
        const QString logicName = QStringLiteral("peek-logic-service");
        Vortex field(QStringLiteral("peek-field-service"));
        field.connectLocal(logic); // from the field's thread; logic's end is made on its own
        // Sent at once: logic's end may not exist yet.
        for (int n = 0; n < 500; ++n)
            field.send(envelopeOf(Dict {{QStringLiteral("key"), QStringLiteral("seq")}, {QStringLiteral("n"), n}}, {}),
                       logicName);
        auto future = PayloadResponse::send(&field, envelopeOf(Dict {{QStringLiteral("key"), QStringLiteral("ping")}},
                                                               {item(7, QStringLiteral("seven"))}),
                                            logicName, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), 5000);
        const Result<Payload> p = future.result().decodePayload();
        QVERIFY(p);
        QCOMPARE(std::dynamic_pointer_cast<Item>(p.value().tuples.at(0))->name, QStringLiteral("seven"));
        QCOMPARE(wrongThread.loadRelaxed(), 0);
        {
            QMutexLocker lock(&seenMutex);
            QCOMPARE(seen.size(), 500);
            for (int n = 0; n < 500; ++n)
                QCOMPARE(seen.at(n), qint64(n));
        }
        bool logicSeesField = false;
        onLogic([&] { logicSeesField = logic->isConnectedTo(field.name()); });
        QVERIFY(logicSeesField);
        QVERIFY(field.isConnectedTo(logicName));
        // Logic's node goes (on its thread): the field's end closes.
        onLogic([&] { delete logic; });
        QTRY_VERIFY_WITH_TIMEOUT(!field.isConnectedTo(logicName), 5000);
        logicThread.quit();
        logicThread.wait();
    }

    void routingMatchesFiltSubsetsAndSenders()
    {
        Vortex logic(QStringLiteral("peek-logic-service"));
        Vortex field(QStringLiteral("peek-field-service"));
        Vortex agent(QStringLiteral("peek-agent-service"));
        field.connectLocal(&logic);
        agent.connectLocal(&logic);
        QStringList got;
        auto record = [&got](const QString &tag) {
            return [&got, tag](const PayloadEnvelope &, const MessageSource &s) { got << tag + u'<' + s.vortexName; };
        };
        auto &router = logic.router();
        router.addEndpoint(Dict{{QStringLiteral("plugin"), QStringLiteral("p")}, {QStringLiteral("key"), QStringLiteral("a")}}, record(QStringLiteral("pa")));
        router.addEndpoint(Dict{{QStringLiteral("key"), QStringLiteral("a")}}, record(QStringLiteral("a")));
        router.addEndpoint(Dict{{QStringLiteral("tags"), ValueList{1, 2}}}, record(QStringLiteral("tags")));
        router.addEndpoint(Dict{{QStringLiteral("key"), QStringLiteral("a")}}, record(QStringLiteral("agentOnly")),
                           {QStringLiteral("peek-agent-service")});
        router.addEndpoint(Dict{{QStringLiteral("key"), QStringLiteral("a")}}, record(QStringLiteral("notAgent")), {},
                           {QStringLiteral("peek-agent-service")});
        const auto removed = router.addEndpoint(Dict{{QStringLiteral("key"), QStringLiteral("a")}}, record(QStringLiteral("removed")));
        router.removeEndpoint(removed);

        field.send(envelopeOf(Dict{{QStringLiteral("key"), QStringLiteral("a")}, {QStringLiteral("plugin"), QStringLiteral("p")}, {QStringLiteral("x"), 1}}));
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 3, 5000);
        got.sort();
        QCOMPARE(got, (QStringList{"a<peek-field-service", "notAgent<peek-field-service", "pa<peek-field-service"}));
        got.clear();
        agent.send(envelopeOf(Dict{{QStringLiteral("key"), QStringLiteral("a")}}));
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 2, 5000);
        got.sort();
        QCOMPARE(got, (QStringList{"a<peek-agent-service", "agentOnly<peek-agent-service"}));
        got.clear();
        // Lists compare as sets.
        field.send(envelopeOf(Dict{{QStringLiteral("tags"), ValueList{2, 1}}}));
        QTRY_COMPARE_WITH_TIMEOUT(got, (QStringList{"tags<peek-field-service"}), 5000);
    }

    void aHelloWithAnotherUuidDoesNotConfuseTheServer()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        {
            RawPeer liar(QStringLiteral("uuid-a"));
            QVERIFY(liar.open(server.serverPort()));
            liar.send(PayloadEnvelope(Dict{{QStringLiteral("__vortexUuid__"), QStringLiteral("uuid-b")},
                                           {QStringLiteral("__vortexName__"), QStringLiteral("peek-field-app")}}));
            QTRY_COMPARE_WITH_TIMEOUT(server.peers().value(0).vortexUuid, QStringLiteral("uuid-b"), 5000);
        }
        QTRY_COMPARE_WITH_TIMEOUT(server.peers().size(), 0, 5000);
        RawPeer again(QStringLiteral("uuid-a"));
        QVERIFY(again.open(server.serverPort()));
        QTRY_COMPARE_WITH_TIMEOUT(server.peers().size(), 1, 5000);
    }

    void aHandlerMayRemoveOtherEndpointsWhileBeingCalled()
    {
        Vortex logic(QStringLiteral("peek-logic-service"));
        Vortex field(QStringLiteral("peek-field-service"));
        field.connectLocal(&logic);
        PayloadRouter::EndpointId second = 0;
        int firstCalls = 0, secondCalls = 0;
        logic.router().addEndpoint(Dict{{QStringLiteral("key"), QStringLiteral("k")}},
                                   [&](const PayloadEnvelope &, const MessageSource &) {
                                       ++firstCalls;
                                       logic.router().removeEndpoint(second);
                                   });
        second = logic.router().addEndpoint(Dict{{QStringLiteral("key"), QStringLiteral("k")}},
                                            [&](const PayloadEnvelope &, const MessageSource &) { ++secondCalls; });
        field.send(envelopeOf(Dict{{QStringLiteral("key"), QStringLiteral("k")}}));
        QTRY_COMPARE_WITH_TIMEOUT(firstCalls, 1, 5000);
        QCoreApplication::processEvents();
        QCOMPARE(secondCalls, 0);
    }

    void requestResponseAnswersTimesOutAndFails()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        server.router().addEndpoint(Dict{{QStringLiteral("key"), QStringLiteral("double")}},
                                    [](const PayloadEnvelope &e, const MessageSource &s) {
                                        Result<Payload> decoded = e.decodePayload();
                                        Payload p = decoded ? std::move(decoded).value() : Payload();
                                        auto t = std::dynamic_pointer_cast<Item>(p.tuples.at(0));
                                        t->id *= 2;
                                        p.filt = e.filt;
                                        s.reply(PayloadEnvelope::fromPayload(p));
                                    });
        server.router().addEndpoint(Dict{{QStringLiteral("key"), QStringLiteral("fail")}},
                                    [](const PayloadEnvelope &e, const MessageSource &s) {
                                        s.reply(PayloadEnvelope::error(e.filt, QStringLiteral("no such thing")));
                                    });
        Vortex client(QStringLiteral("peek-field-service"), fastOptions());
        QSignalSpy up(&client, &Vortex::peerConnected);
        client.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.serverPort())));
        QVERIFY(up.wait(5000));

        auto answered = PayloadResponse::send(&client, envelopeOf(Dict{{QStringLiteral("key"), QStringLiteral("double")}}, {item(21, QStringLiteral("x"))}),
                                              server.name(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(answered.isFinished(), 5000);
        const Result<Payload> p = answered.result().decodePayload();
        QVERIFY(p);
        QCOMPARE(std::dynamic_pointer_cast<Item>(p.value().tuples.at(0))->id, 42);

        auto unanswered = PayloadResponse::send(&client, envelopeOf(Dict{{QStringLiteral("key"), QStringLiteral("nobody")}}), server.name(), 200);
        QTRY_VERIFY_WITH_TIMEOUT(unanswered.isFinished(), 5000);
        QVERIFY_THROWS_EXCEPTION(TimeoutError, unanswered.result());

        auto failed = PayloadResponse::send(&client, envelopeOf(Dict{{QStringLiteral("key"), QStringLiteral("fail")}}), server.name(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(failed.isFinished(), 5000);
        try {
            failed.result();
            QFAIL("expected a RemoteError");
        } catch (const RemoteError &e) {
            QCOMPARE(e.message(), QStringLiteral("no such thing"));
        }

        auto nowhere = PayloadResponse::send(&client, envelopeOf(Dict{{QStringLiteral("key"), QStringLiteral("x")}}), QStringLiteral("peek-agent-service"), 5000);
        QVERIFY(nowhere.isFinished());
        QVERIFY_THROWS_EXCEPTION(NotConnectedError, nowhere.result());
    }

    void theRightJoinTokenConnects()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        server.requireJoinToken("s3cret-token");
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QSignalSpy refused(&server, &Vortex::joinRefused);
        Vortex client(QStringLiteral("peek-field-service"), fastOptions());
        client.setJoinToken("s3cret-token");
        QSignalSpy clientUp(&client, &Vortex::peerConnected);
        client.connectTo(urlOf(server));
        QVERIFY(clientUp.wait(5000));
        QTRY_COMPARE_WITH_TIMEOUT(server.peers().size(), 1, 5000);
        QCOMPARE(server.peers().first().vortexName, client.name());
        QVERIFY(client.isConnectedTo(server.name()));
        QVERIFY(refused.isEmpty());
        // The header name is case-insensitive.
        const QByteArray lower = httpExchange(server.serverPort(),
                                              upgradeRequest("/vortexws?vortexName=x&vortexUuid=u",
                                                             "x-peek-join-token:  s3cret-token\r\n"));
        QVERIFY2(lower.startsWith("HTTP/1.1 101"), lower.constData());
    }

    void aWrongJoinTokenIsRefusedBeforeTheHandshakeAndRetried()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        server.requireJoinToken("s3cret-token");
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QSignalSpy refused(&server, &Vortex::joinRefused);
        QSignalSpy serverUp(&server, &Vortex::peerConnected);
        Vortex client(QStringLiteral("peek-field-service"), fastOptions());
        client.setJoinToken("s3cret-tokeN");
        QSignalSpy clientUp(&client, &Vortex::peerConnected);
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("^peek-logic-service refused peek-field-service from "
                                                               "127\\.0\\.0\\.1:\\d+: its join token .* is wrong")));
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("^peek-field-service: ws://127\\.0\\.0\\.1:\\d+ refused our "
                                                               "join token \\(HTTP 403\\): set logic\\.joinToken")));
        client.connectTo(urlOf(server));
        // Refused again on the redial: the client keeps trying with its backoff.
        QTRY_VERIFY_WITH_TIMEOUT(refused.size() >= 2, 5000);
        QCOMPARE(refused.first().at(0).toString(), client.name());
        QVERIFY(refused.first().at(1).toString().startsWith(QStringLiteral("127.0.0.1:")));
        QCOMPARE(refused.first().at(2).toString(), QStringLiteral("wrong"));
        QVERIFY(clientUp.isEmpty());
        QVERIFY(serverUp.isEmpty());
        QVERIFY(client.peers().isEmpty());
        QVERIFY(server.peers().isEmpty());

        // What a stray dialler reads: 403 before any WebSocket handshake, and what to do.
        const QByteArray raw = httpExchange(server.serverPort(),
                                            upgradeRequest("/vortexws?vortexName=x&vortexUuid=u",
                                                           "X-Peek-Join-Token: s3cret-token-and-more\r\n"));
        QVERIFY2(raw.startsWith("HTTP/1.1 403"), raw.constData());
        QVERIFY(raw.contains("logic.joinToken"));
        QVERIFY(!raw.contains("Sec-WebSocket-Accept"));

        // The operator fixes the config: the next redial gets in.
        client.setJoinToken("s3cret-token");
        QVERIFY(clientUp.wait(5000));
        QTRY_COMPARE_WITH_TIMEOUT(server.peers().size(), 1, 5000);
    }

    void aMissingJoinTokenIsRefused()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        server.requireJoinToken("s3cret-token");
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QSignalSpy refused(&server, &Vortex::joinRefused);
        Vortex client(QStringLiteral("peek-field-service"), fastOptions());
        QSignalSpy clientUp(&client, &Vortex::peerConnected);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("its join token .* is missing")));
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("^peek-field-service: ws://127\\.0\\.0\\.1:\\d+ requires a "
                                                               "join token and we sent none \\(HTTP 403\\)")));
        client.connectTo(urlOf(server));
        QVERIFY(refused.wait(5000));
        QCOMPARE(refused.first().at(0).toString(), client.name());
        QCOMPARE(refused.first().at(2).toString(), QStringLiteral("missing"));
        // The client has seen the 403 once the refusal is retried.
        QTRY_VERIFY_WITH_TIMEOUT(refused.size() >= 2, 5000);
        QVERIFY(clientUp.isEmpty());
        QVERIFY(server.peers().isEmpty());

        const QByteArray raw = httpExchange(server.serverPort(), upgradeRequest("/vortexws?vortexName=x&vortexUuid=u"));
        QVERIFY2(raw.startsWith("HTTP/1.1 403"), raw.constData());
        QVERIFY(raw.contains("missing"));
        // An empty header is missing too.
        const QByteArray empty = httpExchange(server.serverPort(),
                                              upgradeRequest("/vortexws?vortexName=x&vortexUuid=u",
                                                             "X-Peek-Join-Token:\r\n"));
        QVERIFY2(empty.startsWith("HTTP/1.1 403"), empty.constData());
        QCOMPARE(refused.last().at(2).toString(), QStringLiteral("missing"));
    }

    void withoutARequiredJoinTokenAnyDiallerConnects()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QSignalSpy refused(&server, &Vortex::joinRefused);
        Vortex bare(QStringLiteral("peek-field-service"), fastOptions());
        Vortex withToken(QStringLiteral("peek-agent-service"), fastOptions());
        withToken.setJoinToken("any");
        QSignalSpy bareUp(&bare, &Vortex::peerConnected);
        QSignalSpy withTokenUp(&withToken, &Vortex::peerConnected);
        bare.connectTo(urlOf(server));
        withToken.connectTo(urlOf(server));
        QVERIFY(bareUp.wait(5000));
        if (withTokenUp.isEmpty())
            QVERIFY(withTokenUp.wait(5000));
        QTRY_COMPARE_WITH_TIMEOUT(server.peers().size(), 2, 5000);
        QVERIFY(refused.isEmpty());
    }

    void plainHttpIsServedWhenAJoinTokenIsRequired()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        server.requireJoinToken("s3cret-token");
        server.setHttpHandler([](const HttpRequest &request, QTcpSocket *socket) {
            if (request.url.path() != QLatin1String("/health"))
                return false;
            HttpResponse::text(200, "ok\n").writeTo(socket);
            return true;
        });
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QSignalSpy refused(&server, &Vortex::joinRefused);
        const QByteArray health = httpExchange(server.serverPort(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY2(health.startsWith("HTTP/1.1 200"), health.constData());
        QVERIFY(health.endsWith("ok\n"));
        QVERIFY(refused.isEmpty());
    }

    // ---- who a peer is (docs/threats.md rule 1) ----------------------------------------------

    // On a port devices reach (the node dials with a join token, and demands none), a peer
    // without the token is a device: a service's name is refused in the URL and in the hello;
    // with the token it is a proven service; a wrong token is refused.
    void aDeviceCannotTakeAServiceName()
    {
        Vortex field(QStringLiteral("peek-field-service"), fastOptions());
        field.setJoinToken("s3cret-token");
        QVERIFY(field.listen(QHostAddress::LocalHost, 0));
        QSignalSpy refused(&field, &Vortex::joinRefused);
        QSignalSpy rejected(&field, &Vortex::peerRejected);

        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("calling itself peek-logic-service: that name is reserved")));
        const QByteArray claimed = httpExchange(field.serverPort(),
                                                upgradeRequest("/vortexws?vortexName=peek-logic-service&vortexUuid=u"));
        QVERIFY2(claimed.startsWith("HTTP/1.1 403"), claimed.constData());
        QVERIFY(claimed.contains("reserved for Peek services"));
        QVERIFY(!claimed.contains("Sec-WebSocket-Accept"));
        QCOMPARE(refused.size(), 1);
        QCOMPARE(refused.first().at(0).toString(), QStringLiteral("peek-logic-service"));
        QCOMPARE(refused.first().at(2).toString(), QStringLiteral("reserved name"));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("calling itself peek-someday-service")));
        QVERIFY(httpExchange(field.serverPort(), upgradeRequest("/vortexws?vortexName=peek-someday-service&vortexUuid=u"))
                    .startsWith("HTTP/1.1 403"));

        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("its join token .* is wrong")));
        QVERIFY(httpExchange(field.serverPort(), upgradeRequest("/vortexws?vortexName=peek-logic-service&vortexUuid=u",
                                                                "X-Peek-Join-Token: guessed\r\n"))
                    .startsWith("HTTP/1.1 403"));

        // A device that connects under its own name and then says hello as logic is closed.
        RawPeer device;
        QVERIFY(device.open(field.serverPort()));
        QTRY_COMPARE_WITH_TIMEOUT(field.peers().size(), 1, 5000);
        QVERIFY(!field.peers().first().proven);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("its hello claimed peek-logic-service without the join token")));
        device.hello(QStringLiteral("peek-logic-service"));
        QVERIFY(device.waitForDisconnect(5000));
        QVERIFY(device.socket.closeReason().contains(QStringLiteral("reserved for services")));
        QCOMPARE(rejected.size(), 1);
        QVERIFY(!field.isConnectedTo(QStringLiteral("peek-logic-service")));

        // The token makes it a proven service, under a service's name.
        RawPeer service;
        QVERIFY(service.open(field.serverPort(), QStringLiteral("peek-agent-service"), "s3cret-token"));
        QTRY_VERIFY_WITH_TIMEOUT(field.isConnectedTo(QStringLiteral("peek-agent-service")), 5000);
        const QList<PeerInfo> peers = field.peers();
        QCOMPARE(peers.size(), 1);
        QVERIFY(peers.first().proven);
    }

    // An answer counts only from the connection its request went out on: a device that learns a
    // request's message id cannot answer it.
    void anAnswerCountsOnlyFromTheConnectionItsRequestWentOutOn()
    {
        Vortex logic(QStringLiteral("peek-logic-service"), fastOptions());
        logic.requireJoinToken("s3cret-token");
        QVERIFY(logic.listen(QHostAddress::LocalHost, 0));
        QString requestId;
        MessageSource asked;
        logic.router().addEndpoint(Dict {{QStringLiteral("key"), QStringLiteral("slow")}},
                                   [&](const PayloadEnvelope &e, const MessageSource &s) {
                                       requestId = e.filt.value(PayloadRouter::kMessageIdKey).toString();
                                       asked = s;
                                   });
        Vortex field(QStringLiteral("peek-field-service"), fastOptions());
        field.setJoinToken("s3cret-token");
        QVERIFY(field.listen(QHostAddress::LocalHost, 0));
        int marks = 0;
        field.router().addEndpoint(Dict {{QStringLiteral("key"), QStringLiteral("mark")}},
                                   [&](const PayloadEnvelope &, const MessageSource &) { ++marks; });
        field.connectTo(urlOf(logic));
        QTRY_VERIFY_WITH_TIMEOUT(field.isConnectedTo(logic.name()), 5000);
        RawPeer device;
        QVERIFY(device.open(field.serverPort()));

        auto answered = PayloadResponse::send(&field, envelopeOf(Dict {{QStringLiteral("key"), QStringLiteral("slow")}}),
                                              logic.name(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!requestId.isEmpty(), 5000);
        // The forged answer, then a mark: once the mark is in, the answer before it was read.
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("dropped an answer to request .* the request went out on another connection")));
        PayloadEnvelope forged(Dict {{QStringLiteral("key"), QStringLiteral("slow")}, {PayloadRouter::kMessageIdKey, requestId}});
        forged.result = Value(QStringLiteral("forged refusal"));
        device.send(forged);
        device.send(PayloadEnvelope(Dict {{QStringLiteral("key"), QStringLiteral("mark")}}));
        QTRY_COMPARE_WITH_TIMEOUT(marks, 1, 5000);
        QVERIFY(!answered.isFinished());

        PayloadEnvelope real(Dict {{QStringLiteral("key"), QStringLiteral("slow")}, {PayloadRouter::kMessageIdKey, requestId}});
        QVERIFY(asked.reply(real));
        QTRY_VERIFY_WITH_TIMEOUT(answered.isFinished(), 5000);
        QVERIFY(answered.result().isSuccess());
    }

    // A connection with the same vortexUuid does not push the first one out unless it proves
    // itself a service; a device is served beside it.
    void aUuidIsNotTakenOverWithoutCredentials()
    {
        VortexOptions patient = fastOptions();
        patient.silenceTimeoutMs = 60000; // the raw peers send no heartbeats
        Vortex field(QStringLiteral("peek-field-service"), patient);
        field.setJoinToken("s3cret-token");
        QVERIFY(field.listen(QHostAddress::LocalHost, 0));
        QSignalSpy connected(&field, &Vortex::peerConnected);
        const QString uuid = QUuid::createUuid().toString(QUuid::WithoutBraces);
        RawPeer owner(uuid);
        QVERIFY(owner.open(field.serverPort()));
        RawPeer intruder(uuid);
        QVERIFY(intruder.open(field.serverPort()));
        QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 2, 5000);
        // The owner still gets what the service sends it.
        const quint64 ownerId = connected.first().first().value<PeerInfo>().connectionId;
        QVERIFY(field.sendToConnection(ownerId, PayloadEnvelope(Dict {{QStringLiteral("key"), QStringLiteral("still-here")}}).toVortexMsg()));
        QVERIFY(owner.waitForMessage(2));
        QCOMPARE(owner.socket.state(), QAbstractSocket::ConnectedState);
        QCOMPARE(field.peers().size(), 2);

        // A service with the join token may replace the link it left behind.
        RawPeer service(uuid);
        QVERIFY(service.open(field.serverPort(), QStringLiteral("peek-agent-service"), "s3cret-token"));
        QVERIFY(owner.waitForDisconnect(5000));
        QVERIFY(owner.socket.closeReason().contains(QStringLiteral("replaced")));
    }

    // The device gate sees every envelope from a device before routing: it stops what an
    // unidentified device sends, lets through what an identified one sends (with the identity in
    // its MessageSource), never sees a proven service's, and a device's connections close together.
    void theDeviceGateStandsBeforeRoutingForDevicesOnly()
    {
        Vortex field(QStringLiteral("peek-field-service"), fastOptions());
        field.setJoinToken("s3cret-token");
        QVERIFY(field.listen(QHostAddress::LocalHost, 0));
        int gated = 0;
        field.addDeviceGate([&](const PayloadEnvelope &e, const MessageSource &s) {
            ++gated;
            if (s.identity && s.identity->deviceApproved)
                return Vortex::GateVerdict::Pass;
            s.reply(PayloadEnvelope::error(e.filt, QStringLiteral("device not enrolled")));
            return Vortex::GateVerdict::Refused;
        });
        QList<MessageSource> routed;
        field.router().addEndpoint(Dict {{QStringLiteral("key"), QStringLiteral("rows")}},
                                   [&](const PayloadEnvelope &, const MessageSource &s) { routed.append(s); });
        QSignalSpy connected(&field, &Vortex::peerConnected);
        RawPeer device;
        QVERIFY(device.open(field.serverPort()));
        device.send(PayloadEnvelope(Dict {{QStringLiteral("key"), QStringLiteral("rows")}}));
        QVERIFY(device.waitForMessage(2));
        QCOMPARE(device.envelope(1).errorText(), QStringLiteral("device not enrolled"));
        QVERIFY(routed.isEmpty());

        QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 5000);
        const quint64 id = connected.first().first().value<PeerInfo>().connectionId;
        auto identity = std::make_shared<PeerIdentity>();
        identity->deviceId = QStringLiteral("dev-1");
        identity->deviceApproved = true;
        field.setIdentity(id, identity);
        device.send(PayloadEnvelope(Dict {{QStringLiteral("key"), QStringLiteral("rows")}}));
        QTRY_COMPARE_WITH_TIMEOUT(routed.size(), 1, 5000);
        QVERIFY(routed.first().identity);
        QCOMPARE(routed.first().identity->deviceId, QStringLiteral("dev-1"));
        QCOMPARE(gated, 2);

        RawPeer service;
        QVERIFY(service.open(field.serverPort(), QStringLiteral("peek-agent-service"), "s3cret-token"));
        service.send(PayloadEnvelope(Dict {{QStringLiteral("key"), QStringLiteral("rows")}}));
        QTRY_COMPARE_WITH_TIMEOUT(routed.size(), 2, 5000);
        QCOMPARE(gated, 2);
        QVERIFY(routed.last().proven);

        QCOMPARE(field.closeDevice(QStringLiteral("dev-1"), QStringLiteral("access revoked")), 1);
        QVERIFY(device.waitForDisconnect(5000));
        QCOMPARE(device.socket.closeReason(), QStringLiteral("access revoked"));
        QCOMPARE(service.socket.state(), QAbstractSocket::ConnectedState);
    }

    // A gate that is still checking holds what comes: the vortex keeps it, and what the
    // connection sends after it, in order, answers the sender beyond its bound, and on release
    // runs it through the gates again with what the connection proved by then.
    void aHoldingGateKeepsTheOrderAndIsBounded()
    {
        VortexOptions options = fastOptions();
        options.silenceTimeoutMs = 30000; // the raw peer sends no heartbeats
        Vortex field(QStringLiteral("peek-field-service"), options);
        field.setJoinToken("s3cret-token"); // else every connection counts as a proven service
        QVERIFY(field.listen(QHostAddress::LocalHost, 0));
        bool checking = true;
        int gated = 0;
        field.addDeviceGate([&](const PayloadEnvelope &e, const MessageSource &s) {
            ++gated;
            if (checking)
                return Vortex::GateVerdict::Hold;
            if (s.identity && s.identity->deviceApproved)
                return Vortex::GateVerdict::Pass;
            s.reply(PayloadEnvelope::error(e.filt, QStringLiteral("device not enrolled")));
            return Vortex::GateVerdict::Refused;
        });
        QStringList routed;
        field.router().addEndpoint(Dict {{QStringLiteral("key"), QStringLiteral("rows")}},
                                   [&](const PayloadEnvelope &e, const MessageSource &s) {
                                       QVERIFY(s.identity && s.identity->deviceApproved);
                                       routed << e.filt.string(QStringLiteral("n"));
                                   });
        QSignalSpy connected(&field, &Vortex::peerConnected);
        RawPeer device;
        QVERIFY(device.open(field.serverPort()));
        const int total = Vortex::kMaxHeldPerConnection + 3;
        for (int i = 0; i < total; ++i)
            device.send(PayloadEnvelope(Dict {{QStringLiteral("key"), QStringLiteral("rows")},
                                              {QStringLiteral("n"), QString::number(i)}}));
        // The three beyond the bound are answered at once; the gate saw only the first.
        QVERIFY(device.waitForMessage(4));
        for (int i = 1; i < 4; ++i)
            QVERIFY(device.envelope(i).errorText().startsWith(QLatin1String("too many messages before")));
        QCOMPARE(gated, 1);
        QVERIFY(routed.isEmpty());

        QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 5000);
        const quint64 id = connected.first().first().value<PeerInfo>().connectionId;
        auto identity = std::make_shared<PeerIdentity>();
        identity->deviceId = QStringLiteral("dev-2");
        identity->deviceApproved = true;
        field.setIdentity(id, identity);
        checking = false;
        field.releaseHeld(id);
        QCOMPARE(routed.size(), Vortex::kMaxHeldPerConnection);
        for (int i = 0; i < routed.size(); ++i)
            QCOMPARE(routed[i], QString::number(i));
        // Released: what comes now goes straight through the gates.
        device.send(PayloadEnvelope(Dict {{QStringLiteral("key"), QStringLiteral("rows")}, {QStringLiteral("n"), QStringLiteral("last")}}));
        QTRY_COMPARE_WITH_TIMEOUT(routed.size(), Vortex::kMaxHeldPerConnection + 1, 5000);
        QCOMPARE(routed.last(), QStringLiteral("last"));
    }

    void localLinksNeedNoJoinToken()
    {
        Vortex logic(QStringLiteral("peek-logic-service"));
        logic.requireJoinToken("s3cret-token");
        Vortex field(QStringLiteral("peek-field-service"));
        field.connectLocal(&logic);
        QVERIFY(field.isConnectedTo(logic.name()));
        QVERIFY(logic.isConnectedTo(field.name()));
    }
};

QTEST_GUILESS_MAIN(TestVortex)
#include "tst_vortex.moc"
