// rpc_bench: sequential RPC round trips between two vortexes over loopback WebSockets.
//
//   build/bench/rpc_bench [--calls N] [--same-process]
//
// By default the callee runs in a child process (this program with --serve PORT), as the
// logic and agent services would; --same-process puts both vortexes in one event loop.
// Prints calls/s and the latency distribution of one call at a time.
#include "base/role.h"
#include "vortex/rpc.h"
#include "vortex/vortex.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QProcess>
#include <QSignalSpy>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace peek;

namespace {

const Rpc addInts(QStringLiteral("bench.addInts"),
                  {QStringLiteral("bench"), Role(Role::Logic).vortexName(), {}, 30000});

void listen(Vortex &logic)
{
    addInts.listen(&logic, [](const ValueList &args, const Dict &) {
        return Value(args.at(0).toInt() + args.at(1).toInt());
    });
}

struct Run
{
    Vortex *caller;
    int calls;
    int done = 0;
    std::vector<qint64> latenciesNs;
    QElapsedTimer total;
    QElapsedTimer one;

    void next()
    {
        if (done == calls) {
            QCoreApplication::exit(0);
            return;
        }
        one.start();
        addInts.call(caller, {done, 1}).then(caller, [this](const Value &v) {
            latenciesNs.push_back(one.nsecsElapsed());
            if (v.toInt() != done + 1) {
                std::fprintf(stderr, "wrong result %lld for call %d\n", (long long)v.toInt(), done);
                QCoreApplication::exit(1);
                return;
            }
            ++done;
            next();
        }).onFailed(caller, [](const VortexError &e) {
            std::fprintf(stderr, "call failed: %s\n", e.what());
            QCoreApplication::exit(1);
        });
    }
};

double percentile(std::vector<qint64> v, double p)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[size_t(p * double(v.size() - 1))] / 1000.0;
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("peek.*.info=false"));
    QCommandLineParser parser;
    parser.addHelpOption();
    QCommandLineOption callsOpt(QStringLiteral("calls"), QStringLiteral("Round trips to time."), QStringLiteral("n"), QStringLiteral("20000"));
    QCommandLineOption sameOpt(QStringLiteral("same-process"), QStringLiteral("Both vortexes in this process."));
    QCommandLineOption serveOpt(QStringLiteral("serve"), QStringLiteral("(internal) run the callee on this port."), QStringLiteral("port"));
    parser.addOptions({callsOpt, sameOpt, serveOpt});
    parser.process(app);

    if (parser.isSet(serveOpt)) {
        Vortex logic(Role(Role::Logic).vortexName());
        listen(logic);
        if (!logic.listen(QHostAddress::LocalHost, quint16(parser.value(serveOpt).toUInt())))
            return 1;
        std::printf("ready %u\n", unsigned(logic.serverPort()));
        std::fflush(stdout);
        return app.exec();
    }

    const int calls = parser.value(callsOpt).toInt();
    std::unique_ptr<Vortex> logic;
    QProcess child;
    quint16 port = 0;
    if (parser.isSet(sameOpt)) {
        logic = std::make_unique<Vortex>(Role(Role::Logic).vortexName());
        listen(*logic);
        if (auto listening = logic->listen(QHostAddress::LocalHost, 0); !listening)
            qFatal("rpc_bench: %s", qPrintable(listening.error().message()));
        port = logic->serverPort();
    } else {
        child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--serve"), QStringLiteral("0")});
        if (!child.waitForReadyRead(10000))
            return 1;
        port = quint16(child.readLine().split(' ').value(1).trimmed().toUInt());
    }

    Vortex agent(Role(Role::Agent).vortexName());
    QSignalSpy up(&agent, &Vortex::peerConnected);
    agent.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port)));
    if (!up.wait(10000)) {
        std::fprintf(stderr, "could not connect\n");
        return 1;
    }

    // Warm up, then time.
    Run warm{&agent, 500};
    QTimer::singleShot(0, [&] { warm.next(); });
    app.exec();
    Run run{&agent, calls};
    run.latenciesNs.reserve(size_t(calls));
    run.total.start();
    QTimer::singleShot(0, [&] { run.next(); });
    const int rc = app.exec();
    const double seconds = run.total.nsecsElapsed() / 1e9;

    std::printf("command: %s\n", qPrintable(QCoreApplication::arguments().join(u' ')));
    std::printf("mode: %s\n", parser.isSet(sameOpt) ? "same process" : "two processes");
    std::printf("sequential RPC round trips: %d in %.3f s = %.0f calls/s\n", run.done, seconds, run.done / seconds);
    std::printf("latency us: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n", percentile(run.latenciesNs, 0.5),
                percentile(run.latenciesNs, 0.9), percentile(run.latenciesNs, 0.99),
                percentile(run.latenciesNs, 1.0));
    if (child.state() != QProcess::NotRunning) {
        child.kill();
        child.waitForFinished(5000);
    }
    return rc;
}
