// Exactly once across crashes, with real processes (issue 12, item 7): 20 devices push actions
// through a field service to logic while logic, or the field service, is killed with SIGKILL at
// random moments and started again. Every device's durable queue drains, no action is moved to
// the failed list, and each action is applied exactly once: each device adds 1 to its own
// tutorial row per action, so its row must end at the number of actions it pushed. Then 500
// devices reconnect at once to a restarted field service and all of them get in.
#include "pgdatabase.h"
#include "pgrequired.h"
#include "quickvortex.h"
#include "serverprocess.h"

#include "action/tupleactionpushofflinequeue.h"
#include "storage/database.h"
#include "storage/sql.h"
#include "tuple/tuple.h"

#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace peek;
using namespace testing;

namespace {

const QString kTutorial = QStringLiteral("peek_plugin_tutorial");
constexpr int kDevices = 20;
constexpr int kActionsPerDevice = 25;
constexpr int kFirstRow = 1000; // past the rows the tutorial's migration makes

// The tutorial's action as a device writes it (the test does not link the plugin).
TuplePtr addOne(qint64 rowId)
{
    return std::make_shared<GenericTuple>(
        QStringLiteral("peek_plugin_tutorial.AddIntValueActionTuple"),
        Dict {{QStringLiteral("stringIntId"), rowId},
              {QStringLiteral("offset"), qint64(1)},
              {QStringLiteral("uuid"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
              {QStringLiteral("dateTime"), DateTime::currentUtc()}});
}

struct Device
{
    std::unique_ptr<Vortex> vortex;
    std::unique_ptr<TupleActionPushOfflineQueue> queue;
    int delivered = 0;
    int failed = 0;
};

} // namespace

class TestCrash : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    // The logic home (tutorial only) and the field home dialling it; `storageUrl` empty: SQLite.
    void writeHomes(const QString &logicHome, const QString &fieldHome, const Ports &ports, const QString &storageUrl)
    {
        QJsonObject extra;
        if (!storageUrl.isEmpty())
            extra.insert(QStringLiteral("storage"), QJsonObject {{QStringLiteral("url"), storageUrl}});
        QVERIFY(QDir().mkpath(logicHome) && QDir().mkpath(fieldHome));
        QVERIFY(writeConfig(logicHome, ports, {QStringLiteral("logic")}, {kTutorial}, extra));
        QVERIFY(writeConfig(fieldHome, ports, {QStringLiteral("field")}, {kTutorial}));
    }

    // The tutorial's rows kFirstRow.. (one per device) at 0 (made once logic has migrated the schema).
    void makeRows(const QString &url)
    {
        auto db = Database::open(url);
        QVERIFY2(db, db ? "" : qPrintable(db.error().message()));
        QVERIFY(db.value()->ensureSchema(QStringLiteral("pl_tutorial")));
        const auto made = db.value()->runSync(QStringList {QStringLiteral("pl_tutorial")}, [](QSqlDatabase &c) -> Result<void> {
            for (int id = kFirstRow; id < kFirstRow + kDevices; ++id) {
                auto q = sql::exec(c, QStringLiteral("INSERT INTO pl_tutorial.\"StringInt\" (id, string1, int1) VALUES (?, ?, 0)"),
                                   {id, QStringLiteral("device %1").arg(id)});
                if (!q)
                    return q.error();
            }
            return {};
        });
        QVERIFY2(made, made ? "" : qPrintable(made.error().message()));
    }

    QList<qint64> rowValues(const QString &url)
    {
        QList<qint64> values;
        auto db = Database::open(url);
        if (!db)
            return values;
        (void)db.value()->ensureSchema(QStringLiteral("pl_tutorial"));
        const auto rows = db.value()->runSync(QStringList {QStringLiteral("pl_tutorial")}, [](QSqlDatabase &c) -> Result<QList<qint64>> {
            auto q = sql::exec(c, QStringLiteral("SELECT int1 FROM pl_tutorial.\"StringInt\" WHERE id >= ? ORDER BY id"), {kFirstRow});
            if (!q)
                return q.error();
            QList<qint64> out;
            while (q.value().next())
                out.append(q.value().value(0).toLongLong());
            return out;
        });
        return rows ? rows.value() : values;
    }

    // Pushes kActionsPerDevice actions from each of kDevices devices while `victim` is killed
    // and started again each time a random number of further actions has been confirmed.
    void pushWhileKilling(const QString &url, bool killLogic)
    {
        const QString logicHome = m_dir.filePath(QUuid::createUuid().toString(QUuid::Id128) + QStringLiteral("-logic"));
        const QString fieldHome = m_dir.filePath(QUuid::createUuid().toString(QUuid::Id128) + QStringLiteral("-field"));
        const Ports ports;
        writeHomes(logicHome, fieldHome, ports, url);
        const QString storage = url.isEmpty() ? logicHome + QStringLiteral("/peek.sqlite") : url;
        {
            ServerProcess first(logicHome);
            QVERIFY2(first.start(), first.errors().constData());
            first.terminate();
            QVERIFY(first.process().waitForFinished(20000));
        }
        makeRows(storage);
        if (QTest::currentTestFailed())
            return;

        ServerProcess logic(logicHome);
        QVERIFY2(logic.start(), logic.errors().constData());
        ServerProcess field(fieldHome);
        QVERIFY2(field.start(), field.errors().constData());

        std::vector<Device> devices(kDevices);
        for (int i = 0; i < kDevices; ++i) {
            Device &d = devices[size_t(i)];
            d.vortex = std::make_unique<Vortex>(QStringLiteral("peek-field-app"), quickReconnect());
            d.vortex->connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(ports.field)));
            d.queue = std::make_unique<TupleActionPushOfflineQueue>(
                d.vortex.get(), m_dir.filePath(QStringLiteral("device-%1-%2.sqlite").arg(i).arg(QUuid::createUuid().toString(QUuid::Id128))),
                TupleActionPushOfflineQueue::Options {QStringLiteral("peek-field-service"), 3000, 50, 500});
            QVERIFY(d.queue->isOpen());
            connect(d.queue.get(), &TupleActionPushOfflineQueue::actionDelivered, this, [&d] { ++d.delivered; });
            connect(d.queue.get(), &TupleActionPushOfflineQueue::actionFailed, this,
                    [&d](const QString &, const QString &error) {
                        ++d.failed;
                        qWarning() << "an action failed:" << error;
                    });
            for (int n = 0; n < kActionsPerDevice; ++n)
                QVERIFY(d.queue->push(kTutorial, kTutorial, addOne(kFirstRow + i)));
        }
        const auto delivered = [&devices] {
            int sum = 0;
            for (const Device &d : devices)
                sum += d.delivered;
            return sum;
        };
        const int total = kDevices * kActionsPerDevice;

