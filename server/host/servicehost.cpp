#include "host/servicehost.h"

#include "host/adminservice.h"

#include "base/eventdispatcher.h"
#include "base/metrics.h"

#include "plugin/pluginmanager.h"
#include "plugin/pluginpackage.h"
#include "service/logging.h"
#include "service/serviceconfig.h"
#include "service/tlsbundle.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "task/tasknotifier.h"
#include "task/taskqueue.h"
#include "task/taskstore.h"
#include "task/taskworker.h"
#include "vortex/httproutes.h"
#include "plugin/uibundle.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QDir>
#include <QHostInfo>
#include <QSaveFile>
#include <QSysInfo>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QSemaphore>
#include <QThread>

namespace peek {

Q_LOGGING_CATEGORY(lcHost, "peek.service")

namespace {

// Field and office before peek_core_device guards them (or after it stopped or failed): no device
// is served, and each is told why; logic's admin port likewise until peek_core_user checks admin
// logins. Logged once per connection.
Vortex::DeviceGate closedDeviceGate(Role role)
{
    auto logged = std::make_shared<QSet<quint64>>();
    return [role, logged](const PayloadEnvelope &envelope, const MessageSource &source) {
        const QString why = role == Role::Logic
            ? QStringLiteral("admin login required: the logic service cannot check logins now (peek_core_user "
                             "is not running)")
            : QStringLiteral("device not enrolled: the %1 service cannot check devices now "
                             "(peek_core_device is not running); try again later")
                  .arg(role.name());
        if (!logged->contains(source.connectionId)) {
            if (logged->size() > 10000)
                logged->clear();
            logged->insert(source.connectionId);
            qCWarning(lcHost).noquote() << QStringLiteral("%1 service: refused %2 (%3): %4 is not running, so "
                                                          "it cannot be checked")
                                               .arg(role.name(), source.vortexName, source.address,
                                                    role == Role::Logic ? QStringLiteral("peek_core_user")
                                                                        : QStringLiteral("peek_core_device"));
        }
        source.reply(PayloadEnvelope::error(envelope.filt, why));
        return Vortex::GateVerdict::Refused;
    };
}

} // namespace

struct ServiceHost::Service
{
    explicit Service(Role r) : role(r) {}
    Role role;
    // ServiceHostOptions::serviceThreads: the thread field or office runs on, and an object on it
    // that the host's calls are queued to. Null: the host's thread.
    std::unique_ptr<QThread> thread;
    std::unique_ptr<QObject> anchor;
    // servicesTurning(): when the host last asked the thread (its clock; -1 never) and when the
    // thread last answered.
    qint64 askedAt = -1;
    std::shared_ptr<QAtomicInteger<qint64>> answeredAt = std::make_shared<QAtomicInteger<qint64>>(-1);
    std::unique_ptr<Vortex> vortex;
    std::unique_ptr<HttpRoutes> http; // roles with a port
    std::unique_ptr<RolePlugins> plugins;
    QList<quint64> bundleRoutes; // the UI bundles' routes (field, office; admin on logic)
};

struct ServiceHost::Snapshot
{
    QString vortexName;
    QList<PeerInfo> peers;
    QList<quint16> ports;
    bool logicConnected = false;
    QHash<QString, qint64> trips;
    QList<RolePlugins::Record> plugins;
    QJsonObject taskQueue, taskWorker; // logic, worker
};

namespace {

// What `read` answers on `context`'s thread, asked from any thread: at once on that thread, else
// queued there and waited for at most two seconds (that thread may be busy, or waiting for this
// one: the host waits for a service thread while it starts or stops plugins); nullopt then.
template<class T>
std::optional<T> askOn(QObject *context, std::function<std::optional<T>()> read)
{
    if (context->thread() == QThread::currentThread())
        return read();
    struct Answer
    {
        QSemaphore done;
        std::optional<T> value;
    };
    auto answer = std::make_shared<Answer>();
    QMetaObject::invokeMethod(context, [answer, read] {
        answer->value = read();
        answer->done.release();
    }, Qt::QueuedConnection);
    if (!answer->done.tryAcquire(1, 2000))
        return std::nullopt;
    return std::move(answer->value);
}

} // namespace

void ServiceHost::onService(const Service &service, const std::function<void()> &call) const
{
    if (!service.thread || QThread::currentThread() == service.thread.get())
        call();
    else
        QMetaObject::invokeMethod(service.anchor.get(), call, Qt::BlockingQueuedConnection);
}

std::optional<ServiceHost::Snapshot> ServiceHost::snapshot(const Service &service) const
{
    // Looked up again where it runs: an answer that comes too late finds the service gone, or
    // still there (the host's thread stops the services only after their threads end).
    const Role role = service.role;
    const std::function<std::optional<Snapshot>()> take = [this, role]() -> std::optional<Snapshot> {
        const Service *s = this->service(role);
        if (!s || !s->vortex)
            return std::nullopt;
        Snapshot snap;
        snap.vortexName = s->vortex->name();
        snap.peers = s->vortex->peers();
        snap.ports = s->vortex->serverPorts();
        snap.logicConnected = s->vortex->isConnectedTo(Role(Role::Logic).vortexName());
        snap.trips = s->vortex->limitTrips();
        if (s->plugins)
            snap.plugins = s->plugins->records();
        if (role == Role::Logic && m_taskQueue)
            snap.taskQueue = m_taskQueue->health();
        if (role == Role::Worker && m_taskWorker)
            snap.taskWorker = m_taskWorker->health();
        return snap;
    };
    return askOn<Snapshot>(service.anchor ? service.anchor.get() : const_cast<ServiceHost *>(this), take);
}

ServiceHost::ServiceHost(ServiceHostOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
    m_metricsCollector = metrics::Registry::instance().addCollector([this](metrics::Samples &samples) { collectMetrics(samples); });
}

ServiceHost::~ServiceHost()
{
    metrics::Registry::instance().removeCollector(m_metricsCollector);
    stop();
}

// What GET /metrics reads at each scrape besides the counters kept where things happen: the
// process, the connections of each service, tripped limits, the task queue, the plugins.
void ServiceHost::collectMetrics(metrics::Samples &samples) const
{
    using metrics::Labels;
    metrics::collectProcess(samples);
    samples.add(QStringLiteral("peek_build_info"), QStringLiteral("The running peek-server's version (always 1)."),
                QStringLiteral("gauge"), {{QStringLiteral("version"), QCoreApplication::applicationVersion()}}, 1);
    std::optional<QJsonObject> queue;
    for (const auto &role : m_services) {
        const std::optional<Snapshot> snap = snapshot(*role);
        if (!snap)
            continue; // its thread is busy: this scrape goes without it
        if (role->role == Role::Logic)
            queue = snap->taskQueue;
        const QString service = role->role.name();
        int devices = 0, services = 0;
        for (const PeerInfo &peer : snap->peers)
            ++(peer.proven ? services : devices);
        const QString help = QStringLiteral("Open connections of a service: devices and admins, or other services.");
        samples.add(QStringLiteral("peek_connections"), help, QStringLiteral("gauge"),
                    {{QStringLiteral("service"), service}, {QStringLiteral("peer"), QStringLiteral("device")}}, devices);
        samples.add(QStringLiteral("peek_connections"), help, QStringLiteral("gauge"),
                    {{QStringLiteral("service"), service}, {QStringLiteral("peer"), QStringLiteral("service")}}, services);
        for (auto it = snap->trips.cbegin(); it != snap->trips.cend(); ++it)
            samples.add(QStringLiteral("peek_limit_trips_total"), QStringLiteral("Per-connection limits tripped (the peer refused or cut off)."),
                        QStringLiteral("counter"), {{QStringLiteral("service"), service}, {QStringLiteral("limit"), it.key()}},
                        double(it.value()));
        for (const RolePlugins::Record &record : snap->plugins)
            samples.add(QStringLiteral("peek_plugin_state"),
                        QStringLiteral("A plugin's state on a service (1 for the state it is in)."), QStringLiteral("gauge"),
                        {{QStringLiteral("service"), service}, {QStringLiteral("plugin"), record.name},
                         {QStringLiteral("version"), record.version}, {QStringLiteral("state"), RolePlugins::stateName(record.state)}},
                        1);
    }
    if (queue && !queue->isEmpty()) {
        const QJsonObject tasks = queue->value(QStringLiteral("tasks")).toObject();
        for (auto it = tasks.constBegin(); it != tasks.constEnd(); ++it)
            samples.add(QStringLiteral("peek_tasks"), QStringLiteral("Tasks in logic's queue by state (as of the queue's last pass)."),
                        QStringLiteral("gauge"), {{QStringLiteral("state"), it.key()}}, it.value().toDouble());
        samples.add(QStringLiteral("peek_task_oldest_queued_seconds"),
                    QStringLiteral("How long the longest-waiting queued task has waited (0: none queued)."), QStringLiteral("gauge"), {},
                    queue->value(QStringLiteral("oldestQueuedAgeMs")).toDouble() / 1000.0);
        samples.add(QStringLiteral("peek_tasks_queued_total"), QStringLiteral("Tasks queued since this process started."),
                    QStringLiteral("counter"), {}, queue->value(QStringLiteral("queuedSinceStart")).toDouble());
    }
}

ServiceHost::Service *ServiceHost::service(Role role) const
{
    for (const auto &service : m_services) {
        if (service->role == role)
            return service.get();
    }
    return nullptr;
}

Vortex *ServiceHost::vortex(Role role) const
{
    const Service *s = service(role);
    return s ? s->vortex.get() : nullptr;
}

QObject *ServiceHost::pluginApi(Role role, const QString &plugin) const
{
    const Service *s = service(role);
    return s && s->plugins ? s->plugins->api(plugin) : nullptr;
}

ServiceHostOptions ServiceHostOptions::forTests(const QString &home, const QList<Role> &roles, const QStringList &plugins,
                                                const QStringList &pluginDirectories)
{
    ServiceHostOptions o;
    o.home = home;
    o.roles = roles;
    o.listenAddress = QHostAddress::LocalHost;
    o.fieldPort = 0;
    o.officePort = 0;
    o.logicAdminPort = 0;
    o.logicDataExchangePort = 0;
    o.enabledPlugins = plugins;
    o.pluginDirectories = pluginDirectories;
    o.vortexOptions.reconnectMinMs = 50;
    o.vortexOptions.reconnectMaxMs = 200;
    return o;
}

QList<quint16> ServiceHost::ports(Role role) const
{
    Vortex *v = vortex(role);
    return v ? v->serverPorts() : QList<quint16>();
}

Result<void> ServiceHost::listen(Service &service, const QList<int> &ports)
{
    for (int port : ports) {
        if (auto listening = service.vortex->listen(m_options.listenAddress, quint16(port)); !listening)
            return listening;
    }
    service.http = std::make_unique<HttpRoutes>();
    // Anyone may ask whether the service is up; who is connected, from where, and which plugins
    // failed why is for services (the join token) and, with the admin login, for admins
    // (docs/threats.md rule 3).
    Vortex *vortex = service.vortex.get();
    service.http->add(QStringLiteral("/health"), [this, vortex](const HttpRequest &request) {
        const QJsonObject full = health();
        if (vortex->presentsJoinToken(request))
            return HttpResponse::json(QJsonDocument(full));
        return HttpResponse::json(QJsonDocument(QJsonObject {{QStringLiteral("status"), full.value(QStringLiteral("status"))},
                                                             {QStringLiteral("version"), full.value(QStringLiteral("version"))}}));
    });
    // The metrics (Prometheus text format) for the monitoring: loopback, services (the join
    // token) and, when config.json sets metrics.token, a scraper presenting it as a bearer token.
    service.http->add(QStringLiteral("/metrics"), [this, vortex](const HttpRequest &request) {
        const QByteArray bearer = request.header("Authorization");
        const bool tokenOk = !m_options.metricsToken.isEmpty()
            && bearer == QByteArray("Bearer ") + m_options.metricsToken.toUtf8();
        if (!request.peer.isLoopback() && !vortex->presentsJoinToken(request) && !tokenOk)
            return HttpResponse::text(403, "The metrics are for the local machine, Peek services and scrapers with "
                                           "config.json's metrics.token (Authorization: Bearer <token>).\n");
        HttpResponse response;
        response.contentType = "text/plain; version=0.0.4; charset=utf-8";
        response.body = metrics::Registry::instance().exposition();
        return response;
    });
    // Logic serves the packages it runs to the services (the join token), which fetch them.
    if (service.role == Role::Logic) {
        service.http->add(QStringLiteral("/peek/packages/"), [this, vortex](const HttpRequest &request) {
            if (!vortex->presentsJoinToken(request))
                return HttpResponse::text(403, "Packages are for Peek services (the join token).\n");
            const QString file = request.url.path().mid(QStringLiteral("/peek/packages/").size());
            if (file.contains(u'/') || file.startsWith(u'.') || !file.endsWith(QLatin1String(PluginPackage::kSuffix)))
                return HttpResponse::text(404, "No such package.\n");
            QFile package(QDir(packagesDirectory()).absoluteFilePath(file));
            if (!package.open(QIODevice::ReadOnly))
                return HttpResponse::text(404, "No such package: " + file.toUtf8() + "\n");
            HttpResponse response;
            response.contentType = "application/zip";
            response.body = package.readAll();
            return response;
        });
    }
    service.http->serve(service.vortex.get());
    return {};
}

ValueList ServiceHost::runningPackages() const
{
    ValueList out;
    if (!m_plugins)
        return out;
    for (const QString &name : m_plugins->installed()) {
        const QString directory = m_plugins->packageDirectory(name);
        if (directory.isEmpty())
            continue;
        const QString version = QFileInfo(directory).fileName();
        const QString file = QStringLiteral("%1-%2%3").arg(name, version, QLatin1String(PluginPackage::kSuffix));
        QString &sha256 = m_packageHashes[file]; // told on every link: the file is read once
        if (sha256.isEmpty()) {
            QFile package(QDir(packagesDirectory()).absoluteFilePath(file));
            if (!package.open(QIODevice::ReadOnly)) {
                m_packageHashes.remove(file);
                continue;
            }
            sha256 = QString::fromLatin1(QCryptographicHash::hash(package.readAll(), QCryptographicHash::Sha256).toHex());
        }
        out.push_back(Value(Dict {{QStringLiteral("name"), Value(name)},
                                  {QStringLiteral("version"), Value(version)},
                                  {QStringLiteral("file"), Value(file)},
                                  {QStringLiteral("sha256"), Value(sha256)}}));
    }
    return out;
}

void ServiceHost::applyFromLogic(const QStringList &enabled, const ValueList &packages)
{
    if (m_admin || !m_plugins)
        return; // logic's process is where the word comes from
    const quint64 word = ++m_logicWord;
    m_packageProblems.clear(); // what still fails says so again below
    struct Wanted
    {
        QString name, version, file, sha256;
    };
    QList<Wanted> fetch;
    QStringList named;
    for (const Value &p : packages) {
        const Dict d = p.toDict();
        const Wanted w {d.string(QStringLiteral("name")), d.string(QStringLiteral("version")), d.string(QStringLiteral("file")),
                        d.string(QStringLiteral("sha256"))};
        if (w.name.isEmpty() || w.file.contains(u'/'))
            continue;
        named << w.name;
        if (QFileInfo(m_plugins->packageDirectory(w.name)).fileName() != w.version) // none, or another
            fetch << w;
    }
    // What logic no longer runs from a package runs from the search directories here too.
    for (const QString &name : m_plugins->installed()) {
        if (m_plugins->packageDirectory(name).isEmpty() || named.contains(name))
            continue;
        qCInfo(lcHost).noquote() << "logic runs" << name << "as installed again; so does this service";
        (void)switchPlugin(name, QString(), m_options.enabledPlugins);
        m_previousPackage.remove(name);
        (void)saveInstalledPackages();
    }
    const auto finish = [this, enabled, word] {
        if (word != m_logicWord)
            return; // a newer word from logic applies instead
        if (auto applied = setEnabledPlugins(enabled); !applied)
            qCWarning(lcHost).noquote() << "could not apply the plugins logic enabled:" << applied.error().message();
    };
    if (fetch.isEmpty()) {
        finish();
        return;
    }
    if (!m_network)
        m_network = new QNetworkAccessManager(this);
    auto left = std::make_shared<int>(int(fetch.size()));
    QUrl base = m_options.logicUrl;
    base.setScheme(base.scheme() == QLatin1String("wss") ? QStringLiteral("https") : QStringLiteral("http"));
    for (const Wanted &w : std::as_const(fetch)) {
        QUrl url = base;
        url.setPath(QStringLiteral("/peek/packages/") + w.file);
        QNetworkRequest request(url);
        request.setRawHeader("X-Peek-Join-Token", m_options.joinToken);
        if (m_clientTls)
            request.setSslConfiguration(*m_clientTls);
        qCInfo(lcHost).noquote() << "fetching" << w.name << w.version << "from logic" << url.toString();
        QNetworkReply *reply = m_network->get(request);
        connect(reply, &QNetworkReply::finished, this, [this, reply, w, left, finish] {
            reply->deleteLater();
            const QByteArray data = reply->readAll();
            QString problem;
            if (reply->error() != QNetworkReply::NoError)
                problem = QStringLiteral("could not fetch it from logic: %1").arg(reply->errorString());
            else if (QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex()) != w.sha256)
                problem = QStringLiteral("refused: its SHA-256 is not the one logic announced");
            else if (auto installed = installPackage(data); !installed)
                problem = installed.error().peerMessage();
            if (!problem.isEmpty()) {
                qCWarning(lcHost).noquote() << w.name << w.version << "does not run here:" << problem;
                m_packageProblems.insert(w.name, QStringLiteral("%1 %2: %3").arg(w.name, w.version, problem));
                for (const auto &role : m_services) // the admin sees it in the services list and health
                    if (role->role != Role::Logic)
                        onService(*role, [&] { sendReport(*role); });
            }
            if (--*left == 0)
                finish();
        });
    }
}

