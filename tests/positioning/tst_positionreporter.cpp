// PositionReporter without a server: what it refuses and why (missing or fix-less NMEA file, no
// device id), that a replay ends cleanly, and the helpers the app wires it with (device id,
// settings). Deliveries to logic are tst_positioning's.
#include "deviceid.h"
#include "positioningsettings.h"
#include "positionreporter.h"
#include "session.h"

#include "quickvortex.h"

#include <QGeoCoordinate>
#include <QSettings>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace peek;
using app::PositionReporter;

namespace {

// Where the positions plugin takes reports (its plugin.json capability positionReports).
const PositionReporter::Target kTarget {QStringLiteral("peek_plugin_positions"), QStringLiteral("peek_plugin_positions"),
                                        QStringLiteral("peek_plugin_positions.DevicePositionTuple")};

// A loopback port nothing listens on.
quint16 closedPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 1;
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

QString fixture(const char *name)
{
    return QStringLiteral(PEEK_POSITIONING_FIXTURES "/") + QLatin1String(name);
}

} // namespace

class tst_PositionReporter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // Qt Positioning looks only for test plugins while this is set (QTest sets it).
        qunsetenv("QT_QTESTLIB_RUNNING");
        QVERIFY(m_dir.isValid());
        app::Session::Options options;
        options.vortex = testing::quickReconnect();
        m_session = std::make_unique<app::Session>(
            QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(closedPort())), QStringLiteral("field"),
            m_dir.filePath(QStringLiteral("data")), options);
        QVERIFY2(m_session->isReady(), qPrintable(m_session->errorString()));
    }

    // The target comes from the capability the service lists; without one there is nothing to
    // report to, and start() says so.
    void theTargetIsThePluginsCapability()
    {
        const auto target = PositionReporter::Target::fromCapability(
            QJsonObject {{QStringLiteral("plugin"), QStringLiteral("peek_plugin_positions")},
                         {QStringLiteral("tuple"), QStringLiteral("peek_plugin_positions.DevicePositionTuple")}});
        QCOMPARE(target.processor, QStringLiteral("peek_plugin_positions")); // the plugin's own name by default
        QVERIFY(target.isValid());
        PositionReporter reporter(m_session.get(), QStringLiteral("device-a"), {120, 100, fixture("walk.nmea"), {}});
        QVERIFY(!reporter.start());
        QVERIFY2(reporter.lastError().contains(QLatin1String("positionReports")), qPrintable(reporter.lastError()));
    }

    void missingNmeaFileIsAnError()
    {
        const QString missing = m_dir.filePath(QStringLiteral("no-such.nmea"));
        PositionReporter reporter(m_session.get(), QStringLiteral("device-a"), {120, 100, missing, kTarget});
        QSignalSpy errors(&reporter, &PositionReporter::lastErrorChanged);
        QVERIFY(!reporter.start());
        QVERIFY(!reporter.isActive());
        QCOMPARE(errors.count(), 1);
        QVERIFY2(reporter.lastError().contains(missing), qPrintable(reporter.lastError()));
        QVERIFY2(reporter.lastError().contains(QStringLiteral("--nmea")),
                 qPrintable(reporter.lastError()));
    }

    void nmeaFileWithoutFixIsAnError()
    {
        PositionReporter reporter(m_session.get(), QStringLiteral("device-a"),
                                  {120, 100, fixture("nofix.nmea"), kTarget});
        QVERIFY(!reporter.start());
        QVERIFY2(reporter.lastError().contains(QStringLiteral("no position fix")),
                 qPrintable(reporter.lastError()));
        QCOMPARE(reporter.sentCount(), 0);
    }

    void deviceIdIsRequired()
    {
        PositionReporter reporter(m_session.get(), QString(), {120, 100, fixture("walk.nmea"), kTarget});
        QVERIFY(!reporter.start());
        QVERIFY2(reporter.lastError().contains(QStringLiteral("device id")),
                 qPrintable(reporter.lastError()));
    }

    void brokenSessionIsAnError()
    {
        // An unknown mode makes a session that is not ready.
        app::Session broken(QUrl(QStringLiteral("ws://127.0.0.1:1")), QStringLiteral("nomode"),
                            m_dir.filePath(QStringLiteral("broken")));
        QVERIFY(!broken.isReady());
        PositionReporter reporter(&broken, QStringLiteral("device-a"),
                                  {120, 100, fixture("walk.nmea"), kTarget});
        QVERIFY(!reporter.start());
        QVERIFY(!reporter.lastError().isEmpty());
    }

    // The fixture: six fixes one second apart; fixes 1, 3 and 5 are more than 100 m from the
    // last sent one, the others a few metres. The replay ends by itself after the sixth.
    void replayIsThrottledAndEndsCleanly()
    {
        const int queuedBefore = m_session->queuedActions();
        PositionReporter reporter(m_session.get(), QStringLiteral("device-a"),
                                  {120, 100, fixture("walk.nmea"), kTarget});
        QSignalSpy queued(&reporter, &PositionReporter::positionQueued);
        QSignalSpy finished(&reporter, &PositionReporter::replayFinished);
        QSignalSpy active(&reporter, &PositionReporter::activeChanged);
        QVERIFY2(reporter.start(), qPrintable(reporter.lastError()));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QVERIFY(!reporter.isActive());
        QCOMPARE(active.count(), 2); // on, then off at the end of the file
        QCOMPARE(reporter.fixCount(), 6);
        QCOMPARE(reporter.sentCount(), 3);
        QCOMPARE(queued.count(), 3);
        QVERIFY2(reporter.lastError().isEmpty(), qPrintable(reporter.lastError()));
        const QList<QTime> times {QTime(12, 0, 0), QTime(12, 0, 2), QTime(12, 0, 4)};
        for (int i = 0; i < 3; ++i) {
            const auto fix = queued.at(i).at(0).value<QGeoPositionInfo>();
            QCOMPARE(fix.timestamp().toUTC(), QDateTime(QDate(2024, 6, 1), times[i], Qt::UTC));
        }
        // Offline (nothing listens): the three are waiting in the durable queue.
        QCOMPARE(m_session->queuedActions(), queuedBefore + 3);
        QCOMPARE(m_session->failedActions(), 0);

        // Stopping after the end, and starting again, are fine: the replay starts over and its
        // first fix is older than the last sent one, so it is sent again.
        reporter.stop();
        QVERIFY(reporter.start());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 30000);
        QCOMPARE(reporter.sentCount(), 6);
    }

    void stopInTheMiddleStopsSending()
    {
        PositionReporter reporter(m_session.get(), QStringLiteral("device-b"),
                                  {120, 100, fixture("walk.nmea"), kTarget});
        QVERIFY(reporter.start());
        QTRY_COMPARE_WITH_TIMEOUT(reporter.sentCount(), 1, 10000); // the first fix comes at once
        reporter.stop();
        QVERIFY(!reporter.isActive());
        // A second replay of the same file, started now, runs to its end: by then the stopped
        // one would have sent fixes 3 and 5 too, had stop() not stopped it.
        PositionReporter witness(m_session.get(), QStringLiteral("device-b-witness"),
                                 {120, 100, fixture("walk.nmea"), kTarget});
        QSignalSpy witnessDone(&witness, &PositionReporter::replayFinished);
        QVERIFY(witness.start());
        QTRY_COMPARE_WITH_TIMEOUT(witnessDone.count(), 1, 30000);
        QCOMPARE(witness.sentCount(), 3);
        QCOMPARE(reporter.sentCount(), 1);
        // Stopped, it can be started again.
        QVERIFY(reporter.start());
        QVERIFY(reporter.isActive());
        reporter.stop();
    }

    void defaultSourceDoesNotCrash()
    {
        // This machine may or may not have a receiver (GeoClue); either way start() answers.
        PositionReporter reporter(m_session.get(), QStringLiteral("device-c"), {120, 100, QString(), kTarget});
        const bool started = reporter.start();
        QVERIFY2(started || reporter.lastError().size() > 10, qPrintable(reporter.lastError()));
        if (!started && reporter.lastError().startsWith(QStringLiteral("No positioning source")))
            QVERIFY(reporter.lastError().contains(QStringLiteral("--nmea")));
        reporter.stop();
        QVERIFY(!reporter.isActive());
    }

    void deviceIdIsKeptPerDataDirectory()
    {
        const QString dirA = m_dir.filePath(QStringLiteral("ids/a"));
        const auto made = app::loadOrCreateDeviceId(dirA);
        QVERIFY2(made, qPrintable(made.error().message()));
        const QString first = made.value();
        QVERIFY(!first.isEmpty());
        QCOMPARE(app::loadOrCreateDeviceId(dirA).value(), first);
        const auto otherId = app::loadOrCreateDeviceId(m_dir.filePath(QStringLiteral("ids/b")));
        QVERIFY(otherId);
        const QString other = otherId.value();
        QVERIFY(!other.isEmpty());
        QVERIFY(other != first);
    }

    void settingsAreOffByDefault()
    {
        QSettings settings(m_dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        app::PositioningSettings s = app::PositioningSettings::load(settings);
        QVERIFY(!s.enabled);
        QCOMPARE(s.intervalSeconds, 120);
        QCOMPARE(s.minDistanceM, 100.0);
        s.enabled = true;
        s.intervalSeconds = 300;
        s.minDistanceM = 250;
        s.save(settings);
        const app::PositioningSettings back = app::PositioningSettings::load(settings);
        QVERIFY(back.enabled);
        QCOMPARE(back.intervalSeconds, 300);
        QCOMPARE(back.minDistanceM, 250.0);
        settings.setValue(QStringLiteral("positioning/intervalSeconds"), -5);
        settings.setValue(QStringLiteral("positioning/minDistanceM"), QStringLiteral("far"));
        const app::PositioningSettings wrong = app::PositioningSettings::load(settings);
        QCOMPARE(wrong.intervalSeconds, 120);
        QCOMPARE(wrong.minDistanceM, 100.0);
    }

    void cleanupTestCase() { m_session.reset(); }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<app::Session> m_session;
};

QTEST_GUILESS_MAIN(tst_PositionReporter)
#include "tst_positionreporter.moc"
