#pragma once

class QSettings;

namespace peek::app {

// The user's positioning settings, kept in QSettings under "positioning/": off unless the user
// turned it on (the app reports the device's position only then). Values out of range read as
// their defaults.
struct PositioningSettings {
    bool enabled = false; // positioning/enabled
    int intervalSeconds = 120; // positioning/intervalSeconds, 1..86400
    double minDistanceM = 100; // positioning/minDistanceM, 1..100000

    static PositioningSettings load(const QSettings &settings);
    void save(QSettings &settings) const;
};

} // namespace peek::app
