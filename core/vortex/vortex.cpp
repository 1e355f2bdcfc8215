#include "vortex.h"
#include "httproutes.h"
#include "httprequesthead.h"

#include "backoff.h"
#include "vortexconnection.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrlQuery>
#include <QUuid>
#include <QWebSocketServer>

Q_LOGGING_CATEGORY(lcVortex, "peek.vortex")

namespace peek {

namespace {
const QString kHelloUuid = QStringLiteral("__vortexUuid__");
const QString kHelloName = QStringLiteral("__vortexName__");
const QString kServerEcho = QStringLiteral("rapuiServerEcho");
const QString kVortexPath = QStringLiteral("/vortexws");
constexpr qsizetype kMaxRequestHeader = 16 * 1024;
const QByteArray kJoinTokenHeader = QByteArrayLiteral("X-Peek-Join-Token");

void answerHttp(QTcpSocket *socket, int status, const QByteArray &body, const QByteArray &extraHeaders = {})
{
    HttpResponse response = HttpResponse::text(status, body);
    response.extraHeaders = extraHeaders;
    response.writeTo(socket);
}

// The value of the first header called `name` (case-insensitive) in a raw "Name: value\r\n"
// block; empty when there is none.
QByteArray headerValue(const QByteArray &headers, const QByteArray &name)
{
    for (const QByteArray &line : headers.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

// Compares the whole of both tokens whatever they hold, so the time taken does not tell a
// guesser how much of a token was right.
bool sameToken(const QByteArray &offered, const QByteArray &expected)
{
    const qsizetype n = std::max(offered.size(), expected.size());
    unsigned diff = offered.size() == expected.size() ? 0u : 1u;
    for (qsizetype i = 0; i < n; ++i) {
        const auto a = i < offered.size() ? uchar(offered[i]) : uchar(0);
        const auto b = i < expected.size() ? uchar(expected[i]) : uchar(0);
        diff |= unsigned(a ^ b);
    }
    return diff == 0;
}
} // namespace

// ---- serving -----------------------------------------------------------------------------------

namespace {

// One listening socket. With TLS it accepts QSslSockets still in plain mode: the Server throttles
// a new connection before starting its handshake, so a connection storm costs no cryptography,
// and the handshake counts against the same handshake timeout as the HTTP upgrade.
// (QSslServer would only hand out sockets after their handshake, with its own timeout.)
class Listener final : public QTcpServer
{
public:
    explicit Listener(const QSslConfiguration &tls) : m_tls(tls) {}
    bool isTls() const { return !m_tls.isNull(); }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        if (!isTls()) {
            QTcpServer::incomingConnection(descriptor);
            return;
        }
        auto *socket = new QSslSocket(this);
        socket->setSslConfiguration(m_tls);
        if (socket->setSocketDescriptor(descriptor))
            addPendingConnection(socket);
        else
            delete socket;
    }

private:
    QSslConfiguration m_tls;
};

} // namespace

// Accepts TCP connections (and with TLS, runs the handshake), reads the HTTP upgrade request
// itself (so it can refuse with a proper status), and hands good ones to QWebSocketServer for
// the WebSocket handshake. Every listening socket feeds the same Server.
struct Vortex::Server : QObject
{
    Vortex *q;
    std::vector<std::unique_ptr<Listener>> listeners;
    QWebSocketServer ws{QStringLiteral("peek"), QWebSocketServer::NonSecureMode};
    double tokens;
    QElapsedTimer refillClock;
    // Accepted sockets whose WebSocket handshake is not complete, by "address:port".
    struct Pending
    {
        QPointer<QTcpSocket> socket;
        qint64 acceptedAtMs;
    };
    QHash<QString, Pending> pending;
    qint64 plainReportedAtMs = -1; // plain HTTP on a TLS port: last info line, and how many since
    int plainUnreported = 0;
    // Per address: open connections and the accept bucket (per-peer budgets).
    struct AddressBudget
    {
        int open = 0;
        double tokens = 0;
        qint64 refilledAtMs = -1;
    };
    // Shared with the sockets' destroyed handlers, which may run while the Server itself is
    // being destroyed (its listeners delete their sockets after its other members are gone).
    std::shared_ptr<QHash<QString, AddressBudget>> addressBudgets = std::make_shared<QHash<QString, AddressBudget>>();
    QHash<QString, AddressBudget> &addresses = *addressBudgets;

    // Takes a connection from `address`'s budget, or says which limit refuses it.
    QString admitAddress(const QString &address)
    {
        const VortexOptions &o = q->m_options;
        AddressBudget &b = addresses[address];
        if (o.budgets.maxConnectionsPerAddress > 0 && b.open >= o.budgets.maxConnectionsPerAddress)
            return QStringLiteral("maxConnectionsPerAddress");
        if (o.budgets.acceptRatePerAddress > 0) {
            const qint64 now = q->clockMs();
            if (b.refilledAtMs < 0)
                b.tokens = std::max(1, o.budgets.acceptBurstPerAddress);
            else
                b.tokens = std::min<double>(std::max(1, o.budgets.acceptBurstPerAddress),
                                            b.tokens + (now - b.refilledAtMs) * o.budgets.acceptRatePerAddress / 1000.0);
            b.refilledAtMs = now;
            if (b.tokens < 1.0)
                return QStringLiteral("acceptRatePerAddress");
            b.tokens -= 1.0;
        }
        return {};
    }

