#include "tutorialtuples.h"

#include "peek/tuple.h"

namespace tutorial {
// Registered when the library loads; the platform checks the names and unregisters them when
// the plugin is unloaded.
PEEK_REGISTER_TUPLE(StringIntTuple)
PEEK_REGISTER_TUPLE(WhoAmITuple)
PEEK_REGISTER_TUPLE(StringCapToggleActionTuple)
PEEK_REGISTER_TUPLE(AddIntValueActionTuple)
} // namespace tutorial
