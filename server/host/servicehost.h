#pragma once

#include "base/role.h"
#include "storage/auditlog.h"
#include "task/task.h"
#include "vortex/vortex.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QSslConfiguration>
#include <QUrl>

#include <functional>
#include <map>
#include <optional>
#include <memory>

class QNetworkAccessManager;

namespace peek {

class AdminService;

class Database;
struct ServiceInfoTuple;
class HttpRoutes;
class PluginManager;
class RolePlugins;
class TaskNotifier;
class TaskQueue;
class TaskWorker;
class TlsBundle;

// How to run the services of one process (filled from config.json and the command line).
struct ServiceHostOptions
{
    QString home;                 // config, database, log, TLS bundle, home plugins
    QList<Role> roles;            // started in Role::all() order, whatever the order here
    QUrl logicUrl;                // where non-logic roles reach logic when it runs elsewhere
    QHostAddress listenAddress = QHostAddress::Any;
    int fieldPort = Role(Role::Field).defaultPort();
    int officePort = Role(Role::Office).defaultPort();
    int logicAdminPort = Role::kLogicAdminPort;
    int logicDataExchangePort = Role(Role::Logic).defaultPort();
    QString storageUrl;           // empty: the SQLite file <home>/peek.sqlite
    // Logic requires it of every service that dials in; the other roles present it. Empty: logic
    // accepts any service (tests in one process), the others dial without one.
    QByteArray joinToken;
    TaskSettings tasks;           // config.json "tasks" and "worker"
    QString workerName;           // empty: <host>:<pid>
    QStringList enabledPlugins;   // plugin.enabled (the core plugins, peek_core_*, always run)
    // devices.requireEnrolment: field and office serve a device only once peek_core_device has
    // seen it enrolled and approved; until that plugin runs, they refuse every device. Off: devices
    // are served as they come (identified when they present themselves). Only with a join token:
    // without one every peer counts as a proven service (tests in one process).
    bool requireDeviceEnrolment = true;
    // GET /metrics answers loopback, the join token, and `Authorization: Bearer <this>` when set
    // (config.json metrics.token: a Prometheus on another machine).
    QString metricsToken;
    QStringList pluginDirectories; // bundled plugins; <home>/plugins is searched after them
    VortexOptions vortexOptions;
    // Field and office each on a thread of their own when logic runs in the same process
    // (config.json network.serviceThreads; peek-server's default): the devices' traffic and
    // logic's work use separate cores. Their vortex, HTTP routes and plugins (and the APIs those
    // publish) then live on that thread; the host's own calls to them wait for it. Off: every
    // role on the thread that runs the host (tests that reach into the roles directly).
    bool serviceThreads = false;

    // For tests (Peek's own, and a plugin's through peek/testing.h): the roles in the test's
    // process on loopback, every port chosen by the system, links that retry after 50-200 ms.
    static ServiceHostOptions forTests(const QString &home, const QList<Role> &roles, const QStringList &plugins,
                                       const QStringList &pluginDirectories);
};

// The roles of one peek-server process (docs/architecture.md, "Roles"): a vortex per role, logic's
// database, the links to logic (in process, or dialled with reconnect), the plugins of each
// role, and GET /health on every port. Shared by the headless server and the apps.
class ServiceHost : public QObject
{
    Q_OBJECT
public:
    explicit ServiceHost(ServiceHostOptions options, QObject *parent = nullptr);
    ~ServiceHost() override;

    // Opens storage, listens, links the roles and starts the plugins. Fails when the process
    // cannot serve (a busy port, a database that does not open, a broken TLS
    // bundle); a failing plugin is not such an error (it is reported in the log and /health).
    Result<void> start();
    // Stops the plugins (reverse order), closes connections and storage.
    void stop();