    // The socket counts against its address until it is destroyed (with its WebSocket).
    void holdAddress(QTcpSocket *socket, const QString &address)
    {
        ++addresses[address].open;
        connect(socket, &QObject::destroyed, [budgets = std::weak_ptr(addressBudgets), address] {
            const auto alive = budgets.lock();
            if (!alive)
                return;
            auto it = alive->find(address);
            if (it != alive->end())
                --it->open;
        });
    }

    // Forgets addresses with nothing open whose bucket has refilled.
    void pruneAddresses(qint64 nowMs)
    {
        const VortexOptions &o = q->m_options;
        const double refillMs = o.budgets.acceptRatePerAddress > 0
            ? std::max(1, o.budgets.acceptBurstPerAddress) * 1000.0 / o.budgets.acceptRatePerAddress : 0;
        for (auto it = addresses.begin(); it != addresses.end();)
            it = it->open <= 0 && nowMs - it->refilledAtMs > refillMs ? addresses.erase(it) : std::next(it);
    }

    static QString peerKey(const QHostAddress &address, quint16 port)
    {
        return address.toString() + u'/' + QString::number(port);
    }

    // Called from the vortex's sweep: connections that never finished their upgrade (or their
    // TLS handshake) are closed.
    void sweepPending(qint64 nowMs)
    {
        for (auto it = pending.begin(); it != pending.end();) {
            QTcpSocket *socket = it->socket;
            if (!socket) {
                it = pending.erase(it);
                continue;
            }
            if (nowMs - it->acceptedAtMs < q->m_options.handshakeTimeoutMs) {
                ++it;
                continue;
            }
            const auto *tls = qobject_cast<QSslSocket *>(socket);
            if (socket->property("peekHandedOver").toBool() || (tls && !tls->isEncrypted())) {
                if (tls && !tls->isEncrypted())
                    qCDebug(lcVortex).noquote() << q->m_name << "closed" << socket->peerAddress().toString()
                                                << "after no TLS handshake in"
                                                << q->m_options.handshakeTimeoutMs << "ms";
                socket->abort();
            } else {
                answerHttp(socket, 408, "No request received in time.\n");
            }
            it = pending.erase(it);
        }
        pruneAddresses(nowMs);
    }

    explicit Server(Vortex *vortex) : q(vortex), tokens(vortex->m_options.acceptBurst)
    {
        ws.setHandshakeTimeout(-1); // the vortex's sweep enforces handshakeTimeoutMs
        refillClock.start();
        connect(&ws, &QWebSocketServer::newConnection, this, &Server::onWebSocket);
    }

    bool listen(const QHostAddress &address, quint16 port, const QSslConfiguration &tls, QString *error)
    {
        auto listener = std::make_unique<Listener>(tls);
        listener->setMaxPendingConnections(100000);
        listener->setListenBacklogSize(4096);
        Listener *raw = listener.get();
        connect(raw, &QTcpServer::newConnection, this, [this, raw] { onNewConnection(raw); });
        if (!listener->listen(address, port)) {
            *error = listener->errorString();
            return false;
        }
        listeners.push_back(std::move(listener));
        return true;
    }

    bool takeToken()
    {
        const VortexOptions &o = q->m_options;
        tokens = std::min<double>(o.acceptBurst,
                                  tokens + refillClock.restart() * o.acceptRatePerSecond / 1000.0);
        if (tokens < 1.0)
            return false;
        tokens -= 1.0;
        return true;
    }

