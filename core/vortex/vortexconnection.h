#pragma once

#include "vortex.h"

#include <QMutex>
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
    const QString &remoteUuid() const { return m_remoteUuid; }
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
    // The node's I/O thread that serves it (VortexOptions::ioThreads); -1: the node's own thread.
    virtual int ioIndex() const { return -1; }
    // When it was last indexed as ready (Vortex::indexReady): its place among its name's peers.
    quint64 readySeq = 0;
    // Called by the Vortex's one sweep timer: heartbeat and silence checks. `nowMs` is the
    // Vortex's clock; `slept` says the sweep itself ran late (machine asleep): restart clocks;
    // `everyMs` is the sweep's period.
    virtual void tick(qint64 nowMs, bool slept, int everyMs) { Q_UNUSED(nowMs) Q_UNUSED(slept) Q_UNUSED(everyMs) }

Q_SIGNALS:
    void messageReceived(const QByteArray &message);
    void closed();

protected:
    // setRemote() changed the name or uuid.
    virtual void remoteChanged() {}

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

// The socket side of a WebSocket connection: reading (the message and byte budgets), writing
// (ready-made frames, the updates that wait for a slow peer, the output cut-off), heartbeats and
// the silence watchdog. It lives in its socket's thread: the node's, or one of the node's I/O
// threads (VortexOptions::ioThreads). From there it uses only what of its Vortex is safe from any
// thread: options() (fixed at construction), clockMs() and the traffic counters (atomic).
// What the node must do (route a message, count a trip, forget the connection) it signals.
class WebSocketLink final : public QObject
{
    Q_OBJECT
public:
    // `transport`: the TCP socket under an accepted `socket`, when the caller knows it.
    WebSocketLink(Vortex *owner, QWebSocket *socket, bool incoming, const PeerBudgets &budgets,
                  QTcpSocket *transport = nullptr);
    ~WebSocketLink() override;

    QString address() const { return m_address; }
    // Who the peer is, for log lines ("<name> <address>").
    void setPeerName(const QString &name) { m_peerName = name; }
    void setBudgets(const PeerBudgets &budgets);
    // `form`: what the peer reads (PayloadEnvelope::Form); the message is converted to it here.
    void sendMessage(const QByteArray &message, PayloadEnvelope::Form form);
    // The same message as a ready-made unmasked text frame (a JSON peer's fan-out).
    void sendFrame(const QByteArray &frame, const QByteArray &message, const QString &supersede);
    void closeWithReason(QWebSocketProtocol::CloseCode code, const QString &reason);
    // `everyMs`: how often it is called; a heartbeat goes at the call nearest its due time.
    void tick(qint64 nowMs, bool slept, int everyMs);
    // Moves the link, its socket and the TCP socket under it to `thread` (from the link's thread).
    void moveTo(QThread *thread);

Q_SIGNALS:
    void messageReceived(const QByteArray &message);
    void closed();
    // Closed for a message over the size limit; `reason` is the close reason.
    void tooLarge(const QString &reason);
    // A per-peer limit cut the peer off (the node counts it, logs it and tells peerRejected).
    void limitTripped(const QString &limit, const QString &what);

private:
    void onBinary(const QByteArray &message);
    // Whether the message fits the peer's rate budgets (incoming connections); when it does not,
    // the connection is closed and the trip signalled.
    bool withinBudget(qint64 nowMs, qint64 bytes);
    // Cuts off a peer whose unsent output is over maxOutputBufferBytes (it does not read).
    void checkOutputBuffer();
    void cutOff(const QString &limit, const QString &what, QWebSocketProtocol::CloseCode code);
    // Writes the updates that waited for the peer, oldest first, while it keeps up.
    void flushHeld();
    // A ready-made frame into the kernel now: with one send() when nothing of Qt's waits on the
    // socket, else through the socket's buffer, flushed.
    void writeFrame(const QByteArray &frame);

    Vortex *m_owner;
    QWebSocket *m_socket;
    QPointer<QTcpSocket> m_tcp; // the socket under an accepted QWebSocket: frames go straight to it
    QPointer<QTcpSocket> m_transport; // the socket under m_socket, accepted or dialled
    bool m_direct = false;            // frames may go straight from m_tcp's descriptor to the kernel
    bool m_incoming;
    PeerBudgets m_budgets;
    QString m_address;
    QString m_peerName;
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

// A connection over a QWebSocket (accepted or dialled), as the node sees it: its socket side is a
// WebSocketLink, called directly in the node's thread or, once handed to an I/O thread
// (moveToIoThread), through that thread's event queue, in the order the calls were made.
class WebSocketConnection final : public VortexConnection
{
    Q_OBJECT
public:
    WebSocketConnection(Vortex *owner, quint64 id, QWebSocket *socket, bool incoming,
                        QTcpSocket *transport = nullptr);
    ~WebSocketConnection() override;
    void sendMessage(const QByteArray &message) override;
    void sendFrame(const QByteArray &frame, const QByteArray &message, const QString &supersede = {}) override;
    void closeWithReason(QWebSocketProtocol::CloseCode code, const QString &reason) override;
    void tick(qint64 nowMs, bool slept, int everyMs) override;
    void setBudgets(const PeerBudgets &budgets) override;
    // The socket side goes to `loop`'s thread, which from now on reads, writes and ticks it.
    void moveToIoThread(Vortex::IoLoop *loop);
    int ioIndex() const override { return m_ioIndex; }
    // Runs `call` on the link, in its thread.
    template <typename Call>
    void onLink(Call &&call)
    {
        if (m_ioIndex < 0) {
            call(m_link.data());
            return;
        }
        if (m_link)
            QMetaObject::invokeMethod(m_link.data(), [link = m_link.data(), call = std::forward<Call>(call)] { call(link); },
                                      Qt::QueuedConnection);
    }

protected:
    void remoteChanged() override;

private:
    void onLimitTripped(const QString &limit, const QString &what);
    void onTooLarge(const QString &reason);

    QPointer<WebSocketLink> m_link;   // null once the node's I/O threads are gone
    QPointer<Vortex::IoLoop> m_loop;  // the I/O thread's side; null: the node's thread, or gone
    int m_ioIndex = -1;
};

// What the two ends of an in-process link share. The ends may live on different threads (the
// service threads of peek-server): each attaches itself on its own thread and detaches when it
// goes; what one end sends before the other is there waits here for it, in order.
struct LocalLink
{
    QMutex mutex;
    class LocalConnection *ends[2] = {nullptr, nullptr};
    QList<QByteArray> early[2]; // for an end not attached yet
    bool gone[2] = {false, false}; // attached once and gone since, or closed before attaching
};

// One end of an in-process link; the other end receives what this one sends, on its own thread.
class LocalConnection final : public VortexConnection
{
    Q_OBJECT
public:
    // `end` is 0 or 1: which of the link's ends this is. Attaches at once (on the thread that makes it).
    LocalConnection(Vortex *owner, quint64 id, bool incoming, std::shared_ptr<LocalLink> link, int end);
    ~LocalConnection() override;
    void sendMessage(const QByteArray &message) override;
    void closeWithReason(QWebSocketProtocol::CloseCode code, const QString &reason) override;

private:
    // Posts `message` to the other end (mutex held): received on its thread, after what came before.
    static void deliver(LocalConnection *to, const QByteArray &message);
    static void closeFromPeer(LocalConnection *to);
    std::shared_ptr<LocalLink> m_shared;
    int m_end = 0;
    bool m_closed = false;
};

} // namespace peek