Result<void> ServiceHost::makeService(Service &service, const std::optional<TlsBundle> &tls, Vortex *logic)
{
    const Role name = service.role;
    VortexOptions vortexOptions = m_options.vortexOptions;
    // Devices never reach logic's ports (they need the join token): only there is the
    // server echo, which costs a decode and an encode, answered.
    vortexOptions.answerServerEcho = name == Role::Logic;
    if (name == Role::Logic) {
        // Only services proven by the join token reach logic's ports, each carrying the
        // traffic of many devices: the per-peer budgets are for the ports devices reach.
        vortexOptions.budgets = PeerBudgets {};
    }
    service.vortex = std::make_unique<Vortex>(name.vortexName(), vortexOptions);
    if (tls && tls->hasIdentity())
        service.vortex->setServerTls(tls->serverConfiguration());
    if (tls)
        service.vortex->setClientTls(tls->clientConfiguration());
    if (name == Role::Logic) {
        service.vortex->requireJoinToken(m_options.joinToken);
        // The admin port also takes admins, who log in (peek_core_user's admin gate). They
        // are held to the device ports' budgets, with fewer connections: admins are few.
        const auto atMost = [](auto configured, auto cap) { return configured > 0 ? std::min(configured, cap) : cap; };
        PeerBudgets admins = m_options.vortexOptions.budgets;
        admins.maxConnectionsPerAddress = atMost(admins.maxConnectionsPerAddress, 20);
        admins.acceptRatePerAddress = atMost(admins.acceptRatePerAddress, 5.0);
        admins.acceptBurstPerAddress = atMost(admins.acceptBurstPerAddress, 20);
        service.vortex->allowLoginOn(quint16(m_options.logicAdminPort), admins);
    } else
        service.vortex->setJoinToken(m_options.joinToken);
    QList<int> ports;
    if (name == Role::Logic)
        ports = {m_options.logicAdminPort, m_options.logicDataExchangePort};
    else if (name == Role::Field)
        ports = {m_options.fieldPort};
    else if (name == Role::Office)
        ports = {m_options.officePort};
    if (!ports.isEmpty()) {
        if (auto listening = listen(service, ports); !listening)
            return listening;
    }
    if (name == Role::Logic) {
        const Service *self = &service;
        AdminService::Plugins plugins {
            [this] { return m_options.enabledPlugins; },
            [this] { return m_plugins ? m_plugins->installed() : QStringList(); },
            [this](const QStringList &enabled) { return setEnabledPlugins(enabled); },
            [this, self](const QString &plugin) { return self->plugins ? self->plugins->settings(plugin) : nullptr; },
            [this](const QByteArray &file) { return installPackage(file); },
            [this](const QString &name) { return rollbackPackage(name); },
            [this] { return runningPackages(); }};
        if (m_database) {
            auto audit = AuditLog::open(*m_database);
            if (!audit)
                return audit.error();
            m_audit = std::move(audit).value();
        }
        m_admin = std::make_unique<AdminService>(service.vortex.get(), [this, self] { return report(*self); },
                                                 std::move(plugins), m_audit ? &*m_audit : nullptr,
                                                 m_taskQueue.get(), logging::filePathIn(m_options.home));
        return {};
    }
    // Logic's admin service hears of it whenever its link comes (back).
    const Service *self = &service;
    const QString logicName = Role(Role::Logic).vortexName();
    connect(service.vortex.get(), &Vortex::peerConnected, service.vortex.get(), [this, self, logicName](const PeerInfo &peer) {
        if (peer.vortexName == logicName)
            sendReport(*self);
    });
    // Logic asks for the last lines of this process's log (an admin reads them).
    const QString logFile = logging::filePathIn(m_options.home);
    service.vortex->router().addEndpoint(logReadFilt(), [logicName, logFile](const PayloadEnvelope &e, const MessageSource &source) {
        if (source.proven && source.vortexName == logicName)
            source.reply(answerLogRead(e, logFile));
    });
    // Logic says which plugins are enabled (when linked, and when an admin changes it); the host
    // applies it on its own thread (at once when that is this one).
    service.vortex->router().addEndpoint(enabledPluginsFilt(), [this, logicName](const PayloadEnvelope &e, const MessageSource &source) {
        if (!source.proven || source.vortexName != logicName)
            return;
        auto payload = e.decodePayload();
        const auto *told = payload && payload.value().tuples.size() == 1
            ? dynamic_cast<const EnabledPluginsTuple *>(payload.value().tuples.front().get())
            : nullptr;
        if (!told)
            return;
        QStringList enabled;
        for (const Value &name : told->enabled)
            enabled << name.toString();
        QMetaObject::invokeMethod(this, [this, enabled, packages = told->packages] { applyFromLogic(enabled, packages); },
                                  Qt::AutoConnection);
    });
    if (logic)
        service.vortex->connectLocal(logic);
    else
        service.vortex->connectTo(m_options.logicUrl);
    return {};
}

