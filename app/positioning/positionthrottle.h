#pragma once

#include <QGeoPositionInfo>

#include <optional>

namespace peek::app {

// Decides which position fixes are worth sending: the first valid fix; then one whenever at
// least intervalSeconds have passed since the last *sent* fix, or the position moved more than
// minDistanceM from it. Time is the fixes' own timestamps (not the wall clock), so an NMEA
// replay is throttled exactly as the live receiver was. Invalid fixes (no coordinate or no
// timestamp) are ignored. A pure class: no clock, no I/O.
class PositionThrottle final {
public:
    struct Options {
        int intervalSeconds = 120; // <= 0: every valid fix is sent
        double minDistanceM = 100; // metres (great-circle, WGS84 sphere)
    };
    enum class Decision {
        Invalid, // not a usable fix: ignored
        Hold, // too soon and too close to the last sent fix
        First, // nothing sent yet
        IntervalElapsed, // intervalSeconds since the last sent fix (or its clock went back)
        Moved, // farther than minDistanceM from the last sent fix
    };

    PositionThrottle();
    explicit PositionThrottle(const Options &options);

    const Options &options() const { return m_options; }

    // What to do with `fix`; changes nothing.
    Decision decide(const QGeoPositionInfo &fix) const;
    static bool isSend(Decision decision) { return decision >= Decision::First; }
    // Records `fix` as sent: later decisions measure from it.
    void markSent(const QGeoPositionInfo &fix);
    // decide(), and markSent() when the answer is to send; true when it is.
    bool offer(const QGeoPositionInfo &fix);
    // Forgets the last sent fix: the next valid fix is sent.
    void reset();

    std::optional<QGeoPositionInfo> lastSent() const { return m_lastSent; }
    // Metres between the two fixes' coordinates (haversine on the WGS84 mean sphere, correct
    // across the antimeridian and near the poles).
    static double distanceM(const QGeoPositionInfo &a, const QGeoPositionInfo &b);

private:
    Options m_options;
    std::optional<QGeoPositionInfo> m_lastSent;
};

} // namespace peek::app
