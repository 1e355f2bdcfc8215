#include "positionreporter.h"

#include "session.h"

#include <QFile>
#include <QGeoCoordinate>
#include <QLoggingCategory>
#include <QNmeaPositionInfoSource>

#include <cmath>

Q_LOGGING_CATEGORY(lcPositioning, "peek.app.positioning")

namespace peek::app {

namespace {

// A typical receiver's User Equivalent Range Error: an NMEA source estimates the horizontal
// accuracy as 2 x HDOP x UERE (without it, replayed fixes would have no accuracy at all).
constexpr double kTypicalUereM = 5.1;
// A replay whose file is read to the end but whose last fix does not come within this long (or
// three times the largest gap between its fixes) has ended too.
constexpr qint64 kReplayQuietMs = 30000;
constexpr qint64 kMaxReplayQuietMs = 24 * 3600 * 1000;

// The NMEA source of a replay, which can also look ahead: the time of the recording's last fix
// tells when the replay is over (the source itself just falls silent at the end of its file).
class NmeaReplaySource final : public QNmeaPositionInfoSource {
public:
    explicit NmeaReplaySource(QObject *parent) : QNmeaPositionInfoSource(SimulationMode, parent)
    {
        setUserEquivalentRangeError(kTypicalUereM);
    }

    // The latest time of a fix in `device` (a date from an earlier sentence completes a
    // time-only one, as the source does); invalid when there is none. Rewinds the device.
    QDateTime lastFixTime(QIODevice &device)
    {
        QDate date;
        QDateTime last;
        while (!device.atEnd()) {
            const QByteArray line = device.readLine(4096);
            QGeoPositionInfo info;
            bool hasFix = false;
            if (!parsePosInfoFromNmeaData(line.constData(), int(line.size()), &info, &hasFix))
                continue;
            const QDateTime stamp = info.timestamp();
            if (stamp.date().isValid())
                date = stamp.date();
            if (!hasFix || !info.coordinate().isValid() || !stamp.time().isValid()
                || !date.isValid())
                continue;
            const QDateTime full(date, stamp.time(), Qt::UTC);
            if (!last.isValid() || full > last)
                last = full;
        }
        device.seek(0);
        return last;
    }
};

QString describe(QGeoPositionInfoSource::Error error)
{
    switch (error) {
    case QGeoPositionInfoSource::AccessError:
        return QStringLiteral("This app may not read the device's position; allow location access "
                              "for Peek in the system settings");
    case QGeoPositionInfoSource::ClosedError:
        return QStringLiteral("The positioning source closed (were location services turned off?); "
                              "positions are reported again once it is back");
    case QGeoPositionInfoSource::UpdateTimeoutError:
        return QStringLiteral(
            "No position fix for a while (indoors, or no sky view?); still trying");
    case QGeoPositionInfoSource::UnknownSourceError:
        return QStringLiteral("The positioning source failed for an unknown reason");
    case QGeoPositionInfoSource::NoError:
        break;
    }
    return {};
}

} // namespace

PositionReporter::Target PositionReporter::Target::fromCapability(const QJsonObject &capability)
{
    Target t;
    t.plugin = capability.value(QLatin1String("plugin")).toString();
    t.processor = capability.value(QLatin1String("processor")).toString(t.plugin);
    t.tupleType = capability.value(QLatin1String("tuple")).toString();
    return t;
}

PositionReporter::PositionReporter(Session *session, const QString &deviceId,
                                   const Options &options, QObject *parent)
    : QObject(parent),
      m_session(session),
      m_deviceId(deviceId),
      m_options(options),
      m_throttle({options.intervalSeconds, options.minDistanceM})
{
    m_replayWatchdog.setSingleShot(true);
    connect(&m_replayWatchdog, &QTimer::timeout, this,
            [this] { finishReplay(QStringLiteral("went silent before its last fix")); });
}

PositionReporter::~PositionReporter()
{
    if (m_source) {
        if (m_active)
            m_source->stopUpdates();
        delete m_source; // with its replay file
    }
}

bool PositionReporter::start()
{
    if (m_active)
        return true;
    if (!m_session || !m_session->isReady())
        return fail(
            QStringLiteral("Positions cannot be reported: the app has no working connection "
                           "to its service (%1)")
                .arg(m_session ? m_session->errorString() : QStringLiteral("no session")));
    if (m_deviceId.trimmed().isEmpty())
        return fail(QStringLiteral("Positions cannot be reported without a device id"));
    if (!m_options.target.isValid())
        return fail(QStringLiteral("Positions cannot be reported: no plugin on this service takes them "
                                   "(none declares the capability positionReports)"));

    retireSource();
    m_replayLastFix = {};
    m_previousFixTime = {};
    m_largestGapMs = 0;
    m_loggedErrors.clear();
    if (auto opened = m_options.nmeaFile.isEmpty() ? openDefaultSource() : openReplay(); !opened)
        return fail(opened.error().message());
    connect(m_source, &QGeoPositionInfoSource::positionUpdated, this,
            &PositionReporter::onPosition);
    connect(m_source, &QGeoPositionInfoSource::errorOccurred, this,
            &PositionReporter::onSourceError);
    setError({});
    setActive(true);
    if (m_replayFile)
        qCInfo(lcPositioning).noquote()
            << "replaying" << m_options.nmeaFile << "as device" << m_deviceId;
    else
        qCInfo(lcPositioning).noquote()
            << "reporting positions of device" << m_deviceId << "from" << m_source->sourceName();
    // A replay delivers its first fix (and a one-fix replay its end) from inside startUpdates().
    m_source->startUpdates();
    return m_active || m_lastError.isEmpty();
}

void PositionReporter::stop()
{
    m_replayWatchdog.stop();
    if (m_source && m_active) // some sources warn when stopped twice
        m_source->stopUpdates();
    setActive(false);
}

Result<void> PositionReporter::openReplay()
{
    auto source = std::make_unique<NmeaReplaySource>(this);
    auto *file = new QFile(m_options.nmeaFile, source.get());
    if (!file->open(QIODevice::ReadOnly))
        return Error {QStringLiteral("Cannot open the NMEA file %1 (%2); check the path given with --nmea")
                          .arg(m_options.nmeaFile, file->errorString())};
    m_replayLastFix = source->lastFixTime(*file);
    if (!m_replayLastFix.isValid())
        return Error {QStringLiteral("The NMEA file %1 holds no position fix (an RMC or GGA sentence with a "
                                     "fix, after a date); record one with the receiver's NMEA output on")
                          .arg(m_options.nmeaFile)};
    source->setDevice(file);
    // 0: every fix of the recording, at the pace of its timestamps.
    source->setUpdateInterval(0);
    m_replayFile = file;
    m_source = source.release();
    return {};
}

Result<void> PositionReporter::openDefaultSource()
{
    m_source = QGeoPositionInfoSource::createDefaultSource(this);
    if (!m_source)
        return Error {QStringLiteral("No positioning source on this device; turn on location services "
                                     "(on Linux: GeoClue) or replay a recording with --nmea FILE")};
    // Often enough to notice a large move well before the interval is up, rarely enough to let
    // the receiver rest.
    m_source->setUpdateInterval(std::clamp(m_options.intervalSeconds * 1000 / 12, 1000, 10000));
    return {};
}

void PositionReporter::retireSource()
{
    m_replayWatchdog.stop();
    if (!m_source)
        return;
    disconnect(m_source, nullptr, this, nullptr);
    if (m_active)
        m_source->stopUpdates();
    m_source->deleteLater(); // start() may run from one of its signals
    m_source = nullptr;
    m_replayFile = nullptr;
}

void PositionReporter::onPosition(const QGeoPositionInfo &fix)
{
    if (!m_active)
        return;
    const PositionThrottle::Decision decision = m_throttle.decide(fix);
    if (decision == PositionThrottle::Decision::Invalid)
        return;
    ++m_fixes;
    if (m_replayFile) {
        if (m_previousFixTime.isValid())
            m_largestGapMs
                = std::max(m_largestGapMs, std::abs(m_previousFixTime.msecsTo(fix.timestamp())));
        m_previousFixTime = fix.timestamp();
        if (m_replayFile->atEnd()) // nothing left to read: at most the last fix or two to come
            m_replayWatchdog.start(
                int(std::clamp(3 * m_largestGapMs, kReplayQuietMs, kMaxReplayQuietMs)));
    }

    if (PositionThrottle::isSend(decision)) {
        const QGeoCoordinate c = fix.coordinate();
        auto action = std::make_shared<GenericTuple>(m_options.target.tupleType);
        // A GenericTuple takes any field: setting one cannot fail.
        const auto set = [&action](const char *name, const Value &value) {
            (void)action->setField(QString::fromLatin1(name), value);
        };
        const auto attribute = [&fix](QGeoPositionInfo::Attribute a) -> Value {
            const double v = fix.hasAttribute(a) ? fix.attribute(a) : qQNaN();
            return std::isfinite(v) ? Value(v) : Value();
        };
        const Value accuracy = attribute(QGeoPositionInfo::HorizontalAccuracy);
        set("deviceId", m_deviceId);
        set("latitude", c.latitude());
        set("longitude", c.longitude());
        set("accuracyM", accuracy.isNull() || accuracy.toDouble() < 0 ? -1.0 : accuracy.toDouble());
        set("altitude",
            c.type() == QGeoCoordinate::Coordinate3D && std::isfinite(c.altitude())
                ? Value(c.altitude())
                : Value());
        set("speed", attribute(QGeoPositionInfo::GroundSpeed));
        set("time", DateTime::fromQDateTime(fix.timestamp().toUTC()));
        Result<void> queued;
        if (!m_session) {
            setError(QStringLiteral("Positions cannot be reported: the app's session is gone"));
        } else if (queued = m_session->pushAction(m_options.target.plugin, m_options.target.processor, action); !queued) {
            const QString error
                = QStringLiteral("Cannot queue the position for sending: %1").arg(queued.error().message());
            if (error != m_lastError)
                qCWarning(lcPositioning).noquote() << error;
            setError(error);
        } else {
            m_throttle.markSent(fix);
            ++m_sent;
            setError({});
            Q_EMIT sentCountChanged(m_sent);
            Q_EMIT positionQueued(fix);
        }
    }

    if (m_replayFile && fix.timestamp() >= m_replayLastFix)
        finishReplay(QStringLiteral("finished"));
}

void PositionReporter::onSourceError(QGeoPositionInfoSource::Error error)
{
    if (error == QGeoPositionInfoSource::NoError)
        return;
    QString message = describe(error);
    if (m_replayFile && error != QGeoPositionInfoSource::UpdateTimeoutError)
        message = QStringLiteral("The NMEA replay of %1 failed: %2")
                      .arg(m_options.nmeaFile,
                           error == QGeoPositionInfoSource::AccessError
                               ? QStringLiteral("the file cannot be read")
                               : describe(error));
    if (!m_loggedErrors.contains(int(error))) {
        m_loggedErrors.insert(int(error));
        qCWarning(lcPositioning).noquote() << message;
    }
    setError(message);
    // No access, or a replay whose source broke: nothing more will come. A live source that
    // closed or timed out comes back by itself (Qt resumes updates).
    if (error == QGeoPositionInfoSource::AccessError
        || (m_replayFile && error != QGeoPositionInfoSource::UpdateTimeoutError))
        stop();
}

void PositionReporter::finishReplay(const QString &how)
{
    if (!m_replayFile || !m_active)
        return;
    m_replayWatchdog.stop();
    m_source->stopUpdates();
    qCInfo(lcPositioning).noquote() << "NMEA replay of" << m_options.nmeaFile << how << "-"
                                    << m_fixes << "fixes," << m_sent << "queued";
    setActive(false);
    Q_EMIT replayFinished();
}

bool PositionReporter::fail(const QString &error)
{
    qCWarning(lcPositioning).noquote() << error;
    setError(error);
    setActive(false);
    return false;
}

void PositionReporter::setError(const QString &error)
{
    if (m_lastError == error)
        return;
    m_lastError = error;
    Q_EMIT lastErrorChanged(error);
}

void PositionReporter::setActive(bool active)
{
    if (m_active == active)
        return;
    m_active = active;
    Q_EMIT activeChanged(active);
}

} // namespace peek::app
