// rawfloor: the measuring stick of the fan-out figures. What does it cost this machine, at the least,
// to hand one 1.5 KB WebSocket text message to each of N clients with Qt sockets?
//
//   rawfloor [--clients 1000,10000] [--updates 50] [--bytes 1500] [--server raw|qwebsocket]
//
// For each N, a child process (this program with --serve) accepts N WebSocket connections; per
// "update" (a text frame from client 0) it writes one pre-framed text frame, built once per
// update, to all N sockets with QTcpSocket::write (--server raw), or sends the same QString to
// every QWebSocket with sendTextMessage (--server qwebsocket). The parent runs the N clients on
// one epoll loop (bench/wsclients.h), triggers the updates one at a time, and reports the
// server's CPU (per-thread schedstat of the child) per delivered message, the time for an update
// to reach the last client, and the child's resident memory per connection. The event dispatcher
// the Peek servers use (base/eventdispatcher.h: epoll; PEEK_EVENT_DISPATCHER=qt: Qt's UNIX one).
// Loopback only. A ruler, not product code.
#include "base/eventdispatcher.h"
#include "wsclients.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>

#include <memory>

using namespace bench;

namespace {

// ---- the server (child) --------------------------------------------------------------------

class RawServer : public QObject
{
public:
    explicit RawServer(int bytes) : m_bytes(bytes)
    {
        m_tcp.setMaxPendingConnections(100000);
        m_tcp.setListenBacklogSize(4096);
        connect(&m_tcp, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_tcp.nextPendingConnection()) {
                s->setProperty("open", false);
                connect(s, &QTcpSocket::readyRead, this, [this, s] { onRead(s); });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
                connect(s, &QObject::destroyed, this, [this, s] { m_open.removeOne(s); });
            }
        });
    }
    bool listen(quint16 port) { return m_tcp.listen(QHostAddress::LocalHost, port); }
    quint16 port() const { return m_tcp.serverPort(); }

private:
    void onRead(QTcpSocket *s)
    {
        if (!s->property("open").toBool()) {
            const QByteArray head = s->peek(16384);
            const qsizetype end = head.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            s->read(end + 4);
            QByteArray key;
            for (const QByteArray &line : head.left(end).split('\n'))
                if (line.toLower().startsWith("sec-websocket-key:"))
                    key = line.mid(18).trimmed();
            const QByteArray accept = QCryptographicHash::hash(key + "258EAFA5-E914-47DA-95CA-C5AB0DC11B85",
                                                               QCryptographicHash::Sha1).toBase64();
            s->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: " + accept + "\r\n\r\n");
            s->setProperty("open", true);
            m_open.append(s);
        }
        // Client frames: any whole data frame triggers an update; a close frame ends the link.
        for (;;) {
            const QByteArray h = s->peek(14);
            if (h.size() < 2)
                return;
            quint64 len = quint8(h[1]) & 0x7f;
            int hdr = 2;
            if (len == 126) {
                if (h.size() < 4)
                    return;
                len = quint64(quint8(h[2])) << 8 | quint8(h[3]);
                hdr = 4;
            } else if (len == 127) {
                if (h.size() < 10)
                    return;
                len = 0;
                for (int k = 0; k < 8; ++k)
                    len = len << 8 | quint8(h[2 + k]);
                hdr = 10;
            }
            if (quint8(h[1]) & 0x80)
                hdr += 4;
            if (quint64(s->bytesAvailable()) < hdr + len)
                return;
            s->skip(qint64(hdr + len));
            const int opcode = quint8(h[0]) & 0x0f;
            if (opcode == 0x8) {
                s->disconnectFromHost();
                return;
            }
            if (opcode == 0x1 || opcode == 0x2)
                update();
        }
    }

    void update()
    {
        // The frame is built once per update: header + text; servers do not mask.
        QByteArray text(m_bytes, 'x');
        const QByteArray seq = QByteArray::number(++m_updates);
        text.replace(0, seq.size(), seq);
        QByteArray frame;
        frame.reserve(m_bytes + 10);
        frame.append(char(0x81));
        if (m_bytes < 126) {
            frame.append(char(m_bytes));
        } else {
            frame.append(char(126));
            frame.append(char((m_bytes >> 8) & 0xff));
            frame.append(char(m_bytes & 0xff));
        }
        frame.append(text);
        // Written and flushed into the kernel at once: the least a Qt socket server can pay (as
        // the Vortex fan-out does; without the flush each write also enables and disables the
        // socket's write notifier around one more loop iteration).
        for (QTcpSocket *s : std::as_const(m_open)) {
            s->write(frame);
            s->flush();
        }
    }

    int m_bytes;
    QTcpServer m_tcp;
    QList<QTcpSocket *> m_open;
    qint64 m_updates = 0;
};

