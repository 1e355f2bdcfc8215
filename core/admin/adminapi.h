#pragma once
// The administration API on logic's admin port (docs/administration.md): the tuples, filts and
// RPCs the admin service (server/host/adminservice.h) serves and its clients (peek-server admin,
// the admin window) use. Only the local console (peek::kAdminServiceName, the join token) and
// logged-in admins reach them.
#include "base/export.h"
#include "base/role.h"
#include "tuple/tuple.h"
#include "vortex/rpc.h"

namespace peek {

// The admin service's plugin name and observable: "peek_admin".
PEEK_CORE_EXPORT const QString &adminPluginName();

// One service as it reported itself, and its link to logic as logic sees it.
struct PEEK_CORE_EXPORT ServiceInfoTuple : TypedTuple<ServiceInfoTuple>
{
    PEEK_TUPLE(ServiceInfoTuple, "peek_admin.ServiceInfoTuple", vortexName, vortexUuid, role, host, version, pid,
               startedAt, connectedAt, link, address, plugins, problems)
    QString vortexName;
    QString vortexUuid;
    QString role;
    QString host;
    QString version;
    qint64 pid = 0;
    DateTime startedAt;
    DateTime connectedAt; // when its link to logic came up (logic: when it started)
    QString link;         // "self" (logic), "in process", "connected"
    QString address;      // the link's far end ("local" in process)
    ValueList plugins;    // {name, version, state, error} each
    ValueList problems;   // what it could not do of logic's word ("peek_x 1.2.0: why"), if anything
};

// What a service sends logic about itself: filt {plugin: peek_admin, key: service.report}.
PEEK_CORE_EXPORT Dict serviceReportFilt();

// Which plugins are enabled in the installation: logic tells every service when it links and
// whenever an admin changes it (filt {plugin: peek_admin, key: plugins.enabled}); the services
// start and stop plugins to match, without restarting.
struct PEEK_CORE_EXPORT EnabledPluginsTuple : TypedTuple<EnabledPluginsTuple>
{
    PEEK_TUPLE(EnabledPluginsTuple, "peek_admin.EnabledPluginsTuple", enabled, packages)
    ValueList enabled;  // plugin names (the core plugins run anyway)
    ValueList packages; // the packages logic runs: {name, version, file, sha256}; a service
                        // fetches each from logic (GET /peek/packages/<file>, with the join token)
};
PEEK_CORE_EXPORT Dict enabledPluginsFilt();

// peek-server admin plugins enable|disable NAME: args command, plugin; answers the services as
// peek_admin.services does, once logic's own roles have applied it.
PEEK_CORE_EXPORT const Rpc &adminPluginsRpc();

// peek-server admin audit: args limit (1 to 10,000; default 100); the newest events, oldest
// first, each {time, event, source, deviceId, userName, actor, address, detail}.
PEEK_CORE_EXPORT const Rpc &adminAuditRpc();

// peek-server admin plugins settings NAME [KEY VALUE | KEY --reset]: args plugin[, key[, value]],
// kwargs reset (bool). Answers every setting of the plugin, each {key, type, value, default,
// stored, description}, a password's value and default masked, after the change if there was one.
PEEK_CORE_EXPORT const Rpc &adminSettingsRpc();

// One read of a service's log: logic asks (filt {plugin: peek_admin, key: log.read}, with
// afterOffset, maxRecords, minLevel) over the service's link; the service answers on the same
// request with records, endOffset and file (logging::readTail), or an error.
struct PEEK_CORE_EXPORT LogTailTuple : TypedTuple<LogTailTuple>
{
    PEEK_TUPLE(LogTailTuple, "peek_admin.LogTailTuple", afterOffset, maxRecords, minLevel, records, endOffset, file,
               service)
    qint64 afterOffset = -1;
    qint64 maxRecords = 100;
    QString minLevel = QStringLiteral("info");
    ValueList records;
    qint64 endOffset = 0;
    QString file;
    QString service; // logic's answer: whose log it is ("field on srv2:1804")
};
PEEK_CORE_EXPORT Dict logReadFilt();

// peek-server admin logs [--service S] [--lines N] [--level L] [--follow]: args service (a
// vortex name, role, vortex uuid or host:pid; empty: logic), afterOffset, maxRecords (1 to 1000),
// minLevel. Answers a LogTailTuple.
PEEK_CORE_EXPORT const Rpc &adminLogsRpc();

// peek-server admin plugins install FILE: the package in pieces over one connection. Args
// uploadId (the client's), offset, total (bytes), chunk (base64, at most 1 MiB decoded). Answers
// {received} until the last piece, then installs it (ServiceHost::installPackage) and answers
// {installed: "<name> <version>", services: [ServiceInfoTuple]}.
PEEK_CORE_EXPORT const Rpc &adminInstallRpc();

// peek-server admin tasks [retry ID]: args [] or ["retry", id]. Answers {counts: [{name, queued,
// running, done, failed}], failed: [{id, name, attempts, worker, finishedAt, error}] (newest 100)}.
PEEK_CORE_EXPORT const Rpc &adminTasksRpc();

// peek-server admin services / plugins list / health: every service's ServiceInfoTuple.
PEEK_CORE_EXPORT const Rpc &adminServicesRpc();

// The services in an answer of peek_admin.services (a list of ServiceInfoTuple).
PEEK_CORE_EXPORT QList<const ServiceInfoTuple *> servicesOf(const Value &answer);

// Where a deployment (an install, upgrade or rollback of `name` to `version`) stands on each
// service that runs `roles` (or runs the plugin already): "started", "failed" with the reason
// (the service runs the version before), another final state (disabled), or "waiting".
struct PEEK_CORE_EXPORT Deployed
{
    QString service, role, process, state, running, error;
};
PEEK_CORE_EXPORT QList<Deployed> deployment(const Value &services, const QString &name, const QString &version,
                                            const QList<Role> &roles);
// Every one of `services` answered and none failed.
PEEK_CORE_EXPORT bool deployedEverywhere(const QList<Deployed> &services);

// The identity plugins' administration (docs/identity.md): args a command and its words.
PEEK_CORE_EXPORT const Rpc &deviceAdminRpc(); // peek_core_device.admin
PEEK_CORE_EXPORT const Rpc &userAdminRpc();   // peek_core_user.admin

} // namespace peek
