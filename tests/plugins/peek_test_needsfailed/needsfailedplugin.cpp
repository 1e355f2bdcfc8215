// A plugin that depends on peek_test_failstart, which always fails to start: the platform must
// refuse to start it (the dependency cascade), and say why.
#include "peek/plugin.h"

namespace {
class Hook final : public peek::PluginRoleHook
{
public:
    void start(peek::PluginContext &ctx) override { qCInfo(ctx.log()) << "peek_test_needsfailed ran its start"; }
};
} // namespace

class NeedsFailedPlugin final : public QObject, public peek::PeekPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID PeekPlugin_iid FILE "plugin.json")
    Q_INTERFACES(peek::PeekPlugin)
public:
    std::unique_ptr<peek::PluginRoleHook> createHook(peek::Role) override { return std::make_unique<Hook>(); }
};

#include "needsfailedplugin.moc"
