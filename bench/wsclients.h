// wsclients.h: many lightweight WebSocket clients on one epoll loop, for the load generator and
// the raw-socket ruler. Not product code: a bench tool that speaks RFC 6455 just far enough to
// be a vortex device (HTTP upgrade, masked client frames, text/close/ping, fragments), with a
// few hundred bytes of state per connection, so that 10,000 clients cost the machine little next
// to the server being measured. Loopback addresses only.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <dirent.h>
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

inline std::int64_t nowNs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

inline std::int64_t wallUs()
{
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return std::int64_t(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

// Raises RLIMIT_NOFILE to the hard limit; returns the soft limit now in force.
inline long raiseFdLimit()
{
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return long(rl.rlim_cur);
}

// /proc/PID/stat utime+stime in seconds; -1 if unreadable.
inline double processCpuSeconds(long pid)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = std::fopen(path, "r");
    if (!f)
        return -1;
    char buf[2048];
    const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = 0;
    const char *p = std::strrchr(buf, ')'); // the command name may hold spaces
    if (!p)
        return -1;
    // Fields after ')': 3 state ... 14 utime 15 stime (1-based over the whole line).
    unsigned long long utime = 0, stime = 0;
    int field = 2;
    for (const char *s = p + 1; *s; ++s) {
        if (*s == ' ') {
            ++field;
            if (field == 14)
                utime = std::strtoull(s + 1, nullptr, 10);
            else if (field == 15) {
                stime = std::strtoull(s + 1, nullptr, 10);
                break;
            }
        }
    }
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

// CPU time of every live thread of a process, by thread id, in ns (/proc/PID/task/TID/schedstat:
// nanosecond precision, where /proc/PID/stat counts 10 ms ticks). Empty if unreadable.
inline std::vector<std::pair<long, int64_t>> threadCpuNs(long pid)
{
    std::vector<std::pair<long, int64_t>> out;
    char path[352];
    std::snprintf(path, sizeof path, "/proc/%ld/task", pid);
    DIR *dir = opendir(path);
    if (!dir)
        return out;
    while (dirent *e = readdir(dir)) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        std::snprintf(path, sizeof path, "/proc/%ld/task/%s/schedstat", pid, e->d_name);
        if (FILE *f = std::fopen(path, "r")) {
            long long ns = 0;
            if (std::fscanf(f, "%lld", &ns) == 1)
                out.emplace_back(std::atol(e->d_name), int64_t(ns));
            std::fclose(f);
        }
    }
    closedir(dir);
    return out;
}

// CPU used between two threadCpuNs() samples, in seconds (threads that started in between
// count from zero; threads that ended in between are lost, a small undercount).
inline double cpuDelta(const std::vector<std::pair<long, int64_t>> &before,
                       const std::vector<std::pair<long, int64_t>> &after)
{
    int64_t sum = 0;
    for (const auto &[tid, ns] : after) {
        int64_t base = 0;
        for (const auto &[t0, n0] : before)
            if (t0 == tid)
                base = n0;
        sum += ns - base;
    }
    return double(sum) / 1e9;
}

// VmRSS of a process in KiB; -1 if unreadable.
inline long processRssKiB(long pid)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *f = std::fopen(path, "r");
    if (!f)
        return -1;
    char line[256];
    long kib = -1;
    while (std::fgets(line, sizeof line, f)) {
        if (std::strncmp(line, "VmRSS:", 6) == 0) {
            kib = std::strtol(line + 6, nullptr, 10);
            break;
        }
    }
    std::fclose(f);
    return kib;
}

