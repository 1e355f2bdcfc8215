#pragma once

#include "base/result.h"

#include <QString>

namespace peek::app {

// The device's identity in position reports: a random UUID made on first use and kept in
// `<dataDir>/device-id`, so it stays the same across restarts of one app installation (one data
// directory) and says nothing about the person or the hardware. Fails, saying why, when the file
// can be neither read nor written.
Result<QString> loadOrCreateDeviceId(const QString &dataDir);

} // namespace peek::app
