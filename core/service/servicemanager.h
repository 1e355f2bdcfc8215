#pragma once
// The platform layer between peek-server and the system's service manager (docs/operations.md
// "Running under systemd"). On Linux built with libsystemd: sd_notify — ready, status,
// stopping, and the watchdog a unit's WatchdogSec= asks for. Elsewhere, or when no service
// manager started the process (no NOTIFY_SOCKET), every call does nothing, so the server runs
// the same by hand, in a container or on another system.
#include "base/export.h"

#include <QString>

namespace peek::servicemanager {

// Whether a service manager listens (systemd's NOTIFY_SOCKET).
PEEK_CORE_EXPORT bool listening();
// The service is up (Type=notify units are started once this is sent); `status` is what
// `systemctl status` shows.
PEEK_CORE_EXPORT void ready(const QString &status);
PEEK_CORE_EXPORT void status(const QString &status);
PEEK_CORE_EXPORT void stopping();
// How often the service manager wants to hear that the service is alive (WatchdogSec=); 0: not
// at all. Send watchdog() at half this interval from the event loop, so a hung loop is restarted.
PEEK_CORE_EXPORT qint64 watchdogIntervalMs();
PEEK_CORE_EXPORT void watchdog();

} // namespace peek::servicemanager
