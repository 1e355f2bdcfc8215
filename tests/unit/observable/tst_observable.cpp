// Observables over real WebSockets on loopback: logic (handler) <- field proxy <- many devices.
#include "base/metrics.h"
#include "testports.h"
#include "rawpeer.h"

#include "observable/tupledataobservablehandler.h"
#include "observable/tupledataobservableproxyhandler.h"
#include "observable/tupledataobserverclient.h"
#include "observable/observablefilt.h"
#include "observable/tupleofflinecache.h"
#include "tuple/tupleregistry.h"
#include "vortex/payloadresponse.h"

#include "quickvortex.h"

#include <QMutex>
#include <QTcpServer>
#include <QTemporaryDir>

using namespace peek;

namespace {

const QString kPlugin = QStringLiteral("test_obs");
const QString kObservable = QStringLiteral("test_obs");

struct Item : TypedTuple<Item>
{
    PEEK_TUPLE(Item, "test_obs.Item", id, value)
    qint64 id = 0;
    QString value;
};
PEEK_REGISTER_TUPLE(Item)

// The data logic serves; providers read it on worker threads.
struct Store
{
    QMutex mutex;
    QStringList values{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
    ProvidedTuples load()
    {
        QMutexLocker lock(&mutex);
        ProvidedTuples out;
        for (int i = 0; i < values.size(); ++i) {
            auto t = std::make_shared<Item>();
            t->id = i;
            t->value = values[i];
            out.tuples.push_back(t);
        }
        return out;
    }
    void set(int i, const QString &v)
    {
        QMutexLocker lock(&mutex);
        values[i] = v;
    }
};

struct Logic
{
    Vortex vortex{QStringLiteral("peek-logic-service"), testing::quickReconnect()};
    TupleDataObservableHandler handler{&vortex, kPlugin, kObservable};
    Logic(Store &store, quint16 port = 0)
    {
        handler.addTupleProvider(QStringLiteral("test_obs.Item"),
                                 [&store](const Dict &, const TupleSelector &) { return store.load(); });
        testing::listenOrDie(vortex, port);
    }
};

struct Field
{
    Vortex vortex{QStringLiteral("peek-field-service"), testing::quickReconnect()};
    TupleDataObservableProxyHandler proxy;
    Field(quint16 logicPort, int unsubscribeAfterMs = 120000, quint16 port = 0)
        : proxy(&vortex, kPlugin, kObservable, {QStringLiteral("peek-logic-service"), unsubscribeAfterMs})
    {
        testing::listenOrDie(vortex, port);
        vortex.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(logicPort)));
    }
};

struct Device
{
    Vortex vortex{QStringLiteral("peek-field-app"), testing::quickReconnect()};
    std::unique_ptr<TupleOfflineCache> cache;
    std::unique_ptr<TupleDataObserverClient> client;
    Device(quint16 fieldPort, const QString &cachePath = {})
    {
        if (!cachePath.isEmpty())
            cache = std::make_unique<TupleOfflineCache>(cachePath);
        client = std::make_unique<TupleDataObserverClient>(
            &vortex, kPlugin, kObservable,
            TupleDataObserverClient::Options{QStringLiteral("peek-field-service"), cache.get()});
        vortex.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(fieldPort)));
    }
    bool waitConnected() { return QTest::qWaitFor([this] { return vortex.isConnectedTo(QStringLiteral("peek-field-service")); }, 5000); }
};

QStringList valuesOf(const TupleSubscription *s)
{
    QStringList out;
    for (const auto &t : s->tuples())
        out << t->field(QStringLiteral("value")).toString();
    return out;
}

const TupleSelector kAll(QStringLiteral("test_obs.Item"));

// What GET /metrics says of a vortex's subscriptions to the test observable (-1: no such line).
double subscriptionsGauge(const QString &vortexName)
{
    const QString page = QString::fromUtf8(metrics::Registry::instance().exposition());
    for (const QString &line : page.split(u'\n')) {
        if (line.startsWith(QLatin1String("peek_observable_subscriptions{"))
            && line.contains(QStringLiteral("vortex=\"%1\"").arg(vortexName)))
            return line.section(u' ', -1).toDouble();
    }
    return -1;
}

} // namespace

