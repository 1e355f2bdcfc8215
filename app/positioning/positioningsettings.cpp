#include "positioningsettings.h"

#include <QSettings>

namespace peek::app {

namespace {
const QString kEnabled = QStringLiteral("positioning/enabled");
const QString kInterval = QStringLiteral("positioning/intervalSeconds");
const QString kDistance = QStringLiteral("positioning/minDistanceM");
} // namespace

PositioningSettings PositioningSettings::load(const QSettings &settings)
{
    PositioningSettings s;
    s.enabled = settings.value(kEnabled, false).toBool();
    bool ok = false;
    const int interval = settings.value(kInterval, s.intervalSeconds).toInt(&ok);
    if (ok && interval >= 1 && interval <= 86400)
        s.intervalSeconds = interval;
    const double distance = settings.value(kDistance, s.minDistanceM).toDouble(&ok);
    if (ok && distance >= 1 && distance <= 100000)
        s.minDistanceM = distance;
    return s;
}

void PositioningSettings::save(QSettings &settings) const
{
    settings.setValue(kEnabled, enabled);
    settings.setValue(kInterval, intervalSeconds);
    settings.setValue(kDistance, minDistanceM);
}

} // namespace peek::app
