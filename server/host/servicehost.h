#pragma once

#include "task/task.h"
#include "vortex/vortex.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QUrl>

#include <map>
#include <memory>

namespace peek {

class Database;
class HttpRoutes;
class PluginManager;
class RolePlugins;
class TaskNotifier;
class TaskQueue;
class TaskWorker;

// How to run the services of one process (filled from config.json and the command line).
struct ServiceHostOptions
{
    QString home;                 // config, database, log, TLS bundle, home plugins
    QStringList roles;            // any of ServiceHost::allRoles()
    QUrl logicUrl;                // where non-logic roles reach logic when it runs elsewhere
    QHostAddress listenAddress = QHostAddress::Any;
    int fieldPort = 8000;
    int officePort = 8002;
    int logicAdminPort = 8010;
    int logicDataExchangePort = 8011;
    QString storageUrl;           // empty: the SQLite file <home>/peek.sqlite
    // Logic requires it of every service that dials in; the other roles present it. Empty: logic
    // accepts any service (tests in one process), the others dial without one.
    QByteArray joinToken;
    TaskSettings tasks;           // config.json "tasks" and "worker"
    QString workerName;           // empty: <host>:<pid>
    QStringList enabledPlugins;   // plugin.enabled
    QStringList pluginDirectories; // bundled plugins; <home>/plugins is searched after them
    VortexOptions vortexOptions;
};

// The roles of one peek-server process (ARCHITECTURE.md "Services"): a vortex per role, logic's
// database, the links to logic (in process, or dialled with reconnect), the plugins of each
// role, and GET /health on every port. Shared by the headless server and the apps.
class ServiceHost : public QObject
{
    Q_OBJECT
public:
    explicit ServiceHost(ServiceHostOptions options, QObject *parent = nullptr);
    ~ServiceHost() override;

    static const QStringList &allRoles(); // logic, field, office, agent, worker (start order)
    // Checks a role list ("logic,field"): empty string when fine, else the error.
    static QString checkRoles(const QStringList &roles);

    // Opens storage, listens, links the roles and starts the plugins. Returns false with *error
    // when the process cannot serve (a busy port, a database that does not open, a broken TLS
    // bundle); a failing plugin is not such an error (it is reported in the log and /health).
    bool start(QString *error);
    // Stops the plugins (reverse order), closes connections and storage.
    void stop();

    const ServiceHostOptions &options() const { return m_options; }
    Vortex *vortex(const QString &role) const;
    QList<quint16> ports(const QString &role) const;
    bool isTls() const { return m_tls; }
    // What GET /health answers.
    QJsonObject health() const;
    // Human-readable lines describing where each role listens or what it dials (for start-up output).
    QStringList describe() const;

    TaskQueue *taskQueue() const { return m_taskQueue.get(); }
    TaskWorker *taskWorker() const { return m_taskWorker.get(); }

private:
    struct Role;
    bool listen(Role &role, const QList<int> &ports, QString *error);
    // Field and office: the UI bundles of the role's started plugins, on its port.
    void serveUiBundles(Role &role);
    bool openStorage(QString *error);

    ServiceHostOptions m_options;
    std::vector<std::unique_ptr<Role>> m_roles; // in allRoles() order
    std::unique_ptr<Database> m_database;
    std::unique_ptr<TaskNotifier> m_taskNotifier;
    std::unique_ptr<TaskQueue> m_taskQueue;
    std::unique_ptr<TaskWorker> m_taskWorker;
    std::unique_ptr<PluginManager> m_plugins;
    QElapsedTimer m_uptime;
    QDateTime m_startedAt;
    bool m_tls = false;
    bool m_started = false;
};

} // namespace peek
