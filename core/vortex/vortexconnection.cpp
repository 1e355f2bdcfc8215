#include "vortexconnection.h"
#include "vortex_p.h"

#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSslSocket>
#include <QTcpSocket>

#include <cerrno>
#include <sys/socket.h>

#include <algorithm>

Q_LOGGING_CATEGORY(lcConnection, "peek.vortex.connection")

namespace peek {

VortexConnection::VortexConnection(Vortex *owner, quint64 id, bool incoming)
    : QObject(owner), m_owner(owner), m_id(id), m_incoming(incoming), m_proven(!incoming),
      m_budgets(owner->options().budgets)
{
}

PeerInfo VortexConnection::info() const
{
    return PeerInfo{m_id, m_remoteName, m_remoteUuid, m_address, m_incoming, m_proven};
}

void VortexConnection::setRemote(const QString &name, const QString &uuid)
{
    m_remoteName = name;
    m_remoteUuid = uuid;
    remoteChanged();
}

// ---- WebSocketLink ----------------------------------------------------------------------------

WebSocketLink::WebSocketLink(Vortex *owner, QWebSocket *socket, bool incoming, const PeerBudgets &budgets,
                             QTcpSocket *transport)
    : m_owner(owner), m_socket(socket), m_transport(transport), m_incoming(incoming), m_budgets(budgets)
{
    m_socket->setParent(this);
    m_address = QStringLiteral("%1:%2").arg(socket->peerAddress().toString()).arg(socket->peerPort());
    const VortexOptions &o = owner->options();
    m_socket->setMaxAllowedIncomingMessageSize(quint64(o.maxMessageBytes));
    m_socket->setMaxAllowedIncomingFrameSize(quint64(o.maxMessageBytes));

    connect(m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &message) { onBinary(message.toUtf8()); });
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &WebSocketLink::onBinary);
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        if (m_socket->closeCode() == QWebSocketProtocol::CloseCodeTooMuchData)
            Q_EMIT tooLarge(m_socket->closeReason());
        Q_EMIT closed();
    });

    m_lastReceivedMs = owner->clockMs();
    // Each connection's heartbeats at a phase of their own: devices that connected together (a
    // service restart, a shift starting) must not all get theirs in the same sweep, which stalled
    // everything else for tens of milliseconds at 10,000 devices. The first may come early.
    m_lastHeartbeatMs = m_lastReceivedMs - (o.heartbeatMs > 1 ? qint64(QRandomGenerator::global()->bounded(o.heartbeatMs)) : 0);
    m_budgetRefilledMs = m_lastReceivedMs;
    setBudgets(m_budgets);
    // The TCP socket under it: an accepted QWebSocket does not adopt its socket as a child, so the
    // server names it (`transport`); a dialled one owns it.
    QTcpSocket *tcp = m_transport ? m_transport.data() : m_socket->findChild<QTcpSocket *>();
    if (tcp) {
        if (!m_transport)
            m_transport = tcp;
        // Vortex messages go out as soon as they are written (no Nagle delay behind a delayed ACK).
        tcp->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        // Server-to-client frames are not masked, so one frame serves every client: a fan-out
        // writes it as it is instead of re-framing the message per connection.
        if (incoming) {
            m_tcp = tcp;
            // A plain socket's frames may go straight into the kernel (writeFrame); a TLS one's
            // must be encrypted by its QSslSocket.
            m_direct = !qobject_cast<QSslSocket *>(tcp);
            // Updates that waited for a slow peer go out as it catches up.
            connect(tcp, &QTcpSocket::bytesWritten, this, [this] {
                if (!m_held.isEmpty())
                    flushHeld();
            });
        }
    }
}

WebSocketLink::~WebSocketLink()
{
    m_socket->disconnect(this);
    // On an I/O thread the link owns the accepted TCP socket (moveTo()); it goes after the
    // WebSocket over it.
    if (m_transport && m_transport->parent() == this) {
        delete m_socket;
        delete m_transport.data();
    }
}