class TestObservable : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneUpstreamSubscriptionServesManyDevicesAndUpdatesReachAll()
    {
        Store store;
        Logic logic(store);
        Field field(logic.vortex.serverPort());
        QVERIFY(QTest::qWaitFor([&] { return field.vortex.isConnectedTo(QStringLiteral("peek-logic-service")); }, 5000));

        constexpr int kDevices = 20;
        std::vector<std::unique_ptr<Device>> devices;
        std::vector<TupleSubscription *> subs;
        for (int i = 0; i < kDevices; ++i) {
            devices.push_back(std::make_unique<Device>(field.vortex.serverPort()));
            QVERIFY(devices.back()->waitConnected());
            subs.push_back(devices.back()->client->subscribe(kAll, devices.back()->client.get()));
        }
        QVERIFY(QTest::qWaitFor([&] {
            return std::all_of(subs.begin(), subs.end(), [](auto *s) { return s->hasData(); });
        }, 5000));
        for (auto *s : subs)
            QCOMPARE(valuesOf(s), (QStringList{"a", "b", "c"}));
        QCOMPARE(field.proxy.upstreamSubscriptionCount(), 1);
        QCOMPARE(field.proxy.subscriberCount(), kDevices);
        QCOMPARE(logic.handler.observerCount(), 1); // the proxy, once, for all devices
        QCOMPARE(field.proxy.upstreamRequestsSent(), 1);
        // GET /metrics counts them as they come and go.
        QCOMPARE(subscriptionsGauge(QStringLiteral("peek-field-service")), double(kDevices));
        QCOMPARE(subscriptionsGauge(QStringLiteral("peek-logic-service")), 1.0);

        store.set(1, QStringLiteral("B!"));
        logic.handler.notifyOfTupleUpdate(kAll);
        QVERIFY(QTest::qWaitFor([&] {
            return std::all_of(subs.begin(), subs.end(), [](auto *s) { return valuesOf(s).value(1) == QLatin1String("B!"); });
        }, 5000));

        // Refresh-all-for-a-tuple-name reaches them too.
        store.set(2, QStringLiteral("C!"));
        logic.handler.notifyOfTupleUpdateForTuple(QStringLiteral("test_obs.Item"));
        QVERIFY(QTest::qWaitFor([&] {
            return std::all_of(subs.begin(), subs.end(), [](auto *s) { return valuesOf(s).value(2) == QLatin1String("C!"); });
        }, 5000));

        // A device that goes away is dropped by the proxy.
        devices.pop_back();
        subs.pop_back();
        QTRY_COMPARE_WITH_TIMEOUT(field.proxy.subscriberCount(), kDevices - 1, 5000);
        QCOMPARE(subscriptionsGauge(QStringLiteral("peek-field-service")), double(kDevices - 1));
    }

    void aLateSubscriberIsAnsweredFromTheProxyCache()
    {
        Store store;
        Logic logic(store);
        Field field(logic.vortex.serverPort());
        Device first(field.vortex.serverPort());
        QVERIFY(first.waitConnected());
        auto *s1 = first.client->subscribe(kAll, first.client.get());
        QTRY_VERIFY_WITH_TIMEOUT(s1->hasData(), 5000);
        const qint64 providerCalls = logic.handler.providerCalls();
        const qint64 upstream = field.proxy.upstreamRequestsSent();

        Device late(field.vortex.serverPort());
        QVERIFY(late.waitConnected());
        auto *s2 = late.client->subscribe(kAll, late.client.get());
        QTRY_VERIFY_WITH_TIMEOUT(s2->hasData(), 5000);
        QCOMPARE(valuesOf(s2), (QStringList{"a", "b", "c"}));
        QCOMPARE(logic.handler.providerCalls(), providerCalls); // no upstream traffic for it
        QCOMPARE(field.proxy.upstreamRequestsSent(), upstream);
    }

    void aRestartedClientShowsItsCachedTuplesWithoutAServer()
    {
        QTemporaryDir dir;
        const QString cachePath = dir.filePath(QStringLiteral("cache.sqlite"));
        {
            Store store;
            Logic logic(store);
            Field field(logic.vortex.serverPort());
            Device device(field.vortex.serverPort(), cachePath);
            QVERIFY(device.waitConnected());
            auto *s = device.client->subscribe(kAll, device.client.get());
            QTRY_VERIFY_WITH_TIMEOUT(s->hasData() && !s->isFromCache(), 5000);
        } // server and client gone
        const quint16 nothingThere = testing::freePort(); // this test's block: nobody listens there
        Device restarted(nothingThere, cachePath);
        auto *s = restarted.client->subscribe(kAll, restarted.client.get());
        QVERIFY(s->hasData()); // at once, no connection needed
        QVERIFY(s->isFromCache());
        QCOMPARE(valuesOf(s), (QStringList{"a", "b", "c"}));
        QCOMPARE(restarted.cache->count(), 1);
    }

    void subscriptionsAreRestoredWhenLogicAndTheProxyComeBack()
    {
        Store store;
        auto logic = std::make_unique<Logic>(store);
        const quint16 logicPort = logic->vortex.serverPort();
        auto field = std::make_unique<Field>(logicPort);
        const quint16 fieldPort = field->vortex.serverPort();
        Device device(fieldPort);
        QVERIFY(device.waitConnected());
        auto *s = device.client->subscribe(kAll, device.client.get());
        QTRY_VERIFY_WITH_TIMEOUT(s->hasData(), 5000);

        // Logic restarts with changed data: the proxy re-subscribes, the device gets it.
        logic.reset();
        store.set(0, QStringLiteral("after logic restart"));
        logic = std::make_unique<Logic>(store, logicPort);
        QTRY_COMPARE_WITH_TIMEOUT(valuesOf(s).value(0), QStringLiteral("after logic restart"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(logic->handler.observerCount(), 1, 5000);

        // The proxy restarts: the device re-subscribes by itself.
        field.reset();
        store.set(0, QStringLiteral("after proxy restart"));
        field = std::make_unique<Field>(logicPort, 120000, fieldPort);
        QTRY_COMPARE_WITH_TIMEOUT(valuesOf(s).value(0), QStringLiteral("after proxy restart"), 10000);
        QCOMPARE(field->proxy.subscriberCount(), 1);
    }

    void theProxyUnsubscribesUpstreamWhenIdle()
    {
        Store store;
        Logic logic(store);
        Field field(logic.vortex.serverPort(), 100);
        Device device(field.vortex.serverPort());
        QVERIFY(device.waitConnected());
        auto *s = device.client->subscribe(kAll);
        QTRY_VERIFY_WITH_TIMEOUT(s->hasData(), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(logic.handler.observerCount(), 1, 5000);
        QCOMPARE(subscriptionsGauge(QStringLiteral("peek-field-service")), 1.0);
        delete s;
        QTRY_COMPARE_WITH_TIMEOUT(field.proxy.upstreamSubscriptionCount(), 0, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(logic.handler.observerCount(), 0, 5000);
        QCOMPARE(subscriptionsGauge(QStringLiteral("peek-field-service")), 0.0);
        QCOMPARE(subscriptionsGauge(QStringLiteral("peek-logic-service")), 0.0);
    }

    void staleUpdatesAreDropped()
    {
        // A stand-in for logic that sends whatever date we like.
        Vortex fieldVortex(QStringLiteral("peek-field-service"), testing::quickReconnect());
        TupleDataObservableProxyHandler proxy(&fieldVortex, kPlugin, kObservable);
        QVERIFY(fieldVortex.listen(QHostAddress::LocalHost, 0));
        RawPeer fakeLogic;
        QVERIFY(fakeLogic.open(fieldVortex.serverPort(), QStringLiteral("peek-logic-service")));
        Device device(fieldVortex.serverPort());
        QVERIFY(device.waitConnected());
        auto *s = device.client->subscribe(kAll, device.client.get());
        QVERIFY(fakeLogic.waitForMessage(2)); // hello, then the upstream subscription
        const Dict filt = fakeLogic.envelope(1).filt;
        QCOMPARE(filt.value(observable::kSubscribe).toBool(), true);

        auto update = [&](const QString &value, qint64 micros) {
            auto t = std::make_shared<Item>();
            t->value = value;
            Payload p(filt, {t});
            p.date = DateTime::fromUtcMicros(micros);
            fakeLogic.send(PayloadEnvelope::fromPayload(p));
        };
        update(QStringLiteral("new"), 2'000'000);
        QTRY_COMPARE_WITH_TIMEOUT(valuesOf(s), QStringList{QStringLiteral("new")}, 5000);
        update(QStringLiteral("old"), 1'000'000);
        update(QStringLiteral("newer"), 3'000'000);
        QTRY_COMPARE_WITH_TIMEOUT(valuesOf(s), QStringList{QStringLiteral("newer")}, 5000);
        QCOMPARE(proxy.updatesDropped(), 1);
    }

    void observersAreDroppedWhenTheirVortexGoesAway()
    {
        Store store;
        Logic logic(store);
        auto direct = std::make_unique<Vortex>(QStringLiteral("peek-field-service"), testing::quickReconnect());
        direct->connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(logic.vortex.serverPort())));
        TupleDataObserverClient client(direct.get(), kPlugin, kObservable, {QStringLiteral("peek-logic-service"), nullptr});
        QVERIFY(QTest::qWaitFor([&] { return direct->isConnectedTo(QStringLiteral("peek-logic-service")); }, 5000));
        auto *s = client.subscribe(kAll, &client);
        QTRY_VERIFY_WITH_TIMEOUT(s->hasData(), 5000);
        QCOMPARE(logic.handler.observerCount(), 1);
        direct->close();
        QTRY_COMPARE_WITH_TIMEOUT(logic.handler.observerCount(), 0, 5000);
    }

    void largeUpdatesReachEveryDeviceIntact()
    {
        // Over 64 KiB: the fan-out frame takes the 8-byte length form.
        Store store;
        store.values.clear();
        for (int i = 0; i < 20000; ++i)
            store.values << QStringLiteral("value %1 %2").arg(i).arg(QString::number(i * 7919, 36));
        Logic logic(store);
        Field field(logic.vortex.serverPort());
        std::vector<std::unique_ptr<Device>> devices;
        std::vector<TupleSubscription *> subs;
        for (int i = 0; i < 3; ++i) {
            devices.push_back(std::make_unique<Device>(field.vortex.serverPort()));
            QVERIFY(devices.back()->waitConnected());
            subs.push_back(devices.back()->client->subscribe(kAll, devices.back()->client.get()));
        }
        QVERIFY(QTest::qWaitFor([&] {
            return std::all_of(subs.begin(), subs.end(), [](auto *s) { return s->tuples().size() == 20000; });
        }, 10000));
        for (auto *s : subs)
            QCOMPARE(valuesOf(s).last(), store.values.last());
    }

    void aSlotMayDeleteSiblingSubscriptions()
    {
        Store store;
        Logic logic(store);
        Vortex app(QStringLiteral("peek-field-service"), testing::quickReconnect());
        app.connectLocal(&logic.vortex);
        TupleDataObserverClient client(&app, kPlugin, kObservable, {QStringLiteral("peek-logic-service"), nullptr});
        auto *a = client.subscribe(kAll);
        QPointer<TupleSubscription> b = client.subscribe(kAll);
        QPointer<TupleSubscription> c = client.subscribe(kAll);
        int seen = 0;
        connect(a, &TupleSubscription::tuplesChanged, this, [&] {
            ++seen;
            delete b;
            delete c;
        });
        QTRY_COMPARE_WITH_TIMEOUT(seen, 1, 5000);
        QVERIFY(!b && !c);
        delete a; // the last one: the entry goes
        QCOMPARE(client.subscribedSelectorCount(), 0);
    }

    void aPollMergedWithASubscriptionIsAnsweredWithItsOwnFilt()
    {
        Store store;
        Logic logic(store);
        Vortex app(QStringLiteral("peek-field-service"), testing::quickReconnect());
        app.connectLocal(&logic.vortex);
        // A subscription and two polls for the same selector, all before the provider answers.
        app.send(PayloadEnvelope(observable::requestFilt(kPlugin, kObservable, kAll, true)), logic.vortex.name());
        auto poll = [&] {
            return PayloadResponse::send(&app, PayloadEnvelope(observable::requestFilt(kPlugin, kObservable, kAll, false)),
                                         logic.vortex.name(), 5000);
        };
        auto p1 = poll();
        auto p2 = poll();
        QTRY_VERIFY_WITH_TIMEOUT(p1.isFinished() && p2.isFinished(), 10000);
        const Result<Payload> payload = p1.result().decodePayload();
        QVERIFY(payload);
        QCOMPARE(payload.value().tuples.size(), size_t(3));
        QVERIFY(p2.result().isSuccess());
    }

    void handlersMayBeChildrenOfTheirVortex()
    {
        Store store;
        auto *vortex = new Vortex(QStringLiteral("peek-logic-service"), testing::quickReconnect());
        new TupleDataObservableHandler(vortex, kPlugin, kObservable, vortex);
        new TupleDataObservableProxyHandler(vortex, kPlugin, kObservable, vortex);
        new TupleDataObserverClient(vortex, kPlugin, kObservable, {QStringLiteral("peek-field-service"), nullptr}, vortex);
        QPointer<Vortex> guard(vortex);
        delete vortex; // must not touch the vortex's router after it is gone
        QVERIFY(!guard);
    }

    void aProviderErrorReachesTheSubscriber()
    {
        Vortex logicVortex(QStringLiteral("peek-logic-service"), testing::quickReconnect());
        TupleDataObservableHandler handler(&logicVortex, kPlugin, kObservable);
        handler.addTupleProvider(QStringLiteral("test_obs.Item"), [](const Dict &, const TupleSelector &) -> ProvidedTuples {
            throw std::runtime_error("the database is on fire");
        });
        Vortex app(QStringLiteral("peek-field-service"), testing::quickReconnect());
        app.connectLocal(&logicVortex);
        TupleDataObserverClient client(&app, kPlugin, kObservable, {QStringLiteral("peek-logic-service"), nullptr});
        auto *s = client.subscribe(kAll, &client);
        QSignalSpy errors(s, &TupleSubscription::errorReceived);
        QVERIFY(errors.wait(5000));
        QVERIFY(s->lastError().contains(QStringLiteral("the database is on fire")));
        QVERIFY(!s->hasData());
    }
};

QTEST_GUILESS_MAIN(TestObservable)
#include "tst_observable.moc"
