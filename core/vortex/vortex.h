#pragma once

#include "base/export.h"
#include "base/metrics.h"
#include "base/result.h"
#include "payloadrouter.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QSslConfiguration>
#include <QTimer>
#include <QObject>
#include <QSet>
#include <QUrl>

#include <deque>
#include <functional>
#include <map>
#include <memory>

class QTcpSocket;

namespace peek {

class VortexConnection;
class WebSocketConnection;

// Per-peer budgets (docs/threats.md rules 2 and 5), for incoming connections; 0 = unlimited. A peer
// over one is refused or cut off, the trip logged once a minute per peer and limit and counted
// (Vortex::limitTrips()). Logic's ports leave them off: only proven services reach them.
struct PEEK_API PeerBudgets
{
    int maxConnectionsPerAddress = 0;     // open connections (upgrading or upgraded) per IP
    double acceptRatePerAddress = 0;      // new connections/s per IP, checked before the global rate
    int acceptBurstPerAddress = 0;        // ... and how many may arrive at once
    int maxSubscriptionsPerConnection = 0;
    double messagesPerSecond = 0;         // sustained messages/s per connection
    int messageBurst = 0;                 // ... and how many may arrive at once
    double bytesPerSecond = 0;            // sustained bytes/s per connection
    qint64 byteBurst = 0;                 // ... and how many at once
    qint64 maxOutputBufferBytes = 0;      // unsent bytes to one peer before it is cut off
    // Past this many unsent bytes to one peer (it reads slower than updates come), an observable
    // update waits on the connection instead of queueing behind the others, and a newer one of
    // the same selector replaces it: a slow peer gets the latest state, not every state.
    qint64 supersedeAboveBytes = 64 * 1024;
};

// Transport settings of a vortex node; the defaults are the protocol's (docs/protocol.md §5).
struct PEEK_API VortexOptions
{
    int heartbeatMs = 10000;        // a "." every 10 s, both ways
    int silenceTimeoutMs = 180000;  // close a connection silent for this long
    int watchdogMs = 1000;          // how often silence is checked
    int sleepGuardMs = 5000;        // a check this late means the machine slept: reset the clock
    int reconnectMinMs = 5000;      // at least this long between reconnect attempts
    int reconnectMaxMs = 60000;     // backoff doubles up to this
    qint64 maxMessageBytes = 64 * 1024 * 1024; // larger incoming messages close the sender
    double acceptRatePerSecond = 200; // connection-storm throttle: sustained new connections/s
    int acceptBurst = 500;            // ... and how many may arrive at once
    int retryAfterSeconds = 5;        // told to clients refused by the throttle
    int handshakeTimeoutMs = 10000;   // time allowed for the HTTP upgrade request
    PeerBudgets budgets;
    // Threads that serve the accepted WebSocket connections (reading, writing, heartbeats), each
    // with its own event loop; a connection stays on one, the least busy when it came. The node's
    // own thread routes the messages and runs the handlers. 0: none, the node's thread does it all;
    // kIoThreadsPerCore: one per core (QThread::idealThreadCount()). Dialled connections and
    // in-process links stay on the node's thread.
    static constexpr int kIoThreadsPerCore = -1;
    int ioThreads = 0;
    // Answer the "rapuiServerEcho" flag (decode the payload, re-encode it, send it back): only
    // logic's service ports do, never a port devices reach; elsewhere the flag is refused.
    bool answerServerEcho = false;
};

// A remote vortex connected to this one.
struct PEEK_API PeerInfo
{
    quint64 connectionId = 0;
    QString vortexName;
    QString vortexUuid;
    QString address; // "ip:port", or "local" for an in-process link
    bool incoming = false;
    // A proven service (docs/threats.md rule 1): it presented the installation's join token, is
    // in the same process, or is the service this node dialled. Only a proven peer may use a
    // service's vortex name; every other peer is a device, whatever it calls itself.
    bool proven = false;
};

// An HTTP request that arrived on the vortex port but is not a vortex WebSocket upgrade.
struct PEEK_API HttpRequest
{
    QByteArray method;
    QUrl url;
    QByteArray headers;
    QHostAddress peer; // who asked (HttpRoutes sets it from the socket)
    // The value of the first header called `name` (case-insensitive); empty when none.
    QByteArray header(const QByteArray &name) const;
};

// A named Vortex node (docs/protocol.md §5): serves WebSocket connections, dials out to other
// vortexes (reconnecting by itself), links to vortexes in the same process without a socket,
// exchanges hellos and heartbeats, and routes every received envelope through its router.
class PEEK_API Vortex : public QObject
{
    Q_OBJECT
public:
    explicit Vortex(const QString &name, const VortexOptions &options = {},
                    QObject *parent = nullptr);
    ~Vortex() override;

