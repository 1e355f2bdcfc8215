#pragma once
// What libpeekcore shows the code linked against it. The library is built with hidden
// visibility (core/CMakeLists.txt): a class or function is visible outside it only when marked.
//
//   PEEK_API         part of the plugin API (core/api/peek/, docs/plugins.md): what a plugin may
//                    use; kept compatible within an API major version (base/apiversion.h).
//   PEEK_CORE_EXPORT used by the platform's own code above core (server/host, the app, the
//                    tests, the benchmarks); no compatibility promise, not for plugins.
//
// Both export the symbol; the difference is the promise, and tests/check-layers.sh holds plugins
// to the headers under core/api/peek/.

#include <QtGlobal>

#if defined(PEEK_CORE_BUILD)
#define PEEK_CORE_EXPORT Q_DECL_EXPORT
#else
#define PEEK_CORE_EXPORT Q_DECL_IMPORT
#endif
#define PEEK_API PEEK_CORE_EXPORT

// Marks what the plugin API replaced: a plugin using it still builds (with a warning naming the
// replacement) until the next API major version removes it.
#define PEEK_DEPRECATED(replacement) [[deprecated("use " replacement)]]
