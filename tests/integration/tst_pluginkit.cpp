// The plugin kit (plugin/pluginkit.h) end to end: peek_test_kit, written only with the kit, runs
// on logic and field in this process (SQLite, then PostgreSQL); an app session sees its rows
// through the default field proxy, toggles one with an action and sees the change pushed; a bad
// action is refused with the kit's sentence. And PluginSql's row mapping, on its own.
#include "pgdatabase.h"
#include "pgrequired.h"
#include "quickvortex.h"
#include "session.h"

#include "observable/tupledataobserverclient.h"
#include "host/servicehost.h"
#include "peek/testing.h"
#include "plugin/pluginkit.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSemaphore>
#include <QSqlDatabase>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace peek;

namespace {

const QString kPlugin = QStringLiteral("peek_test_kit");
const QString kItem = QStringLiteral("peek_test_kit.ItemTuple");

struct Server {
    std::unique_ptr<ServiceHost> host;
    std::unique_ptr<app::Session> session;
};

void startServer(Server &server, const QString &home, const QString &appData, const QString &storageUrl = {},
                 bool serviceThreads = false)
{
    ServiceHostOptions o = ServiceHostOptions::forTests(home, {Role::Logic, Role::Field}, {kPlugin},
                                                        {QStringLiteral(PEEK_TEST_PLUGINS_DIR), QStringLiteral(PEEK_PLUGINS_DIR)});
    o.requireDeviceEnrolment = false;
    o.storageUrl = storageUrl;
    o.serviceThreads = serviceThreads;
    server.host = std::make_unique<ServiceHost>(o);
    const auto started = server.host->start();
    QVERIFY2(started, qPrintable(started.error().message()));
    const QJsonObject health = server.host->health();
    QVERIFY2(health.value(QStringLiteral("status")).toString() == QLatin1String("ok"), QJsonDocument(health).toJson().constData());

    app::Session::Options options;
    options.vortex = ::testing::quickReconnect();
    options.actionTimeoutMs = 10000;
    options.actionRetryMinMs = 50;
    options.actionRetryMaxMs = 200;
    server.session = std::make_unique<app::Session>(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.host->ports(Role::Field).value(0))),
                                                    QStringLiteral("field"), appData, options);
    QVERIFY2(server.session->isReady(), qPrintable(server.session->errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(server.session->connectionState(), QStringLiteral("online"), 10000);
}

// "1:first:0:, 2:second:1:kit, ..." from the rows a subscription holds.
QString rows(const TupleSubscription *items)
{
    QStringList out;
    for (const TuplePtr &t : items->tuples()) {
        out << QStringLiteral("%1:%2:%3:%4")
                   .arg(t->field(QStringLiteral("id")).toInt())
                   .arg(t->field(QStringLiteral("name")).toString())
                   .arg(t->field(QStringLiteral("done")).toBool() ? 1 : 0)
                   .arg(t->field(QStringLiteral("changedBy")).toString());
    }
    return out.join(QStringLiteral(", "));
}

Result<void> push(app::Session *session, const QString &action, Dict fields)
{
    return session->pushAction(kPlugin, kPlugin, std::make_shared<GenericTuple>(QStringLiteral("peek_test_kit.") + action, std::move(fields)));
}

void exerciseKit(app::Session *session)
{
    QObject owner;
    TupleSubscription *items = session->subscribe(kPlugin, kPlugin, TupleSelector(kItem, {}), &owner);
    QVERIFY(items);
    // The migration's two rows ({schema} resolved) and the one write() stored at start.
    QTRY_COMPARE_WITH_TIMEOUT(rows(items), QStringLiteral("1:first:0:, 2:second:0:, 3:written:0:"), 10000);

    // The action changes the row; onAction tells the observable, which pushes the new rows.
    auto pushed = push(session, QStringLiteral("ToggleItemAction"), {{QStringLiteral("itemId"), 2}});
    QVERIFY2(pushed, qPrintable(pushed.error().message()));
    QTRY_COMPARE_WITH_TIMEOUT(rows(items), QStringLiteral("1:first:0:, 2:second:1:kit, 3:written:0:"), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(session->queuedActions(), 0, 10000);

    // An action with only uuid and dateTime applies.
    pushed = push(session, QStringLiteral("PingAction"), {});
    QVERIFY2(pushed, qPrintable(pushed.error().message()));
    QTRY_COMPARE_WITH_TIMEOUT(session->queuedActions(), 0, 10000);
    QCOMPARE(session->failedActions(), 0);

    // A row that is not there: refused with changeOne's sentence, nothing changed.
    pushed = push(session, QStringLiteral("ToggleItemAction"), {{QStringLiteral("itemId"), 99}});
    QVERIFY2(pushed, qPrintable(pushed.error().message()));
    QTRY_COMPARE_WITH_TIMEOUT(session->failedActions(), 1, 10000);
    const auto failed = session->actionQueue()->failedActions();
    QVERIFY2(failed.front().error.contains(QStringLiteral("there is no item 99")), qPrintable(failed.front().error));
    QCOMPARE(session->discardFailedActions(), 1);
    QCOMPARE(rows(items), QStringLiteral("1:first:0:, 2:second:1:kit, 3:written:0:"));
}

} // namespace

class tst_PluginKit : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void kitPluginOnSqlite() { runKit(QStringLiteral("sqlite"), {}); }

    void kitPluginOnPostgres()
    {
        ::testing::PgDatabase db;
        PEEK_REQUIRE_POSTGRES(db.available(), db.error());
        runKit(QStringLiteral("pg"), db.url());
    }

    // As peek-server runs it: the field service on a thread of its own beside logic. The app's
    // reads, actions and pushed updates cross the in-process link between the two threads; a
    // field thread that does not answer shows in /health and starves the watchdog; everything
    // stops cleanly.
    void kitPluginWithServiceThreads()
    {
        Server server;
        startServer(server, m_dir.filePath(QStringLiteral("threads-server")), m_dir.filePath(QStringLiteral("threads-app")), {},
                    true);
        if (QTest::currentTestFailed())
            return;
        Vortex *field = server.host->vortex(Role::Field);
        QVERIFY(field->thread() != QThread::currentThread());
        QVERIFY(server.host->vortex(Role::Logic)->thread() == QThread::currentThread());
        QVERIFY(server.host->describe().join(u'\n').contains(QStringLiteral("field (vortex peek-field-service) listening on")));
        exerciseKit(server.session.get());
        if (QTest::currentTestFailed())
            return;

        // The field thread held up (a plugin stuck in a long call): health says so within its
        // wait, and the rest still answers.
        QSemaphore entered, release;
        QMetaObject::invokeMethod(field, [&] {
            entered.release();
            release.acquire();
        }, Qt::QueuedConnection);
        QVERIFY(entered.tryAcquire(1, 10000));
        const QJsonObject stuck = server.host->health();
        // The systemd watchdog is not fed while it stays stuck, and is again once it turns.
        server.host->servicesTurning(50);
        QTRY_VERIFY_WITH_TIMEOUT(!server.host->servicesTurning(50), 10000);
        release.release();
        QTRY_VERIFY_WITH_TIMEOUT(server.host->servicesTurning(50), 10000);
        QCOMPARE(stuck.value(QStringLiteral("status")).toString(), QStringLiteral("degraded"));
        bool fieldReported = false, logicReported = false;
        for (const QJsonValue &service : stuck.value(QStringLiteral("services")).toArray()) {
            const QJsonObject o = service.toObject();
            if (o.value(QStringLiteral("role")).toString() == QLatin1String("field")) {
                fieldReported = true;
                QVERIFY2(o.value(QStringLiteral("error")).toString().contains(QStringLiteral("did not answer")),
                         QJsonDocument(o).toJson().constData());
            }
            if (o.value(QStringLiteral("role")).toString() == QLatin1String("logic"))
                logicReported = !o.value(QStringLiteral("peers")).toArray().isEmpty();
        }
        QVERIFY(fieldReported);
        QVERIFY(logicReported);
        const QJsonObject again = server.host->health();
        QVERIFY2(again.value(QStringLiteral("status")).toString() == QLatin1String("ok"), QJsonDocument(again).toJson().constData());

        server.session.reset();
        server.host->stop();
        QVERIFY(server.host->vortex(Role::Field) == nullptr);
    }

    // peek/testing.h's harness, as a plugin's own test uses it: the same plugin, driven as a field
    // app would, with logic's reasons for a refused action.
    void harnessDrivesThePlugin()
    {
        peek::testing::PluginHarness::Options options;
        options.plugins = {kPlugin};
        options.pluginDirectories = {QStringLiteral(PEEK_TEST_PLUGINS_DIR)};
        peek::testing::PluginHarness peek(options);
        const auto started = peek.start();
        QVERIFY2(started, qPrintable(started.error().message()));
        const TupleSelector items(kItem, {});
        // The migration's two rows and, once its write at start is stored, the third.
        auto rows = peek.tuples(items, [](const std::vector<TuplePtr> &t) { return t.size() == 3; });
        QVERIFY2(rows, qPrintable(rows.error().message()));
        const auto toggle = [](qint64 id) {
            return std::make_shared<GenericTuple>(QStringLiteral("peek_test_kit.ToggleItemAction"), Dict {{QStringLiteral("itemId"), id}});
        };
        auto done = peek.pushAction(toggle(1));
        QVERIFY2(done, qPrintable(done.error().message()));
        rows = peek.tuples(items, [](const std::vector<TuplePtr> &t) { return !t.empty() && t.front()->field(QStringLiteral("done")).toBool(); });
        QVERIFY2(rows, qPrintable(rows.error().message()));
        done = peek.pushAction(toggle(99));
        QVERIFY(!done);
        QVERIFY2(done.error().message().contains(QStringLiteral("there is no item 99")), qPrintable(done.error().message()));
        // A plugin that is not there: start fails saying where the platform looked.
        peek::testing::PluginHarness missing({{QStringLiteral("peek_plugin_nothere")}, {}, {Role::Logic, Role::Field}, {}, 10000});
        const auto refused = missing.start();
        QVERIFY(!refused);
        QVERIFY2(refused.error().message().contains(QStringLiteral("peek_plugin_nothere is enabled in config.json but not installed (searched ")), qPrintable(refused.error().message()));
    }

    // The harness offline, as a field app works it: actions queued while the link is cut wait on
    // the device; once it is back the user's session resumes first, so they apply as that user;
    // a refused one comes back with logic's reason.
    void harnessQueuesActionsOffline()
    {
        peek::testing::PluginHarness::Options options;
        options.plugins = {kPlugin};
        options.pluginDirectories = {QStringLiteral(PEEK_TEST_PLUGINS_DIR)};
        peek::testing::PluginHarness peek(options);
        const QString password = QStringLiteral("a long enough password");
        QVERIFY(peek.start());
        QVERIFY(peek.addUser(QStringLiteral("crew9"), password));
        auto done = peek.logIn(QStringLiteral("crew9"), password);
        QVERIFY2(done, qPrintable(done.error().message()));
        const auto toggle = [](qint64 id) {
            return std::make_shared<GenericTuple>(QStringLiteral("peek_test_kit.ToggleItemAction"), Dict {{QStringLiteral("itemId"), id}});
        };
        QVERIFY(peek.setOnline(false));
        QVERIFY(peek.queueAction(toggle(2)));
        QVERIFY(peek.queueAction(toggle(99)));
        auto waited = peek.waitForQueuedActions();
        QVERIFY(!waited);
        QVERIFY2(waited.error().message().contains(QStringLiteral("the device is offline: 2 actions wait")), qPrintable(waited.error().message()));
        done = peek.setOnline(true);
        QVERIFY2(done, qPrintable(done.error().message()));
        waited = peek.waitForQueuedActions();
        QVERIFY(!waited);
        QVERIFY2(waited.error().message().contains(QStringLiteral("logic refused 1 queued actions")), qPrintable(waited.error().message()));
        QVERIFY2(waited.error().message().contains(QStringLiteral("there is no item 99")), qPrintable(waited.error().message()));
        const auto rows = peek.tuples(TupleSelector(kItem, {}), [](const std::vector<TuplePtr> &items) {
            return items.size() >= 2 && items[1]->field(QStringLiteral("done")).toBool();
        });
        QVERIFY2(rows, qPrintable(rows.error().message()));
        QCOMPARE(rows.value()[1]->field(QStringLiteral("changedBy")).toString(), QStringLiteral("crew9"));
        QVERIFY(peek.waitForQueuedActions()); // the refusal was reported once
    }

    // Columns map to fields by name or camelCase; one that fits no field is an error naming it.
    void pluginSqlMapsColumnsToFields()
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("kit"));
        db.setDatabaseName(m_dir.filePath(QStringLiteral("kit.sqlite")));
        QVERIFY(db.open());
        {
            PluginSql sql(db, QStringLiteral("main"));
            QVERIFY(sql.exec(QStringLiteral("CREATE TABLE {schema}.t (id INTEGER, name TEXT, changed_by TEXT, extra TEXT)")));
            QVERIFY(sql.exec(QStringLiteral("INSERT INTO {schema}.t VALUES (?, ?, ?, ?)"), {7, QStringLiteral("seven"), QStringLiteral("ann"), QStringLiteral("x")}));
            const auto make = [] {
                return TuplePtr(std::make_shared<GenericTuple>(QStringLiteral("x.T"), Dict {{QStringLiteral("id"), 0},
                                                                                          {QStringLiteral("name"), QString()},
                                                                                          {QStringLiteral("changedBy"), QString()}}));
            };
            auto mapped = sql.tuplesOf(make, QStringLiteral("SELECT id, name, changed_by FROM {schema}.t"));
            QVERIFY2(mapped, qPrintable(mapped.error().message()));
            QCOMPARE(int(mapped.value().size()), 1);
            QCOMPARE(mapped.value().front()->field(QStringLiteral("changedBy")).toString(), QStringLiteral("ann"));
            auto unknown = sql.tuplesOf(make, QStringLiteral("SELECT id, extra FROM {schema}.t"));
            QVERIFY(!unknown);
            QVERIFY2(unknown.error().message().contains(QStringLiteral("the column \"extra\" matches no field of x.T")),
                     qPrintable(unknown.error().message()));
            auto none = sql.changeOne(QStringLiteral("UPDATE {schema}.t SET name = 'x' WHERE id = ?"), {8}, QStringLiteral("row 8"));
            QVERIFY(!none);
            QVERIFY2(none.error().message().contains(QStringLiteral("there is no row 8")), qPrintable(none.error().message()));
            // The next id: one past the largest; 1 in an empty table; a name that is not plain is refused.
            auto next = sql.nextId(QStringLiteral("t"));
            QVERIFY2(next, qPrintable(next.error().message()));
            QCOMPARE(next.value(), qint64(8));
            QVERIFY(sql.exec(QStringLiteral("CREATE TABLE {schema}.\"Empty\" (id INTEGER)")));
            QCOMPARE(sql.nextId(QStringLiteral("Empty")).value(), qint64(1));
            auto injected = sql.nextId(QStringLiteral("t\"; DROP TABLE t; --"));
            QVERIFY(!injected);
            QVERIFY2(injected.error().message().contains(QStringLiteral("plain names")), qPrintable(injected.error().message()));
            QVERIFY(sql.nextId(QStringLiteral("t")));
        }
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("kit"));
    }

private:
    void runKit(const QString &name, const QString &storageUrl)
    {
        Server server;
        startServer(server, m_dir.filePath(name + QStringLiteral("-server")), m_dir.filePath(name + QStringLiteral("-app")), storageUrl);
        if (QTest::currentTestFailed())
            return;
        exerciseKit(server.session.get());
        server.session.reset();
        server.host->stop();
    }

    QTemporaryDir m_dir;
};

QTEST_MAIN(tst_PluginKit)
#include "tst_pluginkit.moc"
