#include "pluginmanager.h"

#include "peekplugin.h"
#include "service/logging.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "tuple/tupleregistry.h"

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcPlugin, "peek.plugin")

namespace peek {

namespace {
QString libraryIn(const QString &directory, const QString &name)
{
    const QDir dir(directory);
    for (const QString &candidate : {QStringLiteral("lib%1.so").arg(name), QStringLiteral("%1.so").arg(name),
                                     QStringLiteral("lib%1.dylib").arg(name), QStringLiteral("%1.dll").arg(name)}) {
        if (dir.exists(candidate))
            return dir.absoluteFilePath(candidate);
    }
    return {};
}
} // namespace

PluginManager::PluginManager(QStringList searchDirectories, QStringList enabled)
    : m_searchDirectories(std::move(searchDirectories)), m_enabled(std::move(enabled))
{
    for (const QString &path : std::as_const(m_searchDirectories)) {
        const QDir dir(path);
        if (!dir.exists())
            continue;
        for (const QString &sub : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
            const QString file = dir.absoluteFilePath(sub + QStringLiteral("/plugin.json"));
            if (!QFileInfo::exists(file))
                continue;
            auto metadata = PluginMetadata::fromFile(file);
            if (!metadata) {
                if (!m_found.contains(sub) && !m_broken.contains(sub))
                    m_broken.insert(sub, metadata.error().message());
                continue;
            }
            const QString name = metadata.value().name;
            if (m_found.contains(name)) {
                m_warnings << QStringLiteral("%1 is installed twice: %2 is used, %3 is ignored")
                                  .arg(name, m_found.value(name).directory, metadata.value().directory);
                continue;
            }
            m_broken.remove(name);
            m_found.insert(name, std::move(metadata).value());
        }
    }
    for (auto it = m_broken.cbegin(); it != m_broken.cend(); ++it) {
        if (!m_enabled.contains(it.key()))
            m_warnings << it.value();
    }
    for (const QString &warning : std::as_const(m_warnings))
        qCWarning(lcPlugin).noquote() << warning;
    m_scanned = m_found;
    order();
}

Result<void> PluginManager::useDirectory(const QString &name, const QString &directory)
{
    if (directory.isEmpty()) {
        m_packageDirectories.remove(name);
        if (m_scanned.contains(name))
            m_found.insert(name, m_scanned.value(name));
        else
            m_found.remove(name);
    } else {
        auto metadata = PluginMetadata::fromFile(QDir(directory).absoluteFilePath(QStringLiteral("plugin.json")), false);
        if (!metadata)
            return metadata.error();
        if (metadata.value().name != name)
            return Error {QStringLiteral("%1 holds plugin %2, not %3").arg(directory, metadata.value().name, name)};
        m_packageDirectories.insert(name, directory);
        m_found.insert(name, std::move(metadata).value());
    }
    forgetLibrary(name);
    order();
    return {};
}

void PluginManager::forgetLibrary(const QString &name)
{
    auto it = m_libraries.find(name);
    if (it == m_libraries.end())
        return;
    for (const QString &type : std::as_const(it->second.tupleTypes))
        TupleRegistry::instance().unregister(type);
    m_retired.push_back(std::move(it->second.loader));
    m_libraries.erase(it);
}

void PluginManager::setEnabled(const QStringList &enabled)
{
    m_enabled = enabled;
    order();
}

void PluginManager::order()
{
    // The core plugins run whether config.json lists them or not (first, in name order).
    QStringList core;
    for (auto it = m_found.cbegin(); it != m_found.cend(); ++it)
        if (PluginMetadata::isCorePlugin(it.key()) && !m_enabled.contains(it.key()))
            core << it.key();
    m_enabled = core + m_enabled;

    QList<PluginMetadata> candidates;
    QMap<QString, QString> failed;
    for (const QString &name : std::as_const(m_enabled)) {
        if (m_found.contains(name))
            candidates << m_found.value(name);
        else if (m_broken.contains(name))
            failed.insert(name, m_broken.value(name));
        else
            failed.insert(name, QStringLiteral("%1 is enabled in config.json but not installed (searched %2)")
                                    .arg(name, m_searchDirectories.join(QStringLiteral(", "))));
    }
    m_order = orderByDependencies(candidates);
    for (auto it = failed.cbegin(); it != failed.cend(); ++it)
        m_order.failed.insert(it.key(), it.value());
    for (auto it = m_order.failed.cbegin(); it != m_order.failed.cend(); ++it)
        qCCritical(lcPlugin).noquote() << "cannot run" << it.key() << "-" << it.value();
}

PluginManager::~PluginManager()
{
    unloadAll();
}

const PluginMetadata *PluginManager::metadata(const QString &name) const
{
    auto it = m_found.constFind(name);
    return it == m_found.cend() ? nullptr : &it.value();
}

Result<PeekPlugin *> PluginManager::entry(const PluginMetadata &metadata)
{
    auto existing = m_libraries.find(metadata.name);
    if (existing != m_libraries.end())
        return existing->second.entry;

    const QString file = libraryIn(metadata.directory, metadata.name);
    if (file.isEmpty())
        return Error {QStringLiteral("%1: no library lib%1.so in %2 (is the plugin built and installed?)")
                          .arg(metadata.name, metadata.directory)};
    const QStringList typesBefore = TupleRegistry::instance().typeNames();
    Library library;
    library.loader = std::make_unique<QPluginLoader>(file);
    QObject *root = library.loader->instance();
    if (!root)
        return Error {QStringLiteral("%1: cannot load %2: %3").arg(metadata.name, file, library.loader->errorString())};
    library.entry = qobject_cast<PeekPlugin *>(root);

    // Tuple types the library registered while it loaded; a library mapped before (its static
    // initialisers do not run again) gets the types it registered then.
    const QStringList typesAfter = TupleRegistry::instance().typeNames();
    for (const QString &type : typesAfter) {
        if (!typesBefore.contains(type))
            library.tupleTypes << type;
    }
    // The tuple types each library file registered when it was first mapped (its static
    // initialisers run once): loaded again (a rollback to the version before, or a second
    // ServiceHost in the same process), they are registered again from here. Process-wide, as
    // the libraries stay mapped until the process ends.
    static QHash<QString, QList<QPair<QString, TupleRegistry::Factory>>> typesOfFile;
    const QString canonical = QFileInfo(file).canonicalFilePath();
    if (library.tupleTypes.isEmpty() && typesOfFile.contains(canonical)) {
        for (const auto &[type, factory] : std::as_const(typesOfFile[canonical]))
            if (TupleRegistry::instance().registerFactory(type, factory))
                library.tupleTypes << type;
    } else {
        QList<QPair<QString, TupleRegistry::Factory>> registered;
        for (const QString &type : std::as_const(library.tupleTypes))
            registered.append({type, TupleRegistry::instance().factory(type)});
        typesOfFile.insert(canonical, registered);
    }
    QStringList wrong;
    for (const QString &type : std::as_const(library.tupleTypes)) {
        if (!type.startsWith(metadata.name + u'.'))
            wrong << type;
    }
    QString error;
    if (!library.entry)
        error = QStringLiteral("%1: %2 is not a Peek plugin (no PeekPlugin interface, IID %3)")
                    .arg(metadata.name, file, QStringLiteral(PeekPlugin_iid));
    else if (!wrong.isEmpty())
        error = QStringLiteral("%1: tuple type names must start with \"%1.\"; rename %2")
                    .arg(metadata.name, wrong.join(QStringLiteral(", ")));
    if (!error.isEmpty()) {
        for (const QString &type : std::as_const(library.tupleTypes))
            TupleRegistry::instance().unregister(type);
        library.loader->unload();
        return Error {error};
    }
    qCInfo(lcPlugin).noquote() << "loaded" << metadata.name << metadata.version.toString() << "from" << file;
    PeekPlugin *entry = library.entry;
    m_libraries.emplace(metadata.name, std::move(library));
    return entry;
}

void PluginManager::unloadAll()
{
    for (auto &[name, library] : m_libraries) {
        for (const QString &type : std::as_const(library.tupleTypes))
            TupleRegistry::instance().unregister(type);
        // Unloading a library whose code may still be referenced (a queued functor, a static)
        // is a crash waiting to happen; the libraries stay mapped until the process ends.
    }
    m_libraries.clear();
}

// ---- one role ----------------------------------------------------------------------------------

RolePlugins::RolePlugins(PluginManager &manager, RoleEnvironment environment, QObject *parent)
    : QObject(parent), m_manager(manager), m_env(std::move(environment))
{
    m_env.findApi = [this](const QString &plugin) { return api(plugin); };
}

RolePlugins::~RolePlugins()
{
    stopAll();
}

QString RolePlugins::stateName(State state)
{
    switch (state) {
    case State::Loading: return QStringLiteral("loading");
    case State::Started: return QStringLiteral("started");
    case State::Failed: return QStringLiteral("failed");
    case State::Stopped: return QStringLiteral("stopped");
    }
    return {};
}

RolePlugins::Running *RolePlugins::find(const QString &name)
{
    for (auto &running : m_running) {
        if (running->record.name == name)
            return running.get();
    }
    return nullptr;
}

QObject *RolePlugins::api(const QString &plugin) const
{
    for (const auto &running : m_running) {
        if (running->record.name == plugin && running->record.state == State::Started && running->context)
            return running->context->publishedApi();
    }
    return nullptr;
}

Settings *RolePlugins::settings(const QString &plugin) const
{
    for (const auto &running : m_running)
        if (running->record.name == plugin && running->record.state == State::Started && running->context
            && running->context->hasSettings())
            return &running->context->settings();
    return nullptr;
}

QList<RolePlugins::Record> RolePlugins::records() const
{
    QList<Record> list;
    for (const auto &running : m_running)
        list << running->record;
    return list;
}

void RolePlugins::startAll()
{
    for (const PluginMetadata &metadata : m_manager.ordered()) {
        if (metadata.runsOn(m_env.role))
            startOne(metadata);
    }
}

void RolePlugins::fail(Running &running, const QString &phase, const Error &error)
{
    // The record (shown by /health) says what failed; the SQL and the driver's text of a failed
    // migration go to the log only.
    running.record.state = State::Failed;
    running.record.error = QStringLiteral("%1 failed: %2").arg(phase, error.peerMessage());
    qCCritical(logging::pluginCategory(m_env.role.name(), running.record.name)).noquote()
        << running.record.name << "on" << m_env.role.name()
        << QStringLiteral("%1 failed: %2").arg(phase, error.message()) << "(the other plugins keep running)";
    if (running.context)
        running.context->tearDown();
    running.hook.reset();
    Q_EMIT pluginFailed(running.record.name, running.record.error);
}

Result<void> RolePlugins::migrate(const PluginMetadata &metadata, const PluginContext &context)
{
    if (m_env.role != Role::Logic || !m_env.database)
        return {};
    const QString migrations = QDir(metadata.directory).absoluteFilePath(QStringLiteral("migrations"));
    if (!QFileInfo(migrations).isDir())
        return {};
    const QString schema = PluginContext::schemaOf(metadata.name);
    if (auto ok = m_env.database->ensureSchema(schema); !ok)
        return ok;
    auto set = MigrationSet::fromDirectory(schema, migrations);
    if (!set)
        return set.error();
    auto report = Migrator::migrate(*m_env.database, set.value());
    if (!report)
        return report.error();
    if (!report.value().applied.isEmpty())
        qCInfo(context.log()).noquote() << "migrated schema" << schema << "to version" << report.value().version;
    return {};
}

void RolePlugins::startOne(const PluginMetadata &metadata)
{
    auto owned = std::make_unique<Running>();
    Running &running = *owned;
    running.record.name = metadata.name;
    running.record.version = metadata.version.toString();
    m_running.push_back(std::move(owned));

    for (const PluginDependency &dependency : metadata.dependencies) {
        Running *other = find(dependency.name);
        if (other && other->record.state == State::Failed) {
            fail(running, QStringLiteral("load"),
                 Error {QStringLiteral("needs %1, which failed (%2)").arg(dependency.name, other->record.error)});
            return;
        }
    }

    // The plugin's own code runs in here (its library's static setup, its hooks): a hook fails
    // by throwing (PluginError from a PluginContext call it misused, or its own), and only the
    // plugin fails.
    QString phase = QStringLiteral("load");
    try {
        auto entry = m_manager.entry(metadata);
        if (!entry) {
            fail(running, phase, entry.error());
            return;
        }
        running.hook = entry.value()->createHook(m_env.role);
        if (!running.hook) {
            // The plugin lists the role but has nothing to run there: not an error.
            running.record.state = State::Started;
            return;
        }
        running.context = std::make_unique<PluginContext>(metadata, m_env);
        if (auto migrated = migrate(metadata, *running.context); !migrated) {
            fail(running, QStringLiteral("migration"), migrated.error());
            return;
        }
        running.hook->load(*running.context);
        phase = QStringLiteral("start");
        running.hook->start(*running.context);
        running.record.state = State::Started;
        qCInfo(running.context->log()).noquote() << "started" << metadata.name << running.record.version
                                                 << "on" << m_env.role.name();
    } catch (const std::exception &e) {
        fail(running, phase, Error {QString::fromUtf8(e.what())});
    } catch (...) {
        fail(running, phase, Error {QStringLiteral("an unknown exception")});
    }
}

void RolePlugins::stopOne(Running &running)
{
    if (running.record.state == State::Started && running.hook) {
        try {
            running.hook->stop(*running.context);
        } catch (const std::exception &e) {
            qCWarning(running.context->log()).noquote() << running.record.name << "stop failed:" << e.what();
        }
        running.context->tearDown();
        try {
            running.hook->unload(*running.context);
        } catch (const std::exception &e) {
            qCWarning(running.context->log()).noquote() << running.record.name << "unload failed:" << e.what();
        }
        running.hook.reset();
        qCInfo(running.context->log()).noquote() << "stopped" << running.record.name << "on" << m_env.role.name();
    }
    running.record.state = State::Stopped;
}

void RolePlugins::stopAll()
{
    for (auto it = m_running.rbegin(); it != m_running.rend(); ++it)
        stopOne(**it);
}

bool RolePlugins::sync()
{
    QStringList wanted;
    for (const PluginMetadata &metadata : m_manager.ordered())
        if (metadata.runsOn(m_env.role))
            wanted << metadata.name;
    bool changed = false;
    // What goes, newest first (dependents before what they need).
    for (auto it = m_running.size(); it-- > 0;) {
        if (wanted.contains(m_running[it]->record.name))
            continue;
        stopOne(*m_running[it]);
        m_running.erase(m_running.begin() + qsizetype(it));
        changed = true;
    }
    for (const PluginMetadata &metadata : m_manager.ordered()) {
        if (metadata.runsOn(m_env.role) && !find(metadata.name)) {
            startOne(metadata);
            changed = true;
        }
    }
    return changed;
}

} // namespace peek
