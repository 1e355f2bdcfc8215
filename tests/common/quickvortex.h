#pragma once
// Vortex options for tests: reconnects after 50–200 ms instead of the protocol's 5–60 s, so a
// test that restarts a server or refuses a dial sees the next attempt at once.
#include "vortex/vortex.h"

namespace testing {

inline peek::VortexOptions quickReconnect()
{
    peek::VortexOptions o;
    o.reconnectMinMs = 50;
    o.reconnectMaxMs = 200;
    return o;
}

// Listens on loopback for a test fixture's constructor, where QVERIFY cannot return: a port that
// cannot be had ends the test run with the reason.
inline void listenOrDie(peek::Vortex &vortex, quint16 port = 0)
{
    if (auto listening = vortex.listen(QHostAddress::LocalHost, port); !listening)
        qFatal("%s", qPrintable(listening.error().message()));
}

} // namespace testing
