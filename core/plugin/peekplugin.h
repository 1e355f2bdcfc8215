#pragma once
// The header a plugin library implements: one PeekPlugin per library (a Qt plugin), which hands
// the platform one PluginRoleHook for each role (service) the plugin runs on.
//
//   class TutorialPlugin : public QObject, public peek::PeekPlugin {
//       Q_OBJECT
//       Q_PLUGIN_METADATA(IID PeekPlugin_iid FILE "plugin.json")
//       Q_INTERFACES(peek::PeekPlugin)
//   public:
//       std::unique_ptr<peek::PluginRoleHook> createHook(peek::Role role) override;
//   };

#include "base/apiversion.h"
#include "base/role.h"

#include <QString>
#include <QtPlugin>

#include <memory>

namespace peek {

class PluginContext;

// One role's part of a plugin. The platform calls, in this order and on the role's thread:
//   load(ctx)   declare settings, check the environment; nothing runs yet
//   start(ctx)  create endpoints, observables, action processors, RPC listeners, HTTP resources
//               (through ctx, which owns them) and publish the plugin's API
//   stop(ctx)   stop work started outside ctx (timers, outside connections); after stop the
//               platform destroys everything the plugin created through ctx
//   unload(ctx) last chance to release anything else
// Plugins start in dependency order and stop in reverse. A hook fails by throwing (a
// std::exception's what() is reported in the log and in /health); the other plugins still run.
class PEEK_API PluginRoleHook
{
public:
    virtual ~PluginRoleHook() = default;
    virtual void load(PluginContext &context) { Q_UNUSED(context) }
    virtual void start(PluginContext &context) = 0;
    virtual void stop(PluginContext &context) { Q_UNUSED(context) }
    virtual void unload(PluginContext &context) { Q_UNUSED(context) }
};

// The entry point of a plugin library.
class PEEK_API PeekPlugin
{
public:
    virtual ~PeekPlugin() = default;
    // The hook for `role`, or nullptr when the plugin has nothing to run there. Called once per
    // role the plugin is started on.
    virtual std::unique_ptr<PluginRoleHook> createHook(Role role) = 0;
};

} // namespace peek

// The interface id names the plugin API's major version: Qt does not load a plugin library built
// for another major version (its entry point would not fit), and plugin.json "peekApi" says the
// same before any library is loaded (base/apiversion.h).
#define PeekPlugin_iid "org.peek.PeekPlugin/1"
static_assert(PEEK_API_VERSION_MAJOR == 1, "PeekPlugin_iid names the API major version: change both");
Q_DECLARE_INTERFACE(peek::PeekPlugin, PeekPlugin_iid)