    void onNewConnection(Listener *listener)
    {
        while (QTcpSocket *socket = listener->nextPendingConnection()) {
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            auto *tls = qobject_cast<QSslSocket *>(socket);
            // One address's storm is refused before it can use up the global allowance.
            const QString address = socket->peerAddress().toString();
            if (const QString limit = admitAddress(address); !limit.isEmpty()) {
                q->limitTripped(limit, address,
                                limit == QLatin1String("maxConnectionsPerAddress")
                                    ? QStringLiteral("more than %1 connections open").arg(q->m_options.budgets.maxConnectionsPerAddress)
                                    : QStringLiteral("more than %1 new connections/s").arg(q->m_options.budgets.acceptRatePerAddress));
                if (tls) {
                    socket->abort();
                    socket->deleteLater();
                } else {
                    answerHttp(socket, 503, "Too many connections from your address; retry later.\n",
                               "Retry-After: " + QByteArray::number(q->m_options.retryAfterSeconds) + "\r\n");
                }
                continue;
            }
            if (!takeToken()) {
                if (tls) {
                    // A TLS client could not read a plain 503, and answering an encrypted one
                    // would cost the handshake the throttle is there to save.
                    qCWarning(lcVortex).noquote()
                        << q->m_name << "refused a TLS connection from" << socket->peerAddress().toString()
                        << "(connection storm: more than" << q->m_options.acceptRatePerSecond
                        << "new connections/s); closed it before the handshake";
                    socket->abort();
                    socket->deleteLater();
                    continue;
                }
                qCWarning(lcVortex).noquote()
                    << q->m_name << "refused a connection from" << socket->peerAddress().toString()
                    << "(connection storm: more than" << q->m_options.acceptRatePerSecond
                    << "new connections/s); told it to retry after"
                    << q->m_options.retryAfterSeconds << "s";
                answerHttp(socket, 503,
                           "Too many new connections; retry later.\n",
                           "Retry-After: " + QByteArray::number(q->m_options.retryAfterSeconds) + "\r\n");
                continue;
            }
            socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            holdAddress(socket, address);
            pending.insert(peerKey(socket->peerAddress(), socket->peerPort()),
                           Pending{socket, q->clockMs()});
            if (tls) {
                connect(tls, &QSslSocket::readyRead, this, [this, tls] { onTlsReadyRead(tls); });
                connect(tls, &QSslSocket::encrypted, this, [this, tls] {
                    if (tls->bytesAvailable())
                        inspect(tls);
                });
                connect(tls, &QAbstractSocket::errorOccurred, this,
                        [this, tls](QAbstractSocket::SocketError) { onTlsError(tls); });
                if (tls->bytesAvailable())
                    onTlsReadyRead(tls);
                continue;
            }
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { inspect(socket); });
            if (socket->bytesAvailable())
                inspect(socket);
        }
    }

    // Before the handshake the first byte tells a TLS ClientHello (0x16) from a client that
    // speaks plain HTTP to the TLS port; after it, the decrypted request is inspected as usual.
    void onTlsReadyRead(QSslSocket *socket)
    {
        if (socket->isEncrypted()) {
            inspect(socket);
            return;
        }
        if (socket->mode() != QSslSocket::UnencryptedMode)
            return; // handshake under way
        char first = 0;
        if (socket->peek(&first, 1) != 1)
            return;
        if (first == 0x16) {
            socket->startServerEncryption();
            return;
        }
        // Worth telling the operator, but a fleet of misconfigured clients retries forever.
        const qint64 now = q->clockMs();
        if (plainReportedAtMs < 0 || now - plainReportedAtMs >= 60000) {
            qCInfo(lcVortex).noquote() << q->m_name << "got plain HTTP from" << socket->peerAddress().toString()
                                       << "on its TLS port" << socket->localPort() << "(and" << plainUnreported
                                       << "more since the last report); clients must use https:// or wss://";
            plainReportedAtMs = now;
            plainUnreported = 0;
        } else {
            ++plainUnreported;
            qCDebug(lcVortex).noquote() << q->m_name << "got plain HTTP from"
                                        << socket->peerAddress().toString() << "on its TLS port";
        }
        socket->disconnect(this);
        pending.remove(peerKey(socket->peerAddress(), socket->peerPort()));
        socket->readAll(); // unread input would turn the close into a reset that loses the answer
        answerHttp(socket, 400, "This port serves TLS only: use https:// or wss://.\n");
    }

    void onTlsError(QSslSocket *socket)
    {
        if (socket->isEncrypted())
            return; // after the handshake, a closed or broken link ends as any other
        // Scanners and clients that distrust our certificate end here: not worth a warning.
        qCDebug(lcVortex).noquote() << q->m_name << "TLS handshake with" << socket->peerAddress().toString()
                                    << "failed:" << socket->errorString();
        socket->disconnect(this);
        pending.remove(peerKey(socket->peerAddress(), socket->peerPort()));
        socket->deleteLater();
    }

