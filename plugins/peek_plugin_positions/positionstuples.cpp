#include "positionstuples.h"

#include "peek/tuple.h"

namespace positions {
// Registered when the library loads; the platform checks the names and unregisters them when
// the plugin is unloaded.
PEEK_REGISTER_TUPLE(DevicePositionTuple)
} // namespace positions
