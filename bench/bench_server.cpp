// bench_server: the services the load generator (bench/loadgen) talks to.
//
//   bench_server [--role all|logic|field] [--link ws|local] [--logic-port 8011] [--field-port 8000]
//                [--logic-url ws://127.0.0.1:8011] [--tuples 100] [--accept-rate R] [--accept-burst B]
//
// logic: a vortex "peek-logic-service" on --logic-port with
//   - TupleDataObservableHandler (plugin "bench", observable "bench") and a provider for tuple
//     type "bench.Item" {id:int, name:str, value:float} serving --tuples K tuples (any selector);
//   - TupleActionProcessor (plugin "bench", processor "bench") whose vortex.TupleGenericAction
//     delegate applies key "touch" (changes every tuple's value, then notifyOfTupleUpdate for the
//     selector named in data.selector / data.tupleName, default bench.Item with an empty selector)
//     and key "noop" (answers with no tuples).
// field: a vortex "peek-field-service" on --field-port with TupleDataObservableProxyHandler and
//   TupleActionProcessorProxy for the same plugin and names, dialling logic at --logic-url.
// all: both in this process; with --link ws (the default) field dials logic over a real loopback
//   WebSocket, with --link local they are joined by Vortex::connectLocal (no socket).
//
// The connection-storm throttle of both vortexes is raised (default 1,000,000 connections/s,
// burst 1,000,000) because the load generator opens connections as fast as it can on purpose.
// Listens on 127.0.0.1 only. Prints "ready" lines with the ports and the pid, then serves until
// SIGINT/SIGTERM.
#include "base/eventdispatcher.h"
#include "base/role.h"
#include "service/serviceconfig.h"
#include "action/tupleactionprocessor.h"
#include "action/tupleactions.h"
#include "observable/tupledataobservablehandler.h"
#include "observable/observablefilt.h"
#include "observable/tupledataobservableproxyhandler.h"
#include "tuple/tupleregistry.h"
#include "service/stopsignals.h"
#include "wsclients.h" // raiseFdLimit()
#include "vortex/httproutes.h"
#include "vortex/vortex.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLoggingCategory>
#include <QMutex>
#include <QSocketNotifier>
#include <QThread>

#include <csignal>
#include <cstdio>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace peek;

namespace {

struct BenchItem : TypedTuple<BenchItem>
{
    PEEK_TUPLE(BenchItem, "bench.Item", id, name, value)
    qint64 id = 0;
    QString name;
    double value = 0;
};
PEEK_REGISTER_TUPLE(BenchItem)

const QString kPlugin = QStringLiteral("bench");
const QString kObservable = QStringLiteral("bench");
const QString kProcessor = QStringLiteral("bench");
const QString kTupleName = QStringLiteral("bench.Item");

// The data logic serves. Touches build a new immutable tuple list on the event loop; providers
// (worker threads) take a copy of the list under the mutex.
struct Store
{
    QMutex mutex;
    std::vector<TuplePtr> tuples;
    qint64 version = 0;

    explicit Store(int count) { rebuild(count); }

    void rebuild(int count)
    {
        std::vector<TuplePtr> fresh;
        fresh.reserve(size_t(count));
        for (int i = 0; i < count; ++i) {
            auto t = std::make_shared<BenchItem>();
            t->id = i;
            t->name = QStringLiteral("item-%1").arg(i);
            t->value = i * 0.5 + double(version);
            fresh.push_back(std::move(t));
        }
        QMutexLocker lock(&mutex);
        tuples = std::move(fresh);
    }
    void touch()
    {
        int count;
        {
            QMutexLocker lock(&mutex);
            ++version;
            count = int(tuples.size());
        }
        rebuild(count);
    }
    ProvidedTuples load()
    {
        QMutexLocker lock(&mutex);
        return ProvidedTuples{tuples, {}};
    }
};

// The logic side: observable handler with its provider, and the action processor.
struct Logic
{
    Vortex vortex;
    Store store;
    TupleDataObservableHandler handler;
    TupleActionProcessor processor;
    qint64 touches = 0;
    qint64 noops = 0;