    void inspect(QTcpSocket *socket)
    {
        if (socket->property("peekHandedOver").toBool())
            return;
        // A TLS ClientHello (0x16) on a plain port never becomes an HTTP request: close it at
        // once rather than let the client wait out the handshake timeout.
        char first = 0;
        if (!qobject_cast<QSslSocket *>(socket) && socket->peek(&first, 1) == 1 && first == 0x16) {
            qCInfo(lcVortex).noquote() << q->m_name << "closed a TLS connection from"
                                       << socket->peerAddress().toString() << "on its plain port"
                                       << socket->localPort() << "(the client must use ws:// or http://)";
            pending.remove(peerKey(socket->peerAddress(), socket->peerPort()));
            socket->disconnect(this);
            socket->abort();
            return;
        }
        const HttpRequestHead head
            = readHttpRequestHead(socket->peek(kMaxRequestHeader + 4), kMaxRequestHeader);
        switch (head.status) {
        case HeadStatus::Incomplete:
            return;
        case HeadStatus::TooLarge:
            answerHttp(socket, 431, "Request header too large.\n");
            return;
        case HeadStatus::Malformed:
            answerHttp(socket, 400, "Malformed HTTP request line.\n");
            return;
        case HeadStatus::Complete:
            break;
        }
        const HttpRequest &request = head.request;
        if (request.url.path() != kVortexPath) {
            socket->disconnect(this);
            socket->setProperty("peekHandedOver", true);
            socket->read(head.length); // the handler gets the body, if any, still unread
            pending.remove(peerKey(socket->peerAddress(), socket->peerPort()));
            if (!q->m_httpHandler || !q->m_httpHandler(request, socket))
                answerHttp(socket, 404, "Not found. Vortex clients connect to /vortexws.\n");
            return;
        }
        const QUrlQuery query(request.url);
        if (query.queryItemValue(QStringLiteral("vortexName")).isEmpty()
            || query.queryItemValue(QStringLiteral("vortexUuid")).isEmpty()) {
            qCWarning(lcVortex).noquote() << q->m_name << "refused a connection from"
                                          << socket->peerAddress().toString()
                                          << "without vortexName and vortexUuid in" << request.url.toString();
            answerHttp(socket, 400,
                       "Connect to /vortexws?vortexName=<name>&vortexUuid=<uuid>: both are required.\n");
            return;
        }
        if (!q->m_requiredJoinToken.isEmpty()) {
            const QByteArray offered = headerValue(request.headers, kJoinTokenHeader);
            if (!sameToken(offered, q->m_requiredJoinToken)) {
                refuseJoin(socket, query.queryItemValue(QStringLiteral("vortexName"), QUrl::FullyDecoded),
                           offered.isEmpty() ? QStringLiteral("missing") : QStringLiteral("wrong"));
                return;
            }
        }
        socket->disconnect(this);
        socket->setProperty("peekHandedOver", true);
        ws.handleConnection(socket);
    }

    // Refuses a WebSocket upgrade whose join token is missing or wrong, before the handshake.
    void refuseJoin(QTcpSocket *socket, const QString &peerName, const QString &reason)
    {
        const QString address =
            QStringLiteral("%1:%2").arg(socket->peerAddress().toString()).arg(socket->peerPort());
        qCWarning(lcVortex).noquote()
            << QStringLiteral("%1 refused %2 from %3: its join token (%4 header) is %5; the "
                              "dialling service must set logic.joinToken in its config.json to the "
                              "value in the logic service's config.json")
                   .arg(q->m_name, peerName, address, QString::fromLatin1(kJoinTokenHeader), reason);
        socket->disconnect(this);
        pending.remove(peerKey(socket->peerAddress(), socket->peerPort()));
        socket->readAll(); // unread input would turn the close into a reset that loses the answer
        answerHttp(socket, 403,
                   "Join token " + reason.toLatin1() + " (" + kJoinTokenHeader
                       + " header): copy logic.joinToken from the logic service's config.json "
                         "into this service's config.json.\n");
        Q_EMIT q->joinRefused(peerName, address, reason);
    }

    void onWebSocket()
    {
        while (QWebSocket *socket = ws.nextPendingConnection()) {
            // The TCP socket under it (QWebSocket does not adopt it as a child): its unsent bytes
            // are what the output budget measures.
            QTcpSocket *transport = pending.take(peerKey(socket->peerAddress(), socket->peerPort())).socket;
            const QUrlQuery query(socket->requestUrl());
            auto *connection = new WebSocketConnection(q, q->m_nextConnectionId++, socket, true, transport);
            connection->setRemote(query.queryItemValue(QStringLiteral("vortexName"), QUrl::FullyDecoded),
                                  query.queryItemValue(QStringLiteral("vortexUuid"), QUrl::FullyDecoded));
            q->addConnection(connection);
            q->sendHello(connection);
            q->onConnectionReady(connection);
        }
    }
};

bool Vortex::listen(const QHostAddress &address, quint16 port, QString *error)
{
    const bool tls = isTls();
    QString why;
    if (tls && !QSslSocket::supportsSsl())
        why = QStringLiteral("TLS is configured but this build of Qt has no working TLS backend (%1)")
                  .arg(QSslSocket::activeBackend());
    else if (tls && (m_serverTls.localCertificate().isNull() || m_serverTls.privateKey().isNull()))
        why = QStringLiteral("the TLS configuration has no certificate or no private key "
                             "(a client-only peek-ssl-bundle.pem?)");
    if (why.isEmpty()) {
        if (!m_server)
            m_server = std::make_unique<Server>(this);
        if (m_server->listen(address, port, m_serverTls, &why)) {
            qCInfo(lcVortex).noquote() << m_name << "listening on" << address.toString() << "port"
                                       << m_server->listeners.back()->serverPort()
                                       << (tls ? "(TLS: wss://, https://)" : "(ws://, http://)");
            return true;
        }
    }
    const QString message = QStringLiteral("%1 cannot listen on %2:%3: %4")
                                .arg(m_name, address.toString())
                                .arg(port)
                                .arg(why);
    qCCritical(lcVortex).noquote() << message;
    if (error)
        *error = message;
    return false;
}

quint16 Vortex::serverPort() const
{
    return m_server && !m_server->listeners.empty() ? m_server->listeners.front()->serverPort() : 0;
}

QList<quint16> Vortex::serverPorts() const
{
    QList<quint16> ports;
    if (m_server)
        for (const auto &listener : m_server->listeners)
            ports.append(listener->serverPort());
    return ports;
}

// ---- dialling ----------------------------------------------------------------------------------

// One outgoing link that keeps itself up: dials, and after any failure or disconnect waits a
// backoff with jitter and dials again.
struct Vortex::Client : QObject
{
    Vortex *q;
    QUrl url;
    QUrl fullUrl;
    QTimer retry;
    QPointer<QWebSocket> pending;
    QPointer<VortexConnection> connection;
    QString tlsFailure; // the current dial's certificate errors, if any
    int failures = 0;
    bool stopped = false;

