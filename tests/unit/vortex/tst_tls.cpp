// TLS for the vortex transport: the home's peek-ssl-bundle.pem (key + certificate + CAs) and
// vortexes serving wss:// / https:// and dialling wss:// against the bundle's CA, over real
// sockets on loopback. Also: one vortex listening on two ports. Fixtures: see fixtures/README.md.
#include "service/tlsbundle.h"
#include "vortex/payloadenvelope.h"
#include "vortex/vortex.h"

#include <QDir>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

using namespace peek;

namespace {

QString bundlePath(const char *fixture)
{
    return QStringLiteral(PEEK_TLS_FIXTURES "/%1/peek-ssl-bundle.pem").arg(QLatin1String(fixture));
}

TlsBundle loadFixture(const char *fixture)
{
    Result<TlsBundle> bundle = TlsBundle::load(bundlePath(fixture));
    if (!bundle)
        qFatal("fixture %s: %s", fixture, qPrintable(bundle.error().message()));
    return std::move(bundle).value();
}

VortexOptions fastOptions()
{
    VortexOptions o;
    o.heartbeatMs = 50;
    o.silenceTimeoutMs = 2000;
    o.watchdogMs = 20;
    o.reconnectMinMs = 100;
    o.reconnectMaxMs = 300;
    return o;
}

QUrl wssUrl(quint16 port, const QString &host = QStringLiteral("127.0.0.1"))
{
    return QUrl(QStringLiteral("wss://%1:%2").arg(host).arg(port));
}

QByteArray message(const QString &key, qint64 n)
{
    return PayloadEnvelope::fromPayload(
               Payload(Dict {{QStringLiteral("key"), key}, {QStringLiteral("n"), n}}))
        .toVortexMsg();
}

// Collects the "n" of every envelope routed to `key`.
QList<qint64> *collect(Vortex &vortex, const QString &key)
{
    auto *seen = new QList<qint64>;
    vortex.router().addEndpoint(Dict {{QStringLiteral("key"), key}},
                                [seen](const PayloadEnvelope &e, const MessageSource &) {
                                    seen->append(e.filt.value(QStringLiteral("n")).toInt());
                                });
    return seen;
}

// Writes `text` to a file in `dir` and returns its path.
QString writeFile(const QTemporaryDir &dir, const QByteArray &text)
{
    const QString path = dir.filePath(QString::fromLatin1(TlsBundle::kFileName));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

QByteArray readFixture(const char *fixture)
{
    QFile file(bundlePath(fixture));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read fixture %s", fixture);
    return file.readAll();
}

} // namespace

class TestTls : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QSslSocket::supportsSsl(), "these tests need Qt's OpenSSL TLS backend");
    }

    // ---- the bundle ----------------------------------------------------------------------------

    void aServerBundleSplitsKeyCertificateAndCa()
    {
        const Result<TlsBundle> loaded = TlsBundle::load(bundlePath("server"));
        QVERIFY2(loaded.ok(), qPrintable(loaded.error().message()));
        const TlsBundle &bundle = loaded.value();
        QVERIFY(bundle.hasIdentity());
        QCOMPARE(bundle.key().algorithm(), QSsl::Ec);
        QCOMPARE(bundle.key().type(), QSsl::PrivateKey);
        QCOMPARE(bundle.certificate().subjectInfo(QSslCertificate::CommonName),
                 QStringList {QStringLiteral("localhost")});
        QCOMPARE(bundle.caCertificates().size(), 1);
        QCOMPARE(bundle.caCertificates().first().subjectInfo(QSslCertificate::CommonName),
                 QStringList {QStringLiteral("Peek Test CA")});

        const QSslConfiguration server = bundle.serverConfiguration();
        QVERIFY(!server.isNull());
        QCOMPARE(server.localCertificate(), bundle.certificate());
        QCOMPARE(server.localCertificateChain().size(), 1); // the root is the clients' business
        QCOMPARE(server.privateKey(), bundle.key());
        QCOMPARE(server.protocol(), QSsl::TlsV1_2OrLater);
        QCOMPARE(server.peerVerifyMode(), QSslSocket::VerifyNone);

        const QSslConfiguration client = bundle.clientConfiguration();
        QCOMPARE(client.caCertificates(), bundle.caCertificates());
        QCOMPARE(client.peerVerifyMode(), QSslSocket::VerifyPeer);
        QCOMPARE(client.protocol(), QSsl::TlsV1_2OrLater);
    }

    void anRsaKeyInAnyOrderFindsItsCertificate()
    {
        const Result<TlsBundle> loaded = TlsBundle::load(bundlePath("rsa")); // CA, cert, key
        QVERIFY2(loaded.ok(), qPrintable(loaded.error().message()));
        QCOMPARE(loaded.value().key().algorithm(), QSsl::Rsa);
        QCOMPARE(loaded.value().certificate().subjectInfo(QSslCertificate::CommonName),
                 QStringList {QStringLiteral("localhost")});
        QCOMPARE(loaded.value().caCertificates().size(), 1);
    }

    void intermediatesGoIntoTheServedChain()
    {
        const Result<TlsBundle> loaded = TlsBundle::load(bundlePath("chain"));
        QVERIFY2(loaded.ok(), qPrintable(loaded.error().message()));
        const TlsBundle &bundle = loaded.value();
        QCOMPARE(bundle.caCertificates().size(), 2);
        const QList<QSslCertificate> chain = bundle.serverConfiguration().localCertificateChain();
        QCOMPARE(chain.size(), 2);
        QCOMPARE(chain.at(0), bundle.certificate());
        QCOMPARE(chain.at(1).subjectInfo(QSslCertificate::CommonName),
                 QStringList {QStringLiteral("Peek Test Intermediate CA")});
    }

    void aClientBundleHoldsOnlyCas()
    {
        const Result<TlsBundle> loaded = TlsBundle::load(bundlePath("client"));
        QVERIFY2(loaded.ok(), qPrintable(loaded.error().message()));
        QVERIFY(!loaded.value().hasIdentity());
        QVERIFY(loaded.value().serverConfiguration().isNull());
        QCOMPARE(loaded.value().caCertificates().size(), 1);
        QCOMPARE(loaded.value().clientConfiguration().caCertificates(),
                 loaded.value().caCertificates());
    }

    void noBundleInTheHomeMeansNoTls()
    {
        QTemporaryDir home;
        const auto loaded = TlsBundle::loadFromHome(home.path());
        QVERIFY2(loaded.ok(), qPrintable(loaded.error().message()));
        QVERIFY(!loaded.value().has_value());
    }

    void aBundleInTheHomeIsLoaded()
    {
        QTemporaryDir home;
        writeFile(home, readFixture("server"));
        const auto loaded = TlsBundle::loadFromHome(home.path());
        QVERIFY2(loaded.ok(), qPrintable(loaded.error().message()));
        QVERIFY(loaded.value().has_value());
        QVERIFY(loaded.value()->hasIdentity());
        QCOMPARE(loaded.value()->filePath(), home.filePath(QStringLiteral("peek-ssl-bundle.pem")));
    }

    void brokenBundlesAreRefusedWithTheFileAndTheReason_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("reason");

        const QByteArray server = readFixture("server");
        const QByteArray key = server.left(server.indexOf("-----BEGIN CERTIFICATE-----"));
        const QByteArray certificates = server.mid(key.size());
        QTest::newRow("key without its certificate")
            << readFixture("broken") << QStringLiteral("no certificate matches the private key");
        QTest::newRow("key alone")
            << key << QStringLiteral("no certificate matches the private key");
        QTest::newRow("certificate without its key")
            << certificates << QStringLiteral("no private key found");
        QTest::newRow("expired certificate")
            << readFixture("expired") << QStringLiteral("expired on 2001-01-01");
        QTest::newRow("not PEM") << QByteArray("hello\n")
                                 << QStringLiteral("no private key and no certificate");
        QTest::newRow("two keys") << key + server << QStringLiteral("2 private keys");
        QByteArray mangled = server;
        mangled.replace(server.indexOf("-----BEGIN CERTIFICATE-----") + 40, 8, "AAAAAAAA");
        QTest::newRow("damaged certificate")
            << mangled << QStringLiteral("not a readable certificate");
        QByteArray encrypted = key;
        encrypted.replace("BEGIN PRIVATE KEY", "BEGIN ENCRYPTED PRIVATE KEY")
            .replace("END PRIVATE KEY", "END ENCRYPTED PRIVATE KEY");
        QTest::newRow("encrypted key")
            << encrypted + certificates << QStringLiteral("is encrypted");
    }

    void brokenBundlesAreRefusedWithTheFileAndTheReason()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, reason);
        QTemporaryDir home;
        const QString path = writeFile(home, content);
        const auto loaded = TlsBundle::loadFromHome(home.path());
        QVERIFY(!loaded.ok());
        const QString text = loaded.error().message();
        QVERIFY2(text.contains(path), qPrintable(text));
        QVERIFY2(text.contains(reason), qPrintable(text));
    }

    void anUnreadableFileIsRefused()
    {
        QTemporaryDir home;
        const QString path = home.filePath(QStringLiteral("peek-ssl-bundle.pem"));
        QVERIFY(QDir(home.path()).mkdir(QStringLiteral("peek-ssl-bundle.pem"))); // a directory
        const auto loaded = TlsBundle::loadFromHome(home.path());
        QVERIFY(!loaded.ok());
        QVERIFY2(loaded.error().message().contains(path), qPrintable(loaded.error().message()));
        QVERIFY2(loaded.error().message().contains(QStringLiteral("cannot read")),
                 qPrintable(loaded.error().message()));
        const auto missing = TlsBundle::load(home.filePath(QStringLiteral("nothing.pem")));
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().message().contains(QStringLiteral("cannot read")));
    }

    // ---- the transport -------------------------------------------------------------------------

    void wssConnectsAndCarriesMessagesBothWays()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        server.setServerTls(loadFixture("server").serverConfiguration());
        QVERIFY(server.isTls());
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        Vortex client(QStringLiteral("peek-field-service"), fastOptions());
        client.setClientTls(loadFixture("client").clientConfiguration());
        std::unique_ptr<QList<qint64>> atServer(collect(server, QStringLiteral("up")));
        std::unique_ptr<QList<qint64>> atClient(collect(client, QStringLiteral("down")));
        QSignalSpy serverUp(&server, &Vortex::peerConnected);
        QSignalSpy clientUp(&client, &Vortex::peerConnected);

        client.connectTo(wssUrl(server.serverPort()));
        QTRY_COMPARE_WITH_TIMEOUT(serverUp.size(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(clientUp.size(), 1, 10000);
        const PeerInfo atServerSide = serverUp.first().first().value<PeerInfo>();
        QCOMPARE(atServerSide.vortexName, client.name());
        QVERIFY(atServerSide.incoming);

        QCOMPARE(client.sendVortexMsg(message(QStringLiteral("up"), 1), server.name()), 1);
        QCOMPARE(server.sendVortexMsg(message(QStringLiteral("down"), 2), client.name()), 1);
        // The shared-frame fan-out writes straight to the accepted socket: it must encrypt too.
        QCOMPARE(server.sendToConnections(QList<quint64> {atServerSide.connectionId},
                                          message(QStringLiteral("down"), 3)),
                 1);
        QTRY_COMPARE_WITH_TIMEOUT(*atServer, QList<qint64> {1}, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(*atClient, (QList<qint64> {2, 3}), 5000);
        // Heartbeats keep flowing over TLS, so the link outlives the silence timeout.
        QVERIFY(!QTest::qWaitFor([&] { return !client.isConnectedTo(server.name()); },
                                 fastOptions().silenceTimeoutMs + 500));
    }

    void theServerNameMayBeTheHostNameToo()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        server.setServerTls(loadFixture("chain").serverConfiguration()); // via an intermediate
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        Vortex client(QStringLiteral("peek-field-service"), fastOptions());
        client.setClientTls(loadFixture("client").clientConfiguration()); // trusts the root only
        QSignalSpy clientUp(&client, &Vortex::peerConnected);
        client.connectTo(wssUrl(server.serverPort(), QStringLiteral("localhost")));
        QTRY_COMPARE_WITH_TIMEOUT(clientUp.size(), 1, 10000);
    }

    void aClientTrustingAnotherCaDoesNotConnect()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        server.setServerTls(loadFixture("server").serverConfiguration());
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        Vortex client(QStringLiteral("peek-field-service"), fastOptions());
        client.setClientTls(loadFixture("otherca").clientConfiguration());
        QSignalSpy serverUp(&server, &Vortex::peerConnected);
        QSignalSpy clientUp(&client, &Vortex::peerConnected);
        QTest::ignoreMessage(
            QtWarningMsg,
            QRegularExpression(
                QStringLiteral(
                    "^peek-field-service: TLS verification of wss://127\\.0\\.0\\.1:%1 failed: "
                    ".+; check the CA in peek-ssl-bundle\\.pem$")
                    .arg(server.serverPort())));
        client.connectTo(wssUrl(server.serverPort()));
        QVERIFY(!serverUp.wait(2500)); // a few dials, every one refused
        QVERIFY(clientUp.isEmpty());
        QVERIFY(server.peers().isEmpty());
    }

    void aClientWithoutTheCaDoesNotConnectEither()
    {
        // Without setClientTls a wss:// dial uses the system's CAs, which do not know ours.
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        server.setServerTls(loadFixture("server").serverConfiguration());
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        Vortex client(QStringLiteral("peek-field-service"), fastOptions());
        QSignalSpy serverUp(&server, &Vortex::peerConnected);
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("TLS verification of .* failed")));
        client.connectTo(wssUrl(server.serverPort()));
        QVERIFY(!serverUp.wait(1000));
    }

    void plainClientsOnATlsPortFailAndDoNotHurtIt()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        server.setServerTls(loadFixture("server").serverConfiguration());
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QSignalSpy serverUp(&server, &Vortex::peerConnected);

        // A plain vortex client: its upgrade request gets a plain "use TLS" answer.
        Vortex plain(QStringLiteral("peek-field-service"), fastOptions());
        plain.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.serverPort())));
        // Raw HTTP on the TLS port.
        QTcpSocket raw;
        raw.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QTRY_VERIFY_WITH_TIMEOUT(raw.state() == QAbstractSocket::ConnectedState, 5000);
        raw.write("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QByteArray answer;
        QTRY_VERIFY_WITH_TIMEOUT(
            (answer += raw.readAll(), raw.state() == QAbstractSocket::UnconnectedState), 5000);
        answer += raw.readAll();
        QVERIFY2(answer.startsWith("HTTP/1.1 400"), answer.constData());
        QVERIFY2(answer.contains("https://"), answer.constData());
        QVERIFY(!serverUp.wait(500));
        plain.close();

        // Garbage that looks like a ClientHello fails the handshake; the port still serves.
        QTcpSocket garbage;
        garbage.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QTRY_VERIFY_WITH_TIMEOUT(garbage.state() == QAbstractSocket::ConnectedState, 5000);
        garbage.write(QByteArray("\x16\x03\x01\x00\x05hello-not-a-client-hello", 30));
        QTRY_VERIFY_WITH_TIMEOUT(garbage.state() == QAbstractSocket::UnconnectedState, 5000);

        Vortex good(QStringLiteral("peek-office-service"), fastOptions());
        good.setClientTls(loadFixture("client").clientConfiguration());
        good.connectTo(wssUrl(server.serverPort()));
        QTRY_COMPARE_WITH_TIMEOUT(serverUp.size(), 1, 10000);
        QCOMPARE(serverUp.first().first().value<PeerInfo>().vortexName, good.name());
    }

    void aTlsClientOnAPlainPortFails()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QVERIFY(!server.isTls());
        Vortex client(QStringLiteral("peek-field-service"), fastOptions());
        client.setClientTls(loadFixture("client").clientConfiguration());
        QSignalSpy serverUp(&server, &Vortex::peerConnected);
        QSignalSpy dialFailed(&client, &Vortex::dialFailed);
        client.connectTo(wssUrl(server.serverPort()));
        // The dial itself must fail (not merely take long), and no connection may come up.
        QVERIFY(dialFailed.wait(5000));
        QVERIFY2(!dialFailed.first().at(1).toString().isEmpty(), "the failed dial gave no reason");
        QCOMPARE(serverUp.count(), 0);
        client.close();
        // The plain port still serves a plain client.
        Vortex plain(QStringLiteral("peek-field-service"), fastOptions());
        plain.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.serverPort())));
        QVERIFY(serverUp.wait(5000));
    }

    void aSilentOrStalledHandshakeTimesOut()
    {
        VortexOptions options = fastOptions();
        options.handshakeTimeoutMs = 300;
        Vortex server(QStringLiteral("peek-logic-service"), options);
        server.setServerTls(loadFixture("server").serverConfiguration());
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QTcpSocket silent;
        QTcpSocket stalled;
        silent.connectToHost(QHostAddress::LocalHost, server.serverPort());
        stalled.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QTRY_VERIFY_WITH_TIMEOUT(silent.state() == QAbstractSocket::ConnectedState
                                     && stalled.state() == QAbstractSocket::ConnectedState,
                                 5000);
        stalled.write("\x16\x03\x01"); // the start of a ClientHello, and nothing more
        QTRY_VERIFY_WITH_TIMEOUT(silent.state() == QAbstractSocket::UnconnectedState, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(stalled.state() == QAbstractSocket::UnconnectedState, 5000);
    }

    void theThrottleRefusesTlsConnectionsBeforeTheHandshake()
    {
        VortexOptions options = fastOptions();
        options.acceptBurst = 2;
        options.acceptRatePerSecond = 0.001;
        options.handshakeTimeoutMs = 60000; // only the throttle closes anything here
        Vortex server(QStringLiteral("peek-logic-service"), options);
        server.setServerTls(loadFixture("server").serverConfiguration());
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("refused a TLS connection")));
        QTcpSocket admitted[2];
        for (QTcpSocket &s : admitted) {
            s.connectToHost(QHostAddress::LocalHost, server.serverPort());
            QTRY_VERIFY_WITH_TIMEOUT(s.state() == QAbstractSocket::ConnectedState, 5000);
        }
        QTcpSocket refused;
        QSignalSpy closed(&refused, &QTcpSocket::disconnected);
        refused.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(closed.wait(5000));
        QCOMPARE(refused.error(), QAbstractSocket::RemoteHostClosedError);
        QCOMPARE(admitted[0].state(), QAbstractSocket::ConnectedState);
        QCOMPARE(admitted[1].state(), QAbstractSocket::ConnectedState);
    }

    void httpsRequestsReachTheHttpHandler()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        server.setServerTls(loadFixture("server").serverConfiguration());
        bool sawEncryptedSocket = false;
        server.setHttpHandler([&](const HttpRequest &request, QTcpSocket *socket) {
            if (request.url.path() != QLatin1String("/status"))
                return false;
            auto *tls = qobject_cast<QSslSocket *>(socket);
            sawEncryptedSocket = tls && tls->isEncrypted();
            const QByteArray body = "all well\n";
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: "
                          "close\r\nContent-Length: "
                          + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            socket->disconnectFromHost();
            return true;
        });
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));

        QNetworkAccessManager http;
        auto get = [&](const QString &path) {
            QNetworkRequest request(
                QUrl(QStringLiteral("https://127.0.0.1:%1%2").arg(server.serverPort()).arg(path)));
            request.setSslConfiguration(loadFixture("client").clientConfiguration());
            return http.get(request);
        };
        std::unique_ptr<QNetworkReply> ok(get(QStringLiteral("/status")));
        QSignalSpy okDone(ok.get(), &QNetworkReply::finished);
        QVERIFY(okDone.wait(10000));
        QCOMPARE(ok->error(), QNetworkReply::NoError);
        QCOMPARE(ok->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(ok->readAll(), QByteArray("all well\n"));
        QVERIFY(sawEncryptedSocket);

        std::unique_ptr<QNetworkReply> missing(get(QStringLiteral("/elsewhere")));
        QSignalSpy missingDone(missing.get(), &QNetworkReply::finished);
        QVERIFY(missingDone.wait(10000));
        QCOMPARE(missing->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 404);

        // The same over a bare QSslSocket, so nothing but TLS sits between the test and the port.
        QSslSocket socket;
        socket.setSslConfiguration(loadFixture("client").clientConfiguration());
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server.serverPort());
        QTRY_VERIFY_WITH_TIMEOUT(socket.isEncrypted(), 10000);
        socket.write("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QByteArray response;
        QTRY_VERIFY_WITH_TIMEOUT((response += socket.readAll(), response.endsWith("all well\n")),
                                 5000);
        QVERIFY2(response.startsWith("HTTP/1.1 200 OK"), response.constData());
    }

    void aClientOnlyConfigurationCannotServe()
    {
        Vortex server(QStringLiteral("peek-logic-service"), fastOptions());
        server.setServerTls(loadFixture("client").clientConfiguration()); // CAs, no key
        QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(QStringLiteral("cannot listen")));
        const auto listened = server.listen(QHostAddress::LocalHost, 0);
        QVERIFY(!listened);
        const QString error = listened.error().message();
        QVERIFY2(error.contains(QStringLiteral("no certificate or no private key")),
                 qPrintable(error));
        QCOMPARE(server.serverPort(), quint16(0));
        QVERIFY(server.serverPorts().isEmpty());
    }

    // ---- several ports -------------------------------------------------------------------------

    void oneVortexServesTwoPorts()
    {
        Vortex logic(QStringLiteral("peek-logic-service"), fastOptions());
        logic.setServerTls(loadFixture("server").serverConfiguration());
        QVERIFY(logic.listen(QHostAddress::LocalHost, 0)); // admin
        QVERIFY(logic.listen(QHostAddress::LocalHost, 0)); // data exchange
        const QList<quint16> ports = logic.serverPorts();
        QCOMPARE(ports.size(), 2);
        QVERIFY(ports[0] != ports[1]);
        QCOMPARE(logic.serverPort(), ports[0]);
        std::unique_ptr<QList<qint64>> atLogic(collect(logic, QStringLiteral("up")));
        QSignalSpy logicUp(&logic, &Vortex::peerConnected);

        Vortex admin(QStringLiteral("peek-admin-app"), fastOptions());
        Vortex field(QStringLiteral("peek-field-service"), fastOptions());
        for (Vortex *client : {&admin, &field})
            client->setClientTls(loadFixture("client").clientConfiguration());
        admin.connectTo(wssUrl(ports[0]));
        field.connectTo(wssUrl(ports[1]));
        QTRY_COMPARE_WITH_TIMEOUT(logicUp.size(), 2, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            admin.isConnectedTo(logic.name()) && field.isConnectedTo(logic.name()), 5000);
        QCOMPARE(admin.sendVortexMsg(message(QStringLiteral("up"), 10)), 1);
        QCOMPARE(field.sendVortexMsg(message(QStringLiteral("up"), 11)), 1);
        QTRY_COMPARE_WITH_TIMEOUT(atLogic->size(), 2, 5000);
        QCOMPARE(logic.sendVortexMsg(message(QStringLiteral("all"), 1)), 2); // one node, both ports

        // A port in use fails alone; the others keep serving.
        QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(QStringLiteral("cannot listen")));
        QVERIFY(!logic.listen(QHostAddress::LocalHost, ports[1]));
        QCOMPARE(logic.serverPorts(), ports);

        QSignalSpy logicDown(&logic, &Vortex::peerDisconnected);
        logic.close();
        QVERIFY(logic.serverPorts().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(
            !admin.isConnectedTo(logic.name()) && !field.isConnectedTo(logic.name()), 5000);
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, ports[1]);
        QTRY_VERIFY_WITH_TIMEOUT(probe.state() == QAbstractSocket::UnconnectedState, 5000);
    }
};

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"
