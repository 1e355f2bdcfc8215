#include "positionthrottle.h"

#include <QGeoCoordinate>

namespace peek::app {

PositionThrottle::PositionThrottle() : PositionThrottle(Options {})
{
}

PositionThrottle::PositionThrottle(const Options &options) : m_options(options)
{
}

double PositionThrottle::distanceM(const QGeoPositionInfo &a, const QGeoPositionInfo &b)
{
    return a.coordinate().distanceTo(b.coordinate());
}

PositionThrottle::Decision PositionThrottle::decide(const QGeoPositionInfo &fix) const
{
    // isValid(): a valid coordinate and a valid timestamp.
    if (!fix.isValid())
        return Decision::Invalid;
    if (!m_lastSent)
        return Decision::First;
    const qint64 elapsedMs = m_lastSent->timestamp().msecsTo(fix.timestamp());
    // A fix older than the last sent one means the receiver's clock was corrected or a replay
    // started over: measuring from the old fix would hold positions back for a long time.
    if (elapsedMs < 0 || elapsedMs >= qint64(m_options.intervalSeconds) * 1000)
        return Decision::IntervalElapsed;
    if (distanceM(*m_lastSent, fix) > m_options.minDistanceM)
        return Decision::Moved;
    return Decision::Hold;
}

void PositionThrottle::markSent(const QGeoPositionInfo &fix)
{
    m_lastSent = fix;
}

bool PositionThrottle::offer(const QGeoPositionInfo &fix)
{
    if (!isSend(decide(fix)))
        return false;
    markSent(fix);
    return true;
}

void PositionThrottle::reset()
{
    m_lastSent.reset();
}

} // namespace peek::app
