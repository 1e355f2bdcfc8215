#pragma once

#include "vortex.h"

#include <QPointer>
#include <QTcpSocket>
#include <QWebSocket>

namespace peek {

// One link between this vortex and a peer. Knows the peer's name and uuid (from the URL or its
// hello), and passes whole vortex messages up to its Vortex.
class VortexConnection : public QObject
{
    Q_OBJECT
public:
    VortexConnection(Vortex *owner, quint64 id, bool incoming);

    quint64 id() const { return m_id; }
    PeerInfo info() const;
    const QString &remoteName() const { return m_remoteName; }
    // The peer's address without its port: what per-peer limits are logged under.
    QString host() const
    {
        const qsizetype colon = m_address.lastIndexOf(u':');
        return colon > 0 ? m_address.left(colon) : m_address;
    }
    bool isReady() const { return m_ready; }
    // A proven service (PeerInfo::proven). Outgoing connections and local links are; an
    // incoming one is when it presented the join token.
    bool isProven() const { return m_proven; }
    void setProven(bool proven) { m_proven = proven; }
    // The per-peer budgets this (incoming) connection is held to: the node's unless set.
    const PeerBudgets &budgets() const { return m_budgets; }
    virtual void setBudgets(const PeerBudgets &budgets) { m_budgets = budgets; }
    const std::shared_ptr<const PeerIdentity> &identity() const { return m_identity; }
    void setIdentity(std::shared_ptr<const PeerIdentity> identity) { m_identity = std::move(identity); }
    void setRemote(const QString &name, const QString &uuid);
    // The form the peer writes its messages in; what is sent to it is converted to that form.
    PayloadEnvelope::Form form() const { return m_form; }
    void setForm(PayloadEnvelope::Form form) { m_form = form; }
    void markReady() { m_ready = true; }

    virtual void sendMessage(const QByteArray &message) = 0;
    // The same message as a ready-made unmasked WebSocket text frame, built once for a whole
    // fan-out; `message` is its payload, for connections that cannot take frames. With
    // `supersede`, a newer message of that key may replace it while it waits on a slow peer.
    virtual void sendFrame(const QByteArray &frame, const QByteArray &message, const QString &supersede = {})
    {
        Q_UNUSED(frame) Q_UNUSED(supersede) sendMessage(message);
    }
    virtual void closeWithReason(QWebSocketProtocol::CloseCode code, const QString &reason) = 0;
    // Called by the Vortex's one sweep timer: heartbeat and silence checks. `nowMs` is the
    // Vortex's clock; `slept` says the sweep itself ran late (machine asleep): restart clocks.
    virtual void tick(qint64 nowMs, bool slept) { Q_UNUSED(nowMs) Q_UNUSED(slept) }

Q_SIGNALS:
    void messageReceived(const QByteArray &message);
    void closed();

protected:
    Vortex *m_owner;
    quint64 m_id;
    bool m_incoming;
    bool m_ready = false;
    bool m_proven;
    PeerBudgets m_budgets;
    std::shared_ptr<const PeerIdentity> m_identity;
    QString m_remoteName;
    QString m_remoteUuid;
    QString m_address;
    PayloadEnvelope::Form m_form = PayloadEnvelope::Form::Json;
};

// A connection over a QWebSocket (accepted or dialled): heartbeats and the silence watchdog.
class WebSocketConnection final : public VortexConnection
{
    Q_OBJECT
public:
    // `transport`: the TCP socket under an accepted `socket`, when the caller knows it.
    WebSocketConnection(Vortex *owner, quint64 id, QWebSocket *socket, bool incoming,
                        QTcpSocket *transport = nullptr);
    ~WebSocketConnection() override;
    void sendMessage(const QByteArray &message) override;
    void sendFrame(const QByteArray &frame, const QByteArray &message, const QString &supersede = {}) override;
    void closeWithReason(QWebSocketProtocol::CloseCode code, const QString &reason) override;
    void tick(qint64 nowMs, bool slept) override;
    void setBudgets(const PeerBudgets &budgets) override;

private:
    void onText(const QString &message);
    void onBinary(const QByteArray &message);
    // Whether the message fits the peer's rate budgets (incoming connections); when it does not,
    // the connection is closed and the trip counted.
    bool withinBudget(qint64 nowMs, qint64 bytes);
    // Cuts off a peer whose unsent output is over maxOutputBufferBytes (it does not read).
    void checkOutputBuffer();
    void cutOff(const QString &limit, const QString &what, QWebSocketProtocol::CloseCode code);
    // Writes the updates that waited for the peer, oldest first, while it keeps up.
    void flushHeld();
    // A ready-made frame straight to the socket, and into the kernel now: the write notifier
    // that write() enables is disabled again before the dispatcher tells epoll of either.
    void writeFrame(const QByteArray &frame);

    QWebSocket *m_socket;
    QPointer<QTcpSocket> m_tcp; // the socket under an accepted QWebSocket: frames go straight to it
    QPointer<QTcpSocket> m_transport; // the socket under m_socket, accepted or dialled
    double m_messageTokens = 0;
    double m_byteTokens = 0;
    qint64 m_budgetRefilledMs = 0;
    qint64 m_lastReceivedMs;
    qint64 m_lastHeartbeatMs;
    qint64 m_closingSinceMs = 0;
    bool m_closing = false;
    // Observable updates waiting for a slow peer, one per selector key (the newest), in the
    // order their keys first waited.
    struct Held
    {
        QString key;
        QByteArray frame;
        qint64 messageBytes = 0;
    };
    QList<Held> m_held;
};

// One end of an in-process link; the other end receives what this one sends.
class LocalConnection final : public VortexConnection
{
    Q_OBJECT
public:
    LocalConnection(Vortex *owner, quint64 id, bool incoming);
    static void link(LocalConnection *a, LocalConnection *b);
    void sendMessage(const QByteArray &message) override;
    void closeWithReason(QWebSocketProtocol::CloseCode code, const QString &reason) override;

private:
    QPointer<LocalConnection> m_peer;
    bool m_closed = false;
};

} // namespace peek
