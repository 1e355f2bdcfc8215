// A plugin whose tuple type name does not start with the plugin's name: refused at load.
#include "peek/plugin.h"
#include "peek/tuple.h"

namespace {
struct StolenTuple : peek::TypedTuple<StolenTuple>
{
    PEEK_TUPLE(StolenTuple, "peek_plugin_tutorial.StolenTuple", id)
    qint64 id = 0;
};
PEEK_REGISTER_TUPLE(StolenTuple)

class Hook final : public peek::PluginRoleHook
{
public:
    void start(peek::PluginContext &) override { }
};
} // namespace

class BadTuplePlugin final : public QObject, public peek::PeekPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID PeekPlugin_iid FILE "plugin.json")
    Q_INTERFACES(peek::PeekPlugin)
public:
    std::unique_ptr<peek::PluginRoleHook> createHook(peek::Role) override { return std::make_unique<Hook>(); }
};

#include "badtupleplugin.moc"
