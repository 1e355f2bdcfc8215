#include "plugincontext.h"

#include "action/processedactionstore.h"

#include "action/tupleactionprocessor.h"
#include "observable/tupledataobservablehandler.h"
#include "observable/tupledataobservableproxyhandler.h"
#include "service/logging.h"
#include "storage/database.h"
#include "task/taskqueue.h"
#include "task/taskworker.h"

#include <QDir>

namespace peek {

PluginContext::PluginContext(PluginMetadata metadata, RoleEnvironment environment, QObject *parent)
    : QObject(parent), m_metadata(std::move(metadata)), m_env(std::move(environment)),
      m_log(&logging::pluginCategory(m_env.role, m_metadata.name))
{
}

PluginContext::~PluginContext()
{
    tearDown();
}

QString PluginContext::vortexNameOf(const QString &role)
{
    return QStringLiteral("peek-%1-service").arg(role);
}

QString PluginContext::schemaOf(const QString &pluginName)
{
    static const QString prefix = QStringLiteral("peek_plugin_");
    return QStringLiteral("pl_")
        + (pluginName.startsWith(prefix) ? pluginName.mid(prefix.size()) : pluginName);
}

void PluginContext::requireRole(std::initializer_list<const char *> roles, const char *what) const
{
    QStringList names;
    for (const char *role : roles) {
        if (m_env.role == QLatin1String(role))
            return;
        names << QString::fromLatin1(role);
    }
    throw PluginError(QStringLiteral("%1 on %2: %3 is only available on the %4 role")
                          .arg(m_metadata.name, m_env.role, QString::fromLatin1(what),
                               names.join(QStringLiteral(" or "))));
}

Database &PluginContext::database() const
{
    if (!m_env.database)
        throw PluginError(QStringLiteral("%1 on %2: this role has no database (logic owns the data)")
                              .arg(m_metadata.name, m_env.role));
    return *m_env.database;
}

Settings &PluginContext::declareSettings(QList<SettingDeclaration> declarations)
{
    if (m_settings)
        throw PluginError(QStringLiteral("%1 on %2: settings are declared once").arg(m_metadata.name, m_env.role));
    auto opened = Settings::open(database(), m_metadata.name, std::move(declarations));
    if (!opened)
        throw PluginError(opened.error().message());
    m_settings = opened.value().release();
    Settings *settings = m_settings;
    onStop([this, settings] {
        delete settings;
        m_settings = nullptr;
    });
    return *m_settings;
}

Settings &PluginContext::settings() const
{
    if (!m_settings)
        throw PluginError(QStringLiteral("%1 on %2: settings() before declareSettings()")
                              .arg(m_metadata.name, m_env.role));
    return *m_settings;
}

QString PluginContext::fileStorageDirectory() const
{
    const QString dir = QDir(m_env.home).absoluteFilePath(QStringLiteral("plugin-files/") + m_metadata.name);
    if (!QDir().mkpath(dir))
        throw PluginError(QStringLiteral("%1 on %2: cannot create its file directory %3")
                              .arg(m_metadata.name, m_env.role, dir));
    return dir;
}

HttpRoutes &PluginContext::http() const
{
    if (!m_env.http)
        throw PluginError(QStringLiteral("%1 on %2: this role serves no HTTP (it has no port)")
                              .arg(m_metadata.name, m_env.role));
    return *m_env.http;
}

QString PluginContext::httpPath(const QString &subPath) const
{
    return u'/' + m_metadata.name + u'/' + (subPath.startsWith(u'/') ? subPath.mid(1) : subPath);
}

void PluginContext::addHttpResource(const QString &subPath, HttpRoutes::Handler handler)
{
    HttpRoutes *routes = &http();
    const HttpRoutes::Id id = routes->add(httpPath(subPath), std::move(handler));
    onStop([routes, id] { routes->remove(id); });
}

void PluginContext::addHttpDirectory(const QString &subPath, const QString &directory)
{
    HttpRoutes *routes = &http();
    const HttpRoutes::Id id = routes->addDirectory(httpPath(subPath), QDir(m_metadata.directory).absoluteFilePath(directory));
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
    requireRole({"logic"}, "observable()");
    return own<TupleDataObservableHandler>(this, m_env.vortex, m_metadata.name, nameOr(name));
}

TupleDataObservableProxyHandler &PluginContext::proxyObservable(const QString &name)
{
    requireRole({"field", "office"}, "proxyObservable()");
    return own<TupleDataObservableProxyHandler>(this, m_env.vortex, m_metadata.name, nameOr(name));
}

TupleActionProcessor &PluginContext::actionProcessor(const QString &name)
{
    requireRole({"logic"}, "actionProcessor()");
    // The processed-action record lives in the plugin's own schema: on SQLite that is the file
    // of the plugin's tables, so one transaction covers the action's changes and its record.
    std::unique_ptr<ProcessedActionStore> store;
    if (m_env.database)
        store = std::make_unique<DatabaseProcessedActionStore>(m_env.database, schema());
    return own<TupleActionProcessor>(this, m_env.vortex, m_metadata.name, nameOr(name), std::move(store));
}

TupleActionProcessorProxy &PluginContext::proxyActions(const QString &name)
{
    requireRole({"field", "office"}, "proxyActions()");
    return own<TupleActionProcessorProxy>(this, m_env.vortex, m_metadata.name, nameOr(name));
}

void PluginContext::listen(const Rpc &rpc, Rpc::Handler handler)
{
    listenAsync(rpc, [handler = std::move(handler)](const ValueList &args, const Dict &kwargs) {
        return QtFuture::makeReadyFuture(handler(args, kwargs));
    });
}

void PluginContext::listenAsync(const Rpc &rpc, Rpc::AsyncHandler handler)
{
    requireOwnName(QStringLiteral("RPC"), rpc.name());
    if (rpc.options().listenVortexName != m_env.vortex->name())
        throw PluginError(QStringLiteral("%1 on %2: RPC %3 listens on %4, not on this role's %5")
                              .arg(m_metadata.name, m_env.role, rpc.name(), rpc.options().listenVortexName,
                                   m_env.vortex->name()));
    QPointer<Vortex> vortex = m_env.vortex;
    const PayloadRouter::EndpointId id = rpc.listenAsync(vortex, std::move(handler));
    onStop([vortex, id] {
        if (vortex)
            Rpc::stopListening(vortex, id);
    });
}

void PluginContext::requireOwnName(const QString &kind, const QString &name) const
{
    const QString prefix = m_metadata.name + u'.';
    if (!name.startsWith(prefix) || name.size() == prefix.size())
        throw PluginError(QStringLiteral("%1: %2 %3 must be named \"%1.<name>\"").arg(m_metadata.name, kind, name));
}

void PluginContext::addTask(const Task &task, TaskHandler handler)
{
    requireRole({"worker"}, "addTask()");
    requireOwnName(QStringLiteral("task"), task.name());
    if (!m_env.taskWorker)
        throw PluginError(QStringLiteral("%1 on %2: this worker has no task queue").arg(m_metadata.name, m_env.role));
    if (!handler)
        throw PluginError(QStringLiteral("%1: task %2 has no handler").arg(m_metadata.name, task.name()));
    if (m_env.taskWorker->taskNames().contains(task.name()))
        throw PluginError(QStringLiteral("%1: task %2 is added twice").arg(m_metadata.name, task.name()));
    QPointer<TaskWorker> worker = m_env.taskWorker;
    worker->addHandler(task.name(), std::move(handler));
    onStop([worker, name = task.name()] {
        if (worker)
            worker->removeHandler(name);
    });
}

TaskQueue &PluginContext::taskQueue(const char *what) const
{
    requireRole({"logic"}, what);
    if (!m_env.tasks)
        throw PluginError(QStringLiteral("%1 on %2: this logic has no task queue").arg(m_metadata.name, m_env.role));
    return *m_env.tasks;
}

TaskHandle PluginContext::queueTask(const Task &task, ValueList args)
{
    return taskQueue("queueTask()").queue(task, std::move(args));
}

QFuture<Value> PluginContext::taskResult(const QString &id)
{
    return taskQueue("taskResult()").result(id);
}

void PluginContext::addEndpoint(Dict filt, std::function<void(const PayloadEnvelope &, const MessageSource &)> handler)
{
    filt.insert(QStringLiteral("plugin"), Value(m_metadata.name));
    QPointer<Vortex> vortex = m_env.vortex;
    const PayloadRouter::EndpointId id = vortex->router().addEndpoint(std::move(filt), std::move(handler));
    onStop([vortex, id] {
        if (vortex)
            vortex->router().removeEndpoint(id);
    });
}

void PluginContext::publishApi(QObject *api)
{
    if (m_api)
        throw PluginError(QStringLiteral("%1 on %2: an API is published once").arg(m_metadata.name, m_env.role));
    m_api = api;
    onStop([this, api] {
        m_api = nullptr;
        delete api;
    });
}

void PluginContext::onStop(std::function<void()> cleanup)
{
    m_teardown.push_back(std::move(cleanup));
}

void PluginContext::tearDown()
{
    while (!m_teardown.empty()) {
        auto cleanup = std::move(m_teardown.back());
        m_teardown.pop_back();
        cleanup();
    }
}

} // namespace peek