Result<void> ServiceHost::start()
{
    m_uptime.start();
    m_startedAt = QDateTime::currentDateTimeUtc();
    // Empty or a role twice: refused, as on the command line.
    if (auto roles = Role::checkList(m_options.roles); !roles)
        return roles;

    auto bundle = TlsBundle::loadFromHome(m_options.home);
    if (!bundle) {
        return bundle.error();
    }
    const std::optional<TlsBundle> &tls = bundle.value();
    if (tls)
        m_clientTls = tls->clientConfiguration();
    m_tls = tls && tls->hasIdentity(); // before any port serves /health

    if (auto storage = openStorage(); !storage)
        return storage;

    // Every service first (the list does not change while they serve), then each is made on its
    // thread: field and office beside logic on threads of their own (serviceThreads).
    const bool logicHere = m_options.roles.contains(Role::Logic);
    for (const Role name : Role::all()) {
        if (!m_options.roles.contains(name))
            continue;
        auto role = std::make_unique<Service>(name);
        if (m_options.serviceThreads && logicHere && (name == Role::Field || name == Role::Office)) {
            role->thread = std::make_unique<QThread>();
            role->thread->setObjectName(name.name());
            useEventDispatcherOn(role->thread.get());
            role->anchor = std::make_unique<QObject>();
            role->anchor->moveToThread(role->thread.get());
            role->thread->start();
        }
        m_services.push_back(std::move(role));
    }
    Vortex *logic = nullptr;
    for (const auto &role : m_services) {
        Result<void> made;
        onService(*role, [&] { made = makeService(*role, tls, logic); });
        if (!made)
            return made;
        if (role->role == Role::Logic)
            logic = role->vortex.get();
    }

    QStringList directories = m_options.pluginDirectories;
    directories << QDir(m_options.home).absoluteFilePath(QStringLiteral("plugins"));
    m_plugins = std::make_unique<PluginManager>(directories, m_options.enabledPlugins);
    // The packages installed here run instead of the search directories' copies.
    {
        QFile installed(QDir(packagesDirectory()).absoluteFilePath(QStringLiteral("installed.json")));
        if (installed.open(QIODevice::ReadOnly)) {
            const QJsonObject versions = QJsonDocument::fromJson(installed.readAll()).object();
            for (auto it = versions.constBegin(); it != versions.constEnd(); ++it) {
                const QString base = QDir(packagesDirectory()).absoluteFilePath(it.key());
                const QString directory = base + u'/' + it.value()[QLatin1String("version")].toString();
                const QString previous = it.value()[QLatin1String("previous")].toString();
                if (!previous.isEmpty())
                    m_previousPackage.insert(it.key(), base + u'/' + previous);
                if (auto used = m_plugins->useDirectory(it.key(), directory); !used)
                    qCWarning(lcHost).noquote() << "the installed package of" << it.key() << "cannot be used:" << used.error().message();
            }
        }
    }

    for (const auto &role : m_services) {
        RoleEnvironment env;
        env.role = role->role;
        env.vortex = role->vortex.get();
        env.http = role->http.get();
        env.home = m_options.home;
        env.requireDeviceEnrolment = m_options.requireDeviceEnrolment;
        if (role->role == Role::Logic) {
            env.database = m_database.get();
            env.tasks = m_taskQueue.get();
            env.audit = m_audit ? &*m_audit : nullptr;
        } else if (role->role == Role::Worker) {
            env.database = m_database.get();
            env.taskWorker = m_taskWorker.get();
        }
        onService(*role, [&] {
            if (((role->role == Role::Field || role->role == Role::Office) && m_options.requireDeviceEnrolment)
                || role->role == Role::Logic)
                role->vortex->setFallbackDeviceGate(closedDeviceGate(role->role));
            role->plugins = std::make_unique<RolePlugins>(*m_plugins, env);
            role->plugins->startAll();
            if (role->role != Role::Logic)
                sendReport(*role);
            serveUiBundles(*role);
        });
        if (role->role == Role::Logic)
            m_admin->selfChanged();
    }
    // The plugins have added their tasks: the worker claims from now on.
    if (m_taskQueue)
        m_taskQueue->start();
    if (m_taskWorker)
        m_taskWorker->start();
    m_started = true;
    return {};
}

