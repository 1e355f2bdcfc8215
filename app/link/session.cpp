#include "session.h"

#include "pluginbundles.h"

#include "observable/tupleofflinecache.h"
#include "action/tupleactions.h"
#include "admin/identityactions.h"
#include "base/role.h"
#include "plugin/uibundle.h"
#include "vortex/futurecontext.h"
#include "vortex/payload.h"
#include "vortex/payloadresponse.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSysInfo>

namespace peek::app {

namespace {

// The role names of a user.status or login answer.
QStringList rolesOf(const Value &list)
{
    QStringList roles;
    if (list.type() == Value::Type::List)
        for (const Value &role : list.toList())
            roles << role.toString();
    return roles;
}

QPointer<Session> g_current;
constexpr const char *kEngineProperty = "_peekSession";

const QString kDeviceFile = QStringLiteral("device.json"); // the last state heard, in the data dir
constexpr int kEnrolTimeoutMs = 30000;
}

Session::Session(const QUrl &serverUrl, const QString &mode, const QString &dataDir,
                 QObject *parent)
    : Session(serverUrl, mode, dataDir, Options {}, parent)
{
}

Session::Session(const QUrl &serverUrl, const QString &mode, const QString &dataDir,
                 const Options &options, QObject *parent)
    : QObject(parent), m_serverUrl(serverUrl), m_mode(mode), m_dataDir(dataDir)
{
    m_admin = mode == QLatin1String("admin");
    const std::optional<Role> role = m_admin ? Role(Role::Logic) : Role::fromName(mode);
    if (!role || (*role != Role::Field && *role != Role::Office && !m_admin)) {
        m_error = QStringLiteral("unknown app mode '%1': use \"field\", \"office\" or \"admin\"").arg(mode);
        m_state = QStringLiteral("offline");
        return;
    }
    if (!QDir().mkpath(dataDir)) {
        m_error
            = QStringLiteral("cannot create the data directory %1: check its path and permissions")
                  .arg(dataDir);
        m_state = QStringLiteral("offline");
        return;
    }
    m_serviceName = role->vortexName();
    const QDir dir(dataDir);
    m_vortex = std::make_unique<Vortex>(m_admin ? QStringLiteral("peek-admin-app") : role->appVortexName(), options.vortex);
    m_presentDevice = options.presentDevice && !m_admin;
    if (m_admin) {
        m_device.required = false; // an admin's desktop is no enrolled device
        m_user.token = options.adminToken;
    }
    if (m_presentDevice || m_admin) {
        QFile stored(dir.filePath(kDeviceFile));
        if (m_presentDevice && stored.open(QIODevice::ReadOnly)) {
            const QJsonObject o = QJsonDocument::fromJson(stored.readAll()).object();
            m_device.state = o.value(QLatin1String("state")).toString();
            m_device.name = o.value(QLatin1String("name")).toString();
            m_device.message = o.value(QLatin1String("message")).toString();
            m_device.required = o.value(QLatin1String("required")).toBool(true);
            m_user.state = o.value(QLatin1String("userState")).toString();
            m_user.name = o.value(QLatin1String("userName")).toString();
            m_user.displayName = o.value(QLatin1String("userDisplayName")).toString();
        }
        // Connected before the queue and the observers: on every new link, device.online goes
        // out before anything they send.
        connect(m_vortex.get(), &Vortex::peerConnected, this, [this](const PeerInfo &peer) {
            if (peer.vortexName != m_serviceName)
                return;
            m_device.statusHere = false;
            m_user.statusHere = false;
            sendPresentation();
        });
        connect(m_vortex.get(), &Vortex::peerDisconnected, this, [this](const PeerInfo &peer) {
            if (peer.vortexName == m_serviceName && !m_vortex->isConnectedTo(m_serviceName)) {
                m_device.statusHere = false;
                m_user.statusHere = false;
                applyDeviceServed();
            }
        });
        m_vortex->router().addEndpoint(identity::userFilt(QStringLiteral("user.status")),
                                       [this](const PayloadEnvelope &e, const MessageSource &) { onUserStatus(e); });
    }
    if (m_presentDevice) {
        m_vortex->router().addEndpoint(identity::deviceFilt(QStringLiteral("device.status")),
                                       [this](const PayloadEnvelope &e, const MessageSource &) { onDeviceStatus(e); });
        // device.online answered with an error: the service cannot check devices now.
        m_vortex->router().addEndpoint(identity::deviceFilt(QStringLiteral("device.online")),
                                       [this](const PayloadEnvelope &e, const MessageSource &) {
                                           if (!e.isSuccess())
                                               setDevice(m_device.state, m_device.name, e.errorText(), m_device.required);
                                       });
    }
    m_cache
        = std::make_unique<TupleOfflineCache>(dir.filePath(QStringLiteral("offline-cache.sqlite")));
    if (!m_cache->isOpen())
        m_error = QStringLiteral("cannot open the offline cache in %1: %2")
                      .arg(dataDir, m_cache->errorString());
    TupleActionPushOfflineQueue::Options queueOptions;
    queueOptions.destVortexName = m_serviceName;
    queueOptions.timeoutMs = options.actionTimeoutMs;
    queueOptions.retryMinMs = options.actionRetryMinMs;
    queueOptions.retryMaxMs = options.actionRetryMaxMs;
    m_queue = std::make_unique<TupleActionPushOfflineQueue>(
        m_vortex.get(), dir.filePath(QStringLiteral("action-queue.sqlite")), queueOptions);
    if (!m_queue->isOpen() && m_error.isEmpty())
        m_error = QStringLiteral("cannot open the action queue in %1: %2")
                      .arg(dataDir, m_queue->errorString());

    if (m_presentDevice || m_admin)
        m_queue->setPaused(true); // until this connection's status says the device (the admin) is served
    connect(m_queue.get(), &TupleActionPushOfflineQueue::queuedCountChanged, this,
            &Session::queuedActionsChanged);
    connect(m_queue.get(), &TupleActionPushOfflineQueue::failedCountChanged, this,
            &Session::failedActionsChanged);
    connect(m_vortex.get(), &Vortex::peerConnected, this, [this](const PeerInfo &peer) {
        if (peer.vortexName == m_serviceName)
            setState(QStringLiteral("online"));
    });
    connect(m_vortex.get(), &Vortex::peerDisconnected, this, [this](const PeerInfo &peer) {
        if (peer.vortexName == m_serviceName && !m_vortex->isConnectedTo(m_serviceName))
            setState(QStringLiteral("offline"));
    });
    connect(m_vortex.get(), &Vortex::dialFailed, this, [this](const QUrl &url, const QString &) {
        if (url == m_serverUrl && !m_vortex->isConnectedTo(m_serviceName))
            setState(QStringLiteral("offline"));
    });
    m_bundles = std::make_unique<PluginBundles>(dataDir, mode);
    m_bundles->load();
    // The plugins' views are checked each time the link comes up, and every few minutes while it
    // stays up (an administrator may update or enable a plugin meanwhile); only what changed is
    // downloaded.
    m_bundleCheck.setInterval(options.bundleCheckIntervalMs);
    connect(&m_bundleCheck, &QTimer::timeout, this, [this] { m_bundles->refresh(m_serverUrl); });
    // ... and at once when the service says its bundles changed (a plugin installed, upgraded,
    // enabled or disabled).
    m_vortex->router().addEndpoint(uiBundlesChangedFilt(), [this](const PayloadEnvelope &, const MessageSource &source) {
        if (source.vortexName == m_serviceName)
            m_bundles->refresh(m_serverUrl);
    });
    connect(this, &Session::connectionStateChanged, this, [this](const QString &state) {
        if (state == QLatin1String("online")) {
            m_bundles->refresh(m_serverUrl);
            m_bundleCheck.start();
        } else {
            m_bundleCheck.stop();
        }
    });
    if (!m_presentDevice)
        m_vortex->connectTo(serverUrl);
}

bool Session::deviceServed() const
{
    return !m_device.required || m_device.state == QLatin1String("approved");
}

void Session::presentDevice(const QString &deviceId, const QString &deviceToken, const QString &userToken)
{
    if (!m_vortex || !m_presentDevice)
        return;
    const bool first = m_device.id.isEmpty();
    m_device.id = deviceId;
    m_device.token = deviceToken;
    m_user.token = userToken;
    if (userToken.isEmpty() && m_user.state == QLatin1String("loggedIn")) {
        // The keychain lost the session: what its user queued does not go out as the next one.
        if (m_queue)
            m_queue->failQueued(tr("not sent: the session of %1 was lost").arg(m_user.name));
        setUser(QStringLiteral("loggedOut"), m_user.name, m_user.displayName, {});
    }
    if (first)
        m_vortex->connectTo(m_serverUrl);
    else if (m_vortex->isConnectedTo(m_serviceName))
        sendPresentation();
}

void Session::sendPresentation()
{
    if (m_presentDevice && m_device.id.isEmpty())
        return;
    if (m_presentDevice) {
        const Payload payload(identity::deviceFilt(QStringLiteral("device.online")),
                              {identity::deviceOnline(m_device.id, m_device.token)});
        m_vortex->send(PayloadEnvelope::fromPayload(payload), m_serviceName);
    }
    if (!m_user.token.isEmpty()) {
        const Payload session(identity::userFilt(QStringLiteral("user.resume")), {identity::userResume(m_user.token)});
        m_vortex->send(PayloadEnvelope::fromPayload(session), m_serviceName);
    }
}

void Session::onDeviceStatus(const PayloadEnvelope &envelope)
{
    auto payload = envelope.decodePayload();
    if (!payload || payload.value().tuples.size() != 1 || !payload.value().tuples.front())
        return;
    const Tuple &status = *payload.value().tuples.front();
    const auto text = [&status](const char *name) { return status.field(QString::fromLatin1(name)).toString(); };
    const Value required = status.field(QStringLiteral("enrolmentRequired"));
    m_device.statusHere = true;
    // The app says what unknown, pending, approved and revoked mean itself; the service's words
    // are kept for what only it can explain (a refusal, a check that failed).
    const QString state = text("state");
    const bool explained = state == QLatin1String("unknown") || state == QLatin1String("pending")
        || state == QLatin1String("approved") || state == QLatin1String("revoked");
    setDevice(state, text("description").isEmpty() ? m_device.name : text("description"),
              explained ? QString() : text("message"), required.type() == Value::Type::Bool ? required.toBool() : true);
}

void Session::setDevice(const QString &state, const QString &name, const QString &message, bool required)
{
    const bool changed = state != m_device.state || name != m_device.name || message != m_device.message
        || required != m_device.required;
    m_device.state = state;
    m_device.name = name;
    m_device.message = message;
    m_device.required = required;
    if (changed)
        saveDevice();
    applyDeviceServed();
    if (changed)
        Q_EMIT deviceStateChanged();
}

void Session::saveDevice() const
{
    if (!m_presentDevice)
        return; // only a device remembers where it stood
    QSaveFile file(QDir(m_dataDir).filePath(kDeviceFile));
    if (!file.open(QIODevice::WriteOnly))
        return;
    file.write(QJsonDocument(QJsonObject {{QStringLiteral("state"), m_device.state},
                                          {QStringLiteral("name"), m_device.name},
                                          {QStringLiteral("message"), m_device.message},
                                          {QStringLiteral("required"), m_device.required},
                                          {QStringLiteral("userState"), m_user.state},
                                          {QStringLiteral("userName"), m_user.name},
                                          {QStringLiteral("userDisplayName"), m_user.displayName}})
                   .toJson());
    (void)file.commit();
}

bool Session::served() const
{
    return deviceServed() && (!m_device.required || m_user.state == QLatin1String("loggedIn"));
}

void Session::setUser(const QString &state, const QString &name, const QString &displayName, const QString &message)
{
    const bool persisted = state != m_user.state || name != m_user.name || displayName != m_user.displayName;
    m_user.state = state;
    m_user.name = name;
    m_user.displayName = displayName;
    m_user.message = message;
    if (persisted)
        saveDevice();
    applyDeviceServed();
    Q_EMIT userChanged();
}

void Session::onUserStatus(const PayloadEnvelope &envelope)
{
    auto payload = envelope.decodePayload();
    if (!payload || payload.value().tuples.size() != 1 || !payload.value().tuples.front())
        return;
    const Tuple &status = *payload.value().tuples.front();
    const bool loggedIn = status.field(QStringLiteral("loggedIn")).toBool();
    const QString message = status.field(QStringLiteral("message")).toString();
    if (loggedIn) {
        // Already served here and the roles changed: the service dropped what this connection
        // watched as the user with the old roles; watch it again with the new ones.
        const QStringList roles = rolesOf(status.field(QStringLiteral("roles")));
        const bool rolesChanged = m_user.statusHere && m_user.state == QLatin1String("loggedIn") && roles != m_user.roles;
        m_user.roles = roles;
        m_user.statusHere = true;
        setUser(QStringLiteral("loggedIn"), status.field(QStringLiteral("userName")).toString(),
                status.field(QStringLiteral("displayName")).toString(), {});
        if (rolesChanged)
            for (TupleDataObserverClient *client : std::as_const(m_clients))
                client->resubscribeAll();
        return;
    }
    m_user.statusHere = true;
    const bool hadSession = !m_user.token.isEmpty() || m_user.state == QLatin1String("loggedIn");
    m_user.token.clear();
    Q_EMIT userTokenChanged({});
    // What this user queued cannot be applied as them any more: it goes to the failed list,
    // with the reason, to be retried once they are back or discarded.
    if (hadSession && m_queue && !message.isEmpty())
        m_queue->failQueued(tr("not sent: %1").arg(message));
    setUser(QStringLiteral("loggedOut"), m_user.name, m_user.displayName, message);
}

void Session::login(const QString &userName, const QString &password, const QStringList &acceptedWarningKeys)
{
    if (!m_vortex || !m_vortex->isConnectedTo(m_serviceName)) {
        m_user.message = tr("The service cannot be reached: log in once it is online.");
        Q_EMIT userChanged();
        return;
    }
    ValueList accepted;
    for (const QString &key : acceptedWarningKeys)
        accepted.push_back(Value(key));
    TuplePtr login = identity::loginAction(userName.trimmed(), password, m_mode, accepted);
    action::stamp(*login);
    const Payload payload(identity::userProcessorFilt(), {login});
    m_user.warnings.clear();
    m_user.message.clear();
    Q_EMIT userChanged();
    QFuture<PayloadEnvelope> answer
        = PayloadResponse::send(m_vortex.get(), PayloadEnvelope::fromPayload(payload), m_serviceName, kEnrolTimeoutMs);
    onFinished(this, answer, [this](QFuture<PayloadEnvelope> finished) {
        auto result = resultOf(finished, tr("the session closed"));
        if (!result) {
            m_user.message = tr("Login failed: %1").arg(result.error().message());
            Q_EMIT userChanged();
            return;
        }
        auto decoded = result.value().decodePayload();
        const Tuple *response = decoded && decoded.value().tuples.size() == 1 ? decoded.value().tuples.front().get() : nullptr;
        if (!response) {
            m_user.message = tr("Login failed: the service's answer is unreadable");
            Q_EMIT userChanged();
            return;
        }
        if (!response->field(QStringLiteral("succeeded")).toBool()) {
            m_user.warnings.clear();
            const Value warnings = response->field(QStringLiteral("warnings"));
            if (warnings.type() == Value::Type::Dict)
                for (const auto &[key, text] : warnings.toDict())
                    m_user.warnings.insert(key, text.toString());
            m_user.message = response->field(QStringLiteral("message")).toString();
            Q_EMIT userChanged();
            return;
        }
        m_user.token = response->field(QStringLiteral("userToken")).toString();
        m_user.roles = rolesOf(response->field(QStringLiteral("roles")));
        m_user.statusHere = true;
        Q_EMIT userTokenChanged(m_user.token);
        setUser(QStringLiteral("loggedIn"), response->field(QStringLiteral("userName")).toString(),
                response->field(QStringLiteral("displayName")).toString(), {});
    });
}

void Session::logout()
{
    if (m_vortex && m_vortex->isConnectedTo(m_serviceName)) {
        const Payload payload(identity::userProcessorFilt(), {identity::logoutAction(m_user.name, m_mode)});
        (void)PayloadResponse::send(m_vortex.get(), PayloadEnvelope::fromPayload(payload), m_serviceName);
    }
    m_user.token.clear();
    Q_EMIT userTokenChanged({});
    // Nothing this user queued goes out as the next one.
    if (m_queue)
        m_queue->failQueued(tr("not sent: %1 logged out before it was sent").arg(m_user.name));
    setUser(QStringLiteral("loggedOut"), m_user.name, m_user.displayName, {});
}

void Session::applyDeviceServed()
{
    if (!m_queue)
        return;
    const bool userHere = m_user.statusHere && m_user.state == QLatin1String("loggedIn");
    const bool servedHere = m_admin ? userHere : m_device.statusHere && deviceServed() && (!m_device.required || userHere);
    const bool wasPaused = m_queue->isPaused();
    m_queue->setPaused(!servedHere);
    // What the service refused before the approval, it serves now.
    if (servedHere && wasPaused)
        for (TupleDataObserverClient *client : std::as_const(m_clients))
            client->resubscribeAll();
}

void Session::enrolDevice(const QString &name)
{
    if (!m_vortex || m_device.id.isEmpty())
        return;
    if (!m_vortex->isConnectedTo(m_serviceName)) {
        setDevice(m_device.state, m_device.name,
                  tr("The service cannot be reached: enrol this device once it is online."), m_device.required);
        return;
    }
    const Payload payload(identity::deviceProcessorFilt(),
                          {identity::enrolDeviceAction(name.trimmed(), m_device.id, m_mode, m_device.token,
                                                       QSysInfo::prettyProductName().left(100))});
    QFuture<PayloadEnvelope> answer
        = PayloadResponse::send(m_vortex.get(), PayloadEnvelope::fromPayload(payload), m_serviceName, kEnrolTimeoutMs);
    onFinished(this, answer, [this](QFuture<PayloadEnvelope> finished) {
        auto result = resultOf(finished, tr("the session closed"));
        if (!result) {
            setDevice(m_device.state, m_device.name, tr("Enrolment failed: %1").arg(result.error().message()),
                      m_device.required);
            return;
        }
        sendPresentation(); // the status says where the device stands now
    });
}

Session::~Session()
{
    // The clients and the queue use the cache and the vortex: they go first.
    // No state changes are announced from here on (closing the vortex says "disconnected").
    if (m_vortex)
        m_vortex->disconnect(this);
    m_bundles.reset();
    qDeleteAll(m_clients);
    m_clients.clear();
    m_queue.reset();
    m_cache.reset();
    if (m_vortex)
        m_vortex->close();
    m_vortex.reset();
}

void Session::setCurrent(Session *session)
{
    if (g_current == session)
        return;
    g_current = session;
    Q_EMIT SessionNotifier::instance()->currentSessionChanged();
}

Session *Session::current()
{
    return g_current.data();
}

void Session::attachTo(QObject *engine)
{
    engine->setProperty(kEngineProperty, QVariant::fromValue(QPointer<QObject>(this)));
}

Session *Session::ofEngine(const QObject *engine)
{
    if (engine) {
        const QVariant attached = engine->property(kEngineProperty);
        if (attached.isValid())
            return qobject_cast<Session *>(attached.value<QPointer<QObject>>().data());
    }
    return current();
}


int Session::queuedActions() const
{
    return m_queue ? m_queue->queuedCount() : 0;
}

int Session::failedActions() const
{
    return m_queue ? m_queue->failedCount() : 0;
}

TupleDataObserverClient *Session::observerClient(const QString &plugin,
                                                 const QString &observableName)
{
    if (!m_vortex)
        return nullptr;
    const QString key = plugin + QLatin1Char('\n') + observableName;
    auto *&client = m_clients[key];
    if (!client)
        client = new TupleDataObserverClient(
            m_vortex.get(), plugin, observableName,
            {m_serviceName, m_cache && m_cache->isOpen() ? m_cache.get() : nullptr});
    return client;
}

TupleSubscription *Session::subscribe(const QString &plugin, const QString &observableName,
                                      const TupleSelector &selector, QObject *parent)
{
    auto *client = observerClient(plugin, observableName);
    if (!client)
        return nullptr;
    auto *subscription = client->subscribe(selector, parent ? parent : this);
    // Cached data says when it was fresh: offline, "last sync" is the newest of those.
    const auto noteCached = [this, subscription] {
        const QDateTime date = subscription->date().toQDateTime();
        if (subscription->isFromCache() && date.isValid()
            && (!m_lastSync.isValid() || date > m_lastSync)) {
            m_lastSync = date;
            Q_EMIT lastSyncTimeChanged(m_lastSync);
        }
    };
    connect(subscription, &TupleSubscription::tuplesChanged, this, [this, subscription, noteCached] {
        if (subscription->isFromCache())
            noteCached();
        else
            noteSync();
    });
    noteCached();
    return subscription;
}

Result<void> Session::pushAction(const QString &plugin, const QString &processorName, TuplePtr action)
{
    if (!m_queue)
        return Error {m_error};
    return m_queue->push(plugin, processorName, std::move(action));
}

int Session::retryFailedActions()
{
    return forEachFailedAction(&TupleActionPushOfflineQueue::retryFailed);
}

int Session::discardFailedActions()
{
    return forEachFailedAction(&TupleActionPushOfflineQueue::discardFailed);
}

int Session::forEachFailedAction(bool (TupleActionPushOfflineQueue::*apply)(qint64))
{
    if (!m_queue)
        return 0;
    int n = 0;
    for (const auto &failed : m_queue->failedActions())
        n += (m_queue.get()->*apply)(failed.id) ? 1 : 0;
    return n;
}

void Session::setState(const QString &state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT connectionStateChanged(state);
}

void Session::noteSync()
{
    m_lastSync = QDateTime::currentDateTimeUtc();
    Q_EMIT lastSyncTimeChanged(m_lastSync);
}

SessionNotifier *SessionNotifier::instance()
{
    static SessionNotifier notifier;
    return &notifier;
}

} // namespace peek::app
