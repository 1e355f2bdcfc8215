#include "servicemanager.h"

#if defined(PEEK_HAVE_LIBSYSTEMD)
#include <systemd/sd-daemon.h>
#endif

namespace peek::servicemanager {

namespace {

void notify(const QByteArray &state)
{
#if defined(PEEK_HAVE_LIBSYSTEMD)
    (void)sd_notify(0, state.constData());
#else
    Q_UNUSED(state)
#endif
}

} // namespace

bool listening()
{
    return qEnvironmentVariableIsSet("NOTIFY_SOCKET");
}

void ready(const QString &statusText)
{
    notify("READY=1\nSTATUS=" + statusText.toUtf8());
}

void status(const QString &statusText)
{
    notify("STATUS=" + statusText.toUtf8());
}

void stopping()
{
    notify("STOPPING=1");
}

qint64 watchdogIntervalMs()
{
#if defined(PEEK_HAVE_LIBSYSTEMD)
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0)
        return qint64(usec / 1000);
#endif
    return 0;
}

void watchdog()
{
    notify("WATCHDOG=1");
}

} // namespace peek::servicemanager