    const ServiceHostOptions &options() const { return m_options; }
    // The role's vortex (on its service thread with ServiceHostOptions::serviceThreads).
    Vortex *vortex(Role role) const;
    // The API `plugin` published on `role` in this process (PluginContext::publishApi), or nullptr.
    // With service threads, a field or office plugin's API lives on that service's thread.
    QObject *pluginApi(Role role, const QString &plugin) const;
    QList<quint16> ports(Role role) const;
    bool isTls() const { return m_tls; }
    // What GET /health answers a service (the join token in its X-Peek-Join-Token header);
    // anyone else gets only "status" and "version".
    QJsonObject health() const;
    // GET /metrics's values read at each scrape (base/metrics.h).
    void collectMetrics(metrics::Samples &samples) const;
    // Enables exactly these plugins (besides the core plugins) in every role of this process, at
    // once: what is no longer enabled stops, what is newly enabled starts; config.json keeps it
    // (plugin.enabled). On logic an admin does it (peek-server admin plugins enable|disable) and
    // logic tells every service; elsewhere logic's word is applied.
    Result<void> setEnabledPlugins(const QStringList &enabled);
    // Installs a plugin package (docs/administration.md) in this process, without a restart: it
    // is checked (PluginPackage::read, and its dependencies here), unpacked into
    // <home>/packages/<name>/<version> beside its file, the plugin (and what needs it) stops on
    // every role, the new version starts (migrating its schema on logic) and is enabled. When it
    // fails to start on a role, the version before comes back and the error says what failed
    // where. Answers "<name> <version>" as it runs now.
    Result<QString> installPackage(const QByteArray &file);
    // Goes back to the version that ran before the last install of `name` (a package kept
    // here, or the search directories' copy), the same way. Answers "<name> <version>".
    Result<QString> rollbackPackage(const QString &name);
    // Logic's word on what runs (EnabledPluginsTuple): the packages it runs are fetched from it
    // (those not here yet), checked and switched to, those it no longer runs give way to the
    // search directories' copies, then `enabled` applies. In logic's own process: nothing to do.
    void applyFromLogic(const QStringList &enabled, const ValueList &packages);
    // The packages that run here, for the services: {name, version, file, sha256}.
    ValueList runningPackages() const;
    // For the service manager's watchdog, called at its interval: false while a service thread
    // has left the host's last ask unanswered for over `withinMs` (stuck: the watchdog then lets
    // systemd restart the process, as it does for a stuck main loop). Asks again once answered.
    bool servicesTurning(qint64 withinMs);
    // Human-readable lines describing where each role listens or what it dials (for start-up output).
    QStringList describe() const;

    TaskQueue *taskQueue() const { return m_taskQueue.get(); }
    TaskWorker *taskWorker() const { return m_taskWorker.get(); }

private:
    struct Service; // a role running here
    struct Snapshot; // what health and metrics read of a service, taken on its thread
    // The service of `role` in this process, or nullptr.
    Service *service(Role role) const;
    // Makes the role's vortex, its ports and its link to logic (on the service's thread).
    Result<void> makeService(Service &service, const std::optional<TlsBundle> &tls, Vortex *logic);
    // Runs `call` on the service's thread and waits for it (the host's own calls: start, stop,
    // plugins); at once when it has none or this is it.
    void onService(const Service &service, const std::function<void()> &call) const;
    // The service's state, read on its thread; nullopt when that thread did not answer within
    // two seconds (busy, or waiting for the asking thread): health says so.
    std::optional<Snapshot> snapshot(const Service &service) const;
    Result<void> listen(Service &service, const QList<int> &ports);
    // Field and office: the UI bundles of the role's started plugins, on its port.
    void serveUiBundles(Service &service);
    Result<void> openStorage();
    // What the role's service reports about itself to logic's admin service.
    std::shared_ptr<ServiceInfoTuple> report(const Service &service) const;
    void sendReport(const Service &service);
    // Applies the manager's enabled set to every role (stop what goes, start what comes), then
    // serves the bundles anew and reports.
    void syncRoles();
    // Stops `name` everywhere here, runs it from `directory` (empty: the search directories') and
    // starts it again with `enabled`; the roles it failed on, with the errors.
    QStringList switchPlugin(const QString &name, const QString &directory, const QStringList &enabled);
    QString packagesDirectory() const;
    Result<void> saveInstalledPackages() const;
    // plugin.enabled in this home's config.json.
    Result<void> saveEnabledPlugins(const QStringList &enabled) const;
    // Per plugin installed from a package: the directory it ran from before (empty: the search
    // directories' copy), for rollback.
    QMap<QString, QString> m_previousPackage;
    QNetworkAccessManager *m_network = nullptr; // fetches packages from logic (non-logic processes)
    std::optional<QSslConfiguration> m_clientTls;
    QMap<QString, QString> m_packageProblems; // plugin -> why logic's package does not run here
    mutable QHash<QString, QString> m_packageHashes; // package file -> its SHA-256 (read once)
    quint64 m_logicWord = 0; // the newest applyFromLogic, so an older one's fetches do not undo it

    ServiceHostOptions m_options;
    std::vector<std::unique_ptr<Service>> m_services; // in Role::all() order
    std::unique_ptr<Database> m_database;
    std::unique_ptr<TaskNotifier> m_taskNotifier;
    std::unique_ptr<TaskQueue> m_taskQueue;
    quint64 m_metricsCollector = 0;
    std::unique_ptr<TaskWorker> m_taskWorker;
    std::unique_ptr<PluginManager> m_plugins;
    std::unique_ptr<AdminService> m_admin; // logic
    std::optional<AuditLog> m_audit;       // logic
    QElapsedTimer m_uptime;
    QDateTime m_startedAt;
    bool m_tls = false;
    bool m_started = false;
};

} // namespace peek
