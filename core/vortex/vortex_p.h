#pragma once
// Not part of the vortex API: what the node (vortex.cpp), serving (vortexserver.cpp) and
// dialling (vortexclient.cpp) share. The node owns the Server and its Clients, so it needs their
// complete types; their member functions are defined in vortexserver.cpp and vortexclient.cpp.

#include "vortex.h"
#include "vortexconnection.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QLoggingCategory>
#include <QPointer>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QThread>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>
#include <QWebSocketServer>

#include <array>
#include <memory>
#include <vector>

class QSslSocket;

Q_DECLARE_LOGGING_CATEGORY(lcVortex)

namespace peek {

// Used by both serving and dialling.
inline const QString kVortexPath = QStringLiteral("/vortexws");
inline const QByteArray kJoinTokenHeader = QByteArrayLiteral("X-Peek-Join-Token");

// Accepts TCP connections (and with TLS, runs the handshake), reads the HTTP upgrade request
// itself (so it can refuse with a proper status), and hands good ones to QWebSocketServer for
// the WebSocket handshake. Every listening socket feeds the same Server.
struct Vortex::Server : QObject
{
    // One listening socket. With TLS it accepts QSslSockets still in plain mode: the Server
    // throttles a new connection before starting its handshake, so a connection storm costs no
    // cryptography, and the handshake counts against the same handshake timeout as the HTTP
    // upgrade. (QSslServer would only hand out sockets after their handshake, with its own
    // timeout.)
    class Listener final : public QTcpServer
    {
    public:
        explicit Listener(const QSslConfiguration &tls) : m_tls(tls) {}
        bool isTls() const { return !m_tls.isNull(); }

    protected:
        void incomingConnection(qintptr descriptor) override;

    private:
        QSslConfiguration m_tls;
    };

    Vortex *q;
    std::vector<std::unique_ptr<Listener>> listeners;
    QWebSocketServer ws{QStringLiteral("peek"), QWebSocketServer::NonSecureMode};
    double tokens;
    QElapsedTimer refillClock;
    // Accepted sockets whose WebSocket handshake is not complete, by "address:port".
    struct Pending
    {
        QPointer<QTcpSocket> socket;
        qint64 acceptedAtMs = 0;
        bool proven = false; // presented the join token (or the node has none)
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
    // being destroyed (its listeners delete their sockets after its other members are gone), and
    // on an I/O thread (a connection's socket goes where it is served): hence the lock.
    struct Addresses
    {
        QMutex mutex;
        QHash<QString, AddressBudget> map;
    };
    std::shared_ptr<Addresses> addressBudgets = std::make_shared<Addresses>();

    // `key`: the address, or for connections on a login port that are not proven services
    // (Vortex::allowLoginOn) the address under "login:", so each group has its own count.
    QString admitAddress(const QString &key, const PeerBudgets &budgets);
    // Refuses `socket` for `limit` of `budgets`: a 503, or for TLS before its handshake (the
    // upgrade request not read yet) an abort.
    void refuseAddress(QTcpSocket *socket, const QString &address, const QString &limit, const PeerBudgets &budgets,
                       bool upgradeRead);
    void holdAddress(QTcpSocket *socket, const QString &address);
    void pruneAddresses(qint64 nowMs);
    static QString peerKey(const QHostAddress &address, quint16 port);
    void sweepPending(qint64 nowMs);

    explicit Server(Vortex *vortex);

    // One more listening socket; the error is the socket's own text (the caller adds where).
    Result<void> listen(const QHostAddress &address, quint16 port, const QSslConfiguration &tls);
    bool takeToken();
    void onNewConnection(Listener *listener);
    void onTlsReadyRead(QSslSocket *socket);
    void onTlsError(QSslSocket *socket);
    void inspect(QTcpSocket *socket);
    void refuseJoin(QTcpSocket *socket, const QString &peerName, const QString &reason);
    void onWebSocket();
};

// One I/O thread's side: the links it serves (touched only in its thread) and the sweep that
// sends their heartbeats and checks their silence.
struct Vortex::IoLoop : QObject
{
    Vortex *q;
    int index;
    QTimer *sweep = nullptr;
    qint64 lastSweepMs = 0;
    int roundMs = 1000; // how often each link is visited (start())
    // The links by connection id, in slices by id % kSweepSlices: a tick serves one slice.
    static constexpr quint64 kSweepSlices = 10;
    std::array<QHash<quint64, WebSocketLink *>, kSweepSlices> slices;
    quint64 nextSlice = 0;
    void add(quint64 id, WebSocketLink *link) { slices[id % kSweepSlices].insert(id, link); }
    WebSocketLink *link(quint64 id) const { return slices[id % kSweepSlices].value(id); }
    WebSocketLink *take(quint64 id) { return slices[id % kSweepSlices].take(id); }

    IoLoop(Vortex *vortex, int index);
    // In the loop's thread: its first and last calls.
    void start();
    void stop();
    void tick();
};

// The node's I/O threads (VortexOptions::ioThreads). Destroying it closes what the threads still
// serve, in their threads, and joins them.
struct Vortex::IoPool
{
    struct Worker
    {
        std::unique_ptr<QThread> thread;
        IoLoop *loop = nullptr; // in `thread`
        int load = 0;           // its connections, counted on the node's thread
    };
    std::vector<Worker> workers; // by IoLoop::index

    IoPool(Vortex *vortex, int count);
    ~IoPool();
    // The loop with the fewest connections.
    IoLoop *pick();
};

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

    Client(Vortex *vortex, const QUrl &target);
    ~Client() override;

    void dial();
    void scheduleRetry(const QString &why);
};

} // namespace peek