inline std::string base64Encode(std::string_view in)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
        out += tbl[v >> 18];
        out += tbl[(v >> 12) & 63];
        out += tbl[(v >> 6) & 63];
        out += tbl[v & 63];
    }
    if (i + 1 == in.size()) {
        const unsigned v = (unsigned char)in[i] << 16;
        out += tbl[v >> 18];
        out += tbl[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        const unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
        out += tbl[v >> 18];
        out += tbl[(v >> 12) & 63];
        out += tbl[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

// ws://host:port/path with a literal loopback address (127.0.0.0/8, ::1 or "localhost").
struct WsUrl
{
    sockaddr_storage addr{};
    socklen_t addrLen = 0;
    std::string hostHeader;
    std::string path = "/vortexws";

    bool parse(const std::string &url, std::string *error)
    {
        std::string rest;
        if (url.rfind("ws://", 0) == 0)
            rest = url.substr(5);
        else {
            *error = "only ws:// URLs are supported: " + url;
            return false;
        }
        const size_t slash = rest.find('/');
        std::string hostPort = rest.substr(0, slash);
        if (slash != std::string::npos && rest.size() > slash + 1)
            path = rest.substr(slash);
        std::string host = hostPort;
        int port = 80;
        if (!hostPort.empty() && hostPort[0] == '[') {
            const size_t close = hostPort.find(']');
            host = hostPort.substr(1, close - 1);
            if (close + 1 < hostPort.size() && hostPort[close + 1] == ':')
                port = std::atoi(hostPort.c_str() + close + 2);
        } else if (const size_t colon = hostPort.rfind(':'); colon != std::string::npos) {
            host = hostPort.substr(0, colon);
            port = std::atoi(hostPort.c_str() + colon + 1);
        }
        if (host == "localhost")
            host = "127.0.0.1";
        hostHeader = hostPort;
        auto *v4 = reinterpret_cast<sockaddr_in *>(&addr);
        auto *v6 = reinterpret_cast<sockaddr_in6 *>(&addr);
        if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
            if ((ntohl(v4->sin_addr.s_addr) >> 24) != 127) {
                *error = "refusing a non-loopback address: " + host;
                return false;
            }
            v4->sin_family = AF_INET;
            v4->sin_port = htons(uint16_t(port));
            addrLen = sizeof(sockaddr_in);
        } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
            if (!IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr)) {
                *error = "refusing a non-loopback address: " + host;
                return false;
            }
            v6->sin6_family = AF_INET6;
            v6->sin6_port = htons(uint16_t(port));
            addrLen = sizeof(sockaddr_in6);
        } else {
            *error = "not a literal loopback address: " + host;
            return false;
        }
        return true;
    }
};

// A pool of client connections served by one epoll loop on the calling thread.
class WsClients
{
public:
    enum class State : uint8_t { Idle, Connecting, Handshake, Open, Closed };

    struct Conn
    {
        int fd = -1;
        State state = State::Idle;
        bool wantWrite = false;
        uint8_t msgOpcode = 0;  // opcode of the fragmented message being assembled
        std::string in;         // bytes received but not yet a whole frame / handshake
        std::string out;        // bytes not yet accepted by the kernel
        std::string fragments;  // a fragmented message being assembled
        std::string query;      // ?vortexName=...&vortexUuid=...
    };

    // Callbacks. Messages come as views valid only during the call.
    std::function<void(int i)> onOpen;
    std::function<void(int i, std::string_view text)> onMessage;
    // A refused upgrade (HTTP status, Retry-After seconds or -1) or a failure/close.
    std::function<void(int i, int httpStatus, int retryAfter)> onRefused;
    std::function<void(int i, const std::string &why)> onClosed;
    std::function<void()> onTimer; // the timerfd fired
    std::string lastError;         // why the last connection failed
    // Acknowledge every receive at once (TCP_QUICKACK), instead of Linux's delayed ACK: a
    // diagnostic for latency that comes from the server's Nagle algorithm waiting for our ACK.
    bool quickAck = false;

    explicit WsClients(const WsUrl &url) : m_url(url)
    {
        m_ep = epoll_create1(EPOLL_CLOEXEC);
        m_timerFd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = kTimerTag;
        epoll_ctl(m_ep, EPOLL_CTL_ADD, m_timerFd, &ev);
        m_scratch.resize(256 * 1024);
        m_rng.seed(std::random_device{}());
    }
    ~WsClients()
    {
        for (auto &c : m_conns)
            if (c.fd >= 0)
                ::close(c.fd);
        ::close(m_timerFd);
        ::close(m_ep);
    }

