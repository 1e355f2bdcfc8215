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

} // namespace testing
