// Actions over real WebSockets on loopback: device -> field proxy -> logic processor and back,
// the durable offline queue, the failed list, and applying each action once.
#include "pgrequired.h"
#include "action/tupleactionprocessor.h"
#include "action/tupleactionpushofflinequeue.h"
#include "action/tupleactions.h"
#include "storage/database.h"
#include "storage/sql.h"
#include "tuple/tupleregistry.h"
#include "vortex/payloadresponse.h"

#include "quickvortex.h"
#include "testports.h"

#include <QPromise>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace peek;

namespace {

const QString kPlugin = QStringLiteral("test_action");
const QString kProcessor = QStringLiteral("test_action");

std::shared_ptr<TupleGenericAction> genericAction(qint64 n, const QString &key = QStringLiteral("count"))
{
    auto a = std::make_shared<TupleGenericAction>();
    a->key = key;
    a->data = Dict{{QStringLiteral("n"), n}};
    return a;
}

struct Logic
{
    Vortex vortex{QStringLiteral("peek-logic-service"), testing::quickReconnect()};
    std::unique_ptr<TupleActionProcessor> processor;
    QList<qint64> applied; // data.n of every action applied, in order
    bool refuse = false;
    explicit Logic(ProcessedActionStore *store = nullptr, quint16 port = 0)
    {
        processor = std::make_unique<TupleActionProcessor>(&vortex, kPlugin, kProcessor, store);
        processor->setDelegate(QStringLiteral("vortex.TupleGenericAction"),
                               TupleActionProcessor::SyncDelegate([this](const TuplePtr &a) {
                                   const qint64 n = a->field(QStringLiteral("data")).toDict().value(QStringLiteral("n")).toInt();
                                   if (refuse || n < 0)
                                       throw std::runtime_error("n must not be negative");
                                   applied.append(n);
                                   auto echo = genericAction(n * 10, QStringLiteral("result"));
                                   return std::vector<TuplePtr>{echo};
                               }));
        testing::listenOrDie(vortex, port);
    }
};

struct Field
{
    Vortex vortex{QStringLiteral("peek-field-service"), testing::quickReconnect()};
    TupleActionProcessorProxy proxy;
    Field(quint16 logicPort, quint16 port = 0, int timeoutMs = 30000)
        : proxy(&vortex, kPlugin, kProcessor, QStringLiteral("peek-logic-service"), timeoutMs)
    {
        testing::listenOrDie(vortex, port);
        vortex.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(logicPort)));
    }
    bool waitUp() { return QTest::qWaitFor([this] { return vortex.isConnectedTo(QStringLiteral("peek-logic-service")); }, 5000); }
};

quint16 deadPort()
{
    return testing::freePort(); // from this test's own block: nobody else listens there
}

template <typename T>
bool finished(const QFuture<T> &f)
{
    return QTest::qWaitFor([&] { return f.isFinished(); }, 10000);
}

// Sends `action` twice at once (in flight together), then again once answered; every answer must
// carry the result n = `resultN`.
void sendTwiceAtOnceThenAgain(Vortex &device, const TuplePtr &action, qint64 resultN)
{
    auto a = pushAction(&device, kPlugin, kProcessor, action, QStringLiteral("peek-logic-service"));
    auto b = pushAction(&device, kPlugin, kProcessor, action, QStringLiteral("peek-logic-service"));
    QVERIFY(finished(a) && finished(b));
    auto c = pushAction(&device, kPlugin, kProcessor, action, QStringLiteral("peek-logic-service"));
    QVERIFY(finished(c));
    for (auto *f : {&a, &b, &c})
        QCOMPARE(f->result().front()->field(QStringLiteral("data")).toDict().value(QStringLiteral("n")).toInt(), resultN);
}

} // namespace

// Logic, field, a device connected to field and the device's action queue (a file of its own).
struct OnlineQueue
{
    QTemporaryDir dir;
    Logic logic;
    Field field {logic.vortex.serverPort()};
    Vortex device {QStringLiteral("peek-field-app"), testing::quickReconnect()};
    TupleActionPushOfflineQueue queue {connectedDevice(), path(), {QStringLiteral("peek-field-service"), 5000, 50, 200}};

    QString path() const { return dir.filePath(QStringLiteral("queue.sqlite")); }
    Vortex *connectedDevice()
    {
        device.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(field.vortex.serverPort())));
        return &device;
    }
};