void ServiceHost::stop()
{
    if (!m_started && m_services.empty())
        return;
    m_started = false;
    // The worker first: its handlers are plugin code; what it holds goes back to the queue.
    if (m_taskWorker)
        m_taskWorker->stop();
    for (auto it = m_services.rbegin(); it != m_services.rend(); ++it) {
        Service &role = **it;
        onService(role, [&] {
            if (role.plugins)
                role.plugins->stopAll();
        });
    }
    if (m_taskQueue)
        m_taskQueue->stop();
    m_admin.reset();
    for (auto it = m_services.rbegin(); it != m_services.rend(); ++it) {
        Service &role = **it;
        // Closed, and what lives on its thread goes there (a service thread then ends).
        onService(role, [&] {
            if (role.vortex)
                role.vortex->close();
            role.plugins.reset();
            role.http.reset();
            role.vortex.reset();
            if (role.anchor)
                role.anchor->moveToThread(thread());
        });
        if (role.thread) {
            role.thread->quit();
            role.thread->wait();
        }
    }
    m_services.clear();
    if (m_plugins)
        m_plugins->unloadAll();
    m_taskWorker.reset();
    m_taskQueue.reset();
    m_taskNotifier.reset();
    m_audit.reset();
    m_database.reset();
}

Result<void> ServiceHost::openStorage()
{
    const bool logic = m_options.roles.contains(Role::Logic);
    const bool worker = m_options.roles.contains(Role::Worker);
    if (!logic && !worker)
        return {};
    if (!logic && m_options.storageUrl.isEmpty()) {
        return Error {QStringLiteral("the worker role claims its tasks from the database logic uses: set storage.url in "
                                "config.json to that PostgreSQL database (with the SQLite file, run the worker "
                                "in the logic's process)")};
    }
    const QString url = m_options.storageUrl.isEmpty()
        ? QDir(m_options.home).absoluteFilePath(QStringLiteral("peek.sqlite"))
        : m_options.storageUrl;
    const QString who = logic ? QStringLiteral("logic") : QStringLiteral("the worker");
    auto database = Database::open(url);
    if (!database) {
        return database.error().context(QStringLiteral("%1 cannot open its database").arg(who));
    }
    m_database = std::move(database).value();
    if (auto migrated = Migrator::migrate(*m_database, taskstore::migrations()); !migrated) {
        return migrated.error().context(QStringLiteral("%1 cannot prepare the task queue").arg(who));
    }
    m_taskNotifier = std::make_unique<TaskNotifier>(m_database.get());
    const auto channels = TaskNotifier::Channel((worker ? TaskNotifier::Queued : 0) | (logic ? TaskNotifier::Finished : 0));
    if (auto listening = m_taskNotifier->start(std::max(500, m_options.tasks.idlePollMs), channels); !listening)
        return listening;
    if (logic)
        m_taskQueue = std::make_unique<TaskQueue>(m_database.get(), m_taskNotifier.get(), m_options.tasks);
    if (worker) {
        const QString name = m_options.workerName.isEmpty()
            ? QStringLiteral("%1:%2").arg(QHostInfo::localHostName()).arg(QCoreApplication::applicationPid())
            : m_options.workerName;
        m_taskWorker = std::make_unique<TaskWorker>(m_database.get(), m_taskNotifier.get(), m_options.tasks, name);
    }
    return {};
}