    Logic(const VortexOptions &options, int tupleCount)
        : vortex(Role(Role::Logic).vortexName(), options), store(tupleCount),
          handler(&vortex, kPlugin, kObservable), processor(&vortex, kPlugin, kProcessor)
    {
        handler.addTupleProvider(kTupleName, [this](const Dict &, const TupleSelector &) { return store.load(); });
        processor.setDelegate(
            QStringLiteral("vortex.TupleGenericAction"), TupleActionProcessor::SyncDelegate([this](const TuplePtr &a) {
                const auto *action = static_cast<const TupleGenericAction *>(a.get());
                if (action->key == QLatin1String("noop")) {
                    ++noops;
                    return std::vector<TuplePtr>{};
                }
                if (action->key == QLatin1String("touch")) {
                    ++touches;
                    const Dict data = action->data.toDict();
                    const QString name = data.value(QStringLiteral("tupleName")).toString();
                    const TupleSelector selector(name.isEmpty() ? kTupleName : name,
                                                 data.value(QStringLiteral("selector")).toDict());
                    store.touch();
                    handler.notifyOfTupleUpdate(selector);
                    return std::vector<TuplePtr>{};
                }
                throw std::runtime_error("bench: unknown action key (use \"touch\" or \"noop\")");
            }));
    }
};

struct Field
{
    Vortex vortex;
    TupleDataObservableProxyHandler proxy;
    TupleActionProcessorProxy actionProxy;

