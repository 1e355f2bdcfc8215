#include "session.h"

#include "pluginbundles.h"

#include "observable/tupleofflinecache.h"
#include "base/role.h"

#include <QDir>
#include <QQmlEngine>

namespace peek::app {

namespace {
QPointer<Session> g_current;
constexpr const char *kEngineProperty = "_peekSession";
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
    const std::optional<Role> role = Role::fromName(mode);
    if (!role || (*role != Role::Field && *role != Role::Office)) {
        m_error = QStringLiteral("unknown app mode '%1': use \"field\" or \"office\"").arg(mode);
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
    m_vortex = std::make_unique<Vortex>(role->appVortexName(), options.vortex);
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
    connect(this, &Session::connectionStateChanged, this, [this](const QString &state) {
        if (state == QLatin1String("online")) {
            m_bundles->refresh(m_serverUrl);
            m_bundleCheck.start();
        } else {
            m_bundleCheck.stop();
        }
    });
    m_vortex->connectTo(serverUrl);
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

void Session::attachTo(QQmlEngine *engine)
{
    engine->setProperty(kEngineProperty, QVariant::fromValue(QPointer<QObject>(this)));
}

Session *Session::ofEngine(const QQmlEngine *engine)
{
    if (engine) {
        const QVariant attached = engine->property(kEngineProperty);
        if (attached.isValid())
            return qobject_cast<Session *>(attached.value<QPointer<QObject>>().data());
    }
    return current();
}

Session *Session::of(const QObject *qmlObject)
{
    return ofEngine(qmlEngine(qmlObject));
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