void ServiceHost::serveUiBundles(Service &service)
{
    // The field and office apps' views on their services; the admin window's (ui.admin) on
    // logic, whose admin port it talks to.
    if (!service.http || (service.role != Role::Field && service.role != Role::Office && service.role != Role::Logic))
        return;
    UiBundleServer bundles(service.role == Role::Logic ? QStringLiteral("admin") : service.role.name());
    for (const RolePlugins::Record &record : service.plugins->records()) {
        const PluginMetadata *metadata = m_plugins->metadata(record.name);
        if (record.state != RolePlugins::State::Started || !metadata)
            continue;
        if (auto added = bundles.add(*metadata); !added)
            qCWarning(lcHost).noquote() << QStringLiteral("%1 service: %2; the apps show an error card for it")
                                               .arg(service.role.name(), added.error().message());
    }
    const bool changed = !service.bundleRoutes.isEmpty(); // served before: the apps have the old ones
    for (quint64 id : std::as_const(service.bundleRoutes))
        service.http->remove(id);
    service.bundleRoutes = bundles.serve(*service.http);
    if (changed) {
        const QByteArray told = PayloadEnvelope(uiBundlesChangedFilt()).toVortexMsg();
        for (const PeerInfo &peer : service.vortex->peers())
            if (!peer.proven)
                service.vortex->sendToConnection(peer.connectionId, told);
    }
    qCInfo(lcHost).noquote() << QStringLiteral("%1 service: serving %2 plugin UI bundle(s) at %3")
                                    .arg(service.role.name()).arg(bundles.bundles().size()).arg(bundles.indexPath());
}

