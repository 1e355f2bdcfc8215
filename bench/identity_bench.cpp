// identity_bench: what identity (issue 14) costs, against real peek-server processes started by
// the bench (all roles in one process, SQLite, the tutorial plugin):
//   - login round trip (app -> field -> logic -> answer), p50/p99: an Argon2id check per login;
//   - presenting a remembered session on a new connection (device.online + user.resume until
//     user.status), p50/p99;
//   - the server's CPU per action at a fixed rate, with enrolment and login required (actions
//     stamped with the caller) and with devices.requireEnrolment off (no gate, no stamp).
//
//   build/bench/identity_bench [--logins 100] [--sessions 200] [--actions 5000] [--rate 1000]
#include "../tests/integration/serverprocess.h"
#include "../tests/integration/wirejson.h"
#include "../tests/unit/vortex/rawpeer.h"

#include "vortex/payload.h"
#include "vortex/payloadrouter.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace peek;

namespace {


Dict processor(const QString &plugin, const QString &name, const QString &messageId)
{
    return {{QStringLiteral("plugin"), Value(plugin)}, {QStringLiteral("key"), Value(QStringLiteral("tupleActionProcessorName"))},
            {QStringLiteral("name"), Value(name)}, {PayloadRouter::kMessageIdKey, Value(messageId)}};
}

bool hasKey(const PayloadEnvelope &e, const QString &key, const QString &value)
{
    const Value *v = e.filt.find(key);
    return v && v->type() == Value::Type::String && v->toString() == value;
}

// Runs the event loop until `done` (checked whenever the peer receives something) or the timeout.
// Not QTest::qWaitFor: it sleeps 10 ms between checks, which would be most of what is measured.
bool waitUntil(RawPeer &peer, const std::function<bool()> &done, int timeoutMs = 30000)
{
    if (done())
        return true;
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    QObject::connect(&peer, &RawPeer::received, &loop, [&] {
        if (done())
            loop.quit();
    });
    QObject::connect(&peer.socket, &QWebSocket::disconnected, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    loop.exec();
    return done();
}

// Waits for a message after `from` matching `match`; its index or -1.
int waitFor(RawPeer &peer, int from, const std::function<bool(const PayloadEnvelope &)> &match, int timeoutMs = 30000)
{
    int found = -1;
    waitUntil(peer, [&] {
        for (int i = from; i < peer.messages.size(); ++i)
            if (match(peer.envelope(i))) {
                found = i;
                return true;
            }
        return false;
    }, timeoutMs);
    return found;
}

// Opens a device connection to the field port and waits for the service's hello.
bool openDevice(RawPeer &peer, quint16 port)
{
    QUrl url(QStringLiteral("ws://127.0.0.1:%1/vortexws?vortexName=peek-field-app&vortexUuid=%2")
                 .arg(port)
                 .arg(QUuid::createUuid().toString(QUuid::WithoutBraces)));
    peer.socket.open(url);
    return waitUntil(peer, [&] { return !peer.messages.isEmpty(); });
}

struct Server
{
    QTemporaryDir home;
    testing::Ports ports;
    std::unique_ptr<testing::ServerProcess> process;

    bool start(bool enrolment)
    {
        if (!testing::writeConfig(home.path(), ports, {QStringLiteral("logic"), QStringLiteral("field")},
                                  {QStringLiteral("peek_plugin_tutorial")}, testing::devicesMustEnrol(enrolment)))
            return false;
        process = std::make_unique<testing::ServerProcess>(home.path());
        return process->start();
    }
    bool admin(const QStringList &args, const QByteArray &input = {})
    {
        return testing::runAdmin(home.path(), args, input).code == 0;
    }
    // User + system CPU of the server process so far, in microseconds.
    qint64 cpuMicros() const
    {
        QFile stat(QStringLiteral("/proc/%1/stat").arg(process->process().processId()));
        if (!stat.open(QIODevice::ReadOnly))
            return -1;
        const QList<QByteArray> fields = stat.readAll().split(' ');
        const long ticks = sysconf(_SC_CLK_TCK);
        return (fields.value(13).toLongLong() + fields.value(14).toLongLong()) * 1000000 / ticks;
    }
};

struct Device
{
    QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    QString token = QUuid::createUuid().toString(QUuid::Id128) + QUuid::createUuid().toString(QUuid::Id128);
    std::unique_ptr<RawPeer> peer;
    int sent = 0;

    void online()
    {
        peer->send(PayloadEnvelope({{QStringLiteral("plugin"), Value(QStringLiteral("peek_core_device"))},
                                    {QStringLiteral("key"), Value(QStringLiteral("device.online"))}},
                                   testing::payloadData(testing::tupleJson(QStringLiteral("peek_core_device.DeviceOnlineTuple"),
                                                   {{QStringLiteral("deviceId"), id}, {QStringLiteral("deviceToken"), token}}))));
    }
    int request(const Dict &filt, const QByteArray &data)
    {
        const int before = peer->messages.size();
        const QString id = filt.find(PayloadRouter::kMessageIdKey)->toString();
        peer->send(PayloadEnvelope(filt, data));
        return waitFor(*peer, before, [&](const PayloadEnvelope &e) { return hasKey(e, PayloadRouter::kMessageIdKey, id); });
    }
    int login(const QString &user, const QString &password)
    {
        return request(processor(QStringLiteral("peek_core_user"), QStringLiteral("peekPluginUser"), QStringLiteral("l%1").arg(++sent)),
                       testing::payloadData(testing::tupleJson(QStringLiteral("peek_core_user.UserLoginAction"),
                                       {{QStringLiteral("userName"), user}, {QStringLiteral("password"), password},
                                        {QStringLiteral("isFieldService"), true}})));
    }
};

struct Percentiles
{
    double p50 = 0, p99 = 0, mean = 0;
};

Percentiles percentiles(std::vector<double> ms)
{
    Percentiles p;
    if (ms.empty())
        return p;
    std::sort(ms.begin(), ms.end());
    p.p50 = ms[ms.size() / 2];
    p.p99 = ms[std::min(ms.size() - 1, size_t(double(ms.size()) * 0.99))];
    for (double v : ms)
        p.mean += v;
    p.mean /= double(ms.size());
    return p;
}

// Sends `count` tutorial actions at `rate` per second, spread over `peers` (each connection may
// send 500 messages/s, the per-connection budget), and waits for every answer; the server's CPU
// microseconds per action, or -1.
double actionCost(Server &server, const std::vector<RawPeer *> &peers, int count, int rate)
{
    const qint64 cpuBefore = server.cpuMicros();
    std::vector<int> before;
    for (RawPeer *p : peers)
        before.push_back(int(p->messages.size()));
    int sent = 0;
    QElapsedTimer clock;
    clock.start();
    QTimer pacer;
    pacer.setInterval(1);
    QObject::connect(&pacer, &QTimer::timeout, [&] {
        const qint64 due = std::min<qint64>(count, clock.elapsed() * rate / 1000 + 1);
        for (; sent < due; ++sent) {
            const QString uuid = QUuid::createUuid().toString(QUuid::WithoutBraces);
            peers[size_t(sent) % peers.size()]->send(PayloadEnvelope(
                processor(QStringLiteral("peek_plugin_tutorial"), QStringLiteral("peek_plugin_tutorial"), QStringLiteral("a%1").arg(sent)),
                testing::payloadData(testing::tupleJson(QStringLiteral("peek_plugin_tutorial.AddIntValueActionTuple"),
                                {{QStringLiteral("stringIntId"), 1}, {QStringLiteral("offset"), 1}, {QStringLiteral("uuid"), uuid}}))));
        }
        if (sent >= count)
            pacer.stop();
    });
    pacer.start();
    auto answered = [&](int *failed) {
        int answers = 0;
        for (size_t k = 0; k < peers.size(); ++k)
            for (int i = before[k]; i < peers[k]->messages.size(); ++i) {
                const PayloadEnvelope e = peers[k]->envelope(i);
                if (e.filt.find(PayloadRouter::kMessageIdKey)) {
                    ++answers;
                    if (failed && !e.isSuccess())
                        ++*failed;
                }
            }
        return answers;
    };
    const bool all = QTest::qWaitFor([&] { return sent >= count && answered(nullptr) >= count; }, 600000);
    const qint64 cpuAfter = server.cpuMicros();
    if (!all)
        return -1;
    int failed = 0;
    answered(&failed);
    if (failed)
        std::fprintf(stderr, "identity_bench: %d action(s) failed\n", failed);
    return double(cpuAfter - cpuBefore) / count;
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    int logins = 100, sessions = 200, actions = 5000, rate = 1000;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        const int value = args[i + 1].toInt();
        if (args[i] == QLatin1String("--logins")) logins = value;
        else if (args[i] == QLatin1String("--sessions")) sessions = value;
        else if (args[i] == QLatin1String("--actions")) actions = value;
        else if (args[i] == QLatin1String("--rate")) rate = value;
    }
    const QString password = QStringLiteral("correct horse battery");

    Server secure;
    if (!secure.start(true)) {
        std::fprintf(stderr, "identity_bench: peek-server did not start\n");
        return 1;
    }
    if (!secure.admin({QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("bench")}, password.toUtf8() + "\n"))
        return 1;
    Device device;
    device.peer = std::make_unique<RawPeer>();
    if (!openDevice(*device.peer, secure.ports.field))
        return 1;
    device.request(processor(QStringLiteral("peek_core_device"), QStringLiteral("peek_core_device"), QStringLiteral("enrol")),
                   testing::payloadData(testing::tupleJson(QStringLiteral("peek_core_device.EnrolDeviceAction"),
                                   {{QStringLiteral("description"), QStringLiteral("bench device")},
                                    {QStringLiteral("deviceId"), device.id}, {QStringLiteral("deviceType"), QStringLiteral("field")},
                                    {QStringLiteral("deviceToken"), device.token}})));
    if (!secure.admin({QStringLiteral("devices"), QStringLiteral("approve"), QStringLiteral("bench device")}))
        return 1;
    device.online();

    std::vector<double> loginMs;
    QString userToken;
    for (int i = 0; i < logins; ++i) {
        QElapsedTimer t;
        t.start();
        const int at = device.login(QStringLiteral("bench"), password);
        loginMs.push_back(double(t.nsecsElapsed()) / 1e6);
        if (at < 0 || !device.peer->envelope(at).isSuccess()) {
            std::fprintf(stderr, "identity_bench: login %d failed: %s\n", i,
                         at < 0 ? "no answer" : qPrintable(device.peer->envelope(at).errorText()));
            return 1;
        }
        auto p = device.peer->envelope(at).decodePayload();
        userToken = p.value().tuples.front()->field(QStringLiteral("userToken")).toString();
    }
    const Percentiles login = percentiles(loginMs);
    std::printf("login round trip (app -> field -> logic -> answer, Argon2id check), %d logins: p50 %.1f ms, p99 %.1f ms, mean %.1f ms\n",
                logins, login.p50, login.p99, login.mean);

    std::vector<double> sessionMs;
    for (int i = 0; i < sessions; ++i) {
        Device again;
        again.id = device.id;
        again.token = device.token;
        again.peer = std::make_unique<RawPeer>();
        QElapsedTimer t;
        t.start();
        if (!openDevice(*again.peer, secure.ports.field))
            return 1;
        again.online();
        again.peer->send(PayloadEnvelope({{QStringLiteral("plugin"), Value(QStringLiteral("peek_core_user"))},
                                          {QStringLiteral("key"), Value(QStringLiteral("user.resume"))}},
                                         testing::payloadData(testing::tupleJson(QStringLiteral("peek_core_user.UserResumeTuple"),
                                                         {{QStringLiteral("userToken"), userToken}}))));
        if (waitFor(*again.peer, 0, [](const PayloadEnvelope &e) { return hasKey(e, QStringLiteral("key"), QStringLiteral("user.status")); }) < 0)
            return 1;
        sessionMs.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    const Percentiles session = percentiles(sessionMs);
    std::printf("new connection presenting device and session (connect, device.online, user.resume -> user.status), %d: "
                "p50 %.1f ms, p99 %.1f ms\n",
                sessions, session.p50, session.p99);

    // Four connections of the device, each presenting the device and the session.
    std::vector<std::unique_ptr<Device>> senders;
    std::vector<RawPeer *> securePeers;
    for (int i = 0; i < 4; ++i) {
        auto d = std::make_unique<Device>();
        d->id = device.id;
        d->token = device.token;
        d->peer = std::make_unique<RawPeer>();
        if (!openDevice(*d->peer, secure.ports.field))
            return 1;
        d->online();
        d->peer->send(PayloadEnvelope({{QStringLiteral("plugin"), Value(QStringLiteral("peek_core_user"))},
                                       {QStringLiteral("key"), Value(QStringLiteral("user.resume"))}},
                                      testing::payloadData(testing::tupleJson(QStringLiteral("peek_core_user.UserResumeTuple"),
                                                      {{QStringLiteral("userToken"), userToken}}))));
        if (waitFor(*d->peer, 0, [](const PayloadEnvelope &e) { return hasKey(e, QStringLiteral("key"), QStringLiteral("user.status")); }) < 0)
            return 1;
        securePeers.push_back(d->peer.get());
        senders.push_back(std::move(d));
    }
    const double withIdentity = actionCost(secure, securePeers, actions, rate);
    secure.process->terminate();

    Server open;
    if (!open.start(false))
        return 1;
    std::vector<std::unique_ptr<RawPeer>> anonymous;
    std::vector<RawPeer *> openPeers;
    for (int i = 0; i < 4; ++i) {
        anonymous.push_back(std::make_unique<RawPeer>());
        if (!openDevice(*anonymous.back(), open.ports.field))
            return 1;
        openPeers.push_back(anonymous.back().get());
    }
    const double without = actionCost(open, openPeers, actions, rate);
    std::printf("server CPU per action at %d actions/s (%d actions): %.1f us with enrolment and login required "
                "(gated, stamped with the caller), %.1f us without (devices.requireEnrolment off); identity adds %.1f us\n",
                rate, actions, withIdentity, without, withIdentity - without);
    open.process->terminate();
    return 0;
}
