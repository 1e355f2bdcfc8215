#pragma once

#include <QString>

namespace peek::app {

// The device's identity in position reports: a random UUID made on first use and kept in
// `<dataDir>/device-id`, so it stays the same across restarts of one app installation (one data
// directory) and says nothing about the person or the hardware. Empty, with *error saying why,
// when the file can be neither read nor written.
QString loadOrCreateDeviceId(const QString &dataDir, QString *error = nullptr);

} // namespace peek::app
