// Dialling: connectTo()'s outgoing links that keep themselves up (Vortex::Client, whose type is
// in vortex_p.h), disconnectFrom(), and connectLocal()'s in-process links.
#include "vortex_p.h"

#include "backoff.h"

#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QThread>
#include <QUrlQuery>

namespace peek {

// ---- dialling ----------------------------------------------------------------------------------

Vortex::Client::Client(Vortex *vortex, const QUrl &target) : q(vortex), url(target)
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

Vortex::Client::~Client()
{
    stopped = true;
    if (pending)
        delete pending.data();
    if (connection)
        connection->closeWithReason(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("closing"));
}

void Vortex::Client::dial()
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

void Vortex::Client::scheduleRetry(const QString &why)
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
    auto shared = std::make_shared<LocalLink>();
    auto *mine = new LocalConnection(this, m_nextConnectionId++, false, shared, 0);
    mine->setRemote(other->m_name, other->m_uuid);
    addConnection(mine);
    // The other node's end is made, greeted and indexed on its own thread (a service thread of
    // peek-server); at once when it is this one. What this end sends first waits for it.
    const auto theirs = [other, shared, name = m_name, uuid = m_uuid] {
        auto *end = new LocalConnection(other, other->m_nextConnectionId++, true, shared, 1);
        end->setProven(true); // the same process
        end->setRemote(name, uuid);
        other->addConnection(end);
        other->sendHello(end);
        other->onConnectionReady(end);
    };
    sendHello(mine);
    onConnectionReady(mine);
    if (other->thread() == QThread::currentThread())
        theirs();
    else
        QMetaObject::invokeMethod(other, theirs, Qt::QueuedConnection);
}

} // namespace peek