class QwsServer : public QObject
{
public:
    explicit QwsServer(int bytes) : m_bytes(bytes)
    {
        // Accept on our own QTcpServer (deep listen backlog) and hand each socket to
        // QWebSocketServer for the handshake, as peek::Vortex does.
        m_tcp.setMaxPendingConnections(100000);
        m_tcp.setListenBacklogSize(4096);
        connect(&m_tcp, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_tcp.nextPendingConnection())
                m_ws.handleConnection(s);
        });
        m_ws.setMaxPendingConnections(100000);
        connect(&m_ws, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *s = m_ws.nextPendingConnection()) {
                s->setParent(this);
                m_open.append(s);
                connect(s, &QWebSocket::textMessageReceived, this, [this] { update(); });
                connect(s, &QWebSocket::disconnected, this, [this, s] {
                    m_open.removeOne(s);
                    s->deleteLater();
                });
            }
        });
    }
    bool listen(quint16 port) { return m_tcp.listen(QHostAddress::LocalHost, port); }
    quint16 port() const { return m_tcp.serverPort(); }

private:
    void update()
    {
        QString text(m_bytes, u'x');
        const QString seq = QString::number(++m_updates);
        text.replace(0, seq.size(), seq);
        for (QWebSocket *s : std::as_const(m_open))
            s->sendTextMessage(text);
    }
    int m_bytes;
    QTcpServer m_tcp;
    QWebSocketServer m_ws{QStringLiteral("rawfloor"), QWebSocketServer::NonSecureMode};
    QList<QWebSocket *> m_open;
    qint64 m_updates = 0;
};

int serve(const QString &kind, quint16 port, int bytes)
{
    std::unique_ptr<RawServer> raw;
    std::unique_ptr<QwsServer> qws;
    quint16 actual = 0;
    if (kind == QLatin1String("qwebsocket")) {
        qws = std::make_unique<QwsServer>(bytes);
        if (!qws->listen(port))
            return 1;
        actual = qws->port();
    } else {
        raw = std::make_unique<RawServer>(bytes);
        if (!raw->listen(port))
            return 1;
        actual = raw->port();
    }
    std::printf("ready %u\n", unsigned(actual));
    std::fflush(stdout);
    return QCoreApplication::exec();
}

// ---- the clients (parent) ------------------------------------------------------------------

struct Result
{
    int n = 0;
    int open = 0;
    double connectSeconds = 0;
    double usPerMessage = 0;
    double medianLastMs = 0, maxLastMs = 0;
    double kibPerConnection = 0;
    double selfUsPerMessage = 0;
};

