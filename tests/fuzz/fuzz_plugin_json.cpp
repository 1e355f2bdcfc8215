// PluginMetadata::fromJson (plugin.json) on any bytes: a file is refused with a message or read
// into metadata that holds what the format promises; the dependency ordering then runs on it.
#include "fuzzcheck.h"

#include "plugin/pluginmetadata.h"

#include <QRegularExpression>

using namespace peek;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto metadata
        = PluginMetadata::fromJson(fuzz::bytesOf(data, size), QStringLiteral("fuzz/plugin.json"));
    if (!metadata) {
        PEEK_FUZZ_CHECK(!metadata.error().message().isEmpty());
        return 0;
    }
    const PluginMetadata &m = metadata.value();
    static const QRegularExpression pluginName(QStringLiteral("^[a-z][a-z0-9_]*$"));
    PEEK_FUZZ_CHECK(pluginName.match(m.name).hasMatch());
    PEEK_FUZZ_CHECK(!m.version.isNull());
    PEEK_FUZZ_CHECK(QVersionNumber::compare(m.compatVersion.normalized(), m.version.normalized())
                    <= 0);
    PEEK_FUZZ_CHECK(!m.roles.isEmpty());
    for (const Role role : m.roles)
        PEEK_FUZZ_CHECK(m.roles.count(role) == 1 && Role::fromName(role.name()) == role);

    // Every dependency installed once, in an old and a new version, after the plugin: the
    // ordering must place or refuse each of them.
    QList<PluginMetadata> plugins {m};
    for (const PluginDependency &dependency : m.dependencies) {
        (void)dependency.satisfiedBy(QVersionNumber(1, 0));
        PluginMetadata installed;
        installed.name = dependency.name;
        installed.version = installed.compatVersion
            = dependency.name.size() % 2 ? QVersionNumber(0, 9) : QVersionNumber(2, 1, 3);
        installed.dependencies = {PluginDependency {m.name, QString()}}; // some make a cycle
        if (dependency.name.size() % 3)
            installed.dependencies.clear();
        plugins.append(installed);
    }
    const PluginOrder order = orderByDependencies(plugins);
    PEEK_FUZZ_CHECK(order.ordered.size() + order.failed.size() <= plugins.size());
    return 0;
}