Result<void> ServiceHost::setEnabledPlugins(const QStringList &enabled)
{
    if (!m_plugins || enabled == m_options.enabledPlugins)
        return {};
    qCInfo(lcHost).noquote() << "enabled plugins:" << (enabled.isEmpty() ? QStringLiteral("(none)") : enabled.join(QStringLiteral(", ")));
    m_options.enabledPlugins = enabled;
    m_plugins->setEnabled(enabled);
    syncRoles();
    // Kept for the next start (which may come before logic is reachable again).
    return saveEnabledPlugins(enabled);
}

Result<void> ServiceHost::saveEnabledPlugins(const QStringList &enabled) const
{
    auto config = ServiceConfig::load(m_options.home);
    if (!config)
        return config.error();
    return config.value().setValue(QStringLiteral("plugin.enabled"), QJsonArray::fromStringList(enabled));
}

void ServiceHost::syncRoles()
{
    for (const auto &role : m_services) {
        bool changed = false;
        onService(*role, [&] {
            changed = role->plugins && role->plugins->sync();
            if (!changed)
                return;
            serveUiBundles(*role);
            if (role->role != Role::Logic)
                sendReport(*role);
        });
        if (changed && role->role == Role::Logic)
            m_admin->selfChanged();
    }
}

QString ServiceHost::packagesDirectory() const
{
    return QDir(m_options.home).absoluteFilePath(QStringLiteral("packages"));
}

Result<void> ServiceHost::saveInstalledPackages() const
{
    QJsonObject installed;
    for (const QString &name : m_plugins->installed()) {
        const QString directory = m_plugins->packageDirectory(name);
        if (!directory.isEmpty())
            installed.insert(name, QJsonObject {{QStringLiteral("version"), QFileInfo(directory).fileName()},
                                                {QStringLiteral("previous"),
                                                 m_previousPackage.value(name).isEmpty()
                                                     ? QString()
                                                     : QFileInfo(m_previousPackage.value(name)).fileName()}});
    }
    QSaveFile file(QDir(packagesDirectory()).absoluteFilePath(QStringLiteral("installed.json")));
    if (!QDir().mkpath(packagesDirectory()) || !file.open(QIODevice::WriteOnly)
        || file.write(QJsonDocument(installed).toJson()) < 0 || !file.commit())
        return Error {QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString())};
    return {};
}

QStringList ServiceHost::switchPlugin(const QString &name, const QString &directory, const QStringList &enabled)
{
    QStringList without = enabled;
    without.removeAll(name);
    m_plugins->setEnabled(without);
    syncRoles(); // it stops everywhere here, and what needs it
    QStringList failures;
    if (auto used = m_plugins->useDirectory(name, directory); !used)
        failures << used.error().message();
    m_options.enabledPlugins = enabled;
    m_plugins->setEnabled(enabled);
    syncRoles();
    if (m_plugins->failed().contains(name))
        failures << m_plugins->failed().value(name);
    for (const auto &role : m_services)
        onService(*role, [&] {
            if (role->plugins)
                for (const RolePlugins::Record &record : role->plugins->records())
                    if (record.name == name && record.state == RolePlugins::State::Failed)
                        failures << QStringLiteral("on %1: %2").arg(role->role.name(), record.error);
        });
    return failures;
}

