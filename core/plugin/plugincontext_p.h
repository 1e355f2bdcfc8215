#pragma once
// Not part of the plugin API: what the platform hands a PluginContext (the service host fills a
// RoleEnvironment per role) and the context's private data.

#include "plugin/plugincontext.h"

#include <QHash>
#include <QPointer>

#include <functional>
#include <vector>

namespace peek {

class AuditLog;
class TaskQueue;
class TupleDataObservableHandler;
class TaskWorker;

// What a role offers its plugins; filled by the service host.
struct PEEK_CORE_EXPORT RoleEnvironment
{
    Role role = Role::Logic;
    Vortex *vortex = nullptr;                // the role's vortex node
    Database *database = nullptr;            // logic (and worker): the installation's database
    TaskQueue *tasks = nullptr;              // logic: queues tasks for the workers
    TaskWorker *taskWorker = nullptr;        // worker: runs them
    const AuditLog *audit = nullptr;         // logic: the installation's audit
    HttpRoutes *http = nullptr;              // roles with a port: its HTTP routes
    QString home;                            // the service home directory
    std::function<QObject *(const QString &plugin)> findApi; // published APIs of this role
    // Field/office: devices must be enrolled and approved (config.json devices.requireEnrolment).
    bool requireDeviceEnrolment = true;
};

class PluginContextPrivate
{
public:
    PluginContextPrivate(PluginMetadata metadata, RoleEnvironment environment);

    // Throws PluginError unless the context runs on one of `roles`.
    void requireRole(std::initializer_list<Role> roles, const char *what) const;
    TaskQueue &taskQueue(const char *what) const; // logic's queue; throws elsewhere
    // Throws unless `name` is "<plugin>.<something>" (RPC and task names).
    void requireOwnName(const QString &kind, const QString &name) const;
    HttpRoutes &http() const; // the role's routes; throws on roles without a port
    QString httpPath(const QString &subPath) const; // "/<plugin>/<subPath>"
    QString nameOr(const QString &name) const { return name.isEmpty() ? metadata.name : name; }

    PluginMetadata metadata;
    RoleEnvironment env;
    const QLoggingCategory *log = nullptr;
    Settings *settings = nullptr;
    QPointer<QObject> api;
    QHash<QString, QPointer<TupleDataObservableHandler>> observables; // by name: one handler each
    QHash<QString, QPointer<TupleActionProcessor>> processors;        // by name: one processor each
    std::vector<std::function<void()>> teardown;
};

} // namespace peek