    Client(Vortex *vortex, const QUrl &target) : q(vortex), url(target)
    {
        fullUrl = target;
        if (fullUrl.path().isEmpty() || fullUrl.path() == QLatin1String("/"))
            fullUrl.setPath(kVortexPath);
        QUrlQuery query(fullUrl);
        query.removeAllQueryItems(QStringLiteral("vortexName"));
        query.removeAllQueryItems(QStringLiteral("vortexUuid"));
        query.addQueryItem(QStringLiteral("vortexName"), q->m_name);
        query.addQueryItem(QStringLiteral("vortexUuid"), q->m_uuid);
        fullUrl.setQuery(query);
        retry.setSingleShot(true);
        connect(&retry, &QTimer::timeout, this, &Client::dial);
    }

    ~Client() override
    {
        stopped = true;
        if (pending)
            delete pending.data();
        if (connection)
            connection->closeWithReason(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("closing"));
    }

    void dial()
    {
        if (stopped)
            return;
        auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
        socket->setMaxAllowedIncomingMessageSize(quint64(q->m_options.maxMessageBytes));
        socket->setMaxAllowedIncomingFrameSize(quint64(q->m_options.maxMessageBytes));
        if (fullUrl.scheme() == QLatin1String("wss") && !q->m_clientTls.isNull())
            socket->setSslConfiguration(q->m_clientTls);
        tlsFailure.clear();
        // Never ignored: an unverified server is not connected to. Said once per failed dial.
        connect(socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            QStringList texts;
            for (const QSslError &e : errors)
                texts.append(e.errorString());
            tlsFailure = texts.join(QStringLiteral("; "));
            qCWarning(lcVortex).noquote()
                << QStringLiteral("%1: TLS verification of %2 failed: %3; check the CA in peek-ssl-bundle.pem")
                       .arg(q->m_name, url.toString(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery),
                            tlsFailure);
        });
        pending = socket;
        connect(socket, &QWebSocket::connected, this, [this, socket] {
            pending = nullptr;
            socket->disconnect(this);
            auto *c = new WebSocketConnection(q, q->m_nextConnectionId++, socket, false);
            connection = c;
            connect(c, &VortexConnection::closed, this, [this] { scheduleRetry(QStringLiteral("connection closed")); });
            q->addConnection(c);
            q->sendHello(c);
        });
        connect(socket, &QWebSocket::stateChanged, this, [this, socket](QAbstractSocket::SocketState s) {
            if (s != QAbstractSocket::UnconnectedState || pending != socket)
                return;
            pending = nullptr;
            QString why = tlsFailure.isEmpty() ? socket->errorString()
                                               : QStringLiteral("TLS verification failed");
            // Qt says "... Unhandled http status code: 403 (Forbidden)." for the server's refusal.
            if (tlsFailure.isEmpty() && why.contains(QLatin1String("status code: 403"))) {
                why = QStringLiteral("join token refused, HTTP 403");
                const QString target = url.toString(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery);
                qCWarning(lcVortex).noquote()
                    << (q->m_joinToken.isEmpty()
                            ? QStringLiteral("%1: %2 requires a join token and we sent none (HTTP 403): set "
                                             "logic.joinToken in config.json to the value in the logic "
                                             "service's config.json")
                            : QStringLiteral("%1: %2 refused our join token (HTTP 403): set "
                                             "logic.joinToken in config.json to the value in the logic "
                                             "service's config.json"))
                           .arg(q->m_name, target);
            }
            socket->deleteLater();
            scheduleRetry(why);
            Q_EMIT q->dialFailed(url, why);
        });
        QNetworkRequest request(fullUrl);
        if (!q->m_joinToken.isEmpty())
            request.setRawHeader(kJoinTokenHeader, q->m_joinToken);
        socket->open(request);
    }

    void scheduleRetry(const QString &why)
    {
        if (stopped || retry.isActive())
            return;
        const VortexOptions &o = q->m_options;
        // Jitter spreads a crowd of clients that lost the same server.
        const qint64 delay = backoffDelayMs(failures, o.reconnectMinMs, o.reconnectMaxMs,
                                            QRandomGenerator::global()->generateDouble(), 0.5);
        ++failures;
        qCInfo(lcVortex).noquote() << q->m_name << "will reconnect to" << url.toString() << "in"
                                   << delay << "ms (" << why << ")";
        retry.start(int(delay));
    }
};

void Vortex::connectTo(const QUrl &url)
{
    auto client = std::make_unique<Client>(this, url);
    client->dial();
    m_clients.push_back(std::move(client));
}

