#pragma once

#include "base/export.h"
#include <QObject>

#include <functional>

namespace peek {

// Delivers SIGINT and SIGTERM to the event loop: `onStop(signal)` runs there, as normal code
// (a signal handler itself may do almost nothing safely). Call once per process.
PEEK_CORE_EXPORT bool installStopSignalHandler(QObject *context, std::function<void(int signal)> onStop);

} // namespace peek
