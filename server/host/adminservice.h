#pragma once
// peek_admin: the administration service on logic (docs/administration.md). Every service linked
// to logic (in its process or dialled in) reports itself (role, host, pid, version, start, its
// plugins and their states); logic keeps what the connected ones said and serves it, live, as
// the observable "peek_admin" (tuple peek_admin.ServiceInfoTuple) and on request as the RPC
// peek_admin.services. Only logged-in admins and the local console reach them (logic's gates,
// peek::kAdminServiceName).
#include "observable/tupledataobservablehandler.h"
#include "storage/auditlog.h"
#include "storage/settings.h"
#include "tuple/tuple.h"
#include "vortex/rpc.h"
#include "vortex/vortex.h"

#include <QMap>
#include <QMutex>

#include <functional>
#include <memory>

namespace peek {

class TaskQueue;

// One service as it reported itself, and its link to logic as logic sees it.
struct ServiceInfoTuple : TypedTuple<ServiceInfoTuple>
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
Dict serviceReportFilt();

// Which plugins are enabled in the installation: logic tells every service when it links and
// whenever an admin changes it (filt {plugin: peek_admin, key: plugins.enabled}); the services
// start and stop plugins to match, without restarting.
struct EnabledPluginsTuple : TypedTuple<EnabledPluginsTuple>
{
    PEEK_TUPLE(EnabledPluginsTuple, "peek_admin.EnabledPluginsTuple", enabled, packages)
    ValueList enabled;  // plugin names (the core plugins run anyway)
    ValueList packages; // the packages logic runs: {name, version, file, sha256}; a service
                        // fetches each from logic (GET /peek/packages/<file>, with the join token)
};
Dict enabledPluginsFilt();

// peek-server admin plugins enable|disable NAME: args command, plugin; answers the services as
// peek_admin.services does, once logic's own roles have applied it.
const Rpc &adminPluginsRpc();

// peek-server admin audit: args limit (1 to 10,000; default 100); the newest events, oldest
// first, each {time, event, source, deviceId, userName, actor, address, detail}.
const Rpc &adminAuditRpc();

// peek-server admin plugins settings NAME [KEY VALUE | KEY --reset]: args plugin[, key[, value]],
// kwargs reset (bool). Answers every setting of the plugin, each {key, type, value, default,
// stored, description}, a password's value and default masked, after the change if there was one.
const Rpc &adminSettingsRpc();

// One read of a service's log: logic asks (filt {plugin: peek_admin, key: log.read}, with
// afterOffset, maxRecords, minLevel) over the service's link; the service answers on the same
// request with records, endOffset and file (logging::readTail), or an error.
struct LogTailTuple : TypedTuple<LogTailTuple>
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
Dict logReadFilt();
// What a service answers logic's log.read with (the service side of it).
PayloadEnvelope answerLogRead(const PayloadEnvelope &request, const QString &logFile);

// peek-server admin logs [--service S] [--lines N] [--level L] [--follow]: args service (a
// vortex name, role, vortex uuid or host:pid; empty: logic), afterOffset, maxRecords (1 to 1000),
// minLevel. Answers a LogTailTuple.
const Rpc &adminLogsRpc();

// peek-server admin plugins install FILE: the package in pieces over one connection. Args
// uploadId (the client's), offset, total (bytes), chunk (base64, at most 1 MiB decoded). Answers
// {received} until the last piece, then installs it (ServiceHost::installPackage) and answers
// {installed: "<name> <version>", services: [ServiceInfoTuple]}.
const Rpc &adminInstallRpc();

// peek-server admin tasks [retry ID]: args [] or ["retry", id]. Answers {counts: [{name, queued,
// running, done, failed}], failed: [{id, name, attempts, worker, finishedAt, error}] (newest 100)}.
const Rpc &adminTasksRpc();

// peek-server admin services / plugins list / health: every service's ServiceInfoTuple.
const Rpc &adminServicesRpc();

class AdminService : public QObject
{
    Q_OBJECT
public:
    // What logic's process can do about plugins (ServiceHost).
    struct Plugins
    {
        std::function<QStringList()> enabled;                       // as configured (no core plugins)
        std::function<QStringList()> installed;                     // found in logic's plugin directories
        std::function<Result<void>(const QStringList &)> setEnabled; // applied here, then told to every service
        std::function<Settings *(const QString &)> settings;          // a plugin's settings on logic, or null
        std::function<Result<QString>(const QByteArray &)> install;    // a package, here ("<name> <version>")
        std::function<Result<QString>(const QString &)> rollback;      // back to the version before
        std::function<ValueList()> packages;                           // what EnabledPluginsTuple::packages says
    };
    // `self` says how logic's own service is now.
    AdminService(Vortex *logic, std::function<std::shared_ptr<ServiceInfoTuple>()> self, Plugins plugins,
                 const AuditLog *audit, TaskQueue *tasks, QString logFile, QObject *parent = nullptr);
    ~AdminService() override;

    // Logic's own report changed (its plugins started, say): observers hear of it.
    void selfChanged();
    // Every service, logic first, then by role and host.
    std::vector<TuplePtr> services() const;
    Value servicesValue() const; // the same as a list

private:
    void onReport(const PayloadEnvelope &envelope, const MessageSource &source);
    Value changePlugins(const ValueList &args, const Dict &kwargs);
    Value pluginSettings(const ValueList &args, const Dict &kwargs);
    Value tasks(const ValueList &args, const Dict &kwargs);
    QFuture<Value> logs(const ValueList &args);
    Value install(const ValueList &args, const Dict &kwargs);
    PayloadEnvelope enabledEnvelope() const;
    // Tells every service linked to logic what is enabled and which packages run.
    void tellServices();
    void changed();

    QPointer<Vortex> m_vortex;
    std::function<std::shared_ptr<ServiceInfoTuple>()> m_self;
    mutable QMutex m_mutex; // the observable's providers read on worker threads
    std::shared_ptr<ServiceInfoTuple> m_selfInfo;
    QMap<quint64, std::shared_ptr<ServiceInfoTuple>> m_reported; // by connection
    TupleDataObservableHandler m_observable;
    PayloadRouter::EndpointId m_reportEndpoint = 0;
    PayloadRouter::EndpointId m_rpcEndpoint = 0;
    PayloadRouter::EndpointId m_pluginsEndpoint = 0;
    PayloadRouter::EndpointId m_auditEndpoint = 0;
    PayloadRouter::EndpointId m_settingsEndpoint = 0;
    PayloadRouter::EndpointId m_tasksEndpoint = 0;
    PayloadRouter::EndpointId m_logsEndpoint = 0;
    PayloadRouter::EndpointId m_installEndpoint = 0;
    struct Upload
    {
        QByteArray data;
        qint64 total = 0;
        qint64 touchedMs = 0;
    };
    QHash<QString, Upload> m_uploads;
    QString m_logFile;
    quint64 m_nextLogRead = 1;
    TaskQueue *m_tasks = nullptr;
    const AuditLog *m_audit = nullptr;
    Plugins m_plugins;
};

} // namespace peek
