#pragma once
// peek_admin: the administration service on logic (docs/administration.md). Every service linked
// to logic (in its process or dialled in) reports itself (role, host, pid, version, start, its
// plugins and their states); logic keeps what the connected ones said and serves it, live, as
// the observable "peek_admin" (tuple peek_admin.ServiceInfoTuple) and on request as the RPC
// peek_admin.services. Only logged-in admins and the local console reach them (logic's gates,
// peek::kAdminServiceName).
#include "admin/adminapi.h"
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

// What a service answers logic's log.read with (the service side of it).
PayloadEnvelope answerLogRead(const PayloadEnvelope &request, const QString &logFile);

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
