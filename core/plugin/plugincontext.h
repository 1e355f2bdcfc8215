#pragma once

#include "base/export.h"
#include "action/tupletableedits.h"
#include "base/role.h"
#include "plugin/pluginmetadata.h"
#include "storage/auditlog.h"
#include "storage/settings.h"
#include "task/task.h"
#include "vortex/httproutes.h"
#include "vortex/rpc.h"
#include "vortex/vortex.h"

#include <QLoggingCategory>
#include <QObject>

#include <functional>
#include <stdexcept>
#include <memory>

namespace peek {

class Database;
class PluginContextPrivate;
struct RoleEnvironment;
class TaskQueue;
class TaskWorker;
class TupleActionProcessor;
class TupleActionProcessorProxy;
class TupleDataObservableHandler;
class TupleDataObservableProxyHandler;
class Vortex;

// Thrown by PluginContext calls used on the wrong role or with bad arguments; a hook may let it
// escape (the plugin is then reported as failed with this text).
class PEEK_API PluginError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
    explicit PluginError(const QString &message) : std::runtime_error(message.toStdString()) { }
};

// The platform API a plugin's role hook receives (docs/architecture.md: plugins use the platform only
// through this). Everything created through it belongs to the plugin's run on this role and is
// destroyed, newest first, when the plugin stops: a hook's stop() need not undo it. Its data is
// private (plugin/plugincontext_p.h): what the role offers reaches a plugin only through these
// calls, which check the role and the plugin's names.
//
// Filts and names carry the plugin's name, so plugins cannot step on each other: observables and
// action processors are keyed by the plugin, HTTP resources live under /<plugin>/, RPC names
// must start with "<plugin>.".
class PEEK_API PluginContext final : public QObject
{
    Q_OBJECT
public:
    // The platform makes contexts (RoleEnvironment is in plugin/plugincontext_p.h).
    PluginContext(PluginMetadata metadata, RoleEnvironment environment, QObject *parent = nullptr);
    ~PluginContext() override;

    const PluginMetadata &metadata() const;
    QString pluginName() const;
    Role role() const;
    // The plugin's logger on this role: category "peek.<role>.<plugin>"; its lines in the log
    // say the role and the plugin.
    const QLoggingCategory &log() const;

    // The role's vortex node (for RPC calls, custom endpoints, sending).
    Vortex *vortex() const;

    // ---- storage (logic role) ----
    // The installation's database (throws PluginError on roles without one).
    Database &database() const;
    // The plugin's schema: "pl_" + the name without "peek_plugin_" ("pl_tutorial"). The
    // platform migrates it from the plugin's migrations/ directory before load().
    QString schema() const;
    static QString schemaOf(const QString &pluginName);
    // Declares the plugin's settings and opens them (stored values loaded); call once, in load()
    // or start(). Throws PluginError when the declarations are wrong or there is no database.
    Settings &declareSettings(QList<SettingDeclaration> declarations);
    Settings &settings() const; // after declareSettings
    bool hasSettings() const;   // declareSettings was called
    // A directory for the plugin's files on this service: <home>/plugin-files/<plugin>, created
    // on first use.
    QString fileStorageDirectory() const;

    // ---- HTTP under /<plugin>/ on the role's port ----
    void addHttpResource(const QString &subPath, HttpRoutes::Handler handler);
    // Serves files of `directory` (absolute, or relative to the plugin's directory).
    void addHttpDirectory(const QString &subPath, const QString &directory);

    // ---- data: observables, actions, RPC, endpoints ----
    // Logic: the owner of an observable (name defaults to the plugin's name); the same handler
    // for the same name each time.
    TupleDataObservableHandler &observable(const QString &name = {});
    // Field/office: the proxy of logic's observable of that name.
    TupleDataObservableProxyHandler &proxyObservable(const QString &name = {});
    // Logic: the processor of the plugin's actions (the same one for the same name each time).
    TupleActionProcessor &actionProcessor(const QString &name = {});
    // Logic: lets table editors (the Peek QML module's TableEditor) add, change and delete the
    // rows of these tables (action/tupletableedits.h) through the processor `processor`; after
    // each commit the observable `observable` is told the table's tuples changed, the log says
    // who did what and the audit records it. Call once per processor.
    void acceptTableEdits(std::vector<TableEdits> tables, const QString &processor = {}, const QString &observable = {});
    // Field/office: relays devices' actions to logic.
    TupleActionProcessorProxy &proxyActions(const QString &name = {});
    // Serves an RPC on this role's vortex (which must be the RPC's listen vortex).
    void listen(const Rpc &rpc, Rpc::Handler handler);
    void listenAsync(const Rpc &rpc, Rpc::AsyncHandler handler);
    // A raw vortex endpoint; "plugin": <name> is added to the filt.
    void addEndpoint(Dict filt, std::function<void(const PayloadEnvelope &, const MessageSource &)> handler);

    // ---- devices and admins (field/office, and logic's admin port; core plugins only, peek_core_*) ----
    // Whether devices must be enrolled and approved before they are served (config.json
    // devices.requireEnrolment, on by default).
    bool deviceEnrolmentRequired() const;
    // Stands `gate` before routing for every connection of this role that is not a proven
    // service (Vortex::addDeviceGate; after the gates of plugins started earlier). When the
    // plugin stops it goes; with no gate left, the role's fallback refuses every device when
    // enrolment is required (on logic: every connection of the admin port that has not logged
    // in, the only ones not proven there). The gate passes, refuses (answering the sender) or holds an
    // envelope (Vortex::GateVerdict; it calls Vortex::releaseHeld once it knows). Throws
    // PluginError elsewhere.
    using DeviceGate = Vortex::DeviceGate;
    void guardDevices(DeviceGate gate);

    // ---- audit (logic) ----
    // Records a change in the installation's audit (storage/auditlog.h): who did what, when, from
    // where; `source` is set to this plugin. Never a password, hash or token. Throws PluginError
    // on other roles.
    void audit(AuditEvent event) const;

    // ---- tasks (task/task.h) ----
    // Worker: runs `task` (named "<plugin>.<task>") on the worker's threads from now until the
    // plugin stops. The handler must be thread-safe: several calls run at once.
    void addTask(const Task &task, TaskHandler handler);
    // Logic: queues a run of `task`; the handle's future completes with its result or fails with
    // TaskError. Use thenOn()/onFinished() (vortex/futurecontext.h) with this context for the
    // continuation.
    TaskHandle queueTask(const Task &task, ValueList args = {});
    // Logic: the result of a task queued earlier (e.g. before a restart), by id.
    QFuture<Value> taskResult(const QString &id);

    // ---- APIs between plugins (same role) ----
    // Publishes this plugin's API on this role; the context owns it. Other plugins cast it to
    // an interface declared with Q_DECLARE_INTERFACE (qobject_cast works across libraries).
    void publishApi(QObject *api);
    QObject *publishedApi() const;
    // Another plugin's published API on this role, or nullptr (not running here, not published
    // or not of type T). Declare a dependency on that plugin so it starts first.
    template <typename T>
    T *otherPluginApi(const QString &pluginName) const
    {
        return qobject_cast<T *>(findPluginApi(pluginName));
    }
    // The same, as a QObject (nullptr when not running here or not published).
    QObject *findPluginApi(const QString &pluginName) const;

    // Runs `cleanup` when the plugin stops (with the other teardown, newest first).
    void onStop(std::function<void()> cleanup);
    // Destroys everything created through the context, newest first (the platform calls it
    // after the hook's stop(); safe to call twice).
    void tearDown();

private:
    std::unique_ptr<PluginContextPrivate> d;
};

} // namespace peek