    QString name() const { return m_name; }
    QString uuid() const { return m_uuid; }
    const VortexOptions &options() const { return m_options; }
    PayloadRouter &router() { return m_router; }

    // Serving: listen for `/vortexws?vortexName=&vortexUuid=` on address:port (0 = any free).
    // May be called more than once (e.g. logic's admin and data exchange ports): each call adds
    // a listening socket; all of them share the connections, routing, throttle and HTTP handler.
    // The error says which address and port, and why (in use, TLS without a key, ...).
    Result<void> listen(const QHostAddress &address, quint16 port);
    // The first listening port (0 when not listening), and all of them in listen() order.
    quint16 serverPort() const;
    QList<quint16> serverPorts() const;
    // TLS for serving (e.g. TlsBundle::serverConfiguration()): listen() calls made after this
    // serve wss:// and https:// only; the HTTP and WebSocket handling on the decrypted stream is
    // unchanged. A null configuration makes later listen() calls plain again.
    void setServerTls(const QSslConfiguration &configuration) { m_serverTls = configuration; }
    // True when listen() serves TLS (setServerTls() was given a configuration).
    bool isTls() const { return !m_serverTls.isNull(); }
    // Non-vortex HTTP requests on the port go here (return false to answer 404). The request
    // head has been read; the body, if any, is still in the socket. On a TLS port the socket is
    // a QSslSocket: what the handler reads is decrypted, what it writes is encrypted.
    using HttpHandler = std::function<bool(const HttpRequest &, QTcpSocket *)>;
    void setHttpHandler(HttpHandler handler) { m_httpHandler = std::move(handler); }
    // The join token of this installation, demanded: a WebSocket upgrade to /vortexws without
    // the same token in its X-Peek-Join-Token header is refused with HTTP 403 before the
    // handshake, so only services join (logic's ports). Plain HTTP and connectLocal() are not
    // affected. Empty (the default): see setJoinToken().
    void requireJoinToken(const QByteArray &token) { m_requiredJoinToken = token; }
    // A port of listen() where a connection may come without the join token although one is
    // required (logic's admin port): it is not a proven service, passes the gates (the admin
    // login's, peek_core_user) and may not use a service's vortex name. Such connections have
    // `budgets` (the node's own are usually off where only services connect), counted per
    // address apart from the services' connections.
    void allowLoginOn(quint16 port, const PeerBudgets &budgets = {}) { m_loginPorts.insert(port, budgets); }
    // The budgets of an incoming connection on `localPort`: those of allowLoginOn() for one that
    // is not a proven service there, else the node's.
    const PeerBudgets &budgetsFor(quint16 localPort, bool proven) const;

    // Dialling out: connects to ws(s)://host:port (path /vortexws added when missing) and keeps
    // reconnecting with backoff until stopped.
    void connectTo(const QUrl &url);
    // TLS for every wss:// dial from now on, redials included (e.g. a TlsBundle's
    // clientConfiguration()). A server that fails verification is never accepted: the dial
    // fails, is logged, and is retried with the usual backoff. Without it, wss:// uses Qt's
    // default configuration (the system's CAs).
    void setClientTls(const QSslConfiguration &configuration) { m_clientTls = configuration; }
    // The join token sent (as the X-Peek-Join-Token header) by every later dial of connectTo(),
    // redials included. Empty: no header.
    // It also proves services that dial this node (the ports devices reach): an upgrade with the
    // token is a proven service, one with a wrong token is refused (403), one without it is a
    // device and may not use a service's vortex name (Role::isServiceVortexName; refused with
    // 403, or closed if its hello claims one). A node with no join token at all (neither this nor
    // requireJoinToken()) cannot tell services from devices and takes every peer as proven: for
    // tests and embedding only; peek-server always has one.
    void setJoinToken(const QByteArray &token) { m_joinToken = token; }
    // Whether an HTTP request carries this installation's join token (a service asking).
    bool presentsJoinToken(const HttpRequest &request) const;

