#pragma once

#include "base/result.h"
#include "positionthrottle.h"

#include <QDateTime>
#include <QGeoPositionInfoSource>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

class QFile;

namespace peek::app {

class Session;

// Reports this device's position to logic (the peek_plugin_positions plugin). Fixes come from
// Qt Positioning's default source, or from an NMEA recording replayed at its own pace (--nmea);
// a PositionThrottle picks the ones worth sending, and each goes as a DevicePositionTuple action
// into the Session's durable action queue, so fixes taken offline are sent once the service is
// reachable again. The app runs a reporter only while the user's positioning setting is on.
//
// Never throws and never crashes for want of a receiver: start() returns false and lastError
// says what is missing (no positioning source, an unreadable NMEA file, ...).
class PositionReporter : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool active READ isActive NOTIFY activeChanged)
    Q_PROPERTY(int sentCount READ sentCount NOTIFY sentCountChanged)
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)
public:
    // Where the reports go: the plugin that declares the capability "positionReports" in its
    // plugin.json (its action processor and tuple type), as the service lists it
    // (PluginBundles::capability); the app names no plugin itself.
    struct Target {
        QString plugin;
        QString processor; // the plugin's own name when the capability does not say
        QString tupleType;
        bool isValid() const { return !plugin.isEmpty() && !tupleType.isEmpty(); }
        static Target fromCapability(const QJsonObject &capability);
    };
    static QString capabilityName() { return QStringLiteral("positionReports"); }

    struct Options {
        int intervalSeconds = 120; // send at least this often while fixes come
        double minDistanceM = 100; // ... and whenever the device moved farther than this
        QString
            nmeaFile; // empty: the device's receiver (QGeoPositionInfoSource::createDefaultSource)
        Target target;
    };

    // `session` is not owned and must outlive the reporter; deviceId names this device in
    // every report (see loadOrCreateDeviceId()).
    PositionReporter(Session *session, const QString &deviceId, const Options &options,
                     QObject *parent = nullptr);
    ~PositionReporter() override;

    // Opens the source and starts updates; false with lastError set when it cannot. The first
    // fix of a replay may arrive (and be queued) before start() returns.
    bool start();
    // Stops updates; start() may be called again (the throttle remembers the last sent fix).
    void stop();

    // True from a successful start() until stop(), the end of a replay or a fatal source error.
    bool isActive() const { return m_active; }
    // Fixes queued for logic since construction.
    int sentCount() const { return m_sent; }
    // Valid fixes received from the source since construction (sent or held back).
    int fixCount() const { return m_fixes; }
    // The last problem, in words for the user; empty when there was none.
    QString lastError() const { return m_lastError; }
    QString deviceId() const { return m_deviceId; }
    const Options &options() const { return m_options; }

Q_SIGNALS:
    void activeChanged(bool active);
    void sentCountChanged(int count);
    void lastErrorChanged(const QString &error);
    // A fix was put into the action queue.
    void positionQueued(const QGeoPositionInfo &fix);
    // The NMEA replay delivered its last fix (or went silent before it); the reporter stopped.
    void replayFinished();

private:
    bool fail(const QString &error);
    void setError(const QString &error);
    void setActive(bool active);
    Result<void> openReplay();
    Result<void> openDefaultSource();
    void onPosition(const QGeoPositionInfo &fix);
    void onSourceError(QGeoPositionInfoSource::Error error);
    void finishReplay(const QString &how);
    void retireSource();

    QPointer<Session> m_session;
    QString m_deviceId;
    Options m_options;
    PositionThrottle m_throttle;
    // The source (a child of this); for a replay it owns the file, so the source lets go of the
    // file before the file goes.
    QGeoPositionInfoSource *m_source = nullptr;
    QFile *m_replayFile = nullptr;
    QDateTime m_replayLastFix; // the recording's last fix: the replay is over once it arrived
    QDateTime m_previousFixTime;
    qint64 m_largestGapMs = 0;
    QTimer m_replayWatchdog; // a replay that stops short of its last fix also ends
    QSet<int> m_loggedErrors; // source errors are logged once each
    bool m_active = false;
    int m_sent = 0;
    int m_fixes = 0;
    QString m_lastError;
};

} // namespace peek::app