void WebSocketLink::moveTo(QThread *thread)
{
    setParent(nullptr);
    // An accepted socket belongs to its listener: it goes with the link instead.
    if (m_transport && m_transport->parent() != this && m_transport->parent() != m_socket)
        m_transport->setParent(this);
    moveToThread(thread);
}

void WebSocketLink::setBudgets(const PeerBudgets &budgets)
{
    m_budgets = budgets;
    m_messageTokens = std::max(1, budgets.messageBurst);
    m_byteTokens = double(std::max<qint64>(m_owner->options().maxMessageBytes, budgets.byteBurst));
}

void WebSocketLink::sendMessage(const QByteArray &message, PayloadEnvelope::Form form)
{
    m_owner->noteSent(message.size());
    if (form == PayloadEnvelope::Form::Json)
        m_socket->sendTextMessage(QString::fromUtf8(message));
    else
        m_socket->sendTextMessage(QString::fromLatin1(PayloadEnvelope::convertVortexMsg(message, form)));
    checkOutputBuffer();
}

void WebSocketLink::sendFrame(const QByteArray &frame, const QByteArray &message, const QString &supersede)
{
    if (!m_tcp || m_closing || m_tcp->state() != QAbstractSocket::ConnectedState) {
        sendMessage(message, PayloadEnvelope::Form::Json);
        return;
    }
    // A slow peer: the update waits here (a newer one of its selector replaces it) rather than
    // behind everything else in the socket's buffer. Once updates wait, the next ones wait too,
    // so a selector's updates never arrive out of order.
    const qint64 limit = m_budgets.supersedeAboveBytes;
    if (!supersede.isEmpty() && limit > 0 && (!m_held.isEmpty() || m_tcp->bytesToWrite() > limit)) {
        const auto waiting = std::find_if(m_held.begin(), m_held.end(), [&](const Held &h) { return h.key == supersede; });
        if (waiting != m_held.end()) {
            waiting->frame = frame;
            waiting->messageBytes = message.size();
            m_owner->noteSuperseded();
        } else {
            m_held.append(Held {supersede, frame, message.size()});
        }
        flushHeld();
        return;
    }
    m_owner->noteSent(message.size());
    writeFrame(frame);
    checkOutputBuffer();
}

void WebSocketLink::flushHeld()
{
    const qint64 limit = m_budgets.supersedeAboveBytes;
    while (!m_held.isEmpty() && m_tcp && !m_closing && m_tcp->bytesToWrite() <= limit) {
        const Held held = m_held.takeFirst();
        m_owner->noteSent(held.messageBytes);
        writeFrame(held.frame);
    }
}

