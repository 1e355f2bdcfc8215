// Positioning end to end, in one process: logic and field roles (a ServiceHost with the bundled
// peek_plugin_positions), the app's Session dialling the field service over loopback, and a
// PositionReporter replaying an NMEA recording. What logic stored is read back the way apps
// read it: through the devicePositions observable.
#include "pgrequired.h"
#include "pgdatabase.h"
#include "positionreporter.h"
#include "session.h"

#include "observable/tupledataobserverclient.h"
#include "host/servicehost.h"
#include "storage/databaselocation.h"

#include "quickvortex.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace peek;
using app::PositionReporter;

namespace {

// Where the positions plugin takes reports (its plugin.json capability positionReports).
const PositionReporter::Target kTarget {QStringLiteral("peek_plugin_positions"), QStringLiteral("peek_plugin_positions"),
                                        QStringLiteral("peek_plugin_positions.DevicePositionTuple")};

const QString kPlugin = QStringLiteral("peek_plugin_positions");
const QString kObservable = QStringLiteral("devicePositions");
const QString kType = QStringLiteral("peek_plugin_positions.DevicePositionTuple");

QString fixture(const char *name)
{
    return QStringLiteral(PEEK_POSITIONING_FIXTURES "/") + QLatin1String(name);
}

quint16 closedPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 1;
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

// What walk.nmea's sent fixes (1, 3 and 5) say: ddmm.mmmm converted to degrees.
struct Expected {
    double latitude;
    double longitude;
    double altitude;
    QTime time;
};
const QList<Expected> kSent {
    {52.0, 4.0, 10.0, QTime(12, 0, 0)},
    {52.0 + 0.1 / 60, 4.0, 12.0, QTime(12, 0, 2)},
    {52.0 + 0.2 / 60, 4.0 + 0.05 / 60, 14.0, QTime(12, 0, 4)},
};
const double kKnot = 1852.0 / 3600.0; // m/s
const double kAccuracy = 2 * 0.9 * 5.1; // Qt's estimate: 2 x HDOP x the replay's UERE

ServiceHostOptions hostOptions(const QString &home, const QList<Role> &roles)
{
    return ServiceHostOptions::forTests(home, roles, {kPlugin}, {QStringLiteral(PEEK_TEST_PLUGINS_DIR)});
}

std::unique_ptr<app::Session> makeSession(quint16 port, const QString &dataDir)
{
    app::Session::Options options;
    options.vortex = testing::quickReconnect();
    options.actionTimeoutMs = 10000;
    options.actionRetryMinMs = 50;
    options.actionRetryMaxMs = 200;
    return std::make_unique<app::Session>(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port)),
                                          QStringLiteral("field"), dataDir, options);
}

TupleSelector positions(const QString &deviceId, bool history)
{
    Dict selector {{QStringLiteral("deviceId"), deviceId}};
    if (history)
        selector.insert(QStringLiteral("history"), true);
    return TupleSelector(kType, selector);
}

bool fresh(const TupleSubscription *s)
{
    return s->hasData() && !s->isFromCache();
}

// Compares one stored position with the fix it came from.
bool matches(const TuplePtr &tuple, const QString &deviceId, const Expected &e, QString *why)
{
    const auto num = [&tuple](const char *f) { return tuple->field(QLatin1String(f)).toDouble(); };
    const QDateTime time = tuple->field(QStringLiteral("time")).toDateTime().toQDateTime().toUTC();
    const QDateTime expectedTime(QDate(2024, 6, 1), e.time, Qt::UTC);
    QStringList wrong;
    if (tuple->tupleType() != kType)
        wrong << QStringLiteral("type %1").arg(tuple->tupleType());
    if (tuple->field(QStringLiteral("deviceId")).toString() != deviceId)
        wrong << QStringLiteral("deviceId %1")
                     .arg(tuple->field(QStringLiteral("deviceId")).toString());
    if (qAbs(num("latitude") - e.latitude) > 1e-6)
        wrong << QStringLiteral("latitude %1 (want %2)")
                     .arg(num("latitude"), 0, 'f', 9)
                     .arg(e.latitude, 0, 'f', 9);
    if (qAbs(num("longitude") - e.longitude) > 1e-6)
        wrong << QStringLiteral("longitude %1 (want %2)")
                     .arg(num("longitude"), 0, 'f', 9)
                     .arg(e.longitude, 0, 'f', 9);
    if (qAbs(num("altitude") - e.altitude) > 1e-6)
        wrong << QStringLiteral("altitude %1").arg(num("altitude"));
    if (qAbs(num("speed") - kKnot) > 1e-6)
        wrong << QStringLiteral("speed %1").arg(num("speed"));
    if (qAbs(num("accuracyM") - kAccuracy) > 1e-6)
        wrong << QStringLiteral("accuracyM %1").arg(num("accuracyM"));
    if (time != expectedTime)
        wrong << QStringLiteral("time %1").arg(time.toString(Qt::ISODateWithMs));
    if (tuple->field(QStringLiteral("uuid")).toString().isEmpty())
        wrong << QStringLiteral("no uuid");
    *why = wrong.join(QStringLiteral(", "));
    return wrong.isEmpty();
}