    // Adds n client slots with their query strings (set query before connect()).
    void resize(size_t n) { m_conns.resize(n); }
    size_t size() const { return m_conns.size(); }
    Conn &conn(int i) { return m_conns[size_t(i)]; }
    bool isOpen(int i) const { return m_conns[size_t(i)].state == State::Open; }

    // Starts a non-blocking connect; the upgrade request goes out when the socket is writable.
    bool connect(int i)
    {
        Conn &c = m_conns[size_t(i)];
        closeFd(c);
        c.fd = ::socket(m_url.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c.fd < 0) {
            fail(i, std::string("socket: ") + std::strerror(errno));
            return false;
        }
        int one = 1;
        setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        const int rc = ::connect(c.fd, reinterpret_cast<const sockaddr *>(&m_url.addr), m_url.addrLen);
        if (rc != 0 && errno != EINPROGRESS) {
            fail(i, std::string("connect: ") + std::strerror(errno));
            return false;
        }
        c.state = State::Connecting;
        c.in.clear();
        c.out.clear();
        c.fragments.clear();
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
        ev.data.u64 = uint64_t(i);
        c.wantWrite = true;
        epoll_ctl(m_ep, EPOLL_CTL_ADD, c.fd, &ev);
        return true;
    }

    // Sends one text message (masked, as a client must).
    void sendText(int i, std::string_view text)
    {
        Conn &c = m_conns[size_t(i)];
        if (c.state != State::Open)
            return;
        std::string frame;
        frame.reserve(text.size() + 14);
        frame += char(0x81);
        const size_t n = text.size();
        if (n < 126) {
            frame += char(0x80 | n);
        } else if (n < 65536) {
            frame += char(0x80 | 126);
            frame += char(n >> 8);
            frame += char(n & 0xff);
        } else {
            frame += char(0x80 | 127);
            for (int s = 56; s >= 0; s -= 8)
                frame += char((uint64_t(n) >> s) & 0xff);
        }
        const uint32_t mask = m_rng();
        char key[4];
        std::memcpy(key, &mask, 4);
        frame.append(key, 4);
        const size_t at = frame.size();
        frame.append(text);
        for (size_t k = 0; k < n; ++k)
            frame[at + k] ^= key[k & 3];
        write(i, frame);
    }

    void close(int i)
    {
        Conn &c = m_conns[size_t(i)];
        if (c.state == State::Open) {
            // Close frame, code 1000, masked with a zero key.
            static const char frame[] = {char(0x88), char(0x82), 0, 0, 0, 0, 0x03, char(0xe8)};
            ::send(c.fd, frame, sizeof frame, MSG_NOSIGNAL);
        }
        closeFd(c);
        c.state = State::Closed;
    }
    void closeAll()
    {
        for (size_t i = 0; i < m_conns.size(); ++i)
            close(int(i));
    }

    // One-shot timer on the loop (absolute CLOCK_MONOTONIC ns; 0 disarms).
    void armTimerAt(int64_t atNs)
    {
        itimerspec its{};
        if (atNs > 0) {
            its.it_value.tv_sec = atNs / 1000000000;
            its.it_value.tv_nsec = atNs % 1000000000;
        }
        timerfd_settime(m_timerFd, TFD_TIMER_ABSTIME, &its, nullptr);
    }