void WebSocketLink::writeFrame(const QByteArray &frame)
{
    // Nothing of Qt's waits to go out: the frame goes straight into the kernel with one send(),
    // without the socket's write buffer, write notifier and bytesWritten signal (what a fan-out to
    // 10,000 paid per socket beside the send itself). What the kernel does not take now (a full
    // buffer, a broken link) goes through the socket as before: it writes the rest when the peer
    // reads, or reports the error.
    // The descriptor is asked for each time: once the socket is closed it is -1, never a number
    // the system may have given another connection since.
    const qintptr descriptor = m_direct && m_tcp->bytesToWrite() == 0 ? m_tcp->socketDescriptor() : -1;
    if (descriptor >= 0 && m_tcp->state() == QAbstractSocket::ConnectedState) {
        ssize_t sent;
        do {
            sent = ::send(int(descriptor), frame.constData(), size_t(frame.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
        } while (sent < 0 && errno == EINTR);
        if (sent == frame.size())
            return;
        const qsizetype done = sent > 0 ? qsizetype(sent) : 0;
        m_tcp->write(frame.constData() + done, frame.size() - done);
        return;
    }
    m_tcp->write(frame);
    m_tcp->flush();
}

void WebSocketLink::checkOutputBuffer()
{
    const qint64 max = m_budgets.maxOutputBufferBytes;
    if (max <= 0 || !m_incoming || !m_transport || m_transport->bytesToWrite() <= max)
        return;
    const qint64 unsent = m_transport->bytesToWrite();
    cutOff(QStringLiteral("maxOutputBufferBytes"),
           QStringLiteral("%1 bytes unsent (limit %2): the peer does not read").arg(unsent).arg(max),
           QWebSocketProtocol::CloseCodePolicyViolated);
}

void WebSocketLink::cutOff(const QString &limit, const QString &what, QWebSocketProtocol::CloseCode code)
{
    Q_EMIT limitTripped(limit, what);
    if (code == QWebSocketProtocol::CloseCodePolicyViolated && limit == QLatin1String("maxOutputBufferBytes")) {
        // Nothing more can reach a peer that does not read, not even a close frame: drop the
        // connection and what was waiting for it, so its memory is returned now.
        m_closing = true;
        m_closingSinceMs = m_owner->clockMs();
        m_held.clear();
        m_socket->abort();
        return;
    }
    closeWithReason(code, QStringLiteral("%1 exceeded").arg(limit));
}

bool WebSocketLink::withinBudget(qint64 nowMs, qint64 bytes)
{
    const PeerBudgets &b = m_budgets;
    if (!m_incoming || (b.messagesPerSecond <= 0 && b.bytesPerSecond <= 0))
        return true;
    const qint64 elapsed = std::max<qint64>(0, nowMs - m_budgetRefilledMs);
    m_budgetRefilledMs = nowMs;
    if (b.messagesPerSecond > 0) {
        m_messageTokens = std::min<double>(std::max(1, b.messageBurst),
                                           m_messageTokens + elapsed * b.messagesPerSecond / 1000.0);
        if (m_messageTokens < 1.0) {
            cutOff(QStringLiteral("messagesPerSecond"),
                   QStringLiteral("more than %1 messages/s (burst %2)").arg(b.messagesPerSecond).arg(b.messageBurst),
                   QWebSocketProtocol::CloseCodePolicyViolated);
            return false;
        }
        m_messageTokens -= 1.0;
    }
    if (b.bytesPerSecond > 0) {
        // The burst is at least one message of the largest size allowed.
        const double burst = double(std::max<qint64>(m_owner->options().maxMessageBytes, b.byteBurst));
        m_byteTokens = std::min(burst, m_byteTokens + elapsed * b.bytesPerSecond / 1000.0);
        if (m_byteTokens < double(bytes)) {
            cutOff(QStringLiteral("bytesPerSecond"),
                   QStringLiteral("more than %1 bytes/s (burst %2)").arg(b.bytesPerSecond).arg(qint64(burst)),
                   QWebSocketProtocol::CloseCodePolicyViolated);
            return false;
        }
        m_byteTokens -= double(bytes);
    }
    return true;
}

void WebSocketLink::closeWithReason(QWebSocketProtocol::CloseCode code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    m_closingSinceMs = m_owner->clockMs();
    m_socket->close(code, reason);
}

void WebSocketLink::onBinary(const QByteArray &message)
{
    m_lastReceivedMs = m_owner->clockMs();
    if (m_closing || !withinBudget(m_lastReceivedMs, message.size()))
        return;
    // A heartbeat has done its work (the peer was heard): the node need not see it. Every device
    // sends one every few seconds: at 10,000 devices, thousands of messages the node's thread
    // would take from the I/O threads' queue only to drop.
    if (message.size() == 1 && message.front() == '.')
        return;
    Q_EMIT messageReceived(message);
}

void WebSocketLink::tick(qint64 nowMs, bool slept, int everyMs)
{
    const VortexOptions &o = m_owner->options();
    if (slept)
        m_lastReceivedMs = nowMs; // the peer had no chance to be heard meanwhile
    if (m_closing) {
        // A peer that never completes the closing handshake is cut off.
        if (nowMs - m_closingSinceMs > 2000 && m_socket->state() != QAbstractSocket::UnconnectedState)
            m_socket->abort();
        return;
    }
    // Due within half a call's period: sent now rather than a whole period late.
    if (nowMs - m_lastHeartbeatMs >= o.heartbeatMs - everyMs / 2) {
        m_lastHeartbeatMs = nowMs;
        if (m_tcp && m_tcp->state() == QAbstractSocket::ConnectedState) {
            static const QByteArray heartbeat = Vortex::textFrame(QByteArrayLiteral("."));
            writeFrame(heartbeat); // framed once for every connection, as a fan-out
        } else {
            m_socket->sendTextMessage(QStringLiteral("."));
        }
        checkOutputBuffer();
    }
    if (nowMs - m_lastReceivedMs > o.silenceTimeoutMs) {
        qCWarning(lcConnection).noquote() << "closing the connection of" << m_peerName << m_address
                                          << "after" << (nowMs - m_lastReceivedMs)
                                          << "ms without a message or heartbeat";
        closeWithReason(QWebSocketProtocol::CloseCodeGoingAway,
                        QStringLiteral("no heartbeat for %1 s").arg(o.silenceTimeoutMs / 1000.0));
    }
}

// ---- WebSocketConnection ----------------------------------------------------------------------

WebSocketConnection::WebSocketConnection(Vortex *owner, quint64 id, QWebSocket *socket, bool incoming,
                                         QTcpSocket *transport)
    : VortexConnection(owner, id, incoming)
{
    m_link = new WebSocketLink(owner, socket, incoming, m_budgets, transport);
    m_link->setParent(this);
    m_address = m_link->address();
    // Queued once the link is on an I/O thread, so in the order the link sent them.
    connect(m_link, &WebSocketLink::messageReceived, this, &VortexConnection::messageReceived);
    connect(m_link, &WebSocketLink::closed, this, &VortexConnection::closed);
    connect(m_link, &WebSocketLink::limitTripped, this, &WebSocketConnection::onLimitTripped);
    connect(m_link, &WebSocketLink::tooLarge, this, &WebSocketConnection::onTooLarge);
}

WebSocketConnection::~WebSocketConnection()
{
    // The link goes in its thread; once the I/O threads are gone, it went with them.
    if (m_loop)
        QMetaObject::invokeMethod(m_loop.data(), [loop = m_loop.data(), id = m_id] { delete loop->take(id); },
                                  Qt::QueuedConnection);
}

void WebSocketConnection::moveToIoThread(Vortex::IoLoop *loop)
{
    if (m_ioIndex >= 0 || !m_link || !loop)
        return;
    m_loop = loop;
    m_ioIndex = loop->index;
    m_link->setPeerName(m_remoteName);
    m_link->moveTo(loop->thread());
    QMetaObject::invokeMethod(loop, [loop, link = m_link.data(), id = m_id] { loop->add(id, link); },
                              Qt::QueuedConnection);
}

void WebSocketConnection::remoteChanged()
{
    onLink([name = m_remoteName](WebSocketLink *link) { link->setPeerName(name); });
}

void WebSocketConnection::setBudgets(const PeerBudgets &budgets)
{
    VortexConnection::setBudgets(budgets);
    onLink([budgets](WebSocketLink *link) { link->setBudgets(budgets); });
}

void WebSocketConnection::sendMessage(const QByteArray &message)
{
    onLink([message, form = m_form](WebSocketLink *link) { link->sendMessage(message, form); });
}

void WebSocketConnection::sendFrame(const QByteArray &frame, const QByteArray &message, const QString &supersede)
{
    if (m_form != PayloadEnvelope::Form::Json) {
        sendMessage(message);
        return;
    }
    onLink([frame, message, supersede](WebSocketLink *link) { link->sendFrame(frame, message, supersede); });
}

void WebSocketConnection::closeWithReason(QWebSocketProtocol::CloseCode code, const QString &reason)
{
    onLink([code, reason](WebSocketLink *link) { link->closeWithReason(code, reason); });
}

void WebSocketConnection::tick(qint64 nowMs, bool slept, int everyMs)
{
    if (m_ioIndex < 0) // an I/O thread ticks its own
        m_link->tick(nowMs, slept, everyMs);
}

void WebSocketConnection::onLimitTripped(const QString &limit, const QString &what)
{
    m_owner->limitTripped(limit, host(), QStringLiteral("%1 %2: %3").arg(m_remoteName, m_address, what));
    Q_EMIT m_owner->peerRejected(info(), QStringLiteral("%1: %2").arg(limit, what));
}

void WebSocketConnection::onTooLarge(const QString &reason)
{
    qCWarning(lcConnection).noquote() << "closed the connection of" << m_remoteName << m_address
                                      << "because it sent a message over the size limit ("
                                      << m_owner->options().maxMessageBytes << "bytes)";
    Q_EMIT m_owner->peerRejected(info(), reason);
}

// ---- LocalConnection --------------------------------------------------------------------------

LocalConnection::LocalConnection(Vortex *owner, quint64 id, bool incoming, std::shared_ptr<LocalLink> link, int end)
    : VortexConnection(owner, id, incoming), m_shared(std::move(link)), m_end(end)
{
    m_address = QStringLiteral("local");
    QMutexLocker lock(&m_shared->mutex);
    m_shared->ends[m_end] = this;
    // What the other end sent before this one was made comes first, in its order.
    for (const QByteArray &message : std::as_const(m_shared->early[m_end]))
        deliver(this, message);
    m_shared->early[m_end].clear();
    if (m_shared->gone[1 - m_end]) // the other end closed before this one was there
        closeFromPeer(this);
}

LocalConnection::~LocalConnection()
{
    QMutexLocker lock(&m_shared->mutex);
    m_shared->ends[m_end] = nullptr;
    m_shared->gone[m_end] = true;
    if (LocalConnection *peer = m_shared->ends[1 - m_end]; peer && !m_closed)
        closeFromPeer(peer); // gone without closing (its node was deleted): the other end closes too
}

void LocalConnection::deliver(LocalConnection *to, const QByteArray &message)
{
    // Queued, as a socket would be: the receiver never runs inside the sender's call. Posted to
    // the receiving end itself, so it runs on its thread and is dropped if that end goes first.
    QMetaObject::invokeMethod(
        to,
        [to, message] {
            if (!to->m_closed)
                Q_EMIT to->messageReceived(message);
        },
        Qt::QueuedConnection);
}

void LocalConnection::closeFromPeer(LocalConnection *to)
{
    QMetaObject::invokeMethod(to, [to] { to->closeWithReason(QWebSocketProtocol::CloseCodeNormal, {}); },
                              Qt::QueuedConnection);
}

void LocalConnection::sendMessage(const QByteArray &message)
{
    if (m_closed)
        return;
    m_owner->noteSent(message.size());
    QMutexLocker lock(&m_shared->mutex);
    const int other = 1 - m_end;
    if (LocalConnection *peer = m_shared->ends[other])
        deliver(peer, message);
    else if (!m_shared->gone[other])
        m_shared->early[other].append(message); // its thread has not made it yet
}

void LocalConnection::closeWithReason(QWebSocketProtocol::CloseCode, const QString &)
{
    if (m_closed)
        return;
    m_closed = true;
    {
        QMutexLocker lock(&m_shared->mutex);
        m_shared->gone[m_end] = true;
        if (LocalConnection *peer = m_shared->ends[1 - m_end])
            closeFromPeer(peer);
    }
    QMetaObject::invokeMethod(this, [this] { Q_EMIT closed(); }, Qt::QueuedConnection);
}

} // namespace peek