    explicit Field(const VortexOptions &options)
        : vortex(Role(Role::Field).vortexName(), options), proxy(&vortex, kPlugin, kObservable),
          actionProxy(&vortex, kPlugin, kProcessor)
    {
    }
};

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_NO_GLIB", "1");      // if PEEK_EVENT_DISPATCHER=qt keeps Qt's: its UNIX one
    const char *dispatcher = peek::installEventDispatcher(); // epoll: an iteration's cost does not grow with idle sockets
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("peek.*.info=false\npeek.*.debug=false"));
    const long fdLimit = bench::raiseFdLimit();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Logic and field services for bench/loadgen."));
    parser.addHelpOption();
    QCommandLineOption roleOpt(QStringLiteral("role"), QStringLiteral("all | logic | field (default all)."),
                               QStringLiteral("role"), QStringLiteral("all"));
    QCommandLineOption linkOpt(QStringLiteral("link"),
                               QStringLiteral("With --role all: ws (loopback WebSocket, default) or local (connectLocal)."),
                               QStringLiteral("ws|local"), QStringLiteral("ws"));
    QCommandLineOption logicPortOpt(QStringLiteral("logic-port"), QStringLiteral("Logic port (default 8011)."),
                                    QStringLiteral("port"), QStringLiteral("8011"));
    QCommandLineOption fieldPortOpt(QStringLiteral("field-port"), QStringLiteral("Field port (default 8000)."),
                                    QStringLiteral("port"), QStringLiteral("8000"));
    QCommandLineOption logicUrlOpt(QStringLiteral("logic-url"),
                                   QStringLiteral("Where field dials logic (default ws://127.0.0.1:<logic-port>)."),
                                   QStringLiteral("url"));
    QCommandLineOption tuplesOpt(QStringLiteral("tuples"), QStringLiteral("bench.Item tuples served (default 100)."),
                                 QStringLiteral("K"), QStringLiteral("100"));
    QCommandLineOption rateOpt(QStringLiteral("accept-rate"),
                               QStringLiteral("Connection-storm throttle: new connections/s (default 1000000; protocol default 200)."),
                               QStringLiteral("R"), QStringLiteral("1000000"));
    QCommandLineOption burstOpt(QStringLiteral("accept-burst"),
                                QStringLiteral("Connection-storm throttle: burst (default 1000000; protocol default 500)."),
                                QStringLiteral("B"), QStringLiteral("1000000"));
    QCommandLineOption noBudgetsOpt(QStringLiteral("no-budgets"),
                                    QStringLiteral("Field: no per-peer budgets (by default those of peek-server's field "
                                                   "port, with the per-address connection limits raised like the "
                                                   "storm throttle: every load-generator client has the same address)."));
    QCommandLineOption ioOpt(QStringLiteral("io-threads"),
                             QStringLiteral("I/O threads serving each vortex's accepted connections (VortexOptions::ioThreads): "
                                            "-1 one per core (default, as peek-server), 0 none."),
                             QStringLiteral("N"), QStringLiteral("-1"));
    QCommandLineOption logicThreadOpt(QStringLiteral("logic-thread"),
                                      QStringLiteral("With --role all: logic runs on a thread of its own, field on the main "
                                                     "thread (with --link local: as peek-server runs them, "
                                                     "network.serviceThreads)."));
    parser.addOptions({roleOpt, linkOpt, logicPortOpt, fieldPortOpt, logicUrlOpt, tuplesOpt, rateOpt, burstOpt, noBudgetsOpt,
                       ioOpt, logicThreadOpt});
    parser.process(app);

    const QString role = parser.value(roleOpt);
    const QString link = parser.value(linkOpt);
    if (role != QLatin1String("all") && role != QLatin1String("logic") && role != QLatin1String("field")) {
        std::fprintf(stderr, "bench_server: --role must be all, logic or field\n");
        return 2;
    }
    if (link != QLatin1String("ws") && link != QLatin1String("local")) {
        std::fprintf(stderr, "bench_server: --link must be ws or local\n");
        return 2;
    }
    const quint16 logicPort = quint16(parser.value(logicPortOpt).toUInt());
    const quint16 fieldPort = quint16(parser.value(fieldPortOpt).toUInt());
    const int tupleCount = parser.value(tuplesOpt).toInt();

    VortexOptions options;
    options.acceptRatePerSecond = parser.value(rateOpt).toDouble();
    options.acceptBurst = parser.value(burstOpt).toInt();
    options.reconnectMinMs = 500; // field <- logic reconnects quickly when started apart
    options.reconnectMaxMs = 2000;
    options.ioThreads = std::max(VortexOptions::kIoThreadsPerCore, parser.value(ioOpt).toInt());
    const bool logicThread = parser.isSet(logicThreadOpt);
    if (logicThread && role != QLatin1String("all")) {
        std::fprintf(stderr, "bench_server: --logic-thread needs --role all\n");
        return 2;
    }

    peek::installStopSignalHandler(&app, [](int) { QCoreApplication::exit(0); });
    std::printf("command: %s\n", qPrintable(QCoreApplication::arguments().join(u' ')));
    std::printf("event dispatcher: %s\n", dispatcher);
    const bool raised = options.acceptRatePerSecond > VortexOptions().acceptRatePerSecond
        || options.acceptBurst > VortexOptions().acceptBurst;
    std::printf("connection-storm throttle %s: %.0f new connections/s, burst %d (protocol defaults %.0f/s, burst %d)\n",
                raised ? "RAISED for benchmarking" : "NOT raised", options.acceptRatePerSecond, options.acceptBurst,
                VortexOptions().acceptRatePerSecond, VortexOptions().acceptBurst);
    std::printf("fd limit: %ld\n", fdLimit);
    std::printf("I/O threads per vortex: %d (-1: one per core, %d here); logic on %s\n", options.ioThreads,
                QThread::idealThreadCount(), logicThread ? "a thread of its own" : "the main thread");

    std::unique_ptr<Logic> logic;
    std::unique_ptr<Field> field;
    // --logic-thread: logic's objects are made, serve and go on their thread.
    QThread logicLoop;
    QObject logicContext;
    const auto onLogicThread = [&](auto &&call) {
        if (logicThread)
            QMetaObject::invokeMethod(&logicContext, call, Qt::BlockingQueuedConnection);
        else
            call();
    };
    if (logicThread) {
        logicLoop.setObjectName(QStringLiteral("logic"));
        peek::useEventDispatcherOn(&logicLoop);
        logicLoop.start();
        logicContext.moveToThread(&logicLoop);
    }
    if (role != QLatin1String("field")) {
        const bool listenLogic = role == QLatin1String("logic") || link == QLatin1String("ws");
        QString failed;
        onLogicThread([&] {
            logic = std::make_unique<Logic>(options, tupleCount);
            if (listenLogic)
                if (auto listening = logic->vortex.listen(QHostAddress::LocalHost, logicPort); !listening)
                    failed = listening.error().message();
        });
        if (!failed.isEmpty()) {
            std::fprintf(stderr, "%s\n", qPrintable(failed));
            return 1;
        }
        // The size of one update message, encoded as the handler will encode it.
        const ProvidedTuples provided = logic->store.load();
        const Payload payload(observable::requestFilt(kPlugin, kObservable, TupleSelector(kTupleName), true),
                              provided.tuples);
        const PayloadEnvelope envelope = PayloadEnvelope::fromPayload(payload);
        std::printf("logic: %d bench.Item tuples; one update message is %lld bytes (encoded payload %lld, "
                    "JSON %lld)\n",
                    tupleCount, (long long)envelope.toVortexMsg().size(), (long long)envelope.data.size(),
                    (long long)payload.toJson().size());
        if (listenLogic)
            std::printf("ready logic port %u pid %lld\n", unsigned(logic->vortex.serverPort()),
                        (long long)QCoreApplication::applicationPid());
        else
            std::printf("ready logic (in-process, linked with connectLocal) pid %lld\n",
                        (long long)QCoreApplication::applicationPid());
    }
    if (role != QLatin1String("logic")) {
        VortexOptions fieldOptions = options;
        if (!parser.isSet(noBudgetsOpt)) {
            fieldOptions.budgets = ServiceConfig::devicePortOptions().budgets;
            fieldOptions.budgets.maxConnectionsPerAddress = 1000000;
            fieldOptions.budgets.acceptRatePerAddress = options.acceptRatePerSecond;
            fieldOptions.budgets.acceptBurstPerAddress = options.acceptBurst;
        }
        std::printf("field: per-peer budgets %s\n", parser.isSet(noBudgetsOpt) ? "off" : "of a device port (per-address connections raised)");
        field = std::make_unique<Field>(fieldOptions);
        if (auto listening = field->vortex.listen(QHostAddress::LocalHost, fieldPort); !listening) {
            std::fprintf(stderr, "%s\n", qPrintable(listening.error().message()));
            return 1;
        }
        // GET /metrics as peek-server serves it (the page of base/metrics.h), so a scraper's cost
        // can be measured under load (bench/README.md "metrics cost").
        static HttpRoutes routes;
        routes.add(QStringLiteral("/metrics"), [](const HttpRequest &) {
            HttpResponse response;
            response.contentType = "text/plain; version=0.0.4; charset=utf-8";
            response.body = metrics::Registry::instance().exposition();
            return response;
        });
        routes.serve(&field->vortex);
        metrics::Registry::instance().addCollector(metrics::collectProcess);
        QString how;
        if (logic && link == QLatin1String("local")) {
            field->vortex.connectLocal(&logic->vortex);
            how = QStringLiteral("in-process link (Vortex::connectLocal)");
        } else {
            const QUrl url(parser.isSet(logicUrlOpt) ? parser.value(logicUrlOpt)
                                                     : QStringLiteral("ws://127.0.0.1:%1").arg(logic ? logic->vortex.serverPort() : logicPort));
            field->vortex.connectTo(url);
            how = QStringLiteral("loopback WebSocket to %1").arg(url.toString());
        }
        std::printf("ready field port %u pid %lld (logic via %s)\n", unsigned(field->vortex.serverPort()),
                    (long long)QCoreApplication::applicationPid(), qPrintable(how));
    }
    std::fflush(stdout);
    const int rc = app.exec();
    if (field)
        std::printf("field: %d device subscriptions, %lld upstream subscribe requests\n",
                    field->proxy.subscriberCount(), (long long)field->proxy.upstreamRequestsSent());
    field.reset();
    onLogicThread([&] {
        if (logic)
            std::printf("logic: %lld touch and %lld noop actions applied, %lld provider calls\n",
                        (long long)logic->touches, (long long)logic->noops, (long long)logic->handler.providerCalls());
        logic.reset();
        if (logicThread)
            logicContext.moveToThread(QCoreApplication::instance()->thread());
    });
    if (logicThread) {
        logicLoop.quit();
        logicLoop.wait();
    }
    std::fflush(stdout);
    return rc;
}