Result<QString> ServiceHost::installPackage(const QByteArray &file)
{
    if (!m_plugins)
        return Error {QStringLiteral("this service is not running")};
    auto read = PluginPackage::read(file);
    if (!read)
        return read.error();
    const PluginPackage &package = read.value();
    const QString name = package.name();
    if (PluginMetadata::isCorePlugin(name))
        return Error {QStringLiteral("%1 is a core plugin: it comes with the platform, not as a package").arg(name)};
    for (const PluginDependency &dependency : package.metadata.dependencies) {
        const PluginMetadata *installed = m_plugins->metadata(dependency.name);
        if (!installed)
            return Error {QStringLiteral("%1 %2 needs %3, which is not installed here")
                              .arg(name, package.version(), dependency.name)};
        if (!dependency.satisfiedBy(installed->version, installed->compatVersion))
            return Error {QStringLiteral("%1 %2 needs %3 %4; %5 is installed")
                              .arg(name, package.version(), dependency.name, dependency.constraint,
                                   installed->version.toString())};
    }
    // Kept: the file (served to the services) and what it unpacks to.
    const QString directory = QDir(packagesDirectory()).absoluteFilePath(QStringLiteral("%1/%2").arg(name, package.version()));
    if (!QFileInfo::exists(QDir(directory).absoluteFilePath(QStringLiteral("plugin.json")))) {
        QDir(directory).removeRecursively(); // what a failed unpack left
        if (auto unpacked = package.unpackTo(directory); !unpacked)
            return unpacked.error();
    }
    QSaveFile kept(QDir(packagesDirectory()).absoluteFilePath(package.fileName()));
    if (!kept.open(QIODevice::WriteOnly) || kept.write(file) != file.size() || !kept.commit())
        return Error {QStringLiteral("cannot keep %1: %2").arg(kept.fileName(), kept.errorString())};
    m_packageHashes.insert(package.fileName(),
                           QString::fromLatin1(QCryptographicHash::hash(file, QCryptographicHash::Sha256).toHex()));

    const QString before = m_plugins->packageDirectory(name);
    const PluginMetadata *was = m_plugins->metadata(name);
    const QString wasVersion = was ? was->version.toString() : QString();
    QStringList enabled = m_options.enabledPlugins;
    const bool wasEnabled = enabled.contains(name);
    if (!wasEnabled)
        enabled << name;
    qCInfo(lcHost).noquote() << QStringLiteral("installing %1 %2 (was %3)")
                                    .arg(name, package.version(), wasVersion.isEmpty() ? QStringLiteral("not installed") : wasVersion);
    const QStringList failures = switchPlugin(name, directory, enabled);
    if (!failures.isEmpty()) {
        qCWarning(lcHost).noquote() << QStringLiteral("%1 %2 failed here (%3); going back to %4")
                                           .arg(name, package.version(), failures.join(QStringLiteral("; ")),
                                                wasVersion.isEmpty() ? QStringLiteral("nothing") : wasVersion);
        QStringList back = m_options.enabledPlugins;
        if (!wasEnabled)
            back.removeAll(name);
        (void)switchPlugin(name, before, back);
        return Error {QStringLiteral("%1 %2 did not start, so %3 runs: %4")
                          .arg(name, package.version(),
                               wasVersion.isEmpty() ? QStringLiteral("nothing of it") : QStringLiteral("version %1").arg(wasVersion),
                               failures.join(QStringLiteral("; ")))};
    }
    if (before != directory)
        m_previousPackage.insert(name, before);
    if (auto saved = saveInstalledPackages(); !saved)
        return saved.error();
    if (auto stored = saveEnabledPlugins(enabled); !stored)
        return stored.error();
    qCInfo(lcHost).noquote() << QStringLiteral("%1 %2 runs").arg(name, package.version());
    return QStringLiteral("%1 %2").arg(name, package.version());
}

Result<QString> ServiceHost::rollbackPackage(const QString &name)
{
    if (!m_plugins)
        return Error {QStringLiteral("this service is not running")};
    const QString current = m_plugins->packageDirectory(name);
    if (current.isEmpty())
        return Error {QStringLiteral("%1 was not installed from a package here: nothing to roll back").arg(name)};
    const QString previous = m_previousPackage.value(name);
    const PluginMetadata *now = m_plugins->metadata(name);
    const QString from = now ? now->version.toString() : QString();
    const QStringList failures = switchPlugin(name, previous, m_options.enabledPlugins);
    if (!failures.isEmpty()) {
        (void)switchPlugin(name, current, m_options.enabledPlugins);
        return Error {QStringLiteral("%1 could not go back (%2), so %3 runs").arg(name, failures.join(QStringLiteral("; ")), from)};
    }
    m_previousPackage.remove(name); // one step back; the next install starts a new history
    if (auto saved = saveInstalledPackages(); !saved)
        return saved.error();
    const PluginMetadata *back = m_plugins->metadata(name);
    const QString to = back ? back->version.toString() : QStringLiteral("?");
    qCInfo(lcHost).noquote() << QStringLiteral("rolled %1 back from %2 to %3").arg(name, from, to);
    return QStringLiteral("%1 %2").arg(name, to);
}

std::shared_ptr<ServiceInfoTuple> ServiceHost::report(const Service &service) const
{
    auto info = std::make_shared<ServiceInfoTuple>();
    info->vortexName = service.vortex->name();
    info->vortexUuid = service.vortex->uuid();
    info->role = service.role.name();
    info->host = QSysInfo::machineHostName();
    info->version = QCoreApplication::applicationVersion();
    info->pid = QCoreApplication::applicationPid();
    info->startedAt = DateTime::fromUtcMicros(m_startedAt.toMSecsSinceEpoch() * 1000);
    if (service.role == Role::Logic) {
        info->link = QStringLiteral("self");
        info->connectedAt = info->startedAt;
    }
    for (const QString &problem : m_packageProblems)
        info->problems.push_back(Value(problem));
    if (service.plugins) {
        for (const RolePlugins::Record &record : service.plugins->records()) {
            Dict plugin {{QStringLiteral("name"), Value(record.name)},
                         {QStringLiteral("version"), Value(record.version)},
                         {QStringLiteral("state"), Value(RolePlugins::stateName(record.state))}};
            if (!record.error.isEmpty())
                plugin.insert(QStringLiteral("error"), Value(record.error));
            info->plugins.push_back(Value(plugin));
        }
    }
    return info;
}

void ServiceHost::sendReport(const Service &service)
{
    const QString logicName = Role(Role::Logic).vortexName();
    if (!service.vortex->isConnectedTo(logicName))
        return; // it goes when the link comes
    service.vortex->send(PayloadEnvelope::fromPayload(Payload(serviceReportFilt(), {report(service)})), logicName);
}

