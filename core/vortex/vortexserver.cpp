// Serving: the listening sockets, the connection-storm throttle and per-address budgets, TLS on
// the port, the HTTP upgrade request (join token included) and the hand-over of good upgrades to
// QWebSocketServer. The Server and Listener types are in vortex_p.h.
#include "vortex_p.h"
#include "base/role.h"
#include "httproutes.h"
#include "httprequesthead.h"

#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>
#include <QUrlQuery>

namespace peek {

namespace {
constexpr qsizetype kMaxRequestHeader = 16 * 1024;

void answerHttp(QTcpSocket *socket, int status, const QByteArray &body, const QByteArray &extraHeaders = {})
{
    HttpResponse response = HttpResponse::text(status, body);
    response.extraHeaders = extraHeaders;
    response.writeTo(socket);
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

void Vortex::Server::Listener::incomingConnection(qintptr descriptor)
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

// Takes a connection from `address`'s budget, or says which limit refuses it.
QString Vortex::Server::admitAddress(const QString &key, const PeerBudgets &budgets)
{
    QMutexLocker lock(&addressBudgets->mutex);
    AddressBudget &b = addressBudgets->map[key];
    if (budgets.maxConnectionsPerAddress > 0 && b.open >= budgets.maxConnectionsPerAddress)
        return QStringLiteral("maxConnectionsPerAddress");
    if (budgets.acceptRatePerAddress > 0) {
        const qint64 now = q->clockMs();
        if (b.refilledAtMs < 0)
            b.tokens = std::max(1, budgets.acceptBurstPerAddress);
        else
            b.tokens = std::min<double>(std::max(1, budgets.acceptBurstPerAddress),
                                        b.tokens + (now - b.refilledAtMs) * budgets.acceptRatePerAddress / 1000.0);
        b.refilledAtMs = now;
        if (b.tokens < 1.0)
            return QStringLiteral("acceptRatePerAddress");
        b.tokens -= 1.0;
    }
    return {};
}

void Vortex::Server::refuseAddress(QTcpSocket *socket, const QString &address, const QString &limit,
                                   const PeerBudgets &budgets, bool upgradeRead)
{
    q->limitTripped(limit, address,
                    limit == QLatin1String("maxConnectionsPerAddress")
                        ? QStringLiteral("more than %1 connections open").arg(budgets.maxConnectionsPerAddress)
                        : QStringLiteral("more than %1 new connections/s").arg(budgets.acceptRatePerAddress));
    if (qobject_cast<QSslSocket *>(socket) && !upgradeRead) {
        // Before the TLS handshake: nothing readable could be answered.
        socket->abort();
        socket->deleteLater();
    } else {
        answerHttp(socket, 503, "Too many connections from your address; retry later.\n",
                   "Retry-After: " + QByteArray::number(q->m_options.retryAfterSeconds) + "\r\n");
    }
}

namespace {
// Runs `done` when its parent goes: a child is destroyed with its parent whatever happened to the
// parent's signal connections (QWebSocket disconnects every signal of the TCP socket it takes
// over, destroyed() included).
class OnDestroyed final : public QObject
{
public:
    OnDestroyed(QObject *parent, std::function<void()> done) : QObject(parent), m_done(std::move(done)) {}
    ~OnDestroyed() override { m_done(); }

private:
    std::function<void()> m_done;
};
} // namespace

// The socket counts against its address until it is destroyed (with its WebSocket).
void Vortex::Server::holdAddress(QTcpSocket *socket, const QString &address)
{
    {
        QMutexLocker lock(&addressBudgets->mutex);
        ++addressBudgets->map[address].open;
    }
    new OnDestroyed(socket, [budgets = std::weak_ptr(addressBudgets), address] {
        const auto alive = budgets.lock();
        if (!alive)
            return;
        QMutexLocker lock(&alive->mutex);
        auto it = alive->map.find(address);
        if (it != alive->map.end())
            --it->open;
    });
}

// Forgets addresses with nothing open whose bucket has refilled.
void Vortex::Server::pruneAddresses(qint64 nowMs)
{
    const auto refill = [](const PeerBudgets &b) {
        return b.acceptRatePerAddress > 0 ? std::max(1, b.acceptBurstPerAddress) * 1000.0 / b.acceptRatePerAddress : 0.0;
    };
    double refillMs = refill(q->m_options.budgets);
    for (const PeerBudgets &login : std::as_const(q->m_loginPorts))
        refillMs = std::max(refillMs, refill(login));
    QMutexLocker lock(&addressBudgets->mutex);
    auto &addresses = addressBudgets->map;
    for (auto it = addresses.begin(); it != addresses.end();)
        it = it->open <= 0 && nowMs - it->refilledAtMs > refillMs ? addresses.erase(it) : std::next(it);
}

QString Vortex::Server::peerKey(const QHostAddress &address, quint16 port)
{
    return address.toString() + u'/' + QString::number(port);
}

// Called from the vortex's sweep: connections that never finished their upgrade (or their
// TLS handshake) are closed.
void Vortex::Server::sweepPending(qint64 nowMs)
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

Vortex::Server::Server(Vortex *vortex) : q(vortex), tokens(vortex->m_options.acceptBurst)
{
    ws.setHandshakeTimeout(-1); // the vortex's sweep enforces handshakeTimeoutMs
    refillClock.start();
    connect(&ws, &QWebSocketServer::newConnection, this, &Server::onWebSocket);
}

Result<void> Vortex::Server::listen(const QHostAddress &address, quint16 port, const QSslConfiguration &tls)
{
    auto listener = std::make_unique<Listener>(tls);
    listener->setMaxPendingConnections(100000);
    listener->setListenBacklogSize(4096);
    Listener *raw = listener.get();
    connect(raw, &QTcpServer::newConnection, this, [this, raw] { onNewConnection(raw); });
    if (!listener->listen(address, port))
        return Error {listener->errorString()};
    listeners.push_back(std::move(listener));
    return {};
}

bool Vortex::Server::takeToken()
{
    const VortexOptions &o = q->m_options;
    tokens = std::min<double>(o.acceptBurst,
                              tokens + refillClock.restart() * o.acceptRatePerSecond / 1000.0);
    if (tokens < 1.0)
        return false;
    tokens -= 1.0;
    return true;
}

void Vortex::Server::onNewConnection(Listener *listener)
{
    while (QTcpSocket *socket = listener->nextPendingConnection()) {
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        auto *tls = qobject_cast<QSslSocket *>(socket);
        // One address's storm is refused before it can use up the global allowance.
        const QString address = socket->peerAddress().toString();
        if (const QString limit = admitAddress(address, q->m_options.budgets); !limit.isEmpty()) {
            refuseAddress(socket, address, limit, q->m_options.budgets, false);
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
void Vortex::Server::onTlsReadyRead(QSslSocket *socket)
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

void Vortex::Server::onTlsError(QSslSocket *socket)
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

void Vortex::Server::inspect(QTcpSocket *socket)
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
    // Who it is (docs/threats.md rule 1): a service proves itself with the join token; anyone
    // else is a device, and may not take a service's name.
    const QString claimed = query.queryItemValue(QStringLiteral("vortexName"), QUrl::FullyDecoded);
    const QByteArray &token = q->proofToken();
    bool proven = token.isEmpty(); // a node without a join token cannot tell (tests, embedding)
    if (!token.isEmpty()) {
        const QByteArray offered = request.header(kJoinTokenHeader);
        if (!offered.isEmpty()) {
            if (!sameToken(offered, token)) {
                refuseJoin(socket, claimed, QStringLiteral("wrong"));
                return;
            }
            proven = true;
        } else if (!q->m_requiredJoinToken.isEmpty() && !q->m_loginPorts.contains(socket->localPort())) {
            refuseJoin(socket, claimed, QStringLiteral("missing"));
            return;
        } else if (Role::isServiceVortexName(claimed)) {
            refuseJoin(socket, claimed, QStringLiteral("reserved name"));
            return;
        }
    }
    if (!proven && q->m_loginPorts.contains(socket->localPort())) {
        // Not a service, on a port where people log in: counted and limited apart.
        const QString address = socket->peerAddress().toString();
        const QString key = QStringLiteral("login:") + address;
        const PeerBudgets &budgets = q->budgetsFor(socket->localPort(), false);
        if (const QString limit = admitAddress(key, budgets); !limit.isEmpty()) {
            socket->disconnect(this);
            pending.remove(peerKey(socket->peerAddress(), socket->peerPort()));
            socket->readAll(); // unread input would turn the close into a reset that loses the answer
            refuseAddress(socket, address, limit, budgets, true);
            return;
        }
        holdAddress(socket, key);
    }
    if (auto waiting = pending.find(peerKey(socket->peerAddress(), socket->peerPort())); waiting != pending.end())
        waiting->proven = proven;
    socket->disconnect(this);
    socket->setProperty("peekHandedOver", true);
    ws.handleConnection(socket);
}

// Refuses a WebSocket upgrade whose join token is missing or wrong, before the handshake.
void Vortex::Server::refuseJoin(QTcpSocket *socket, const QString &peerName, const QString &reason)
{
    const QString address =
        QStringLiteral("%1:%2").arg(socket->peerAddress().toString()).arg(socket->peerPort());
    QString logLine;
    QByteArray body;
    if (reason == QLatin1String("reserved name")) {
        logLine = QStringLiteral("%1 refused a connection from %2 calling itself %3: that name is reserved "
                                 "for services, which present the join token (%4 header); a device "
                                 "must use its own name")
                      .arg(q->m_name, address, peerName, QString::fromLatin1(kJoinTokenHeader));
        body = "vortexName " + peerName.toUtf8().left(100)
            + " is reserved for Peek services, which present the installation's join token ("
            + kJoinTokenHeader + " header). An app or device connects with its own name.\n";
    } else {
        logLine = QStringLiteral("%1 refused %2 from %3: its join token (%4 header) is %5; the "
                                 "dialling service must set logic.joinToken in its config.json to the "
                                 "value in the logic service's config.json")
                      .arg(q->m_name, peerName, address, QString::fromLatin1(kJoinTokenHeader), reason);
        body = "Join token " + reason.toLatin1() + " (" + kJoinTokenHeader
            + " header): copy logic.joinToken from the logic service's config.json "
              "into this service's config.json.\n";
    }
    qCWarning(lcVortex).noquote() << logLine;
    socket->disconnect(this);
    pending.remove(peerKey(socket->peerAddress(), socket->peerPort()));
    socket->readAll(); // unread input would turn the close into a reset that loses the answer
    answerHttp(socket, 403, body);
    Q_EMIT q->joinRefused(peerName, address, reason);
}

void Vortex::Server::onWebSocket()
{
    while (QWebSocket *socket = ws.nextPendingConnection()) {
        // The TCP socket under it (QWebSocket does not adopt it as a child): its unsent bytes
        // are what the output budget measures.
        const Pending handshake = pending.take(peerKey(socket->peerAddress(), socket->peerPort()));
        QTcpSocket *transport = handshake.socket;
        // QWebSocketServer stays connected to the socket's disconnected() (it deleteLater()s it):
        // once the socket is served on an I/O thread, that call would come queued to this thread
        // and read a socket its own thread may be deleting. Our own disconnected() handler
        // (onNewConnection) deletes it already.
        if (transport)
            QObject::disconnect(transport, nullptr, &ws, nullptr);
        const QUrlQuery query(socket->requestUrl());
        auto *connection = new WebSocketConnection(q, q->m_nextConnectionId++, socket, true, transport);
        connection->setProven(handshake.proven);
        connection->setBudgets(q->budgetsFor(socket->localPort(), handshake.proven));
        connection->setRemote(query.queryItemValue(QStringLiteral("vortexName"), QUrl::FullyDecoded),
                              query.queryItemValue(QStringLiteral("vortexUuid"), QUrl::FullyDecoded));
        q->addConnection(connection);
        q->sendHello(connection);
        q->onConnectionReady(connection);
        q->placeOnIoThread(connection);
    }
}

Result<void> Vortex::listen(const QHostAddress &address, quint16 port)
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
        auto listening = m_server->listen(address, port, m_serverTls);
        if (listening) {
            qCInfo(lcVortex).noquote() << m_name << "listening on" << address.toString() << "port"
                                       << m_server->listeners.back()->serverPort()
                                       << (tls ? "(TLS: wss://, https://)" : "(ws://, http://)");
            return {};
        }
        why = listening.error().message();
    }
    const QString message = QStringLiteral("%1 cannot listen on %2:%3: %4")
                                .arg(m_name, address.toString())
                                .arg(port)
                                .arg(why);
    qCCritical(lcVortex).noquote() << message;
    return Error {message};
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

QByteArray HttpRequest::header(const QByteArray &name) const
{
    for (const QByteArray &line : headers.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

bool Vortex::presentsJoinToken(const HttpRequest &request) const
{
    const QByteArray &token = proofToken();
    const QByteArray offered = request.header(kJoinTokenHeader);
    return !token.isEmpty() && !offered.isEmpty() && sameToken(offered, token);
}

} // namespace peek