    // Devices (docs/threats.md rule 1): every envelope from a connection that is not a proven
    // service passes the gates, in the order they were added, before it is routed. A gate says
    //  - Pass: on to the next gate, then routing;
    //  - Refused: stopped there; the gate answered the sender itself ("device not enrolled", ...);
    //  - Hold: the gate is still finding out who the sender is: the vortex keeps the envelope,
    //    and every later one of that connection behind it, in arrival order (at most
    //    kMaxHeldPerConnection; beyond, the sender is answered an error), until the gate calls
    //    releaseHeld(); then they pass the gates again with what the connection proved by then.
    // While no gate is added, the fallback gate (if set) stands alone (a service that cannot
    // check devices refuses them all).
    enum class GateVerdict { Pass, Refused, Hold };
    using DeviceGate = std::function<GateVerdict(const PayloadEnvelope &, const MessageSource &)>;
    static constexpr int kMaxHeldPerConnection = 64;
    quint64 addDeviceGate(DeviceGate gate);
    void removeDeviceGate(quint64 id);
    void setFallbackDeviceGate(DeviceGate gate) { m_fallbackGate = std::move(gate); }
    // What a connection has proven about itself (set by the service that checked it), and so what
    // every later MessageSource from it carries.
    void setIdentity(quint64 connectionId, std::shared_ptr<const PeerIdentity> identity);
    // What the connection has proven so far; null when nothing (or no such connection).
    std::shared_ptr<const PeerIdentity> identity(quint64 connectionId) const;
    // Closes every connection of a device (revoked, deleted); returns how many.
    int closeDevice(const QString &deviceId, const QString &reason);
    // The envelopes held for the connection pass the gates again, in order (see DeviceGate);
    // a gate that holds one again stops the release there.
    void releaseHeld(quint64 connectionId);
    void disconnectFrom(const QUrl &url);
    // An in-process link to another vortex: messages pass without a socket.
    void connectLocal(Vortex *other);

    // Closes every connection and stops serving and dialling.
    void close();

    // Sends a vortex message to every ready peer with that vortex name (all peers if empty);
    // returns how many it went to.
    int sendVortexMsg(const QByteArray &vortexMsg, const QString &destVortexName = {});
    int send(const PayloadEnvelope &envelope, const QString &destVortexName = {});
    bool sendToConnection(quint64 connectionId, const QByteArray &vortexMsg);
    // One message to many connections (fan-out); returns how many it went to. `supersede` (an
    // observable update's selector key) lets a newer message of the same key replace this one
    // while it waits on a connection whose peer reads slowly (PeerBudgets::supersedeAboveBytes).
    // The frame is built once; connections on I/O threads get it in one batch per thread.
    template <typename Ids>
    int sendToConnections(const Ids &connectionIds, const QByteArray &vortexMsg, const QString &supersede = {})
    {
        FanOut fanOut(this, vortexMsg, supersede);
        for (quint64 id : connectionIds)
            fanOut.add(id);
        return fanOut.finish();
    }
    // An unmasked WebSocket text frame (server to client) holding the message.
    static QByteArray textFrame(const QByteArray &message);
    // How many I/O threads serve this node's accepted connections (0 until the first one came).
    int ioThreadCount() const;

    QList<PeerInfo> peers() const;
    bool isConnectedTo(const QString &vortexName) const;
    // Whether the connection is still open.
    bool hasConnection(quint64 connectionId) const { return m_connections.contains(connectionId); }
    // The newest ready connection to a peer of that name (what a request goes out on); 0: none.
    quint64 connectionTo(const QString &vortexName) const;

    // A subscription of connectionId counts against maxSubscriptionsPerConnection: false (and the
    // trip counted) when the connection has no room for another one.
    bool reserveSubscription(quint64 connectionId);
    void releaseSubscription(quint64 connectionId);
    // How often each per-peer limit tripped since start, by limit name (for /health).
    QHash<QString, qint64> limitTrips() const { return m_limitTrips; }
    // A message of `bytes` went out on one of this node's connections (the connections say so).
    void noteSent(qint64 bytes)
    {
        m_traffic.messagesOut->add();
        m_traffic.bytesOut->add(quint64(bytes));
    }
    // An update that waited on a slow peer's connection was replaced by a newer one.
    void noteSuperseded() { m_traffic.superseded->add(); }
    // Counts a tripped limit and logs it, at most once a minute for the same peer and limit.
    void limitTripped(const QString &limit, const QString &peer, const QString &what);

    // A unique id for request/response message ids.
    QString nextMessageId();

    // Milliseconds on this vortex's monotonic clock.
    qint64 clockMs() const { return m_clock.elapsed(); }
    // Runs `onExpiry` after `ms` unless cancelled first: one timer serves every deadline, so
    // thousands of requests in flight cost no more timers than one.
    quint64 addDeadline(int ms, std::function<void()> onExpiry);
    void cancelDeadline(quint64 id);

Q_SIGNALS:
    void peerConnected(const peek::PeerInfo &peer);
    void peerDisconnected(const peek::PeerInfo &peer);
    // A peer was closed for bad input (malformed or oversized message); for logs and tests.
    void peerRejected(const peek::PeerInfo &peer, const QString &reason);
    // A dialler was refused before the handshake: reason is "missing" or "wrong" (its join
    // token), or "reserved name" (a device claiming a service's vortex name). For logs and tests.
    void joinRefused(const QString &vortexName, const QString &address, const QString &reason);
    // What a connection proved changed to another device or user (or to nothing): what it was
    // subscribed to as the one before is not its any more (the observable proxies drop it).
    void identityChanged(quint64 connectionId);
    // A dial to `url` (connectTo) failed before a connection was up; it is tried again later.
    void dialFailed(const QUrl &url, const QString &reason);

private:
    friend class VortexConnection;
    friend class WebSocketConnection;
    struct Server;
    struct Client;
    struct IoLoop;
    struct IoPool;
    // One message to many connections: those on this thread at once, the others in one batch
    // per I/O thread (finish()).
    class PEEK_API FanOut
    {
    public:
        FanOut(Vortex *vortex, const QByteArray &message, const QString &supersede);
        ~FanOut();
        void add(quint64 connectionId);
        int finish();