void Vortex::disconnectFrom(const QUrl &url)
{
    m_clients.erase(std::remove_if(m_clients.begin(), m_clients.end(),
                                   [&](const auto &c) { return c->url == url; }),
                    m_clients.end());
}

void Vortex::connectLocal(Vortex *other)
{
    auto *mine = new LocalConnection(this, m_nextConnectionId++, false);
    auto *theirs = new LocalConnection(other, other->m_nextConnectionId++, true);
    LocalConnection::link(mine, theirs);
    mine->setRemote(other->m_name, other->m_uuid);
    theirs->setRemote(m_name, m_uuid);
    addConnection(mine);
    other->addConnection(theirs);
    sendHello(mine);
    other->sendHello(theirs);
    onConnectionReady(mine);
    other->onConnectionReady(theirs);
}

// ---- the node ----------------------------------------------------------------------------------

Vortex::Vortex(const QString &name, const VortexOptions &options, QObject *parent)
    : QObject(parent), m_name(name), m_uuid(QUuid::createUuid().toString(QUuid::WithoutBraces)),
      m_options(options)
{
    qRegisterMetaType<peek::PeerInfo>();
    m_clock.start();
    m_sweepTimer.setInterval(std::max(1, std::min(options.heartbeatMs, options.watchdogMs)));
    connect(&m_sweepTimer, &QTimer::timeout, this, &Vortex::sweep);
    m_sweepTimer.start();
    m_deadlineTimer.setSingleShot(true);
    connect(&m_deadlineTimer, &QTimer::timeout, this, [this] {
        const qint64 now = clockMs();
        while (!m_deadlines.empty() && m_deadlines.begin()->first <= now) {
            const quint64 id = m_deadlines.begin()->second;
            m_deadlines.erase(m_deadlines.begin());
            auto handler = m_deadlineHandlers.take(id).second;
            if (handler)
                handler();
        }
        armDeadlines();
    });
}

void Vortex::sweep()
{
    const qint64 now = clockMs();
    const bool slept = m_lastSweepMs > 0 && now - m_lastSweepMs > m_options.sleepGuardMs;
    if (slept)
        qCInfo(lcVortex).noquote() << m_name << "sweep ran" << (now - m_lastSweepMs)
                                   << "ms late (machine asleep?); restarting the silence clock of"
                                   << m_connections.size() << "connections";
    m_lastSweepMs = now;
    const QList<VortexConnection *> connections = m_connections.values();
    for (VortexConnection *c : connections)
        c->tick(now, slept);
    if (m_server)
        m_server->sweepPending(now);
}

quint64 Vortex::addDeadline(int ms, std::function<void()> onExpiry)
{
    const quint64 id = m_nextDeadlineId++;
    const qint64 due = clockMs() + ms;
    m_deadlines.emplace(due, id);
    m_deadlineHandlers.insert(id, {due, std::move(onExpiry)});
    if (m_deadlines.begin()->second == id)
        armDeadlines();
    return id;
}

void Vortex::cancelDeadline(quint64 id)
{
    const auto it = m_deadlineHandlers.find(id);
    if (it == m_deadlineHandlers.end())
        return;
    auto [first, last] = m_deadlines.equal_range(it->first);
    for (auto d = first; d != last; ++d) {
        if (d->second == id) {
            m_deadlines.erase(d);
            break;
        }
    }
    m_deadlineHandlers.erase(it);
}

void Vortex::armDeadlines()
{
    if (m_deadlines.empty()) {
        m_deadlineTimer.stop();
        return;
    }
    m_deadlineTimer.start(int(std::max<qint64>(0, m_deadlines.begin()->first - clockMs())));
}

void Vortex::indexReady(VortexConnection *connection)
{
    m_readyByName[connection->remoteName()].append(connection);
    if (connection->info().incoming && !connection->info().vortexUuid.isEmpty())
        m_incomingByUuid.insert(connection->info().vortexUuid, connection);
}

void Vortex::unindex(VortexConnection *connection)
{
    for (auto it = m_readyByName.begin(); it != m_readyByName.end(); ++it) {
        if (it->removeOne(connection)) {
            if (it->isEmpty())
                m_readyByName.erase(it);
            break;
        }
    }
    for (auto it = m_incomingByUuid.begin(); it != m_incomingByUuid.end();)
        it = it.value() == connection ? m_incomingByUuid.erase(it) : std::next(it);
}

Vortex::~Vortex()
{
    close();
}

void Vortex::close()
{
    m_clients.clear();
    if (m_server) {
        for (const auto &listener : m_server->listeners)
            listener->close();
        m_server.reset();
    }
    const auto connections = m_connections;
    for (VortexConnection *c : connections)
        c->closeWithReason(QWebSocketProtocol::CloseCodeGoingAway,
                           QStringLiteral("%1 is shutting down").arg(m_name));
}

void Vortex::addConnection(VortexConnection *connection)
{
    m_connections.insert(connection->id(), connection);
    connect(connection, &VortexConnection::messageReceived, this,
            [this, connection](const QByteArray &message) { onMessage(connection, message); });
    connect(connection, &VortexConnection::closed, this,
            [this, connection] { onConnectionClosed(connection); });
}