class TestAction : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void anActionRoundTripsThroughTheProxy()
    {
        Logic logic;
        Field field(logic.vortex.serverPort());
        QVERIFY(field.waitUp());
        Vortex device(QStringLiteral("peek-field-app"), testing::quickReconnect());
        QSignalSpy up(&device, &Vortex::peerConnected);
        device.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(field.vortex.serverPort())));
        QVERIFY(up.wait(5000));

        auto ok = pushAction(&device, kPlugin, kProcessor, genericAction(4));
        QVERIFY(finished(ok));
        QCOMPARE(ok.result().size(), size_t(1));
        QCOMPARE(ok.result().front()->field(QStringLiteral("data")).toDict().value(QStringLiteral("n")).toInt(), 40);
        QCOMPARE(logic.applied, QList<qint64>{4});

        auto refused = pushAction(&device, kPlugin, kProcessor, genericAction(-1));
        QVERIFY(finished(refused));
        QVERIFY_THROWS_EXCEPTION(RemoteError, refused.result());

        auto unknown = pushAction(&device, kPlugin, kProcessor, std::make_shared<TupleUpdateAction>());
        QVERIFY(finished(unknown));
        try {
            unknown.result();
            QFAIL("expected an error");
        } catch (const RemoteError &e) {
            QVERIFY(e.message().contains(QStringLiteral("no delegate for vortex.TupleUpdateAction")));
        }
    }

    void theDefaultDelegateTakesOtherTypes()
    {
        Logic logic;
        int byDefault = 0;
        logic.processor->setDefaultDelegate(TupleActionProcessor::SyncDelegate([&](const TuplePtr &) {
            ++byDefault;
            return std::vector<TuplePtr>{};
        }));
        Vortex device(QStringLiteral("peek-field-service"));
        device.connectLocal(&logic.vortex);
        auto f = pushAction(&device, kPlugin, kProcessor, std::make_shared<TupleUpdateAction>(), QStringLiteral("peek-logic-service"));
        QVERIFY(finished(f));
        QVERIFY(f.result().empty());
        QCOMPARE(byDefault, 1);
    }

    void aCancelledDelegateIsAnsweredAndTheActionCanBeSentAgain()
    {
        Logic logic;
        bool cancel = true;
        logic.processor->setDelegate(QStringLiteral("vortex.TupleGenericAction"),
                                     TupleActionProcessor::Delegate([&](const TuplePtr &) {
                                         if (cancel) {
                                             auto promise = std::make_shared<QPromise<std::vector<TuplePtr>>>();
                                             promise->start();
                                             auto f = promise->future();
                                             // Dies unfinished a moment later: the future is cancelled.
                                             QMetaObject::invokeMethod(&logic.vortex, [promise]() mutable { promise.reset(); },
                                                                       Qt::QueuedConnection);
                                             return f;
                                         }
                                         QPromise<std::vector<TuplePtr>> done;
                                         done.start();
                                         done.addResult(std::vector<TuplePtr>{});
                                         done.finish();
                                         return done.future();
                                     }));
        Vortex device(QStringLiteral("peek-field-service"));
        device.connectLocal(&logic.vortex);
        auto action = genericAction(3);
        action::stamp(*action);
        auto first = pushAction(&device, kPlugin, kProcessor, action, QStringLiteral("peek-logic-service"), 5000);
        QVERIFY(finished(first));
        try {
            first.result();
            QFAIL("expected an error");
        } catch (const RemoteError &e) {
            QVERIFY(e.message().contains(QStringLiteral("cancelled")));
        }
        cancel = false;
        auto again = pushAction(&device, kPlugin, kProcessor, action, QStringLiteral("peek-logic-service"), 5000);
        QVERIFY(finished(again));
        QVERIFY(again.result().empty());
    }

    void anOnlinePushFailsAtOnceWhenOffline()
    {
        Vortex device(QStringLiteral("peek-field-app"), testing::quickReconnect());
        auto f = pushAction(&device, kPlugin, kProcessor, genericAction(1));
        QVERIFY(f.isFinished());
        QVERIFY_THROWS_EXCEPTION(NotConnectedError, f.result());
    }

    void aDuplicateSendIsAnsweredButAppliedOnce()
    {
        QTemporaryDir dir;
        const QString storePath = dir.filePath(QStringLiteral("logic.sqlite"));
        auto db = Database::open(storePath);
        QVERIFY(db);
        auto store = std::make_unique<DatabaseProcessedActionStore>(db.value().get());
        QVERIFY2(store->isReady(), qPrintable(store->errorString()));
        auto logic = std::make_unique<Logic>(store.get());
        Vortex device(QStringLiteral("peek-field-service"));
        device.connectLocal(&logic->vortex);

        auto action = genericAction(7);
        action::stamp(*action);
        sendTwiceAtOnceThenAgain(device, action, 70);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(logic->applied, QList<qint64>{7});
        QCOMPARE(logic->processor->duplicateCount(), 2);

        // Logic restarts: it still remembers.
        logic.reset();
        store.reset();
        db.value().reset();
        auto reopened = Database::open(storePath);
        QVERIFY(reopened);
        store = std::make_unique<DatabaseProcessedActionStore>(reopened.value().get());
        logic = std::make_unique<Logic>(store.get());
        Vortex device2(QStringLiteral("peek-field-service"));
        device2.connectLocal(&logic->vortex);
        auto d = pushAction(&device2, kPlugin, kProcessor, action, QStringLiteral("peek-logic-service"));
        QVERIFY(finished(d));
        QCOMPARE(d.result().front()->field(QStringLiteral("data")).toDict().value(QStringLiteral("n")).toInt(), 70);
        QVERIFY(logic->applied.isEmpty());
    }

    void appliedOnceHoldsOnPostgreSql()
    {
        const QString url = qEnvironmentVariable("PEEK_TEST_PG_URL");
        PEEK_REQUIRE_POSTGRES(!url.isEmpty(), QStringLiteral("PEEK_TEST_PG_URL is not set"));
        auto db = Database::open(url);
        QVERIFY2(db, db ? "" : qPrintable(db.error().message()));
        DatabaseProcessedActionStore store(db.value().get());
        QVERIFY2(store.isReady(), qPrintable(store.errorString()));
        Logic logic(&store);
        Vortex device(QStringLiteral("peek-field-service"));
        device.connectLocal(&logic.vortex);
        auto action = genericAction(9);
        action::stamp(*action);
        for (int i = 0; i < 3; ++i) {
            auto f = pushAction(&device, kPlugin, kProcessor, action, QStringLiteral("peek-logic-service"));
            QVERIFY(finished(f));
            QCOMPARE(f.result().front()->field(QStringLiteral("data")).toDict().value(QStringLiteral("n")).toInt(), 90);
        }
        QCOMPARE(logic.applied, QList<qint64>{9});
    }

    // applyInTransaction: the action's change and its processed record commit together, so an
    // action is applied exactly once whatever happens between them (issue 12, item 4).
    void transactionalActionsAreAppliedOnce_data()
    {
        QTest::addColumn<QString>("url");
        QTest::newRow("sqlite") << QString();
        QTest::newRow("postgresql") << qEnvironmentVariable("PEEK_TEST_PG_URL");
    }

    void transactionalActionsAreAppliedOnce()
    {
        QFETCH(QString, url);
        if (QByteArray(QTest::currentDataTag()) == "postgresql")
            PEEK_REQUIRE_POSTGRES(!url.isEmpty(), QStringLiteral("PEEK_TEST_PG_URL is not set"));
        QTemporaryDir dir;
        auto db = Database::open(url.isEmpty() ? dir.filePath(QStringLiteral("logic.sqlite")) : url);
        QVERIFY2(db, db ? "" : qPrintable(db.error().message()));
        const QString schema = QStringLiteral("pl_txtest_%1").arg(QUuid::createUuid().toString(QUuid::Id128).left(8));
        QVERIFY(db.value()->ensureSchema(schema));
        QVERIFY(db.value()->runSync(QStringList {schema}, [&](QSqlDatabase &c) -> Result<void> {
            auto q = sql::exec(c, QStringLiteral("CREATE TABLE %1.counter (n BIGINT)").arg(schema));
            if (!q)
                return q.error();
            auto i = sql::exec(c, QStringLiteral("INSERT INTO %1.counter VALUES (0)").arg(schema));
            if (!i)
                return i.error();
            return {};
        }));
        const auto counter = [&] {
            return db.value()->runSync(QStringList {schema}, [&](QSqlDatabase &c) {
                return sql::scalar(c, QStringLiteral("SELECT n FROM %1.counter").arg(schema));
            }).value().toLongLong();
        };

        Vortex logic(QStringLiteral("peek-logic-service"));
        TupleActionProcessor processor(&logic, kPlugin, kProcessor,
                                       std::make_unique<DatabaseProcessedActionStore>(db.value().get(), schema));
        int notified = 0;
        processor.applyInTransaction<TupleGenericAction>(
            [schema](QSqlDatabase &c, const TupleGenericAction &a) -> Result<std::vector<TuplePtr>> {
                const qint64 n = a.data.toDict().value(QStringLiteral("n")).toInt();
                if (n == 1000) { // a failing statement: its text must not reach the sender
                    auto bad = sql::exec(c, QStringLiteral("UPDATE %1.no_such_table SET secret_column = 1").arg(schema));
                    if (!bad)
                        return bad.error();
                }
                auto q = sql::exec(c, QStringLiteral("UPDATE %1.counter SET n = n + ?").arg(schema), {n});
                if (!q)
                    return q.error();
                if (n < 0) // refused after a change: the change must not stay
                    return Error {QStringLiteral("n must not be negative")};
                return std::vector<TuplePtr> {genericAction(n * 10, QStringLiteral("result"))};
            },
            [&notified](const TupleGenericAction &) { ++notified; });
        Vortex device(QStringLiteral("peek-field-service"));
        device.connectLocal(&logic);

        auto action = genericAction(7);
        action::stamp(*action);
        sendTwiceAtOnceThenAgain(device, action, 70);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(counter(), 7);
        QCOMPARE(notified, 1);
        QCOMPARE(processor.appliedCount(), 1);

        // Refused: its change is rolled back, the error reaches the sender, nothing is remembered.
        auto bad = genericAction(-5);
        action::stamp(*bad);
        auto refused = pushAction(&device, kPlugin, kProcessor, bad, QStringLiteral("peek-logic-service"));
        QVERIFY(finished(refused));
        QVERIFY_THROWS_EXCEPTION(RemoteError, refused.result());
        QCOMPARE(counter(), 7);
        QCOMPARE(notified, 1);

        // A statement that fails: refused, and the answer says so without the SQL or the table.
        auto failing = genericAction(1000);
        action::stamp(*failing);
        auto broken = pushAction(&device, kPlugin, kProcessor, failing, QStringLiteral("peek-logic-service"));
        QVERIFY(finished(broken));
        try {
            broken.result();
            QFAIL("a failing statement was not refused");
        } catch (const RemoteError &e) {
            QVERIFY2(!e.message().contains(QStringLiteral("no_such_table")) && !e.message().contains(QStringLiteral("UPDATE")),
                     qPrintable(e.message()));
            QVERIFY2(e.message().contains(QStringLiteral("log")), qPrintable(e.message()));
        }
        QCOMPARE(counter(), 7);

        // Not of the declared type under its name: impossible through the codec, refused here too.
        // The record cannot be read (the table is gone): "try again", never applied.
        QVERIFY(db.value()->runSync(QStringList {schema}, [&](QSqlDatabase &c) -> Result<void> {
            auto q = sql::exec(c, QStringLiteral("DROP TABLE %1.peek_processed_actions").arg(schema));
            if (!q)
                return q.error();
            return {};
        }));
        auto later = genericAction(100);
        action::stamp(*later);
        auto unavailable = pushAction(&device, kPlugin, kProcessor, later, QStringLiteral("peek-logic-service"));
        QVERIFY(finished(unavailable));
        QVERIFY_THROWS_EXCEPTION(UnavailableError, unavailable.result());
        QCOMPARE(counter(), 7);
        if (!url.isEmpty())
            (void)db.value()->runSync([&](QSqlDatabase &c) {
                return sql::exec(c, QStringLiteral("DROP SCHEMA %1 CASCADE").arg(schema));
            });
    }

    // A delegate whose processed-action lookup fails answers "try again" instead of applying.
    void aFailedLookupAnswersTryAgain()
    {
        QTemporaryDir dir;
        auto db = Database::open(dir.filePath(QStringLiteral("logic.sqlite")));
        QVERIFY(db);
        DatabaseProcessedActionStore store(db.value().get());
        QVERIFY(store.isReady());
        QVERIFY(db.value()->runSync([](QSqlDatabase &c) -> Result<void> {
            auto q = sql::exec(c, QStringLiteral("DROP TABLE peek_processed_actions"));
            if (!q)
                return q.error();
            return {};
        }));
        Logic logic(&store);
        Vortex device(QStringLiteral("peek-field-service"));
        device.connectLocal(&logic.vortex);
        auto action = genericAction(3);
        action::stamp(*action);
        auto f = pushAction(&device, kPlugin, kProcessor, action, QStringLiteral("peek-logic-service"));
        QVERIFY(finished(f));
        QVERIFY_THROWS_EXCEPTION(UnavailableError, f.result());
        QVERIFY(logic.applied.isEmpty());
    }

    // The checked delegate: a tuple under the type's name that is not of the type is refused.
    void typedDelegatesRefuseOtherTuples()
    {
        Vortex logic(QStringLiteral("peek-logic-service"));
        TupleActionProcessor processor(&logic, kPlugin, kProcessor);
        QList<QString> keys;
        processor.setDelegate<TupleGenericAction>([&keys](const TupleGenericAction &a) {
            keys.append(a.key);
            QPromise<std::vector<TuplePtr>> p;
            p.start();
            p.addResult(std::vector<TuplePtr> {});
            p.finish();
            return p.future();
        });
        Vortex device(QStringLiteral("peek-field-service"));
        device.connectLocal(&logic);
        auto impostor = std::make_shared<GenericTuple>(QStringLiteral("vortex.TupleGenericAction"),
                                                       Dict {{QStringLiteral("key"), 5}, {QStringLiteral("uuid"), QStringLiteral("imp")}});
        auto f = pushAction(&device, kPlugin, kProcessor, impostor, QStringLiteral("peek-logic-service"));
        QVERIFY(finished(f));
        // The codec refuses it on decode (key must be a string); no delegate ran.
        QVERIFY_THROWS_EXCEPTION(RemoteError, f.result());
        QVERIFY(keys.isEmpty());
        auto good = genericAction(1, QStringLiteral("typed"));
        auto g = pushAction(&device, kPlugin, kProcessor, good, QStringLiteral("peek-logic-service"));
        QVERIFY(finished(g));
        QCOMPARE(keys, QList<QString> {QStringLiteral("typed")});
    }

    void theOfflineQueueDeliversInOrderWhenTheServerComesUp()
    {
        QTemporaryDir dir;
        const quint16 fieldPort = deadPort();
        Vortex device(QStringLiteral("peek-field-app"), testing::quickReconnect());
        device.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(fieldPort)));
        TupleActionPushOfflineQueue queue(&device, dir.filePath(QStringLiteral("queue.sqlite")),
                                          {QStringLiteral("peek-field-service"), 5000, 50, 200});
        QVERIFY(queue.isOpen());
        for (int i = 0; i < 5; ++i)
            QVERIFY(queue.push(kPlugin, kProcessor, genericAction(i)));
        QCOMPARE(queue.queuedCount(), 5);

        Logic logic;
        Field field(logic.vortex.serverPort(), fieldPort);
        QTRY_COMPARE_WITH_TIMEOUT(queue.queuedCount(), 0, 10000);
        QCOMPARE(logic.applied, (QList<qint64>{0, 1, 2, 3, 4}));
        QCOMPARE(queue.failedCount(), 0);
    }

    void anErrorAnswerLandsInTheFailedList()
    {
        OnlineQueue rig;
        QVERIFY(rig.field.waitUp());
        Logic &logic = rig.logic;
        TupleActionPushOfflineQueue &queue = rig.queue;
        QSignalSpy failed(&queue, &TupleActionPushOfflineQueue::actionFailed);
        logic.refuse = true;
        QVERIFY(queue.push(kPlugin, kProcessor, genericAction(1)));
        QVERIFY(queue.push(kPlugin, kProcessor, genericAction(2)));
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(queue.queuedCount(), 0, 10000);
        QCOMPARE(queue.failedCount(), 2);
        const auto list = queue.failedActions();
        QCOMPARE(list.size(), 2);
        QCOMPARE(list.first().error, QStringLiteral("n must not be negative"));
        QCOMPARE(list.first().processorName, kProcessor);
        QVERIFY(list.first().action);

        // The user retries one (now accepted) and discards the other.
        logic.refuse = false;
        QSignalSpy delivered(&queue, &TupleActionPushOfflineQueue::actionDelivered);
        QVERIFY(queue.retryFailed(list.first().id));
        QVERIFY(delivered.wait(10000));
        QCOMPARE(logic.applied, QList<qint64>{1});
        QVERIFY(queue.discardFailed(list.last().id));
        QCOMPARE(queue.failedCount(), 0);
        QCOMPARE(queue.queuedCount(), 0);
    }

    // The queue file refuses the DELETE after a delivery (a full disk, a broken file): the action
    // is sent again after a backoff, not in a tight loop, and logic answers the repeat from its
    // record without applying it twice.
    void aDeliveredActionThatCannotBeRemovedIsResentAfterABackoff()
    {
        OnlineQueue rig;
        QVERIFY(rig.field.waitUp());
        Logic &logic = rig.logic;
        TupleActionPushOfflineQueue &queue = rig.queue;
        const QString path = rig.path();
        QVERIFY(queue.isOpen());
        const QString tamper = QStringLiteral("tamper");
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), tamper);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY2(q.exec(QStringLiteral("CREATE TRIGGER refuse_delete BEFORE DELETE ON tupleActions "
                                           "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END")),
                     qPrintable(q.lastError().text()));
        }
        QSignalSpy delivered(&queue, &TupleActionPushOfflineQueue::actionDelivered);
        QSignalSpy deferred(&queue, &TupleActionPushOfflineQueue::deliveryDeferred);
        int deliveredAtFirstDeferral = -1;
        connect(&queue, &TupleActionPushOfflineQueue::deliveryDeferred, this, [&] {
            if (deliveredAtFirstDeferral < 0)
                deliveredAtFirstDeferral = int(delivered.size());
        });
        QVERIFY(queue.push(kPlugin, kProcessor, genericAction(7)));
        QTRY_VERIFY_WITH_TIMEOUT(deferred.size() >= 1, 10000);
        QCOMPARE(deliveredAtFirstDeferral, 1); // one delivery, then the backoff
        QVERIFY2(deferred.first().first().toString().contains(QStringLiteral("could not be removed")),
                 qPrintable(deferred.first().first().toString()));
        QVERIFY(deferred.first().at(1).toInt() > 0);
        QCOMPARE(queue.queuedCount(), 1);
        {
            QSqlDatabase db = QSqlDatabase::database(tamper);
            QSqlQuery q(db);
            QVERIFY2(q.exec(QStringLiteral("DROP TRIGGER refuse_delete")), qPrintable(q.lastError().text()));
        }
        QSqlDatabase::removeDatabase(tamper);
        QTRY_COMPARE_WITH_TIMEOUT(queue.queuedCount(), 0, 10000);
        QCOMPARE(logic.applied, QList<qint64>{7});
        QCOMPARE(queue.failedCount(), 0);
    }

    void whenLogicIsUnreachableTheActionStaysQueued()
    {
        QTemporaryDir dir;
        Vortex field(QStringLiteral("peek-field-service"), testing::quickReconnect());
        TupleActionProcessorProxy proxy(&field, kPlugin, kProcessor, QStringLiteral("peek-logic-service"), 200);
        QVERIFY(field.listen(QHostAddress::LocalHost, 0)); // and no logic at all
        Vortex device(QStringLiteral("peek-field-app"), testing::quickReconnect());
        device.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(field.serverPort())));
        QTRY_VERIFY_WITH_TIMEOUT(device.isConnectedTo(QStringLiteral("peek-field-service")), 5000);

        auto online = pushAction(&device, kPlugin, kProcessor, genericAction(1));
        QVERIFY(finished(online));
        QVERIFY_THROWS_EXCEPTION(UnavailableError, online.result());

        TupleActionPushOfflineQueue queue(&device, dir.filePath(QStringLiteral("queue.sqlite")),
                                          {QStringLiteral("peek-field-service"), 5000, 50, 200});
        QVERIFY(queue.push(kPlugin, kProcessor, genericAction(2)));
        QSignalSpy failed(&queue, &TupleActionPushOfflineQueue::actionFailed);
        QSignalSpy deferred(&queue, &TupleActionPushOfflineQueue::deliveryDeferred);
        // Several attempts go by; the action is never moved to the failed list.
        QTRY_VERIFY_WITH_TIMEOUT(deferred.size() >= 3, 10000);
        QVERIFY(deferred.last().first().toString().contains(QStringLiteral("peek-logic-service")));
        QCOMPARE(failed.size(), 0);
        QCOMPARE(queue.queuedCount(), 1);
        QCOMPARE(queue.failedCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestAction)
#include "tst_action.moc"