using testing::PgDatabase;


// Logic and field in this process, with peek_plugin_positions, and an app session dialling the
// field service.
struct Server {
    std::unique_ptr<ServiceHost> host;
    std::unique_ptr<app::Session> session;
};

// Starts a Server on `storageUrl` (empty: the SQLite file in `home`); check with QTest's
// failure state.
void startServer(Server &server, const QString &home, const QString &appData,
                 const QString &storageUrl = {})
{
    ServiceHostOptions options
        = hostOptions(home, {Role::Logic, Role::Field});
    options.storageUrl = storageUrl;
    server.host = std::make_unique<ServiceHost>(options);
    const auto hostStarted = server.host->start();
    QVERIFY2(hostStarted, qPrintable(hostStarted.error().message()));
    const QJsonObject health = server.host->health();
    QVERIFY2(health.value(QStringLiteral("status")).toString() == QLatin1String("ok"),
             QJsonDocument(health).toJson().constData());
    int started = 0;
    for (const auto &plugin : health.value(QStringLiteral("plugins")).toArray())
        started += plugin.toObject().value(QStringLiteral("state")).toString()
            == QLatin1String("started");
    QCOMPARE(started, 6); // the positions plugin and the core plugins (device, user), on logic and on field
    server.session = makeSession(server.host->ports(Role::Field).value(0), appData);
    QVERIFY2(server.session->isReady(), qPrintable(server.session->errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(server.session->connectionState(), QStringLiteral("online"), 10000);
}

// The test: an NMEA replay produces position actions that reach logic. Replays
// walk.nmea as `device` through `session` and checks what logic stored, through the
// devicePositions observable: the latest position (watched from before the first report, so
// updates come by notification) and the history (exactly fixes 1, 3 and 5).
void replayAndCheck(app::Session *session, const QString &device)
{
    QObject owner; // of the subscriptions: they end here
    TupleSubscription *latest
        = session->subscribe(kPlugin, kObservable, positions(device, false), &owner);
    QVERIFY(latest);
    QTRY_VERIFY_WITH_TIMEOUT(fresh(latest), 10000);
    QVERIFY(latest->tuples().empty());

    PositionReporter reporter(session, device, {120, 100, fixture("walk.nmea"), kTarget});
    QSignalSpy finished(&reporter, &PositionReporter::replayFinished);
    QVERIFY2(reporter.start(), qPrintable(reporter.lastError()));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QCOMPARE(reporter.fixCount(), 6);
    QCOMPARE(reporter.sentCount(), 3);
    // Every queued action answered by logic (stored: logic answers after its commit).
    QTRY_COMPARE_WITH_TIMEOUT(session->queuedActions(), 0, 30000);
    QCOMPARE(session->failedActions(), 0);

    // The latest position, updated by notification, is fix 5.
    QString why;
    QTRY_VERIFY2_WITH_TIMEOUT(
        latest->tuples().size() == 1 && matches(latest->tuples().front(), device, kSent[2], &why),
        qPrintable(QStringLiteral("%1 tuple(s); %2").arg(latest->tuples().size()).arg(why)), 10000);

    // The history, asked for after everything was stored: exactly fixes 1, 3 and 5.
    TupleSubscription *history
        = session->subscribe(kPlugin, kObservable, positions(device, true), &owner);
    QTRY_VERIFY_WITH_TIMEOUT(fresh(history), 10000);
    QCOMPARE(int(history->tuples().size()), 3);
    for (int i = 0; i < 3; ++i)
        QVERIFY2(matches(history->tuples()[size_t(i)], device, kSent[i], &why), qPrintable(why));
}

} // namespace

class tst_Positioning : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // Qt Positioning looks only for test plugins while this is set (QTest sets it).
        qunsetenv("QT_QTESTLIB_RUNNING");
        QVERIFY(m_dir.isValid());
        startServer(m_server, m_dir.filePath(QStringLiteral("server")),
                    m_dir.filePath(QStringLiteral("app")));
        m_session = m_server.session.get();
        QVERIFY(m_session);
    }

    // The test: an NMEA replay produces position actions that reach logic.
    void replayReachesLogic() { replayAndCheck(m_session, QStringLiteral("replay-device")); }

    // The same on PostgreSQL (the plugin's one migration serves both databases).
    void replayReachesLogicOnPostgres()
    {
        PgDatabase db;
        PEEK_REQUIRE_POSTGRES(db.available(), db.error());
        Server server;
        startServer(server, m_dir.filePath(QStringLiteral("pg-server")),
                    m_dir.filePath(QStringLiteral("pg-app")), db.url());
        if (QTest::currentTestFailed())
            return;
        replayAndCheck(server.session.get(), QStringLiteral("pg-device"));
        server.session.reset();
        server.host->stop();
    }

    // A position logic cannot store fails its action with the reason; it is not dropped.
    void badPositionIsRefusedWithAReason()
    {
        const auto push = [this](const QString &deviceId, double latitude, double longitude) {
            auto action = std::make_shared<GenericTuple>(
                kType,
                Dict {{QStringLiteral("deviceId"), deviceId},
                      {QStringLiteral("latitude"), latitude},
                      {QStringLiteral("longitude"), longitude},
                      {QStringLiteral("accuracyM"), -1.0},
                      {QStringLiteral("altitude"), Value()},
                      {QStringLiteral("speed"), Value()},
                      {QStringLiteral("time"), DateTime::currentUtc()}});
            const auto queued = m_session->pushAction(kPlugin, kPlugin, action);
            QVERIFY2(queued, qPrintable(queued.error().message()));
        };
        QCOMPARE(m_session->failedActions(), 0);
        push(QStringLiteral("bad-device"), 95.0, 4.0);
        push(QStringLiteral("bad-device"), 52.0, -180.5);
        push(QString(), 52.0, 4.0);
        QTRY_COMPARE_WITH_TIMEOUT(m_session->failedActions(), 3, 30000);
        const auto failed = m_session->actionQueue()->failedActions();
        QStringList errors;
        for (const auto &f : failed)
            errors << f.error;
        errors.sort();
        QVERIFY2(
            errors.filter(QStringLiteral("latitude 95 of device bad-device is outside [-90, 90]"))
                    .size()
                == 1,
            qPrintable(errors.join(u'\n')));
        QVERIFY2(errors.filter(QStringLiteral(
                                   "longitude -180.5 of device bad-device is outside [-180, 180]"))
                         .size()
                     == 1,
                 qPrintable(errors.join(u'\n')));
        QVERIFY2(errors.filter(QStringLiteral("no deviceId")).size() == 1,
                 qPrintable(errors.join(u'\n')));
        QCOMPARE(m_session->discardFailedActions(), 3);

        // Nothing of them was stored.
        QObject owner;
        TupleSubscription *history = m_session->subscribe(
            kPlugin, kObservable, positions(QStringLiteral("bad-device"), true), &owner);
        QTRY_VERIFY_WITH_TIMEOUT(fresh(history), 10000);
        QVERIFY(history->tuples().empty());
    }

    // With the field service unreachable the positions wait in the device's queue; once a
    // field service answers on that address, all of them reach logic.
    void offlinePositionsAreQueuedThenDelivered()
    {
        const quint16 port = closedPort();
        auto offline = makeSession(port, m_dir.filePath(QStringLiteral("offline-app")));
        QVERIFY2(offline->isReady(), qPrintable(offline->errorString()));
        QSignalSpy queueSizes(offline.get(), &app::Session::queuedActionsChanged);

        const QString device = QStringLiteral("offline-device");
        PositionReporter reporter(offline.get(), device, {120, 100, fixture("walk.nmea"), kTarget});
        QSignalSpy finished(&reporter, &PositionReporter::replayFinished);
        QVERIFY2(reporter.start(), qPrintable(reporter.lastError()));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QCOMPARE(reporter.sentCount(), 3);
        QVERIFY(offline->connectionState() != QLatin1String("online"));
        QCOMPARE(offline->queuedActions(), 3);
        QCOMPARE(offline->failedActions(), 0);
        QList<int> sizes;
        for (const auto &args : queueSizes)
            sizes << args.at(0).toInt();
        QCOMPARE(sizes, (QList<int> {1, 2, 3}));

        // A second field service, linked to the same logic, comes up on that port.
        ServiceHostOptions fieldOptions
            = hostOptions(m_dir.filePath(QStringLiteral("field2")), {Role::Field});
        fieldOptions.fieldPort = port;
        fieldOptions.logicUrl
            = QUrl(QStringLiteral("ws://127.0.0.1:%1")
                       .arg(m_server.host->ports(Role::Logic).last()));
        ServiceHost field(fieldOptions);
        const auto started = field.start();
        QVERIFY2(started, qPrintable(started.error().message()));
        QTRY_COMPARE_WITH_TIMEOUT(offline->queuedActions(), 0, 30000);
        QCOMPARE(offline->failedActions(), 0);

        QObject owner;
        TupleSubscription *history
            = m_session->subscribe(kPlugin, kObservable, positions(device, true), &owner);
        QTRY_VERIFY_WITH_TIMEOUT(fresh(history), 10000);
        QCOMPARE(int(history->tuples().size()), 3);
        QString why;
        for (int i = 0; i < 3; ++i)
            QVERIFY2(matches(history->tuples()[size_t(i)], device, kSent[i], &why),
                     qPrintable(why));
        offline.reset();
        field.stop();
    }

    void cleanupTestCase()
    {
        m_session = nullptr;
        m_server.session.reset();
        if (m_server.host)
            m_server.host->stop();
        m_server.host.reset();
    }

private:
    QTemporaryDir m_dir;
    Server m_server;
    app::Session *m_session = nullptr;
};

QTEST_GUILESS_MAIN(tst_Positioning)
#include "tst_positioning.moc"