void Vortex::sendHello(VortexConnection *connection)
{
    PayloadEnvelope hello(Dict{{kHelloUuid, m_uuid}, {kHelloName, m_name}});
    connection->sendMessage(hello.toVortexMsg());
}

void Vortex::onConnectionReady(VortexConnection *connection)
{
    connection->markReady();
    const PeerInfo info = connection->info();
    if (info.incoming && !info.vortexUuid.isEmpty()) {
        VortexConnection *older = m_incomingByUuid.value(info.vortexUuid);
        if (older && older != connection) {
            qCInfo(lcVortex).noquote() << m_name << "replaces the connection of" << info.vortexName
                                       << older->info().address << "with a new one from" << info.address
                                       << "(same vortexUuid" << info.vortexUuid << ")";
            unindex(older);
            older->closeWithReason(QWebSocketProtocol::CloseCodeNormal,
                                   QStringLiteral("replaced by a newer connection with the same vortexUuid"));
        }
    }
    indexReady(connection);
    // Services are few and their links matter to operators; apps are many.
    if (info.vortexName.endsWith(QLatin1String("-service")))
        qCInfo(lcVortex).noquote() << m_name << "connected to" << info.vortexName << info.address
                                   << (info.incoming ? "(incoming)" : "(outgoing)");
    else
        qCDebug(lcVortex).noquote() << m_name << "connected to" << info.vortexName << info.address;
    Q_EMIT peerConnected(info);
}

void Vortex::onConnectionClosed(VortexConnection *connection)
{
    if (!m_connections.remove(connection->id()))
        return;
    m_subscriptions.remove(connection->id());
    unindex(connection);
    const PeerInfo info = connection->info();
    if (connection->isReady()) {
        if (info.vortexName.endsWith(QLatin1String("-service")))
            qCInfo(lcVortex).noquote() << m_name << "disconnected from" << info.vortexName << info.address;
        else
            qCDebug(lcVortex).noquote() << m_name << "disconnected from" << info.vortexName << info.address;
        Q_EMIT peerDisconnected(info);
    }
    if (connection->isReady())
        for (auto &client : m_clients)
            if (client->connection == connection)
                client->failures = 0; // it had worked: start the backoff from the bottom
    connection->deleteLater();
}

MessageSource Vortex::sourceOf(VortexConnection *connection)
{
    const PeerInfo info = connection->info();
    return MessageSource{this, info.connectionId, info.vortexName, info.vortexUuid, info.address};
}

void Vortex::onMessage(VortexConnection *connection, const QByteArray &raw)
{
    if (raw.size() == 1 && raw.front() == '.')
        return; // heartbeat
    QByteArrayView message(raw);
    if (message.size() > 1 && message.back() == '.')
        message.chop(1); // some peers append a heartbeat to every message

    PayloadEnvelope envelope;
    QString error;
    const bool parsed = PayloadEnvelope::fromVortexMsg(message, envelope, &error);
    // A peer that writes base64 (vortexjs) reads only that form: answer it in kind, hello
    // included (it went out in JSON before the peer said anything).
    if (parsed && !message.isEmpty() && message.front() != '{'
        && connection->form() == PayloadEnvelope::Form::Json) {
        connection->setForm(PayloadEnvelope::Form::Base64EncodedPayload);
        sendHello(connection);
    }
    if (!parsed) {
        const PeerInfo info = connection->info();
        limitTripped(QStringLiteral("malformedMessages"), connection->host(),
                     QStringLiteral("closed the connection of %1 %2 after a malformed message: %3 (first bytes: %4)")
                         .arg(info.vortexName, info.address, error,
                              QString::fromLatin1(raw.left(80).toPercentEncoding(" {}[]\":,._-"))));
        Q_EMIT peerRejected(info, error);
        connection->closeWithReason(QWebSocketProtocol::CloseCodeWrongDatatype,
                                    QStringLiteral("malformed vortex message: %1").arg(error).left(120));
        return;
    }

    const Value *helloUuid = envelope.filt.find(kHelloUuid);
    const Value *helloName = envelope.filt.find(kHelloName);
    if (helloUuid && helloName && envelope.data.isEmpty()) {
        const bool wasReady = connection->isReady();
        if (wasReady) {
            unindex(connection);
            connection->setRemote(helloName->toString(), helloUuid->toString());
            indexReady(connection);
        } else {
            connection->setRemote(helloName->toString(), helloUuid->toString());
            onConnectionReady(connection);
        }
        for (auto &client : m_clients)
            if (client->connection == connection)
                client->failures = 0;
        return;
    }
    if (!connection->isReady()) {
        qCDebug(lcVortex) << m_name << "dropped a message that arrived before the peer's hello";
        return;
    }
    if (envelope.filt.contains(kServerEcho)) {
        if (m_options.answerServerEcho) {
            echoBack(connection, envelope);
        } else {
            PayloadEnvelope refused = PayloadEnvelope::error(
                envelope.filt, QStringLiteral("%1 does not answer the server echo").arg(m_name));
            refused.filt.remove(kServerEcho);
            connection->sendMessage(refused.toVortexMsg());
        }
        return;
    }
    MessageSource source = sourceOf(connection);
    source.raw = message.size() == raw.size() ? raw : raw.left(message.size());
    m_router.dispatch(envelope, source);
}