    private:
        Vortex *m_vortex;
        QByteArray m_message;
        QByteArray m_frame;
        QString m_supersede;
        std::vector<std::vector<quint64>> m_batches; // by I/O thread
        int m_sent = 0;
    };
    // Hands an accepted connection to the least busy I/O thread (made on first use), if any.
    void placeOnIoThread(WebSocketConnection *connection);

    void addConnection(VortexConnection *connection);
    void onMessage(VortexConnection *connection, const QByteArray &message);
    void onConnectionReady(VortexConnection *connection);
    void onConnectionClosed(VortexConnection *connection);
    void sendHello(VortexConnection *connection);
    void echoBack(VortexConnection *connection, const PayloadEnvelope &envelope);
    MessageSource sourceOf(VortexConnection *connection);
    void sweep();
    void armDeadlines();
    void indexReady(VortexConnection *connection);
    void unindex(VortexConnection *connection);

    QString m_name;
    QString m_uuid;
    VortexOptions m_options;
    // What went through this node, for GET /metrics (base/metrics.h; labelled with the node's name).
    struct Traffic
    {
        metrics::Counter *messagesIn = nullptr;
        metrics::Counter *bytesIn = nullptr;
        metrics::Counter *messagesOut = nullptr;
        metrics::Counter *bytesOut = nullptr;
        metrics::Counter *accepted = nullptr;
        metrics::Histogram *fanOut = nullptr;
        metrics::Counter *superseded = nullptr;
    } m_traffic;
    PayloadRouter m_router;
    QHash<quint64, VortexConnection *> m_connections;
    // Those the node's sweep ticks: all but the ones an I/O thread serves (and ticks itself).
    QHash<quint64, VortexConnection *> m_tickedHere;
    std::unique_ptr<Server> m_server;
    std::unique_ptr<IoPool> m_io;
    std::vector<std::unique_ptr<Client>> m_clients;
    HttpHandler m_httpHandler;
    GateVerdict runGates(const PayloadEnvelope &envelope, const MessageSource &source);
    // Gates, holds or routes an envelope from a connection that is not a proven service.
    void admit(const PayloadEnvelope &envelope, const MessageSource &source);
    struct Held
    {
        PayloadEnvelope envelope;
        MessageSource source;
    };
    QHash<quint64, std::deque<Held>> m_held; // by connection
    QSet<quint64> m_releasing;
    std::vector<std::pair<quint64, DeviceGate>> m_gates;
    quint64 m_nextGateId = 1;
    DeviceGate m_fallbackGate;
    QSslConfiguration m_serverTls; // null: plain
    QSslConfiguration m_clientTls; // null: Qt's default for wss://
    QByteArray m_joinToken;         // sent when dialling
    QByteArray m_requiredJoinToken; // demanded when serving; empty: none
    QHash<quint16, PeerBudgets> m_loginPorts; // ... except on these (allowLoginOn), with their budgets
    // The token that proves a service dialling in: the demanded one, else the one we dial with.
    const QByteArray &proofToken() const { return m_requiredJoinToken.isEmpty() ? m_joinToken : m_requiredJoinToken; }
    // Ready connections by the peer's vortex name, and incoming ones by vortexUuid.
    // (By the order they became ready within a name: the newest last, and one lookup to forget one
    // of thousands.)
    QHash<QString, std::map<quint64, VortexConnection *>> m_readyByName;
    quint64 m_nextReadySeq = 1;
    QHash<QString, VortexConnection *> m_incomingByUuid;
    QElapsedTimer m_clock;
    QTimer m_sweepTimer; // heartbeats, silence, handshake timeouts: one timer for all
    qint64 m_lastSweepMs = 0;
    QTimer m_deadlineTimer;
    std::multimap<qint64, quint64> m_deadlines; // due time -> id
    QHash<quint64, std::pair<qint64, std::function<void()>>> m_deadlineHandlers;
    quint64 m_nextDeadlineId = 1;
    QHash<QString, qint64> m_limitTrips;
    QHash<QString, qint64> m_limitLoggedAtMs; // "limit peer" -> last log line
    QHash<quint64, int> m_subscriptions;      // per connection, when limited
    quint64 m_nextConnectionId = 1;
    quint64 m_nextMessageId = 1;
};

} // namespace peek

Q_DECLARE_METATYPE(peek::PeerInfo)