    // Waits up to timeoutMs for events and handles them all.
    void poll(int timeoutMs)
    {
        epoll_event events[512];
        const int n = epoll_wait(m_ep, events, 512, timeoutMs);
        for (int k = 0; k < n; ++k) {
            if (events[k].data.u64 == kTimerTag) {
                uint64_t expirations;
                [[maybe_unused]] auto r = ::read(m_timerFd, &expirations, sizeof expirations);
                if (onTimer)
                    onTimer();
                continue;
            }
            const int i = int(events[k].data.u64);
            Conn &c = m_conns[size_t(i)];
            if (c.fd < 0)
                continue;
            const uint32_t e = events[k].events;
            if (e & EPOLLOUT)
                onWritable(i);
            if (c.fd >= 0 && (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
                onReadable(i);
        }
    }

private:
    static constexpr uint64_t kTimerTag = ~uint64_t(0);

    void closeFd(Conn &c)
    {
        if (c.fd >= 0) {
            epoll_ctl(m_ep, EPOLL_CTL_DEL, c.fd, nullptr);
            ::close(c.fd);
            c.fd = -1;
        }
        std::string().swap(c.in);
        std::string().swap(c.out);
        std::string().swap(c.fragments);
    }

    void fail(int i, const std::string &why)
    {
        Conn &c = m_conns[size_t(i)];
        const bool wasOpen = c.state == State::Open;
        closeFd(c);
        c.state = State::Closed;
        lastError = why;
        if (!wasOpen) {
            if (onRefused)
                onRefused(i, 0, -1); // the connection or its upgrade failed
        } else if (onClosed) {
            onClosed(i, why);
        }
    }

    void setWantWrite(int i, bool want)
    {
        Conn &c = m_conns[size_t(i)];
        if (c.wantWrite == want)
            return;
        c.wantWrite = want;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP | (want ? uint32_t(EPOLLOUT) : 0u);
        ev.data.u64 = uint64_t(i);
        epoll_ctl(m_ep, EPOLL_CTL_MOD, c.fd, &ev);
    }

    void write(int i, std::string_view bytes)
    {
        Conn &c = m_conns[size_t(i)];
        if (!c.out.empty()) {
            c.out.append(bytes);
            return;
        }
        const ssize_t w = ::send(c.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (w == ssize_t(bytes.size()))
            return;
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            fail(i, std::string("send: ") + std::strerror(errno));
            return;
        }
        c.out.assign(bytes.substr(size_t(std::max<ssize_t>(w, 0))));
        setWantWrite(i, true);
    }

    void onWritable(int i)
    {
        Conn &c = m_conns[size_t(i)];
        if (c.state == State::Connecting) {
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err != 0) {
                fail(i, std::string("connect: ") + std::strerror(err));
                return;
            }
            c.state = State::Handshake;
            setWantWrite(i, false);
            unsigned char key[16];
            for (auto &b : key)
                b = (unsigned char)(m_rng() & 0xff);
            std::string req = "GET " + m_url.path + c.query + " HTTP/1.1\r\nHost: " + m_url.hostHeader
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + base64Encode(std::string_view(reinterpret_cast<char *>(key), 16))
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
            write(i, req);
            return;
        }
        while (!c.out.empty()) {
            const ssize_t w = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    return;
                fail(i, std::string("send: ") + std::strerror(errno));
                return;
            }
            c.out.erase(0, size_t(w));
        }
        std::string().swap(c.out);
        setWantWrite(i, false);
    }