void Vortex::echoBack(VortexConnection *connection, const PayloadEnvelope &envelope)
{
    PayloadEnvelope reply;
    Payload payload;
    QString error;
    if (!envelope.decodePayload(payload, &error)) {
        reply = PayloadEnvelope::error(envelope.filt, QStringLiteral("server echo failed: %1").arg(error));
        reply.filt.remove(kServerEcho);
    } else {
        payload.filt.remove(kServerEcho);
        reply = PayloadEnvelope::fromPayload(payload);
        reply.filt = envelope.filt;
        reply.filt.remove(kServerEcho);
    }
    connection->sendMessage(reply.toVortexMsg());
}

int Vortex::sendVortexMsg(const QByteArray &vortexMsg, const QString &destVortexName)
{
    int sent = 0;
    if (destVortexName.isEmpty()) {
        for (VortexConnection *c : std::as_const(m_connections)) {
            if (c->isReady()) {
                c->sendMessage(vortexMsg);
                ++sent;
            }
        }
        return sent;
    }
    const auto it = m_readyByName.constFind(destVortexName);
    if (it == m_readyByName.constEnd())
        return 0;
    for (VortexConnection *c : *it) {
        c->sendMessage(vortexMsg);
        ++sent;
    }
    return sent;
}

int Vortex::send(const PayloadEnvelope &envelope, const QString &destVortexName)
{
    return sendVortexMsg(envelope.toVortexMsg(), destVortexName);
}

bool Vortex::sendToConnection(quint64 connectionId, const QByteArray &vortexMsg)
{
    VortexConnection *c = m_connections.value(connectionId);
    if (!c)
        return false;
    c->sendMessage(vortexMsg);
    return true;
}

QByteArray Vortex::textFrame(const QByteArray &message)
{
    const quint64 n = quint64(message.size());
    QByteArray frame;
    frame.reserve(message.size() + 10);
    frame.append(char(0x81)); // FIN, text
    if (n < 126) {
        frame.append(char(n));
    } else if (n <= 0xffff) {
        frame.append(char(126));
        frame.append(char((n >> 8) & 0xff));
        frame.append(char(n & 0xff));
    } else {
        frame.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((n >> shift) & 0xff));
    }
    frame.append(message);
    return frame;
}

bool Vortex::sendFrameToConnection(quint64 connectionId, const QByteArray &frame, const QByteArray &message)
{
    VortexConnection *c = m_connections.value(connectionId);
    if (!c)
        return false;
    c->sendFrame(frame, message);
    return true;
}

QList<PeerInfo> Vortex::peers() const
{
    QList<PeerInfo> out;
    for (VortexConnection *c : m_connections)
        if (c->isReady())
            out.append(c->info());
    return out;
}

bool Vortex::isConnectedTo(const QString &vortexName) const
{
    return m_readyByName.contains(vortexName);
}

bool Vortex::reserveSubscription(quint64 connectionId)
{
    if (m_options.budgets.maxSubscriptionsPerConnection <= 0)
        return true;
    VortexConnection *c = m_connections.value(connectionId);
    if (!c || !c->info().incoming)
        return true;
    int &count = m_subscriptions[connectionId];
    if (count >= m_options.budgets.maxSubscriptionsPerConnection) {
        const PeerInfo info = c->info();
        limitTripped(QStringLiteral("maxSubscriptionsPerConnection"), c->host(),
                     QStringLiteral("%1 (%2) asked for more than %3 subscriptions")
                         .arg(info.vortexName)
                         .arg(info.address)
                         .arg(m_options.budgets.maxSubscriptionsPerConnection));
        return false;
    }
    ++count;
    return true;
}

void Vortex::releaseSubscription(quint64 connectionId)
{
    auto it = m_subscriptions.find(connectionId);
    if (it != m_subscriptions.end() && --it.value() <= 0)
        m_subscriptions.erase(it);
}

void Vortex::limitTripped(const QString &limit, const QString &peer, const QString &what)
{
    ++m_limitTrips[limit];
    const QString key = limit + u' ' + peer;
    const qint64 now = clockMs();
    const auto last = m_limitLoggedAtMs.constFind(key);
    if (last != m_limitLoggedAtMs.constEnd() && now - last.value() < 60000)
        return;
    if (m_limitLoggedAtMs.size() > 10000) // bounded: many peers must not grow it for ever
        m_limitLoggedAtMs.clear();
    m_limitLoggedAtMs.insert(key, now);
    qCWarning(lcVortex).noquote() << m_name << "limit" << limit << "tripped by" << peer << ":" << what
                                  << "(logged once a minute per peer; counted in /health)";
}

QString Vortex::nextMessageId()
{
    return m_uuid.left(8) + u':' + QString::number(m_nextMessageId++);
}

} // namespace peek
