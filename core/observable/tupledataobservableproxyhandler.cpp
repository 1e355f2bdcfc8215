#include "tupledataobservableproxyhandler.h"

#include "observablefilt.h"

#include "vortex/caller.h"

#include <QLoggingCategory>
#include <QSet>

Q_LOGGING_CATEGORY(lcObservableProxy, "peek.observable.proxy")

namespace peek {

struct TupleDataObservableProxyHandler::Entry
{
    TupleSelector selector;
    Value caller; // per caller: the stamp its upstream requests carry; null: shared
    QSet<quint64> subscribers;
    QSet<quint64> pollers; // waiting for the first data, once
    QByteArray cachedMessage;
    DateTime cachedDate;
    QTimer idle;
};

TupleDataObservableProxyHandler::TupleDataObservableProxyHandler(Vortex *vortex, const QString &plugin,
                                                                 const QString &observableName, QObject *parent)
    : TupleDataObservableProxyHandler(vortex, plugin, observableName, Options(), parent)
{
}

TupleDataObservableProxyHandler::TupleDataObservableProxyHandler(Vortex *vortex, const QString &plugin,
                                                                 const QString &observableName,
                                                                 const Options &options, QObject *parent)
    : QObject(parent), m_vortex(vortex), m_plugin(plugin), m_name(observableName), m_options(options)
{
    // Subscriptions held here, for GET /metrics.
    m_collector = observable::collectSubscriptions(vortex->name(), plugin, observableName, m_subscriptionCount);
    m_endpoint = vortex->router().addEndpoint(
        observable::endpointFilt(plugin, observableName),
        [this](const PayloadEnvelope &e, const MessageSource &s) { onMessage(e, s); });
    connect(vortex, &Vortex::peerDisconnected, this, [this](const PeerInfo &peer) {
        if (peer.vortexName != m_options.upstreamVortexName)
            dropConnection(peer.connectionId);
    });
    // Another user (or none) on the connection: what it subscribed to before is not for them.
    connect(vortex, &Vortex::identityChanged, this, [this](quint64 connectionId) {
        const QStringList keys = m_entries.keys();
        for (const QString &key : keys) {
            Entry *entry = m_entries.value(key);
            if (entry->subscribers.remove(connectionId)) {
                m_vortex->releaseSubscription(connectionId);
                --*m_subscriptionCount;
            }
            entry->pollers.remove(connectionId);
            idleCheck(key);
        }
    });
    connect(vortex, &Vortex::peerConnected, this, [this](const PeerInfo &peer) {
        if (peer.vortexName != m_options.upstreamVortexName)
            return;
        // Logic is back (or new): restore every upstream subscription.
        for (Entry *entry : std::as_const(m_entries))
            subscribeUpstream(entry);
    });
}

TupleDataObservableProxyHandler::~TupleDataObservableProxyHandler()
{
    metrics::Registry::instance().removeCollector(m_collector);
    if (m_vortex)
        m_vortex->router().removeEndpoint(m_endpoint);
    qDeleteAll(m_entries);
}

int TupleDataObservableProxyHandler::subscriberCount() const
{
    int n = 0;
    for (const Entry *e : m_entries)
        n += int(e->subscribers.size());
    return n;
}

void TupleDataObservableProxyHandler::onMessage(const PayloadEnvelope &envelope, const MessageSource &source)
{
    if (source.vortexName == m_options.upstreamVortexName)
        onUpstreamUpdate(envelope, source);
    else
        onDeviceRequest(envelope, source);
}

void TupleDataObservableProxyHandler::onDeviceRequest(const PayloadEnvelope &envelope, const MessageSource &source)
{
    TupleSelector selector;
    if (!observable::selectorOf(envelope.filt, selector)) {
        source.reply(PayloadEnvelope::error(envelope.filt, QStringLiteral("observable %1: the request has no tupleSelector").arg(m_name)));
        return;
    }
    // Shared by every device, or (per caller) one per device and user as the connection proved.
    const PeerIdentity caller = m_perCaller && source.identity ? *source.identity : PeerIdentity {};
    const QString key = m_perCaller ? perCallerKey(selector.key(), caller) : selector.key();
    const bool unsubscribe = envelope.filt.value(observable::kUnsubscribe).toBool();
    const bool subscribe = envelope.filt.value(observable::kSubscribe).toBool();

    if (unsubscribe) {
        if (Entry *entry = m_entries.value(key)) {
            if (entry->subscribers.remove(source.connectionId)) {
                m_vortex->releaseSubscription(source.connectionId);
                --*m_subscriptionCount;
            }
            idleCheck(key);
        }
        return;
    }
    if (subscribe && !(m_entries.contains(key) && m_entries.value(key)->subscribers.contains(source.connectionId))
        && !m_vortex->reserveSubscription(source.connectionId)) {
        source.reply(PayloadEnvelope::error(
            envelope.filt, QStringLiteral("observable %1: this connection has as many subscriptions as it may "
                                          "have (limits.maxSubscriptionsPerConnection); unsubscribe from one first")
                               .arg(m_name)));
        return;
    }
    Entry *&entry = m_entries[key];
    if (!entry) {
        entry = new Entry;
        entry->selector = selector;
        if (m_perCaller)
            entry->caller = callerValue(caller);
        entry->idle.setSingleShot(true);
        connect(&entry->idle, &QTimer::timeout, this, [this, key] {
            Entry *e = m_entries.value(key);
            if (!e || !e->subscribers.isEmpty() || !e->pollers.isEmpty())
                return;
            qCDebug(lcObservableProxy).noquote() << "unsubscribing upstream from idle selector" << key;
            m_vortex->send(PayloadEnvelope(upstreamFilt(e, false, true)), m_options.upstreamVortexName);
            delete m_entries.take(key);
        });
        subscribeUpstream(entry);
    }
    entry->idle.stop();
    if (!entry->cachedMessage.isEmpty()) {
        m_vortex->sendToConnection(source.connectionId, entry->cachedMessage);
        if (subscribe)
            addSubscriber(entry, source.connectionId);
        else
            idleCheck(key);
        return;
    }
    if (subscribe)
        addSubscriber(entry, source.connectionId);
    else
        entry->pollers.insert(source.connectionId);
}

void TupleDataObservableProxyHandler::addSubscriber(Entry *entry, quint64 connectionId)
{
    const qsizetype before = entry->subscribers.size();
    entry->subscribers.insert(connectionId);
    *m_subscriptionCount += entry->subscribers.size() - before;
}

Dict TupleDataObservableProxyHandler::upstreamFilt(const Entry *entry, bool subscribe, bool unsubscribe) const
{
    Dict filt = observable::requestFilt(m_plugin, m_name, entry->selector, subscribe, unsubscribe);
    if (!entry->caller.isNull())
        filt.insert(kCallerKey, entry->caller);
    return filt;
}

void TupleDataObservableProxyHandler::subscribeUpstream(Entry *entry)
{
    const int sent = m_vortex->send(PayloadEnvelope(upstreamFilt(entry, true, false)), m_options.upstreamVortexName);
    m_upstreamRequests += sent;
    if (sent == 0)
        qCDebug(lcObservableProxy) << "not connected to" << m_options.upstreamVortexName
                                   << "yet; the subscription goes up when it connects";
}

void TupleDataObservableProxyHandler::onUpstreamUpdate(const PayloadEnvelope &envelope, const MessageSource &source)
{
    TupleSelector selector;
    if (!observable::selectorOf(envelope.filt, selector))
        return;
    const QString key = m_perCaller ? perCallerKey(selector.key(), callerFromFilt(envelope.filt)) : selector.key();
    Entry *entry = m_entries.value(key);
    if (!entry)
        return; // an update for a selector nobody here watches any more
    if (entry->cachedDate.isValid() && envelope.date.isValid() && envelope.date < entry->cachedDate) {
        ++m_staleDropped;
        qCDebug(lcObservableProxy).noquote() << "dropped a stale update for" << key;
        return;
    }
    if (envelope.isSuccess()) {
        entry->cachedMessage = source.raw;
        entry->cachedDate = envelope.date;
    }
    QSet<quint64> targets = entry->subscribers;
    targets.unite(entry->pollers);
    entry->pollers.clear();
    m_vortex->sendToConnections(targets, source.raw, key); // a slow device gets the newest, not every one
    Q_EMIT forwarded(key, int(targets.size()));
    idleCheck(key);
}

void TupleDataObservableProxyHandler::idleCheck(const QString &key)
{
    Entry *entry = m_entries.value(key);
    if (entry && entry->subscribers.isEmpty() && entry->pollers.isEmpty() && !entry->idle.isActive())
        entry->idle.start(m_options.unsubscribeAfterMs);
}

void TupleDataObservableProxyHandler::dropConnection(quint64 connectionId)
{
    const QStringList keys = m_entries.keys();
    for (const QString &key : keys) {
        Entry *entry = m_entries.value(key);
        if (entry->subscribers.remove(connectionId))
            --*m_subscriptionCount;
        entry->pollers.remove(connectionId);
        idleCheck(key);
    }
}

} // namespace peek