QJsonObject ServiceHost::health() const
{
    QJsonArray services;
    QJsonArray plugins;
    bool degraded = false;
    bool hostBusy = false; // its thread did not answer: not asked again below
    for (const auto &role : m_services) {
        const std::optional<Snapshot> snap = snapshot(*role);
        if (!snap) {
            hostBusy = hostBusy || !role->thread;
            // A service thread that does not answer is worth knowing about (a plugin stuck in a
            // long call, or the host busy starting plugins there).
            services.append(QJsonObject {{QStringLiteral("role"), role->role.name()},
                                         {QStringLiteral("error"), QStringLiteral("its thread did not answer within 2 s (busy)")}});
            degraded = true;
            continue;
        }
        QJsonArray peers;
        for (const PeerInfo &peer : snap->peers)
            peers.append(QJsonObject {{QStringLiteral("vortexName"), peer.vortexName},
                                      {QStringLiteral("address"), peer.address},
                                      {QStringLiteral("direction"), peer.incoming ? QStringLiteral("in")
                                                                                  : QStringLiteral("out")}});
        QJsonArray ports;
        for (quint16 port : snap->ports)
            ports.append(int(port));
        QJsonObject service {{QStringLiteral("role"), role->role.name()},
                             {QStringLiteral("vortexName"), snap->vortexName},
                             {QStringLiteral("ports"), ports},
                             {QStringLiteral("peers"), peers}};
        if (role->role != Role::Logic)
            service.insert(QStringLiteral("logicConnected"), snap->logicConnected);
        if (!snap->trips.isEmpty()) {
            QJsonObject tripped;
            for (auto it = snap->trips.cbegin(); it != snap->trips.cend(); ++it)
                tripped.insert(it.key(), double(it.value()));
            service.insert(QStringLiteral("limitsTripped"), tripped);
        }
        if (!snap->taskQueue.isEmpty()) {
            degraded = degraded || snap->taskQueue.contains(QStringLiteral("error"));
            service.insert(QStringLiteral("taskQueue"), snap->taskQueue);
        }
        if (!snap->taskWorker.isEmpty()) {
            degraded = degraded || snap->taskWorker.contains(QStringLiteral("error"));
            service.insert(QStringLiteral("taskWorker"), snap->taskWorker);
        }
        services.append(service);
        for (const RolePlugins::Record &record : snap->plugins) {
            QJsonObject entry {{QStringLiteral("name"), record.name},
                               {QStringLiteral("version"), record.version},
                               {QStringLiteral("role"), role->role.name()},
                               {QStringLiteral("state"), RolePlugins::stateName(record.state)}};
            if (!record.error.isEmpty())
                entry.insert(QStringLiteral("error"), record.error);
            degraded = degraded || record.state == RolePlugins::State::Failed;
            plugins.append(entry);
        }
    }
    // The plugins that failed to load at all: the host's own (its thread changes them).
    const std::optional<QJsonArray> failed = hostBusy ? std::nullopt : askOn<QJsonArray>(const_cast<ServiceHost *>(this), [this]() -> std::optional<QJsonArray> {
        QJsonArray out;
        if (!m_plugins)
            return out;
        for (auto it = m_plugins->failed().cbegin(); it != m_plugins->failed().cend(); ++it) {
            const PluginMetadata *metadata = m_plugins->metadata(it.key());
            out.append(QJsonObject {{QStringLiteral("name"), it.key()},
                                    {QStringLiteral("version"), metadata ? metadata->version.toString() : QString()},
                                    {QStringLiteral("role"), QStringLiteral("-")},
                                    {QStringLiteral("state"), QStringLiteral("failed")},
                                    {QStringLiteral("error"), it.value()}});
        }
        return out;
    });
    for (const QJsonValue &entry : failed.value_or(QJsonArray()))
        plugins.append(entry);
    degraded = degraded || !failed || !failed->isEmpty();
    return QJsonObject {{QStringLiteral("status"), degraded ? QStringLiteral("degraded") : QStringLiteral("ok")},
                        {QStringLiteral("version"), QCoreApplication::applicationVersion()},
                        {QStringLiteral("roles"), QJsonArray::fromStringList(Role::namesOf(m_options.roles))},
                        {QStringLiteral("tls"), m_tls},
                        {QStringLiteral("startedAt"), m_startedAt.toString(Qt::ISODate)},
                        {QStringLiteral("uptimeSeconds"), double(m_uptime.elapsed() / 1000)},
                        {QStringLiteral("services"), services},
                        {QStringLiteral("plugins"), plugins}};
}

bool ServiceHost::servicesTurning(qint64 withinMs)
{
    bool turning = true;
    const qint64 now = m_uptime.elapsed();
    for (const auto &role : m_services) {
        if (!role->thread)
            continue;
        if (role->askedAt >= 0 && role->answeredAt->loadRelaxed() < role->askedAt) {
            if (now - role->askedAt > withinMs) {
                if (turning)
                    qCWarning(lcHost).noquote() << QStringLiteral("%1 service: its thread has not turned for %2 ms (a "
                                                                  "plugin stuck in a long call?)")
                                                       .arg(role->role.name())
                                                       .arg(now - role->askedAt);
                turning = false;
            }
            continue; // the last ask is still waiting
        }
        role->askedAt = now;
        QMetaObject::invokeMethod(role->anchor.get(), [this, answered = role->answeredAt] {
            answered->storeRelaxed(m_uptime.elapsed());
        }, Qt::QueuedConnection);
    }
    return turning;
}

QStringList ServiceHost::describe() const
{
    QStringList lines;
    const QString scheme = m_tls ? QStringLiteral("wss") : QStringLiteral("ws");
    for (const auto &role : m_services) {
        QStringList urls;
        QList<quint16> ports;
        QString name;
        onService(*role, [&] {
            ports = role->vortex->serverPorts();
            name = role->vortex->name();
        });
        for (quint16 port : std::as_const(ports))
            urls << QStringLiteral("%1://%2:%3/vortexws").arg(scheme, m_options.listenAddress.toString()).arg(port);
        QString line = QStringLiteral("%1 (vortex %2)").arg(role->role.name(), name);
        if (!urls.isEmpty())
            line += QStringLiteral(" listening on ") + urls.join(QStringLiteral(", "));
        if (role->role != Role::Logic)
            line += vortex(Role::Logic) ? QStringLiteral(", linked to logic in this process")
                                                     : QStringLiteral(", dialling logic at ") + m_options.logicUrl.toString();
        if (role->role == Role::Worker && m_taskWorker && m_database)
            line += QStringLiteral(", runs tasks from %1 on %2 thread(s) as %3")
                        .arg(m_database->displayUrl())
                        .arg(m_taskWorker->threads())
                        .arg(m_taskWorker->name());
        if (role->thread)
            line += QStringLiteral(", on a thread of its own");
        lines << line;
    }
    return lines;
}

} // namespace peek
