#pragma once
// Plugin API: RPC between roles, the role's vortex node, and continuations that run on a context's thread.
#include "peek/api.h"

#include "vortex/futurecontext.h"
#include "vortex/rpc.h"
#include "vortex/vortex.h"