        // Kill at random moments: after a random number of further confirmations each time.
        ServerProcess &victim = killLogic ? logic : field;
        int kills = 0;
        while (kills < 4) {
            const int target = std::min(total - 1, delivered() + 5 + int(QRandomGenerator::global()->bounded(60)));
            if (!QTest::qWaitFor([&] { return delivered() >= target; }, 60000))
                break;
            victim.kill();
            ++kills;
            QVERIFY2(victim.start(), victim.errors().constData());
            if (delivered() >= total - 5)
                break;
        }
        QVERIFY2(kills >= 1, "no kill happened while actions flowed");
        QVERIFY2(QTest::qWaitFor([&] { return delivered() == total; }, 120000),
                 qPrintable(QStringLiteral("%1 of %2 actions confirmed").arg(delivered()).arg(total)));
        int failed = 0;
        for (const Device &d : devices)
            failed += d.failed + d.queue->failedCount();
        QCOMPARE(failed, 0);

        field.terminate();
        logic.terminate();
        QVERIFY(logic.process().waitForFinished(20000));
        const QList<qint64> values = rowValues(storage);
        QCOMPARE(values.size(), kDevices);
        int duplicates = 0, lost = 0;
        for (qint64 v : values) {
            duplicates += int(std::max<qint64>(0, v - kActionsPerDevice));
            lost += int(std::max<qint64>(0, kActionsPerDevice - v));
        }
        qInfo().noquote() << QStringLiteral("%1 killed %2 times: %3 actions pushed, %4 confirmed, %5 applied twice, %6 lost")
                                 .arg(killLogic ? QStringLiteral("logic") : QStringLiteral("the field service"))
                                 .arg(kills)
                                 .arg(total)
                                 .arg(delivered())
                                 .arg(duplicates)
                                 .arg(lost);
        QCOMPARE(duplicates, 0);
        QCOMPARE(lost, 0);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void logicKilledWhileDevicesPush_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgresql") << QStringLiteral("postgresql");
    }

    void logicKilledWhileDevicesPush()
    {
        QFETCH(QString, backend);
        PgDatabase pg;
        if (backend == QLatin1String("postgresql"))
            PEEK_REQUIRE_POSTGRES(pg.available(), pg.error());
        pushWhileKilling(backend == QLatin1String("postgresql") ? pg.url() : QString(), true);
    }

    void fieldServiceKilledWhileDevicesPush()
    {
        pushWhileKilling(QString(), false);
    }

    // 500 devices lose their field service and all come back when it restarts: the ones the
    // per-address budget refuses at first (HTTP 503, Retry-After) dial again and get in.
    void fiveHundredDevicesReconnectAfterARestart()
    {
        const QString home = m_dir.filePath(QStringLiteral("reconnect"));
        const Ports ports;
        QVERIFY(QDir().mkpath(home));
        QVERIFY(writeConfig(home, ports, {QStringLiteral("logic"), QStringLiteral("field")}, {kTutorial}));
        ServerProcess server(home);
        QVERIFY2(server.start(), server.errors().constData());

        constexpr int kCount = 500;
        std::vector<std::unique_ptr<Vortex>> devices;
        int up = 0;
        for (int i = 0; i < kCount; ++i) {
            devices.push_back(std::make_unique<Vortex>(QStringLiteral("peek-field-app"), quickReconnect()));
            connect(devices.back().get(), &Vortex::peerConnected, this, [&up] { ++up; });
            connect(devices.back().get(), &Vortex::peerDisconnected, this, [&up] { --up; });
            devices.back()->connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(ports.field)));
        }
        QVERIFY2(QTest::qWaitFor([&] { return up == kCount; }, 60000), qPrintable(QString::number(up)));

        server.kill();
        QVERIFY(QTest::qWaitFor([&] { return up == 0; }, 30000));
        QVERIFY2(server.start(), server.errors().constData());
        QVERIFY2(QTest::qWaitFor([&] { return up == kCount; }, 90000),
                 qPrintable(QStringLiteral("%1 of %2 devices reconnected").arg(up).arg(kCount)));
    }
};

QTEST_GUILESS_MAIN(TestCrash)
#include "tst_crash.moc"
