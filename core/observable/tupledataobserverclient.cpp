#include "tupledataobserverclient.h"

#include "observablefilt.h"
#include "tupleofflinecache.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcObserver, "peek.observable.client")

namespace peek {

struct TupleDataObserverClient::Entry
{
    TupleSelector selector;
    QList<TupleSubscription *> subscriptions;
    std::vector<TuplePtr> tuples;
    DateTime date;
    bool fromCache = false;
};

TupleSubscription::TupleSubscription(TupleDataObserverClient *client, const TupleSelector &selector, QObject *parent)
    : QObject(parent), m_client(client), m_selector(selector)
{
}

TupleSubscription::~TupleSubscription()
{
    unsubscribe();
}

void TupleSubscription::unsubscribe()
{
    if (m_client)
        m_client->release(this);
    m_client = nullptr;
}

TupleDataObserverClient::TupleDataObserverClient(Vortex *vortex, const QString &plugin,
                                                 const QString &observableName, const Options &options,
                                                 QObject *parent)
    : QObject(parent), m_vortex(vortex), m_plugin(plugin), m_name(observableName), m_options(options)
{
    m_endpoint = vortex->router().addEndpoint(
        observable::endpointFilt(plugin, observableName),
        [this](const PayloadEnvelope &e, const MessageSource &s) { onMessage(e, s); },
        {options.destVortexName});
    connect(vortex, &Vortex::peerConnected, this, [this](const PeerInfo &peer) {
        if (peer.vortexName != m_options.destVortexName)
            return;
        resubscribeAll();
    });
}

void TupleDataObserverClient::resubscribeAll()
{
    for (const Entry *entry : std::as_const(m_entries))
        sendSubscribe(entry->selector, true, false);
}

TupleDataObserverClient::~TupleDataObserverClient()
{
    for (Entry *entry : std::as_const(m_entries)) {
        for (TupleSubscription *s : std::as_const(entry->subscriptions))
            s->m_client = nullptr;
        sendSubscribe(entry->selector, false, true);
        delete entry;
    }
    if (m_vortex)
        m_vortex->router().removeEndpoint(m_endpoint);
}

TupleSubscription *TupleDataObserverClient::subscribe(const TupleSelector &selector, QObject *parent)
{
    auto *subscription = new TupleSubscription(this, selector, parent);
    const QString key = selector.key();
    Entry *&entry = m_entries[key];
    if (!entry) {
        entry = new Entry{selector, {}, {}, {}, false};
        if (m_options.cache) {
            const TupleOfflineCache::Entry cached = m_options.cache->load(key);
            if (cached.isValid()) {
                Result<Payload> payload = Payload::decode(cached.encodedPayload);
                if (payload) {
                    entry->tuples = std::move(payload).value().tuples;
                    entry->date = cached.date;
                    entry->fromCache = true;
                } else {
                    qCWarning(lcObserver).noquote()
                        << "ignoring unreadable cached data for" << key << ":" << payload.error().what;
                }
            }
        }
        sendSubscribe(selector, true, false);
    }
    entry->subscriptions.append(subscription);
    subscription->m_tuples = entry->tuples;
    subscription->m_date = entry->date;
    subscription->m_fromCache = entry->fromCache;
    return subscription;
}

void TupleDataObserverClient::release(TupleSubscription *subscription)
{
    const QString key = subscription->selector().key();
    Entry *entry = m_entries.value(key);
    if (!entry)
        return;
    entry->subscriptions.removeOne(subscription);
    if (entry->subscriptions.isEmpty()) {
        sendSubscribe(entry->selector, false, true);
        delete m_entries.take(key);
    }
}

void TupleDataObserverClient::sendSubscribe(const TupleSelector &selector, bool subscribe, bool unsubscribe)
{
    if (!m_vortex)
        return;
    m_vortex->send(PayloadEnvelope(observable::requestFilt(m_plugin, m_name, selector, subscribe, unsubscribe)),
                   m_options.destVortexName);
}

void TupleDataObserverClient::onMessage(const PayloadEnvelope &envelope, const MessageSource &)
{
    TupleSelector selector;
    if (!observable::selectorOf(envelope.filt, selector))
        return;
    const QString key = selector.key();
    Entry *entry = m_entries.value(key);
    if (!entry)
        return;
    if (!envelope.isSuccess()) {
        const QString error = envelope.errorText();
        qCWarning(lcObserver).noquote() << "observable" << m_name << "answered" << key << "with an error:" << error;
        notify(entry, [error](TupleSubscription *s) {
            s->m_lastError = error;
            Q_EMIT s->errorReceived(error);
        });
        return;
    }
    if (entry->date.isValid() && envelope.date.isValid() && envelope.date < entry->date && !entry->fromCache)
        return; // older than what we show
    Result<Payload> payload = envelope.decodePayload();
    if (!payload) {
        qCWarning(lcObserver).noquote() << "unreadable data for" << key << ":" << payload.error().what;
        return;
    }
    if (m_options.cache)
        m_options.cache->store(key, envelope.date, envelope.data);
    entry->tuples = std::move(payload).value().tuples;
    entry->date = envelope.date;
    entry->fromCache = false;
    const std::vector<TuplePtr> tuples = entry->tuples;
    const DateTime date = entry->date;
    notify(entry, [&tuples, date](TupleSubscription *s) {
        s->m_tuples = tuples;
        s->m_date = date;
        s->m_fromCache = false;
        s->m_lastError.clear();
        Q_EMIT s->tuplesChanged();
    });
}

// Slots may unsubscribe or delete subscriptions (even the last one, which deletes the entry):
// work on a guarded snapshot and never touch the entry once the first signal went out.
void TupleDataObserverClient::notify(Entry *entry, const std::function<void(TupleSubscription *)> &update)
{
    QList<QPointer<TupleSubscription>> snapshot;
    for (TupleSubscription *s : std::as_const(entry->subscriptions))
        snapshot.append(s);
    for (const auto &s : std::as_const(snapshot))
        if (s)
            update(s.data());
}

} // namespace peek
