#include "positionstuples.h"

#include "tuple/tupleregistry.h"

namespace positions {
// Registered when the library loads; the platform checks the names and unregisters them when
// the plugin is unloaded.
PEEK_REGISTER_TUPLE(DevicePositionTuple)
} // namespace positions
