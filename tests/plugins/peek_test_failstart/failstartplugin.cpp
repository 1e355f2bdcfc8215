// A plugin whose logic hook throws in start(), after creating an endpoint through its context:
// the platform must report it (log, /health), tear down what it created, and keep the others.
#include "peek/plugin.h"

#include <stdexcept>

namespace {
class FailingHook final : public peek::PluginRoleHook
{
public:
    void start(peek::PluginContext &ctx) override
    {
        ctx.addHttpResource(QStringLiteral("alive"), [](const peek::HttpRequest &) {
            return peek::HttpResponse::text(200, "should not be served\n");
        });
        throw std::runtime_error("the test plugin refuses to start (on purpose)");
    }
};
} // namespace

class FailStartPlugin final : public QObject, public peek::PeekPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID PeekPlugin_iid FILE "plugin.json")
    Q_INTERFACES(peek::PeekPlugin)
public:
    std::unique_ptr<peek::PluginRoleHook> createHook(peek::Role) override { return std::make_unique<FailingHook>(); }
};

#include "failstartplugin.moc"
