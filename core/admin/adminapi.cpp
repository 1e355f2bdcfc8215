#include "admin/adminapi.h"

#include "base/role.h"
#include "tuple/tupleregistry.h"

#include <algorithm>

namespace peek {

const QString &adminPluginName()
{
    static const QString name = QStringLiteral("peek_admin");
    return name;
}

PEEK_REGISTER_TUPLE(ServiceInfoTuple)
PEEK_REGISTER_TUPLE(EnabledPluginsTuple)
PEEK_REGISTER_TUPLE(LogTailTuple)

namespace {
// The administration's RPCs: on logic, for the local console and logged-in admins only.
Rpc::Options adminOnly()
{
    return {adminPluginName(), Role(Role::Logic).vortexName(), {kAdminServiceName}};
}
} // namespace

Dict serviceReportFilt()
{
    return {{QStringLiteral("plugin"), Value(adminPluginName())}, {QStringLiteral("key"), Value(QStringLiteral("service.report"))}};
}

Dict enabledPluginsFilt()
{
    return {{QStringLiteral("plugin"), Value(adminPluginName())}, {QStringLiteral("key"), Value(QStringLiteral("plugins.enabled"))}};
}

const Rpc &adminPluginsRpc()
{
    static const Rpc rpc(QStringLiteral("peek_admin.plugins"), adminOnly());
    return rpc;
}

const Rpc &adminAuditRpc()
{
    static const Rpc rpc(QStringLiteral("peek_admin.audit"), adminOnly());
    return rpc;
}

const Rpc &adminSettingsRpc()
{
    static const Rpc rpc(QStringLiteral("peek_admin.settings"), adminOnly());
    return rpc;
}

Dict logReadFilt()
{
    return {{QStringLiteral("plugin"), Value(adminPluginName())}, {QStringLiteral("key"), Value(QStringLiteral("log.read"))}};
}

const Rpc &adminLogsRpc()
{
    static const Rpc rpc(QStringLiteral("peek_admin.logs"), adminOnly());
    return rpc;
}

const Rpc &adminInstallRpc()
{
    static const Rpc rpc(QStringLiteral("peek_admin.install"), adminOnly());
    return rpc;
}

const Rpc &adminTasksRpc()
{
    static const Rpc rpc(QStringLiteral("peek_admin.tasks"), adminOnly());
    return rpc;
}

const Rpc &adminServicesRpc()
{
    static const Rpc rpc(QStringLiteral("peek_admin.services"), adminOnly());
    return rpc;
}

bool deployedEverywhere(const QList<Deployed> &services)
{
    return std::none_of(services.cbegin(), services.cend(), [](const Deployed &d) {
        return d.state == QLatin1String("failed") || d.state == QLatin1String("waiting");
    });
}

const Rpc &deviceAdminRpc()
{
    static const Rpc rpc(QStringLiteral("peek_core_device.admin"), {QStringLiteral("peek_core_device"), Role(Role::Logic).vortexName(), {}});
    return rpc;
}

const Rpc &userAdminRpc()
{
    static const Rpc rpc(QStringLiteral("peek_core_user.admin"), {QStringLiteral("peek_core_user"), Role(Role::Logic).vortexName(), {}});
    return rpc;
}

QList<const ServiceInfoTuple *> servicesOf(const Value &answer)
{
    QList<const ServiceInfoTuple *> out;
    for (const Value &v : answer.toList())
        if (const auto *s = dynamic_cast<const ServiceInfoTuple *>(v.toTuple().get()))
            out << s;
    return out;
}

QList<Deployed> deployment(const Value &services, const QString &name, const QString &version, const QList<Role> &roles)
{
    QList<Deployed> out;
    for (const ServiceInfoTuple *s : servicesOf(services)) {
        Deployed d {s->vortexName, s->role, QStringLiteral("%1:%2").arg(s->host).arg(s->pid), QStringLiteral("waiting"), {}, {}};
        bool runs = false;
        for (const Value &p : s->plugins) {
            const Dict plugin = p.toDict();
            if (plugin.string(QStringLiteral("name")) != name)
                continue;
            runs = true;
            d.running = plugin.string(QStringLiteral("version"));
            if (d.running == version && plugin.string(QStringLiteral("state")) != QLatin1String("starting")) {
                d.state = plugin.string(QStringLiteral("state"));
                d.error = plugin.string(QStringLiteral("error"));
            }
        }
        const QString prefix = QStringLiteral("%1 %2: ").arg(name, version);
        for (const Value &problem : s->problems)
            if (problem.toString().startsWith(prefix)) {
                d.state = QStringLiteral("failed");
                d.error = problem.toString().mid(prefix.size());
            }
        const std::optional<Role> role = Role::fromName(s->role);
        if (runs || (role && roles.contains(*role)))
            out << d;
    }
    return out;
}

} // namespace peek