bool measure(const QString &kind, int n, int updates, int warmup, int bytes, Result &r)
{
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(),
                {QStringLiteral("--serve"), QStringLiteral("0"), QStringLiteral("--server"), kind,
                 QStringLiteral("--bytes"), QString::number(bytes)});
    if (!child.waitForReadyRead(10000)) {
        std::fprintf(stderr, "rawfloor: the server did not start\n");
        return false;
    }
    const QByteArray line = child.readLine();
    const quint16 port = quint16(line.split(' ').value(1).trimmed().toUInt());
    const long pid = long(child.processId());

    WsUrl url;
    std::string error;
    url.parse("ws://127.0.0.1:" + std::to_string(port) + "/", &error);
    WsClients pool(url);
    pool.resize(size_t(n));
    std::vector<uint32_t> seen(size_t(n), 0);
    uint32_t round = 0;
    int roundCount = 0;
    int64_t lastNs = 0;
    int open = 0, failed = 0, inProgress = 0;
    pool.onOpen = [&](int) {
        ++open;
        --inProgress;
    };
    pool.onRefused = [&](int, int, int) {
        ++failed;
        --inProgress;
    };
    pool.onMessage = [&](int i, std::string_view) {
        if (seen[size_t(i)] >= round)
            return;
        seen[size_t(i)] = round;
        ++roundCount;
        lastNs = nowNs();
    };

    const long rss0 = processRssKiB(pid);
    int next = 0;
    const int64_t t0 = nowNs();
    while (open + failed < n && nowNs() - t0 < int64_t(60e9)) {
        while (inProgress < 1000 && next < n) {
            ++inProgress;
            pool.connect(next++);
        }
        pool.poll(10);
    }
    r.n = n;
    r.open = open;
    r.connectSeconds = double(nowNs() - t0) / 1e9;
    // Let the server finish its side of the handshakes before reading its memory.
    const int64_t settle = nowNs() + 300000000;
    while (nowNs() < settle)
        pool.poll(50);
    r.kibPerConnection = double(processRssKiB(pid) - rss0) / std::max(1, open);

    std::vector<double> lastMs;
    std::vector<std::pair<long, int64_t>> cpu0;
    double self0 = 0;
    int delivered = 0;
    bool ok = true;
    for (int u = 0; u < warmup + updates && ok; ++u) {
        if (u == warmup) {
            cpu0 = threadCpuNs(pid);
            rusage ru{};
            getrusage(RUSAGE_SELF, &ru);
            self0 = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
        }
        ++round;
        roundCount = 0;
        const int64_t sent = nowNs();
        pool.sendText(0, "u");
        while (roundCount < open) {
            if (nowNs() - sent > int64_t(30e9)) {
                std::fprintf(stderr, "rawfloor: update %d reached %d of %d clients in 30 s\n", u, roundCount, open);
                ok = false;
                break;
            }
            pool.poll(100);
        }
        if (u >= warmup) {
            lastMs.push_back(double(lastNs - sent) / 1e6);
            delivered += roundCount;
        }
    }
    const double used = cpuDelta(cpu0, threadCpuNs(pid));
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const double self1 = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    std::sort(lastMs.begin(), lastMs.end());
    r.usPerMessage = used * 1e6 / std::max(1, delivered);
    r.selfUsPerMessage = (self1 - self0) * 1e6 / std::max(1, delivered);
    r.medianLastMs = lastMs.empty() ? 0 : lastMs[lastMs.size() / 2];
    r.maxLastMs = lastMs.empty() ? 0 : lastMs.back();
    pool.closeAll();
    child.kill();
    child.waitForFinished(5000);
    return ok;
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_NO_GLIB", "1");      // if PEEK_EVENT_DISPATCHER=qt keeps Qt's: its UNIX one
    // epoll: the cost of an iteration does not grow with idle sockets (the serving child's too)
    const char *dispatcher = peek::installEventDispatcher();
    QCoreApplication app(argc, argv);
    const long fdLimit = raiseFdLimit();
    QCommandLineParser parser;
    parser.addHelpOption();
    QCommandLineOption clientsOpt(QStringLiteral("clients"), QStringLiteral("Comma list of N."), QStringLiteral("list"),
                                  QStringLiteral("1000,10000"));
    QCommandLineOption updatesOpt(QStringLiteral("updates"), QStringLiteral("Measured updates per N."), QStringLiteral("U"),
                                  QStringLiteral("50"));
    QCommandLineOption bytesOpt(QStringLiteral("bytes"), QStringLiteral("Message size."), QStringLiteral("bytes"),
                                QStringLiteral("1500"));
    QCommandLineOption serverOpt(QStringLiteral("server"), QStringLiteral("raw (QTcpSocket::write of a pre-built frame) "
                                                                          "or qwebsocket (sendTextMessage)."),
                                 QStringLiteral("kind"), QStringLiteral("raw"));
    QCommandLineOption serveOpt(QStringLiteral("serve"), QStringLiteral("(internal) run the server on this port."),
                                QStringLiteral("port"));
    parser.addOptions({clientsOpt, updatesOpt, bytesOpt, serverOpt, serveOpt});
    parser.process(app);
    const int bytes = std::clamp(parser.value(bytesOpt).toInt(), 1, 60000);
    const QString kind = parser.value(serverOpt);
    if (kind != QLatin1String("raw") && kind != QLatin1String("qwebsocket")) {
        std::fprintf(stderr, "rawfloor: --server must be raw or qwebsocket\n");
        return 2;
    }
    if (parser.isSet(serveOpt))
        return serve(kind, quint16(parser.value(serveOpt).toUInt()), bytes);

    std::printf("command: %s\n", qPrintable(QCoreApplication::arguments().join(u' ')));
    std::printf("server: %s, %s event dispatcher; %d-byte text messages; clients on one epoll loop; fd limit %ld\n",
                kind == QLatin1String("raw") ? "QTcpSocket::write of a frame built once per update"
                                             : "QWebSocket::sendTextMessage of one QString per update",
                dispatcher, bytes, fdLimit);
    const int updates = std::clamp(parser.value(updatesOpt).toInt(), 1, 100000);
    int rc = 0;
    for (const QString &s : parser.value(clientsOpt).split(u',', Qt::SkipEmptyParts)) {
        const int n = std::clamp(s.toInt(), 1, 100000);
        if (n + 64 > fdLimit) {
            std::printf("N=%d: skipped, the fd limit is %ld\n", n, fdLimit);
            continue;
        }
        Result r;
        const bool ok = measure(kind, n, updates, 3, bytes, r);
        std::printf("N=%d: %d connected in %.3f s; server CPU %.2f us per delivered message; update to the last client "
                    "median %.2f ms, max %.2f ms; server memory %.1f KiB per connection; client side %.2f us per message%s\n",
                    r.n, r.open, r.connectSeconds, r.usPerMessage, r.medianLastMs, r.maxLastMs, r.kibPerConnection,
                    r.selfUsPerMessage, ok ? "" : " (INCOMPLETE)");
        std::fflush(stdout);
        if (!ok)
            rc = 1;
    }
    return rc;
}
