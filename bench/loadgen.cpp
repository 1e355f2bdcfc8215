// loadgen: a headless load generator for a Peek field service (or any implementation of the
// Vortex protocol, docs/protocol.md §5-7). Opens N device connections (vortex name peek-field-app,
// each with its own vortexUuid), subscribes them to a selector, pushes actions, and reports
// latencies and throughput. See bench/README.md.
//
//   loadgen --url ws://127.0.0.1:8000 --clients 1000 --mode all [--server-pid PID[,PID]]
//
// The clients are not Vortex objects: they are raw WebSocket connections on one epoll loop
// (bench/wsclients.h) that speak only the wire protocol: the HTTP upgrade to
// /vortexws?vortexName=&vortexUuid=, the hello envelope, "." heartbeats, the subscribe filt of
// §6, action envelopes of §7 with a "PayloadResponse.messageId", and they read only what they
// need of each envelope (its filt keys, result, message id and date). This keeps the generator's
// own cost per message far below the server's, on the same two cores.
//
// Modes (each figure printed after the exact command line):
//   connect  open N connections, time until every one has the server's hello; 503s and retries.
//   fanout   connect, subscribe all N (server RSS before/after connecting/after subscribing),
//            then U updates one at a time: a "touch" action through client 0, and the time until
//            the LAST client has the update, from the touch being sent, from its answer, and from
//            the update envelope's date (logic's wall clock when it encoded; same machine).
//            With --server-pid: server CPU (utime+stime, /proc) per delivered message.
//   actions  "noop" actions client -> field -> logic -> answer: W in flight for a while
//            (actions/s and latency), then a fixed rate (--rate) with p50/p99 latency measured
//            from each action's scheduled send time.
//   all      connect, fanout, actions on the same connections.
#include "base/eventdispatcher.h"
#include "wsclients.h"

#include "vortex/payloadenvelope.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QUuid>

#include <sys/resource.h>

#include <algorithm>
#include <ctime>
#include <queue>
#include <unordered_map>

using namespace bench;

namespace {

struct Options
{
    std::string url = "ws://127.0.0.1:8000";
    int clients = 100;
    bool doConnect = true, doFanout = false, doActions = false;
    std::string plugin = "bench";
    std::string observable = "bench";
    std::string tupleName = "bench.Item";
    std::string selectorJson = "{}";
    std::string processor = "bench";
    int updates = 20;
    int warmup = 2;
    int inFlight = 100;
    double actionSeconds = 5;
    double rate = 1000;
    double rateSeconds = 5;
    double idleSeconds = 2;
    std::vector<long> serverPids;
    int connectConcurrency = 1000;
    int maxRetries = 3;
    int retryMs = -1; // -1: honour Retry-After
    double timeoutSeconds = 60;
    bool quickAck = false;
};

std::string jsonString(const std::string &s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + '"';
}

std::string formatDate(int64_t wallMicros)
{
    const time_t secs = time_t(wallMicros / 1000000);
    tm t{};
    gmtime_r(&secs, &t);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06d+0000", t.tm_year + 1900, t.tm_mon + 1,
                  t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, int(wallMicros % 1000000));
    return buf;
}

// "%Y-%m-%d %H:%M:%S[.%f][%z]" -> microseconds since the epoch (naive times read as UTC); -1.
int64_t parseDate(std::string_view s)
{
    int Y, M, D, h, m, sec;
    if (s.size() < 19 || std::sscanf(std::string(s.substr(0, 19)).c_str(), "%d-%d-%d %d:%d:%d", &Y, &M, &D, &h, &m, &sec) != 6)
        return -1;
    tm t{};
    t.tm_year = Y - 1900;
    t.tm_mon = M - 1;
    t.tm_mday = D;
    t.tm_hour = h;
    t.tm_min = m;
    t.tm_sec = sec;
    int64_t us = int64_t(timegm(&t)) * 1000000;
    size_t p = 19;
    if (p < s.size() && s[p] == '.') {
        int64_t frac = 0;
        int digits = 0;
        for (++p; p < s.size() && s[p] >= '0' && s[p] <= '9'; ++p, ++digits)
            if (digits < 6)
                frac = frac * 10 + (s[p] - '0');
        for (; digits < 6; ++digits)
            frac *= 10;
        us += frac;
    }
    if (p + 5 <= s.size() && (s[p] == '+' || s[p] == '-')) {
        const int off = ((s[p + 1] - '0') * 10 + (s[p + 2] - '0')) * 3600 + ((s[p + 3] - '0') * 10 + (s[p + 4] - '0')) * 60;
        us -= int64_t(s[p] == '+' ? off : -off) * 1000000;
    }
    return us;
}

// A zlib stream of stored (uncompressed) blocks: valid for every inflater, and costs nothing to
// make, so the generator does not spend its CPU compressing actions.
std::string zlibStored(std::string_view in)
{
    std::string out;
    out.reserve(in.size() + 16);
    out += char(0x78);
    out += char(0x01);
    size_t pos = 0;
    do {
        const size_t n = std::min<size_t>(in.size() - pos, 65535);
        const bool final = pos + n == in.size();
        out += char(final ? 1 : 0);
        out += char(n & 0xff);
        out += char(n >> 8);
        out += char(~n & 0xff);
        out += char((~n >> 8) & 0xff);
        out.append(in.substr(pos, n));
        pos += n;
    } while (pos < in.size());
    uint32_t a = 1, b = 0;
    for (unsigned char c : in) {
        a += c;
        if (a >= 65521)
            a -= 65521;
        b += a;
        if (b >= 65521)
            b -= 65521;
    }
    const uint32_t adler = b << 16 | a;
    for (int s = 24; s >= 0; s -= 8)
        out += char((adler >> s) & 0xff);
    return out;
}

