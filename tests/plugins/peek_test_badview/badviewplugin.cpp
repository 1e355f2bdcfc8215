// A plugin with only a (broken) field view and nothing to run: the field service serves its UI
// bundle, and the app must show an error card for it while the other plugins keep working.
#include "peek/plugin.h"

namespace {
class IdleHook final : public peek::PluginRoleHook
{
public:
    void start(peek::PluginContext &) override {}
};
} // namespace

class BadViewPlugin final : public QObject, public peek::PeekPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID PeekPlugin_iid FILE "plugin.json")
    Q_INTERFACES(peek::PeekPlugin)
public:
    std::unique_ptr<peek::PluginRoleHook> createHook(peek::Role) override { return std::make_unique<IdleHook>(); }
};

#include "badviewplugin.moc"
