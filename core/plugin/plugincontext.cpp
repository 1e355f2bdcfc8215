#include "plugin/plugincontext_p.h"

#include "action/processedactionstore.h"

#include "action/tupleactionprocessor.h"
#include "vortex/caller.h"
#include "observable/tupledataobservablehandler.h"
#include "observable/tupledataobservableproxyhandler.h"
#include "service/logging.h"
#include "storage/database.h"
#include "task/taskqueue.h"
#include "task/taskworker.h"
#include "vortex/vortex.h"

#include <QDir>

namespace peek {

PluginContextPrivate::PluginContextPrivate(PluginMetadata metadata_, RoleEnvironment environment)
    : metadata(std::move(metadata_)), env(std::move(environment)),
      log(&logging::pluginCategory(env.role.name(), metadata.name))
{
}

PluginContext::PluginContext(PluginMetadata metadata, RoleEnvironment environment, QObject *parent)
    : QObject(parent), d(std::make_unique<PluginContextPrivate>(std::move(metadata), std::move(environment)))
{
}

PluginContext::~PluginContext()
{
    tearDown();
}

const PluginMetadata &PluginContext::metadata() const
{
    return d->metadata;
}

QString PluginContext::pluginName() const
{
    return d->metadata.name;
}

Role PluginContext::role() const
{
    return d->env.role;
}

const QLoggingCategory &PluginContext::log() const
{
    return *d->log;
}

Vortex *PluginContext::vortex() const
{
    return d->env.vortex;
}

QString PluginContext::schema() const
{
    return schemaOf(d->metadata.name);
}

QObject *PluginContext::publishedApi() const
{
    return d->api;
}

QObject *PluginContext::findPluginApi(const QString &pluginName) const
{
    return d->env.findApi ? d->env.findApi(pluginName) : nullptr;
}

QString PluginContext::schemaOf(const QString &pluginName)
{
    static const QString prefix = QStringLiteral("peek_plugin_");
    static const QString corePrefix = QStringLiteral("peek_core_");
    if (pluginName.startsWith(corePrefix))
        return QStringLiteral("core_") + pluginName.mid(corePrefix.size());
    return QStringLiteral("pl_")
        + (pluginName.startsWith(prefix) ? pluginName.mid(prefix.size()) : pluginName);
}

bool PluginContext::deviceEnrolmentRequired() const
{
    return d->env.requireDeviceEnrolment;
}

void PluginContext::guardDevices(DeviceGate gate)
{
    d->requireRole({Role::Field, Role::Office, Role::Logic}, "guardDevices()");
    if (!PluginMetadata::isCorePlugin(d->metadata.name))
        throw PluginError(QStringLiteral("%1: only the platform's core plugins (peek_core_*) may guard devices")
                              .arg(d->metadata.name));
    QPointer<Vortex> vortex = d->env.vortex;
    const quint64 id = vortex->addDeviceGate(std::move(gate));
    onStop([vortex, id] {
        if (vortex)
            vortex->removeDeviceGate(id);
    });
}

void PluginContextPrivate::requireRole(std::initializer_list<Role> roles, const char *what) const
{
    QStringList names;
    for (const Role role : roles) {
        if (env.role == role)
            return;
        names << role.name();
    }
    throw PluginError(QStringLiteral("%1 on %2: %3 is only available on the %4 role")
                          .arg(metadata.name, env.role.name(), QString::fromLatin1(what),
                               names.join(QStringLiteral(" or "))));
}

void PluginContext::audit(AuditEvent event) const
{
    if (!d->env.audit)
        throw PluginError(QStringLiteral("%1 on %2: the audit is logic's").arg(d->metadata.name, d->env.role.name()));
    event.source = d->metadata.name;
    d->env.audit->record(std::move(event));
}

Database &PluginContext::database() const
{
    if (!d->env.database)
        throw PluginError(QStringLiteral("%1 on %2: this role has no database (logic owns the data)")
                              .arg(d->metadata.name, d->env.role.name()));
    return *d->env.database;
}

Settings &PluginContext::declareSettings(QList<SettingDeclaration> declarations)
{
    if (d->settings)
        throw PluginError(QStringLiteral("%1 on %2: settings are declared once").arg(d->metadata.name, d->env.role.name()));
    auto opened = Settings::open(database(), d->metadata.name, std::move(declarations));
    if (!opened)
        throw PluginError(opened.error().message());
    d->settings = opened.value().release();
    Settings *settings = d->settings;
    onStop([this, settings] {
        delete settings;
        d->settings = nullptr;
    });
    return *d->settings;
}

bool PluginContext::hasSettings() const
{
    return d->settings != nullptr;
}

Settings &PluginContext::settings() const
{
    if (!d->settings)
        throw PluginError(QStringLiteral("%1 on %2: settings() before declareSettings()")
                              .arg(d->metadata.name, d->env.role.name()));
    return *d->settings;
}

QString PluginContext::fileStorageDirectory() const
{
    const QString dir = QDir(d->env.home).absoluteFilePath(QStringLiteral("plugin-files/") + d->metadata.name);
    if (!QDir().mkpath(dir))
        throw PluginError(QStringLiteral("%1 on %2: cannot create its file directory %3")
                              .arg(d->metadata.name, d->env.role.name(), dir));
    return dir;
}

HttpRoutes &PluginContextPrivate::http() const
{
    if (!env.http)
        throw PluginError(QStringLiteral("%1 on %2: this role serves no HTTP (it has no port)")
                              .arg(metadata.name, env.role.name()));
    return *env.http;
}

QString PluginContextPrivate::httpPath(const QString &subPath) const
{
    return u'/' + metadata.name + u'/' + (subPath.startsWith(u'/') ? subPath.mid(1) : subPath);
}

void PluginContext::addHttpResource(const QString &subPath, HttpRoutes::Handler handler)
{
    HttpRoutes *routes = &d->http();
    const HttpRoutes::Id id = routes->add(d->httpPath(subPath), std::move(handler));
    onStop([routes, id] { routes->remove(id); });
}

void PluginContext::addHttpDirectory(const QString &subPath, const QString &directory)
{
    HttpRoutes *routes = &d->http();
    const HttpRoutes::Id id = routes->addDirectory(d->httpPath(subPath), QDir(d->metadata.directory).absoluteFilePath(directory));
    onStop([routes, id] { routes->remove(id); });
}

namespace {
// Creates a QObject-based piece the context owns until the plugin stops.
template <typename T, typename... Args>
T &own(PluginContext *context, Args &&...args)
{
    auto *object = new T(std::forward<Args>(args)...);
    context->onStop([object] { delete object; });
    return *object;
}
} // namespace

TupleDataObservableHandler &PluginContext::observable(const QString &name)
{
    d->requireRole({Role::Logic}, "observable()");
    // One handler per observable name: a second would answer the same requests without the
    // first one's providers.
    QPointer<TupleDataObservableHandler> &handler = d->observables[d->nameOr(name)];
    if (!handler)
        handler = &own<TupleDataObservableHandler>(this, d->env.vortex, d->metadata.name, d->nameOr(name));
    return *handler;
}

TupleDataObservableProxyHandler &PluginContext::proxyObservable(const QString &name)
{
    d->requireRole({Role::Field, Role::Office}, "proxyObservable()");
    return own<TupleDataObservableProxyHandler>(this, d->env.vortex, d->metadata.name, d->nameOr(name));
}

TupleActionProcessor &PluginContext::actionProcessor(const QString &name)
{
    d->requireRole({Role::Logic}, "actionProcessor()");
    // One processor per name: a second would answer the same actions without the first one's
    // delegates ("no delegate for ..."), and whichever answered first would win.
    QPointer<TupleActionProcessor> &processor = d->processors[d->nameOr(name)];
    if (processor)
        return *processor;
    // The processed-action record lives in the plugin's own schema: on SQLite that is the file
    // of the plugin's tables, so one transaction covers the action's changes and its record.
    std::unique_ptr<ProcessedActionStore> store;
    if (d->env.database)
        store = std::make_unique<DatabaseProcessedActionStore>(d->env.database, schema());
    processor = &own<TupleActionProcessor>(this, d->env.vortex, d->metadata.name, d->nameOr(name), std::move(store));
    return *processor;
}

void PluginContext::acceptTableEdits(std::vector<TableEdits> tables, const QString &processor, const QString &observable)
{
    d->requireRole({Role::Logic}, "acceptTableEdits()");
    TupleDataObservableHandler *observers = &this->observable(observable);
    peek::acceptTableEdits(actionProcessor(processor), std::move(tables), [this, observers](const TableEditSummary &summary) {
        const PeerIdentity &caller = currentCaller();
        observers->notifyOfTupleUpdateForTuple(summary.tupleType);
        qCInfo(log()).noquote() << QStringLiteral("%1 %2").arg(caller.userName.isEmpty() ? QStringLiteral("a service") : caller.userName,
                                                             summary.text());
        AuditEvent event;
        event.event = QStringLiteral("rows edited");
        event.actor = caller.userName;
        event.deviceId = caller.deviceId;
        event.detail = summary.text();
        audit(std::move(event));
    });
}

TupleActionProcessorProxy &PluginContext::proxyActions(const QString &name)
{
    d->requireRole({Role::Field, Role::Office}, "proxyActions()");
    return own<TupleActionProcessorProxy>(this, d->env.vortex, d->metadata.name, d->nameOr(name));
}

void PluginContext::listen(const Rpc &rpc, Rpc::Handler handler)
{
    listenAsync(rpc, [handler = std::move(handler)](const ValueList &args, const Dict &kwargs) {
        return QtFuture::makeReadyFuture(handler(args, kwargs));
    });
}

void PluginContext::listenAsync(const Rpc &rpc, Rpc::AsyncHandler handler)
{
    d->requireOwnName(QStringLiteral("RPC"), rpc.name());
    if (rpc.options().listenVortexName != d->env.vortex->name())
        throw PluginError(QStringLiteral("%1 on %2: RPC %3 listens on %4, not on this role's %5")
                              .arg(d->metadata.name, d->env.role.name(), rpc.name(), rpc.options().listenVortexName,
                                   d->env.vortex->name()));
    QPointer<Vortex> vortex = d->env.vortex;
    const PayloadRouter::EndpointId id = rpc.listenAsync(vortex, std::move(handler));
    onStop([vortex, id] {
        if (vortex)
            Rpc::stopListening(vortex, id);
    });
}

void PluginContextPrivate::requireOwnName(const QString &kind, const QString &name) const
{
    const QString prefix = metadata.name + u'.';
    if (!name.startsWith(prefix) || name.size() == prefix.size())
        throw PluginError(QStringLiteral("%1: %2 %3 must be named \"%1.<name>\"").arg(metadata.name, kind, name));
}

void PluginContext::addTask(const Task &task, TaskHandler handler)
{
    d->requireRole({Role::Worker}, "addTask()");
    d->requireOwnName(QStringLiteral("task"), task.name());
    if (!d->env.taskWorker)
        throw PluginError(QStringLiteral("%1 on %2: this worker has no task queue").arg(d->metadata.name, d->env.role.name()));
    if (!handler)
        throw PluginError(QStringLiteral("%1: task %2 has no handler").arg(d->metadata.name, task.name()));
    if (d->env.taskWorker->taskNames().contains(task.name()))
        throw PluginError(QStringLiteral("%1: task %2 is added twice").arg(d->metadata.name, task.name()));
    QPointer<TaskWorker> worker = d->env.taskWorker;
    worker->addHandler(task.name(), std::move(handler));
    onStop([worker, name = task.name()] {
        if (worker)
            worker->removeHandler(name);
    });
}

TaskQueue &PluginContextPrivate::taskQueue(const char *what) const
{
    requireRole({Role::Logic}, what);
    if (!env.tasks)
        throw PluginError(QStringLiteral("%1 on %2: this logic has no task queue").arg(metadata.name, env.role.name()));
    return *env.tasks;
}

TaskHandle PluginContext::queueTask(const Task &task, ValueList args)
{
    return d->taskQueue("queueTask()").queue(task, std::move(args));
}

QFuture<Value> PluginContext::taskResult(const QString &id)
{
    return d->taskQueue("taskResult()").result(id);
}

void PluginContext::addEndpoint(Dict filt, std::function<void(const PayloadEnvelope &, const MessageSource &)> handler)
{
    filt.insert(QStringLiteral("plugin"), Value(d->metadata.name));
    QPointer<Vortex> vortex = d->env.vortex;
    const PayloadRouter::EndpointId id = vortex->router().addEndpoint(std::move(filt), std::move(handler));
    onStop([vortex, id] {
        if (vortex)
            vortex->router().removeEndpoint(id);
    });
}

void PluginContext::publishApi(QObject *api)
{
    if (d->api)
        throw PluginError(QStringLiteral("%1 on %2: an API is published once").arg(d->metadata.name, d->env.role.name()));
    d->api = api;
    onStop([this, api] {
        d->api = nullptr;
        delete api;
    });
}

void PluginContext::onStop(std::function<void()> cleanup)
{
    d->teardown.push_back(std::move(cleanup));
}

void PluginContext::tearDown()
{
    while (!d->teardown.empty()) {
        auto cleanup = std::move(d->teardown.back());
        d->teardown.pop_back();
        cleanup();
    }
}

} // namespace peek
