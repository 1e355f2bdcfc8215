#pragma once

#include "tuple/tupleregistry.h"

#include "base/export.h"
#include "plugin/plugincontext_p.h"
#include "plugin/pluginmetadata.h"

#include <QObject>
#include <QPluginLoader>

#include <map>
#include <memory>

namespace peek {

class PeekPlugin;
class PluginRoleHook;

// The plugins installed for a process: found in search directories (the bundled plugins, then
// the home's), one subdirectory per plugin holding plugin.json and the plugin's shared library.
// Metadata is read without loading code; a library is loaded the first time a role starts its
// plugin and stays loaded until unloadAll(). When several directories hold the same plugin, the
// first directory wins (the home cannot shadow a bundled plugin by accident: it is reported).
class PEEK_CORE_EXPORT PluginManager
{
public:
    explicit PluginManager(QStringList searchDirectories, QStringList enabled);
    ~PluginManager();

    const QStringList &searchDirectories() const { return m_searchDirectories; }
    const QStringList &enabled() const { return m_enabled; }

    // Enabled plugins that can run, in dependency order.
    const QList<PluginMetadata> &ordered() const { return m_order.ordered; }
    // Enabled plugins that cannot run and why (not installed, bad plugin.json, dependency).
    const QMap<QString, QString> &failed() const { return m_order.failed; }
    // Problems with plugins that are not enabled (bad plugin.json, duplicates): for the log.
    const QStringList &warnings() const { return m_warnings; }
    const PluginMetadata *metadata(const QString &name) const;
    // Installed plugins (enabled or not), by name.
    QStringList installed() const { return m_found.keys(); }

    // Another set of enabled plugins (the core plugins are added as at construction): ordered()
    // and failed() follow; the roles apply it with RolePlugins::sync(). Libraries already loaded
    // stay loaded.
    void setEnabled(const QStringList &enabled);

    // Plugin packages (docs/administration.md): runs the plugin installed in `directory` (a
    // package unpacked there) instead of the search directories' copy; empty: theirs again.
    // Only after every role stopped the plugin (RolePlugins::sync); ordered() follows.
    Result<void> useDirectory(const QString &name, const QString &directory);
    // Where the plugin runs from when a package put it there; empty: the search directories.
    QString packageDirectory(const QString &name) const { return m_packageDirectories.value(name); }

    // The plugin's entry point, loading its library on first use. Fails when the library is
    // missing, cannot be loaded, is not a Peek plugin, or registers tuple types whose names do
    // not start with "<plugin>.".
    Result<PeekPlugin *> entry(const PluginMetadata &metadata);

    // Unregisters the plugins' tuple types and unloads their libraries (after every role stopped).
    void unloadAll();

private:
    void order(); // m_order from m_enabled and what was found
    // Forgets the plugin's library (its tuple types go; its code stays mapped, see unloadAll)
    // so the next entry() loads the library of its directory now.
    void forgetLibrary(const QString &name);
    struct Library
    {
        std::unique_ptr<QPluginLoader> loader;
        PeekPlugin *entry = nullptr;
        QStringList tupleTypes;
    };
    QStringList m_searchDirectories;
    QStringList m_enabled;
    QMap<QString, PluginMetadata> m_found;   // what runs: the search directories', then packages'
    QMap<QString, PluginMetadata> m_scanned; // the search directories'
    QMap<QString, QString> m_packageDirectories;
    std::vector<std::unique_ptr<QPluginLoader>> m_retired; // replaced libraries, kept mapped
    PluginOrder m_order;
    QStringList m_warnings;
    QMap<QString, QString> m_broken; // plugin directory name -> why its plugin.json is unreadable
    std::map<QString, Library> m_libraries;
};

// The plugins of one role: each enabled plugin that runs on the role is loaded and started in
// dependency order, and stopped in reverse. A plugin that fails (its hook throws, a dependency
// failed, its migration failed) is recorded with the reason and the others go on.
class PEEK_CORE_EXPORT RolePlugins : public QObject
{
    Q_OBJECT
public:
    enum class State { Loading, Started, Failed, Stopped };
    struct Record
    {
        QString name;
        QString version;
        State state = State::Loading;
        QString error;
    };

    RolePlugins(PluginManager &manager, RoleEnvironment environment, QObject *parent = nullptr);
    ~RolePlugins() override;

    Role role() const { return m_env.role; }
    void startAll();
    void stopAll();
    // Brings the role to the manager's enabled set (PluginManager::setEnabled): stops what is no
    // longer enabled (or lost a dependency), in reverse start order, then starts what is newly
    // enabled, in dependency order. True when anything changed.
    bool sync();
    QList<Record> records() const;
    static QString stateName(State state);
    QObject *api(const QString &plugin) const;
    // The settings a started plugin declared on this role (logic); null when none.
    Settings *settings(const QString &plugin) const;

Q_SIGNALS:
    void pluginFailed(const QString &plugin, const QString &error);

private:
    struct Running
    {
        Record record;
        std::unique_ptr<PluginContext> context;
        std::unique_ptr<PluginRoleHook> hook;
    };
    void startOne(const PluginMetadata &metadata);
    void stopOne(Running &running);
    void fail(Running &running, const QString &phase, const Error &error);
    // Logic: creates the plugin's schema and applies its migrations/ (nothing elsewhere).
    Result<void> migrate(const PluginMetadata &metadata, const PluginContext &context);
    Running *find(const QString &name);

    PluginManager &m_manager;
    RoleEnvironment m_env;
    std::vector<std::unique_ptr<Running>> m_running; // start order
};

} // namespace peek