double pct(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[size_t(p * double(v.size() - 1) + 0.5)];
}

double selfCpuSeconds()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::string loadAvg()
{
    FILE *f = std::fopen("/proc/loadavg", "r");
    if (!f)
        return "?";
    char buf[128] = {};
    [[maybe_unused]] auto n = std::fgets(buf, sizeof buf, f);
    std::fclose(f);
    std::string s(buf);
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

class LoadGen
{
public:
    LoadGen(const Options &o, const WsUrl &url) : o(o), pool(url)
    {
        const size_t n = size_t(o.clients);
        pool.resize(n);
        hello.assign(n, 0);
        connectStart.assign(n, 0);
        attemptStart.assign(n, 0);
        attempts.assign(n, 0);
        dataSeen.assign(n, 0);
        subscribed.assign(n, 0);
        runTag = QUuid::createUuid().toString(QUuid::WithoutBraces).left(8).toStdString();
        for (size_t i = 0; i < n; ++i) {
            const std::string uuid = runTag + "-" + std::to_string(i) + "-"
                + QUuid::createUuid().toString(QUuid::WithoutBraces).left(8).toStdString();
            uuids.push_back(uuid);
            pool.conn(int(i)).query = "?vortexName=peek-field-app&vortexUuid=" + uuid;
        }
        pool.quickAck = o.quickAck;
        pool.onOpen = [this](int i) { sendHello(i); };
        pool.onMessage = [this](int i, std::string_view m) { onMessage(i, m); };
        pool.onRefused = [this](int i, int status, int retryAfter) { onRefused(i, status, retryAfter); };
        pool.onClosed = [this](int i, const std::string &why) { onClosed(i, why); };
        pool.onTimer = [this] { onTimer(); };
        const std::string selectorTuple = "{\"_ct\":\"rt\",\"_c\":\"vortex.TupleSelector\",\"name\":" + jsonString(o.tupleName)
            + ",\"selector\":" + o.selectorJson + "}";
        subscribeFilt = "{\"plugin\":" + jsonString(o.plugin) + ",\"key\":\"tupleDataObservable\",\"name\":"
            + jsonString(o.observable) + ",\"tupleSelector\":" + selectorTuple + ",\"subscribe\":true,\"unsubscribe\":false}";
        actionFilt = "{\"plugin\":" + jsonString(o.plugin) + ",\"key\":\"tupleActionProcessorName\",\"name\":"
            + jsonString(o.processor);
    }

    int run()
    {
        std::printf("load average at start: %s\n", loadAvg().c_str());
        std::printf("clients: %d raw WebSocket connections on one epoll loop, vortexName=peek-field-app, "
                    "one vortexUuid each; url %s; fd limit %ld%s\n",
                    o.clients, o.url.c_str(), fdLimit, o.quickAck ? "; TCP_QUICKACK on every receive" : "");
        std::fflush(stdout);
        rssBefore = serverRss();
        if (!connectPhase())
            return finish(1);
        if (o.doFanout && !fanoutPhase())
            return finish(1);
        if (o.doActions && !actionsPhase())
            return finish(1);
        return finish(0);
    }

    long fdLimit = 0;

private:
    // ---- helpers ---------------------------------------------------------------------------

    int finish(int rc)
    {
        pool.closeAll();
        std::printf("load average at end: %s\n", loadAvg().c_str());
        std::fflush(stdout);
        return rc;
    }

    long serverRss() const
    {
        long sum = 0;
        for (long pid : o.serverPids) {
            const long r = processRssKiB(pid);
            if (r < 0)
                return -1;
            sum += r;
        }
        return o.serverPids.empty() ? -1 : sum;
    }
    // Server CPU with nanosecond precision: per-thread schedstat of every server pid.
    using CpuSnap = std::vector<std::vector<std::pair<long, int64_t>>>;
    CpuSnap cpuSnap() const
    {
        CpuSnap s;
        for (long pid : o.serverPids)
            s.push_back(threadCpuNs(pid));
        return s;
    }
    double cpuSince(const CpuSnap &before) const
    {
        if (o.serverPids.empty())
            return -1;
        const CpuSnap now = cpuSnap();
        double sum = 0;
        for (size_t k = 0; k < now.size() && k < before.size(); ++k)
            sum += cpuDelta(before[k], now[k]);
        return sum;
    }
    // utime+stime from /proc/PID/stat (10 ms ticks), summed over the server pids.
    double serverCpu() const
    {
        double sum = 0;
        for (long pid : o.serverPids) {
            const double c = processCpuSeconds(pid);
            if (c < 0)
                return -1;
            sum += c;
        }
        return o.serverPids.empty() ? -1 : sum;
    }

    std::string envelope(const std::string &filt, const std::string &dataB64) const
    {
        std::string e = "{\"_ct\":\"rpe\",\"_c\":\"vortex.PayloadEnvelope.PayloadEnvelope\",\"filt\":" + filt + ",\"data\":";
        e += dataB64.empty() ? std::string("null") : "\"" + dataB64 + "\"";
        e += ",\"result\":null,\"date\":{\"_ft\":\"datetime\",\"_fd\":\"" + formatDate(wallUs()) + "\"}}";
        return e;
    }

    void sendHello(int i)
    {
        pool.sendText(i, envelope("{\"__vortexUuid__\":" + jsonString(uuids[size_t(i)])
                                      + ",\"__vortexName__\":\"peek-field-app\"}",
                                  {}));
    }

    // An action envelope: a payload with one vortex.TupleGenericAction, request id in the filt.
    std::string actionMessage(const std::string &key, const std::string &dataJson, const std::string &messageId)
    {
        const std::string date = formatDate(wallUs());
        const std::string uuid = runTag + "-" + messageId + "-" + std::to_string(++actionSerial);
        const std::string payload = "{\"_ct\":\"rp\",\"_c\":\"vortex.Payload.Payload\",\"filt\":" + actionFilt
            + "},\"tuples\":[{\"_ct\":\"rt\",\"_c\":\"vortex.TupleGenericAction\",\"data\":" + dataJson
            + ",\"dateTime\":{\"_ft\":\"datetime\",\"_fd\":\"" + date + "\"},\"key\":" + jsonString(key)
            + ",\"uuid\":" + jsonString(uuid) + "}],\"date\":{\"_ft\":\"datetime\",\"_fd\":\"" + date + "\"}}";
        return envelope(actionFilt + ",\"PayloadResponse.messageId\":" + jsonString(messageId) + "}",
                        base64Encode(zlibStored(payload)));
    }

    // Runs the loop until done() or the deadline; false on timeout. Sends heartbeats ("." to a
    // hundredth of the clients every 100 ms, so each hears from us every 10 s): spread as real
    // devices' are (each at its own phase). Sending a tenth at the top of each second was a burst
    // of 1,000 messages a second at 10,000 clients, which the actions measured meanwhile queued behind.
    template <typename Done>
    bool runUntil(Done done, int64_t deadlineNs)
    {
        while (!done()) {
            const int64_t now = nowNs();
            if (now >= deadlineNs)
                return false;
            if (now >= nextHeartbeat) {
                for (size_t i = size_t(heartbeatTick % 100); i < pool.size(); i += 100)
                    if (pool.isOpen(int(i)))
                        pool.sendText(int(i), ".");
                ++heartbeatTick;
                nextHeartbeat = now + 100000000;
            }
            retryDue(now);
            int wait = int(std::min<int64_t>((deadlineNs - now) / 1000000 + 1, 100));
            if (!retries.empty())
                wait = std::min<int>(wait, int(std::max<int64_t>(0, (retries.top().first - now) / 1000000)));
            pool.poll(wait);
        }
        return true;
    }

    // ---- incoming --------------------------------------------------------------------------

    void onMessage(int i, std::string_view m)
    {
        ++messagesIn;
        if (m.size() == 1 && m[0] == '.')
            return; // heartbeat
        if (m.size() > 1 && m.back() == '.')
            m.remove_suffix(1);
        QByteArray decoded;
        if (!m.empty() && m.front() != '{') { // a base64 vortex message (docs/protocol.md §2)
            decoded = QByteArray::fromBase64(QByteArray::fromRawData(m.data(), qsizetype(m.size())));
            m = std::string_view(decoded.constData(), size_t(decoded.size()));
        }
        if (m.find("\"tupleDataObservable\"") != std::string_view::npos) {
            onData(i, m);
            return;
        }
        static constexpr std::string_view kId = "\"PayloadResponse.messageId\":\"";
        const size_t idAt = m.find(kId);
        if (idAt != std::string_view::npos) {
            const size_t from = idAt + kId.size();
            const size_t to = m.find('"', from);
            onAnswer(i, m.substr(from, to - from), isSuccess(m), m);
            return;
        }
        if (m.find("\"__vortexUuid__\"") != std::string_view::npos) {
            if (!hello[size_t(i)]) {
                hello[size_t(i)] = 1;
                attemptStart[size_t(i)] = 0;
                ++helloCount;
                --inProgress;
                connectLatencyUs.push_back(double(nowNs() - connectStart[size_t(i)]) / 1000.0);
            }
            return;
        }
        ++otherMessages;
    }

    static bool isSuccess(std::string_view m)
    {
        const size_t r = m.rfind("\"result\":");
        if (r == std::string_view::npos)
            return true;
        const std::string_view v = m.substr(r + 9, 4);
        return v == "null" || v == "true";
    }

    void onData(int i, std::string_view m)
    {
        ++dataMessages;
        if (!isSuccess(m)) {
            if (dataErrors++ == 0)
                std::printf("first observable error message: %.*s\n", int(std::min<size_t>(m.size(), 400)), m.data());
            return;
        }
        if (firstDataMessage.empty())
            firstDataMessage.assign(m);
        if (dataSeen[size_t(i)] >= round) {
            ++extraData;
            return;
        }
        dataSeen[size_t(i)] = round;
        const int64_t now = nowNs();
        if (roundCount++ == 0) {
            roundFirstNs = now;
            roundMessageBytes = m.size();
            static constexpr std::string_view kDate = "\"date\":{\"_ft\":\"datetime\",\"_fd\":\"";
            const size_t d = m.rfind(kDate);
            roundDateUs = d == std::string_view::npos ? -1 : parseDate(m.substr(d + kDate.size(), 32));
        }
        roundLastNs = now;
        roundLastWallUs = wallUs();
        roundLastClient = i;
        if (i != roundTrigger)
            roundLastOtherNs = now;
    }

    void onAnswer(int i, std::string_view id, bool ok, std::string_view m)
    {
        if (id.empty())
            return;
        if (!ok && answerErrors++ == 0)
            std::printf("first error answer: %.*s\n", int(std::min<size_t>(m.size(), 400)), m.data());
        if (id[0] == 't') {
            touchAnsweredNs = nowNs();
            touchOk = ok;
            return;
        }
        if (id[0] != 'a')
            return;
        const long seq = std::strtol(std::string(id.substr(1)).c_str(), nullptr, 10);
        if (seq < 0 || size_t(seq) >= actionSentAt.size() || actionSentAt[size_t(seq)] == 0)
            return;
        const int64_t now = nowNs();
        actionLatUs.push_back(double(now - actionSentAt[size_t(seq)]) / 1000.0);
        actionSentAt[size_t(seq)] = 0;
        --actionsInFlight;
        ++actionsAnswered;
        if (!ok)
            ++actionErrors;
        if (now <= actionWindowEnd)
            ++actionsAnsweredInWindow;
        if (closedLoop && now < actionSendUntil)
            sendAction(i, now);
    }

    void onRefused(int i, int status, int retryAfter)
    {
        --inProgress;
        attemptStart[size_t(i)] = 0;
        if (status == 503)
            ++refused503;
        else
            ++failed;
        if (status != 503 && status != 0 && failed <= 3)
            std::printf("connection %d refused with HTTP %d\n", i, status);
        if (attempts[size_t(i)] > o.maxRetries) {
            ++givenUp;
            return;
        }
        ++retried;
        const int64_t delayMs = o.retryMs >= 0 ? o.retryMs : (status == 503 ? (retryAfter > 0 ? retryAfter * 1000 : 5000) : 1000);
        retries.push({nowNs() + delayMs * 1000000, i});
    }

    void onClosed(int i, const std::string &why)
    {
        if (!hello[size_t(i)]) {
            onRefused(i, 0, -1);
            return;
        }
        if (closedAfterOpen++ < 3)
            std::printf("client %d lost its connection: %s\n", i, why.c_str());
    }

    void startConnect(int i)
    {
        ++attempts[size_t(i)];
        ++inProgress;
        attemptStart[size_t(i)] = nowNs();
        if (connectStart[size_t(i)] == 0)
            connectStart[size_t(i)] = nowNs();
        pool.connect(i);
    }

    void retryDue(int64_t now)
    {
        while (!retries.empty() && retries.top().first <= now) {
            const int i = retries.top().second;
            retries.pop();
            startConnect(i);
        }
    }

    // ---- connect ---------------------------------------------------------------------------

    bool connectPhase()
    {
        const int n = o.clients;
        const int64_t t0 = nowNs();
        const int64_t deadline = t0 + int64_t(o.timeoutSeconds * 1e9);
        int next = 0;
        int64_t nextScan = t0 + 1000000000;
        const bool ok = runUntil(
            [&] {
                while (inProgress < o.connectConcurrency && next < n)
                    startConnect(next++);
                const int64_t now = nowNs();
                if (now >= nextScan) { // an attempt without a hello after 10 s failed: retry it
                    nextScan = now + 500000000;
                    for (int i = 0; i < next; ++i) {
                        if (!hello[size_t(i)] && attemptStart[size_t(i)] && now - attemptStart[size_t(i)] > int64_t(10e9)) {
                            attemptStart[size_t(i)] = 0;
                            ++timedOut;
                            pool.close(i);
                            onRefused(i, 0, -1);
                        }
                    }
                }
                return helloCount + givenUp >= n;
            },
            deadline);
        const double secs = double(nowNs() - t0) / 1e9;
        std::printf("connect: %d of %d connections open with the server's hello in %.3f s = %.0f connections/s "
                    "(at most %d connecting at once)\n",
                    helloCount, n, secs, helloCount / secs, o.connectConcurrency);
        std::printf("connect: refused with 503: %d, other failures: %d (of which no hello within 10 s: %d), retried: %d, "
                    "given up: %d%s\n",
                    refused503, failed, timedOut, retried, givenUp, ok ? "" : " -- TIMED OUT");
        std::printf("connect: per connection (connect() to hello) ms: p50 %.1f  p99 %.1f  max %.1f\n",
                    pct(connectLatencyUs, 0.5) / 1000, pct(connectLatencyUs, 0.99) / 1000,
                    pct(connectLatencyUs, 1.0) / 1000);
        rssConnected = serverRss();
        if (rssBefore > 0)
            std::printf("server RSS: %ld KiB before connecting, %ld KiB with %d connected = %.1f KiB per connection\n",
                        rssBefore, rssConnected, helloCount, double(rssConnected - rssBefore) / std::max(1, helloCount));
        std::fflush(stdout);
        return helloCount > 0;
    }

    // ---- fan-out ---------------------------------------------------------------------------

    int openSubscribedCount() const
    {
        int c = 0;
        for (size_t i = 0; i < pool.size(); ++i)
            c += subscribed[i] && const_cast<WsClients &>(pool).isOpen(int(i));
        return c;
    }

    void startRound()
    {
        ++round;
        roundCount = 0;
        roundFirstNs = roundLastNs = roundLastOtherNs = 0;
        roundLastClient = -1;
        roundDateUs = -1;
        roundLastWallUs = 0;
    }

    bool fanoutPhase()
    {
        // Subscribe every open client.
        startRound();
        const std::string subscribeMsg = envelope(subscribeFilt, base64Encode(zlibStored(
            "{\"_ct\":\"rp\",\"_c\":\"vortex.Payload.Payload\",\"filt\":" + subscribeFilt + ",\"tuples\":[],\"date\":{\"_ft\":\"datetime\",\"_fd\":\""
            + formatDate(wallUs()) + "\"}}")));
        int target = 0;
        const int64_t t0 = nowNs();
        for (size_t i = 0; i < pool.size(); ++i) {
            if (pool.isOpen(int(i))) {
                pool.sendText(int(i), subscribeMsg);
                subscribed[i] = 1;
                ++target;
            }
        }
        std::printf("subscribe message: %zu bytes: %s\n", subscribeMsg.size(), subscribeFilt.c_str());
        bool ok = runUntil([&] { return roundCount >= target; }, t0 + int64_t(o.timeoutSeconds * 1e9));
        const double secs = double(nowNs() - t0) / 1e9;
        std::printf("subscribe: %d of %d clients had their first data %.3f s after the subscribes went out%s\n",
                    roundCount, target, secs, ok ? "" : " -- TIMED OUT");
        if (!firstDataMessage.empty()) {
            const QByteArray raw = QByteArray::fromStdString(firstDataMessage);
            const peek::Result<peek::PayloadEnvelope> e = peek::PayloadEnvelope::fromVortexMsg(raw);
            const peek::Result<peek::Payload> p = e ? e.value().decodePayload() : peek::Result<peek::Payload>(e.error());
            if (p) {
                const peek::Result<QByteArray> json = peek::Payload::decodeToJson(e.value().data);
                std::printf("first data: message %lld bytes (encoded payload %lld bytes, payload JSON %lld bytes), "
                            "%zu tuples of %s\n",
                            (long long)raw.size(), (long long)e.value().data.size(),
                            (long long)(json ? json.value().size() : 0), p.value().tuples.size(),
                            p.value().tuples.empty() ? "-" : qPrintable(p.value().tuples.front()->tupleType()));
            } else {
                std::printf("first data: %lld bytes, could not decode: %s\n", (long long)raw.size(),
                            qPrintable(p.error().message()));
            }
        }
        rssSubscribed = serverRss();
        if (rssBefore > 0) {
            const int c = std::max(1, roundCount);
            std::printf("server RSS: %ld KiB before connecting, %ld KiB connected, %ld KiB subscribed -> "
                        "%.1f KiB per connection, %.1f KiB per subscription, %.1f KiB per connected+subscribed client\n",
                        rssBefore, rssConnected, rssSubscribed, double(rssConnected - rssBefore) / c,
                        double(rssSubscribed - rssConnected) / c, double(rssSubscribed - rssBefore) / c);
        }
        std::fflush(stdout);
        if (!ok || roundCount == 0)
            return false;

        if (!o.serverPids.empty() && o.idleSeconds > 0) {
            const CpuSnap c0 = cpuSnap();
            const int64_t s0 = nowNs();
            runUntil([] { return false; }, s0 + int64_t(o.idleSeconds * 1e9));
            const double used = cpuSince(c0);
            std::printf("server CPU while idle with %d clients connected and subscribed: %.1f%% of a core (%.3f s over %.1f s)\n",
                        roundCount, 100.0 * used / o.idleSeconds, used, o.idleSeconds);
        }

        // Updates, one at a time.
        const std::string touchData = "{\"selector\":" + o.selectorJson + ",\"tupleName\":" + jsonString(o.tupleName) + "}";
        std::vector<double> fromSend, fromAnswer, fromDate, firstFromSend, othersFromSend;
        int triggerLast = 0;
        double cpu0 = -1, self0 = 0;
        CpuSnap snap0;
        int64_t tStart = 0, tEnd = 0;
        int delivered = 0, measured = 0;
        size_t updateBytes = 0;
        for (int u = 0; u < o.warmup + o.updates; ++u) {
            if (u == o.warmup) {
                cpu0 = serverCpu();
                snap0 = cpuSnap();
                self0 = selfCpuSeconds();
            }
            target = openSubscribedCount();
            startRound();
            touchAnsweredNs = 0;
            touchOk = true;
            const int trigger = firstOpenSubscribed();
            if (trigger < 0)
                return false;
            roundTrigger = trigger;
            const int64_t sent = nowNs();
            if (u == o.warmup)
                tStart = sent;
            pool.sendText(trigger, actionMessage("touch", touchData, "t" + std::to_string(u)));
            const bool done = runUntil([&] { return roundCount >= target && touchAnsweredNs != 0; },
                                       sent + 30 * int64_t(1000000000));
            if (!done) {
                std::printf("update %d: only %d of %d clients got it within 30 s (touch %s)\n", u, roundCount, target,
                            touchAnsweredNs ? "answered" : "not answered");
                return false;
            }
            if (!touchOk) {
                std::printf("update %d: the touch action failed\n", u);
                return false;
            }
            if (u < o.warmup)
                continue;
            tEnd = roundLastNs;
            delivered += roundCount;
            ++measured;
            updateBytes = roundMessageBytes;
            fromSend.push_back(double(roundLastNs - sent) / 1e6);
            firstFromSend.push_back(double(roundFirstNs - sent) / 1e6);
            othersFromSend.push_back(double((roundLastOtherNs ? roundLastOtherNs : roundLastNs) - sent) / 1e6);
            triggerLast += roundLastClient == roundTrigger;
            fromAnswer.push_back(double(roundLastNs - touchAnsweredNs) / 1e6);
            if (roundDateUs > 0)
                fromDate.push_back(double(roundLastWallUs - roundDateUs) / 1e3);
        }
        const double cpuNs = cpuSince(snap0);
        const double cpu1 = serverCpu();
        const double self1 = selfCpuSeconds();
        const double secs2 = double(tEnd - tStart) / 1e9;
        std::printf("fan-out: %d updates (after %d warm-up) to %d subscribed clients, update message %zu bytes\n",
                    measured, o.warmup, target, updateBytes);
        std::printf("fan-out: time to the LAST client, ms: from the update's envelope date: median %.2f max %.2f | "
                    "from the touch answer: median %.2f max %.2f | from sending the touch: median %.2f max %.2f\n",
                    pct(fromDate, 0.5), pct(fromDate, 1.0), pct(fromAnswer, 0.5), pct(fromAnswer, 1.0),
                    pct(fromSend, 0.5), pct(fromSend, 1.0));
        std::printf("fan-out: time to the FIRST client from sending the touch, ms: median %.2f; to the last client other "
                    "than the one that sent the touch: median %.2f max %.2f\n",
                    pct(firstFromSend, 0.5), pct(othersFromSend, 0.5), pct(othersFromSend, 1.0));
        std::printf("fan-out: the client that sent the touch (and got its answer just before the update) was the last "
                    "to get the update in %d of %d updates\n",
                    triggerLast, measured);
        std::printf("fan-out: %d messages delivered in %.3f s = %.0f delivered updates/s\n", delivered, secs2,
                    delivered / secs2);
        if (cpu0 >= 0 && cpu1 >= 0)
            std::printf("fan-out: server CPU %.4f s for %d delivered messages = %.2f us per delivered message "
                        "(threads' schedstat; utime+stime from /proc/PID/stat, 10 ms ticks: %.2f s = %.2f us); "
                        "includes the touch actions and logic's encoding\n",
                        cpuNs, delivered, cpuNs * 1e6 / delivered, cpu1 - cpu0, (cpu1 - cpu0) * 1e6 / delivered);
        std::printf("fan-out: load generator CPU %.2f us per delivered message\n", (self1 - self0) * 1e6 / delivered);
        if (extraData)
            std::printf("fan-out: %lld extra observable messages (more than one per client per update)\n", (long long)extraData);
        std::fflush(stdout);
        return true;
    }

    int firstOpenSubscribed() const
    {
        for (size_t i = 0; i < pool.size(); ++i)
            if (subscribed[i] && const_cast<WsClients &>(pool).isOpen(int(i)))
                return int(i);
        return -1;
    }

    // ---- actions ---------------------------------------------------------------------------

    void sendAction(int client, int64_t at)
    {
        const size_t seq = actionSentAt.size();
        actionSentAt.push_back(at);
        ++actionsInFlight;
        ++actionsSent;
        pool.sendText(client, actionMessage("noop", "null", "a" + std::to_string(seq)));
    }

    void resetActions()
    {
        actionSentAt.clear();
        actionLatUs.clear();
        actionsInFlight = 0;
        actionsAnswered = actionsAnsweredInWindow = actionErrors = actionsSent = 0;
    }

    std::vector<int> openClients() const
    {
        std::vector<int> out;
        for (size_t i = 0; i < pool.size(); ++i)
            if (const_cast<WsClients &>(pool).isOpen(int(i)))
                out.push_back(int(i));
        return out;
    }

    void onTimer()
    {
        if (!rateRunning)
            return;
        const int64_t now = nowNs();
        while (rateNext < rateTotal && rateStart + int64_t(double(rateNext) * 1e9 / o.rate) <= now) {
            const int64_t scheduled = rateStart + int64_t(double(rateNext) * 1e9 / o.rate);
            sendAction(rateClients[size_t(rateNext) % rateClients.size()], scheduled);
            ++rateNext;
        }
        if (rateNext < rateTotal)
            pool.armTimerAt(rateStart + int64_t(double(rateNext) * 1e9 / o.rate));
        else
            rateRunning = false;
    }

    bool actionsPhase()
    {
        const std::vector<int> clients = openClients();
        if (clients.empty())
            return false;

        // Closed loop: W actions in flight, each answer sends the next from the same client.
        resetActions();
        closedLoop = true;
        const double self0 = selfCpuSeconds();
        const CpuSnap cpu0 = cpuSnap();
        const int64_t t0 = nowNs();
        actionSendUntil = t0 + int64_t(o.actionSeconds * 1e9);
        actionWindowEnd = actionSendUntil;
        for (int k = 0; k < o.inFlight; ++k)
            sendAction(clients[size_t(k) % clients.size()], nowNs());
        runUntil([] { return false; }, actionSendUntil);
        const double serverUsed = cpuSince(cpu0);
        const double self1 = selfCpuSeconds();
        closedLoop = false;
        const bool drained = runUntil([&] { return actionsInFlight == 0; }, nowNs() + 30 * int64_t(1000000000));
        std::printf("actions: %lld noop actions answered in %.1f s with %d in flight over %zu clients = %.0f actions/s "
                    "end to end (client -> field -> logic -> answer); %lld errors%s\n",
                    (long long)actionsAnsweredInWindow, o.actionSeconds, o.inFlight, std::min<size_t>(clients.size(), size_t(o.inFlight)),
                    actionsAnsweredInWindow / o.actionSeconds, (long long)actionErrors,
                    drained ? "" : " -- some never answered");
        std::printf("actions: latency with %d in flight, ms: p50 %.2f  p99 %.2f  max %.2f\n", o.inFlight,
                    pct(actionLatUs, 0.5) / 1000, pct(actionLatUs, 0.99) / 1000, pct(actionLatUs, 1.0) / 1000);
        if (serverUsed >= 0)
            std::printf("actions: server CPU %.2f us per action (%.0f%% of a core); load generator CPU %.2f us per action\n",
                        serverUsed * 1e6 / std::max<int64_t>(1, actionsAnsweredInWindow), 100 * serverUsed / o.actionSeconds,
                        (self1 - self0) * 1e6 / std::max<int64_t>(1, actionsAnsweredInWindow));
        std::fflush(stdout);

        // Open loop at a fixed rate; latency from each action's scheduled time.
        resetActions();
        rateClients = clients;
        rateTotal = int64_t(o.rate * o.rateSeconds);
        rateNext = 0;
        rateStart = nowNs() + 1000000;
        rateRunning = true;
        pool.armTimerAt(rateStart);
        actionWindowEnd = INT64_MAX;
        const bool done = runUntil([&] { return !rateRunning && actionsInFlight == 0; },
                                   rateStart + int64_t(o.rateSeconds * 1e9) + 30 * int64_t(1000000000));
        pool.armTimerAt(0);
        rateRunning = false;
        const double took = double(nowNs() - rateStart) / 1e9;
        std::printf("actions at a fixed rate of %.0f/s for %.1f s (%lld sent, %lld answered in %.2f s, %lld errors%s): "
                    "latency from the scheduled send time, ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
                    o.rate, o.rateSeconds, (long long)actionsSent, (long long)actionsAnswered, took, (long long)actionErrors,
                    done ? "" : ", TIMED OUT", pct(actionLatUs, 0.5) / 1000, pct(actionLatUs, 0.9) / 1000,
                    pct(actionLatUs, 0.99) / 1000, pct(actionLatUs, 1.0) / 1000);
        std::fflush(stdout);
        return true;
    }

    // ---- state -----------------------------------------------------------------------------

    Options o;
    WsClients pool;
    std::string runTag;
    std::vector<std::string> uuids;
    std::vector<uint8_t> hello, subscribed;
    std::vector<int64_t> connectStart, attemptStart;
    std::vector<int> attempts;
    std::vector<uint32_t> dataSeen;
    std::string subscribeFilt, actionFilt;

    int helloCount = 0, timedOut = 0, inProgress = 0, refused503 = 0, failed = 0, retried = 0, givenUp = 0, closedAfterOpen = 0;
    std::vector<double> connectLatencyUs;
    std::priority_queue<std::pair<int64_t, int>, std::vector<std::pair<int64_t, int>>, std::greater<>> retries;
    int64_t nextHeartbeat = 0;
    int64_t heartbeatTick = 0;
    int64_t messagesIn = 0, otherMessages = 0, dataMessages = 0, dataErrors = 0, extraData = 0, answerErrors = 0;
    long rssBefore = -1, rssConnected = -1, rssSubscribed = -1;

    uint32_t round = 0;
    int roundCount = 0;
    int64_t roundFirstNs = 0, roundLastNs = 0, roundLastOtherNs = 0, roundDateUs = -1, roundLastWallUs = 0;
    int roundTrigger = -1, roundLastClient = -1;
    size_t roundMessageBytes = 0;
    std::string firstDataMessage;
    int64_t touchAnsweredNs = 0;
    bool touchOk = true;

    int64_t actionSerial = 0;
    std::vector<int64_t> actionSentAt;
    std::vector<double> actionLatUs;
    int64_t actionsInFlight = 0, actionsAnswered = 0, actionsAnsweredInWindow = 0, actionErrors = 0, actionsSent = 0;
    bool closedLoop = false;
    int64_t actionSendUntil = 0, actionWindowEnd = 0;
    bool rateRunning = false;
    std::vector<int> rateClients;
    int64_t rateTotal = 0, rateNext = 0, rateStart = 0;
};

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_NO_GLIB", "1");      // if PEEK_EVENT_DISPATCHER=qt keeps Qt's: its UNIX one
    const char *dispatcher = peek::installEventDispatcher(); // epoll: an iteration's cost does not grow with idle sockets
    QCoreApplication app(argc, argv);
    const long fdLimit = raiseFdLimit();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Load generator for a Peek field service (Vortex protocol)."));
    parser.addHelpOption();
    auto opt = [&](const char *name, const char *help, const char *value, const char *def) {
        QCommandLineOption o(QString::fromLatin1(name), QString::fromLatin1(help), QString::fromLatin1(value),
                             QString::fromLatin1(def));
        parser.addOption(o);
        return o;
    };
    const auto urlO = opt("url", "Field service URL (loopback only).", "url", "ws://127.0.0.1:8000");
    const auto clientsO = opt("clients", "Device connections N.", "N", "100");
    const auto modeO = opt("mode", "connect | fanout | actions | all (or a comma list).", "mode", "all");
    const auto pluginO = opt("plugin", "Plugin of the observable and processor.", "name", "bench");
    const auto observableO = opt("observable", "Observable name.", "name", "bench");
    const auto tupleO = opt("tuple", "Tuple name of the selector.", "name", "bench.Item");
    const auto selectorO = opt("selector", "The selector's conditions as Vortex JSON.", "json", "{}");
    const auto processorO = opt("processor", "Action processor name.", "name", "bench");
    const auto updatesO = opt("updates", "Measured updates U (fanout).", "U", "20");
    const auto warmupO = opt("warmup", "Warm-up updates before measuring.", "n", "2");
    const auto inFlightO = opt("in-flight", "Actions in flight W (closed loop).", "W", "100");
    const auto actionSecondsO = opt("action-seconds", "Length of the closed-loop action run.", "s", "5");
    const auto rateO = opt("rate", "Fixed action rate per second (open loop).", "r", "1000");
    const auto rateSecondsO = opt("rate-seconds", "Length of the fixed-rate run.", "s", "5");
    const auto idleO = opt("idle-seconds", "Measure server CPU while idle this long after subscribing (0: skip).", "s", "2");
    const auto pidO = opt("server-pid", "Server process id(s), comma-separated, for CPU and RSS.", "pid", "");
    const auto concO = opt("connect-concurrency", "Connections being opened at once.", "n", "1000");
    const auto retriesO = opt("max-retries", "Retries per connection after a refusal or failure.", "n", "3");
    const auto retryMsO = opt("retry-ms", "Wait before a retry (default: Retry-After, else 1 s).", "ms", "-1");
    const auto timeoutO = opt("timeout", "Time limit of the connect and subscribe phases, seconds.", "s", "60");
    QCommandLineOption quickAckO(QStringLiteral("quickack"),
                                 QStringLiteral("Clients ACK every receive at once (TCP_QUICKACK): shows latency "
                                                "caused by the server's Nagle algorithm."));
    parser.addOption(quickAckO);
    parser.process(app);

    Options o;
    o.quickAck = parser.isSet(quickAckO);
    o.url = parser.value(urlO).toStdString();
    o.clients = std::max(1, parser.value(clientsO).toInt());
    const QString mode = parser.value(modeO);
    for (const QString &m : mode.split(u',')) {
        if (m == QLatin1String("all"))
            o.doFanout = o.doActions = true;
        else if (m == QLatin1String("fanout"))
            o.doFanout = true;
        else if (m == QLatin1String("actions"))
            o.doActions = true;
        else if (m != QLatin1String("connect")) {
            std::fprintf(stderr, "loadgen: unknown mode %s\n", qPrintable(m));
            return 2;
        }
    }
    o.plugin = parser.value(pluginO).toStdString();
    o.observable = parser.value(observableO).toStdString();
    o.tupleName = parser.value(tupleO).toStdString();
    o.selectorJson = parser.value(selectorO).toStdString();
    o.processor = parser.value(processorO).toStdString();
    o.updates = std::clamp(parser.value(updatesO).toInt(), 1, 100000);
    o.warmup = std::clamp(parser.value(warmupO).toInt(), 0, 1000);
    o.inFlight = std::clamp(parser.value(inFlightO).toInt(), 1, 1000000);
    o.actionSeconds = std::clamp(parser.value(actionSecondsO).toDouble(), 0.1, 600.0);
    o.rate = std::clamp(parser.value(rateO).toDouble(), 1.0, 1e6);
    o.rateSeconds = std::clamp(parser.value(rateSecondsO).toDouble(), 0.1, 600.0);
    o.idleSeconds = std::clamp(parser.value(idleO).toDouble(), 0.0, 600.0);
    for (const QString &p : parser.value(pidO).split(u',', Qt::SkipEmptyParts))
        o.serverPids.push_back(p.toLong());
    o.connectConcurrency = std::max(1, parser.value(concO).toInt());
    o.maxRetries = std::max(0, parser.value(retriesO).toInt());
    o.retryMs = parser.value(retryMsO).toInt();
    o.timeoutSeconds = std::clamp(parser.value(timeoutO).toDouble(), 1.0, 3600.0);

    WsUrl url;
    std::string error;
    if (!url.parse(o.url, &error)) {
        std::fprintf(stderr, "loadgen: %s\n", error.c_str());
        return 2;
    }
    if (fdLimit > 0 && o.clients + 64 > fdLimit) {
        std::fprintf(stderr, "loadgen: %d clients need more file descriptors than the limit %ld\n", o.clients, fdLimit);
        return 2;
    }
    std::printf("command: %s\n", qPrintable(QCoreApplication::arguments().join(u' ')));
    std::printf("event dispatcher: %s\n", dispatcher);
    LoadGen gen(o, url);
    gen.fdLimit = fdLimit;
    return gen.run();
}