    void onReadable(int i)
    {
        for (;;) {
            Conn &c = m_conns[size_t(i)];
            if (c.fd < 0)
                return;
            const ssize_t r = ::recv(c.fd, m_scratch.data(), m_scratch.size(), 0);
            if (r == 0) {
                fail(i, "the server closed the connection");
                return;
            }
            if (r < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    return;
                fail(i, std::string("recv: ") + std::strerror(errno));
                return;
            }
            if (quickAck) {
                int one = 1;
                setsockopt(c.fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
            }
            std::string_view data(m_scratch.data(), size_t(r));
            std::string joined;
            if (!c.in.empty()) {
                c.in.append(data);
                joined.swap(c.in);
                data = joined;
            }
            const size_t used = consume(i, data);
            Conn &c2 = m_conns[size_t(i)];
            if (c2.fd < 0)
                return;
            if (used < data.size())
                c2.in.assign(data.substr(used));
            if (size_t(r) < m_scratch.size())
                return;
        }
    }

    // Handles whole units (handshake response, frames) in data; returns the bytes used.
    size_t consume(int i, std::string_view data)
    {
        size_t pos = 0;
        Conn &c = m_conns[size_t(i)];
        if (c.state == State::Handshake) {
            const size_t end = data.find("\r\n\r\n");
            if (end == std::string_view::npos) {
                if (data.size() > 16384)
                    fail(i, "oversized HTTP response");
                return 0;
            }
            const std::string_view head = data.substr(0, end);
            int status = 0;
            if (head.size() > 12 && head.rfind("HTTP/1.", 0) == 0)
                status = std::atoi(std::string(head.substr(9, 3)).c_str());
            if (status != 101) {
                int retryAfter = -1;
                const size_t ra = head.find("Retry-After:");
                if (ra != std::string_view::npos)
                    retryAfter = std::atoi(std::string(head.substr(ra + 12, 8)).c_str());
                closeFd(c);
                c.state = State::Closed;
                if (onRefused)
                    onRefused(i, status, retryAfter);
                return data.size();
            }
            c.state = State::Open;
            pos = end + 4;
            if (onOpen)
                onOpen(i);
            if (m_conns[size_t(i)].fd < 0)
                return data.size();
        }
        while (pos < data.size()) {
            const size_t avail = data.size() - pos;
            if (avail < 2)
                break;
            const auto *p = reinterpret_cast<const unsigned char *>(data.data() + pos);
            const bool fin = p[0] & 0x80;
            const uint8_t opcode = p[0] & 0x0f;
            const bool masked = p[1] & 0x80;
            uint64_t len = p[1] & 0x7f;
            size_t hdr = 2;
            if (len == 126) {
                if (avail < 4)
                    break;
                len = uint64_t(p[2]) << 8 | p[3];
                hdr = 4;
            } else if (len == 127) {
                if (avail < 10)
                    break;
                len = 0;
                for (int k = 0; k < 8; ++k)
                    len = len << 8 | p[2 + k];
                hdr = 10;
            }
            if (masked)
                hdr += 4;
            if (avail < hdr || avail - hdr < len)
                break;
            std::string unmasked;
            std::string_view payload(data.data() + pos + hdr, size_t(len));
            if (masked) { // servers must not mask, but be lenient
                unmasked.assign(payload);
                for (size_t k = 0; k < unmasked.size(); ++k)
                    unmasked[k] ^= p[hdr - 4 + (k & 3)];
                payload = unmasked;
            }
            pos += hdr + size_t(len);
            if (!handleFrame(i, fin, opcode, payload))
                return data.size();
        }
        return pos;
    }

    bool handleFrame(int i, bool fin, uint8_t opcode, std::string_view payload)
    {
        Conn &c = m_conns[size_t(i)];
        switch (opcode) {
        case 0x0: // continuation
            c.fragments.append(payload);
            if (fin) {
                std::string whole;
                whole.swap(c.fragments);
                if (onMessage)
                    onMessage(i, whole);
            }
            break;
        case 0x1:
        case 0x2:
            if (fin) {
                if (onMessage)
                    onMessage(i, payload);
            } else {
                c.msgOpcode = opcode;
                c.fragments.assign(payload);
            }
            break;
        case 0x8: { // close: answer it and drop
            static const char frame[] = {char(0x88), char(0x80), 0, 0, 0, 0};
            ::send(c.fd, frame, sizeof frame, MSG_NOSIGNAL);
            std::string why = "closed by the server";
            if (payload.size() >= 2)
                why += " (" + std::to_string((unsigned char)payload[0] << 8 | (unsigned char)payload[1]) + " "
                    + std::string(payload.substr(2)) + ")";
            fail(i, why);
            return false;
        }
        case 0x9: { // ping: pong with the same payload
            std::string frame;
            frame += char(0x8a);
            frame += char(0x80 | std::min<size_t>(payload.size(), 125));
            frame.append(4, '\0'); // zero mask key
            frame.append(payload.substr(0, 125));
            write(i, frame);
            break;
        }
        default:
            break; // pong, reserved
        }
        return m_conns[size_t(i)].fd >= 0;
    }

    WsUrl m_url;
    int m_ep = -1;
    int m_timerFd = -1;
    std::vector<Conn> m_conns;
    std::string m_scratch;
    std::mt19937 m_rng;
};

} // namespace bench
