#include "tupledataobservablehandler.h"

#include "observablefilt.h"

#include "vortex/caller.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QSet>

Q_LOGGING_CATEGORY(lcObservable, "peek.observable")

namespace peek {

struct TupleDataObservableHandler::Observed
{
    TupleSelector selector;
    Dict filt;
    QSet<quint64> connections;
    std::shared_ptr<const PeerIdentity> caller; // whose data (a per-caller proxy's subscription)
};

struct TupleDataObservableHandler::Job
{
    TupleSelector selector;
    Dict filt;
    std::shared_ptr<const PeerIdentity> caller;
    bool running = false;
    bool rerun = false; // notified again while running: the data may have changed since
    // Polls answered by this run, each with its own request filt (and so its message id).
    QList<std::pair<quint64, Dict>> polls;
};

TupleDataObservableHandler::TupleDataObservableHandler(Vortex *vortex, const QString &plugin,
                                                       const QString &observableName, QObject *parent)
    : TupleDataObservableHandler(vortex, plugin, observableName, Options(), parent)
{
}

TupleDataObservableHandler::TupleDataObservableHandler(Vortex *vortex, const QString &plugin,
                                                       const QString &observableName,
                                                       const Options &options, QObject *parent)
    : QObject(parent), m_vortex(vortex), m_plugin(plugin), m_name(observableName), m_options(options)
{
    // Subscriptions held here, for GET /metrics.
    m_collector = observable::collectSubscriptions(vortex->name(), plugin, observableName, m_subscriptionCount);
    m_pool.setMaxThreadCount(std::max(1, options.maxConcurrentProviders));
    m_endpoint = vortex->router().addEndpoint(
        observable::endpointFilt(plugin, observableName),
        [this](const PayloadEnvelope &e, const MessageSource &s) { onRequest(e, s); });
    connect(vortex, &Vortex::peerDisconnected, this,
            [this](const PeerInfo &peer) { dropConnection(peer.connectionId); });
}

TupleDataObservableHandler::~TupleDataObservableHandler()
{
    metrics::Registry::instance().removeCollector(m_collector);
    m_pool.clear();
    m_pool.waitForDone();
    if (m_vortex)
        m_vortex->router().removeEndpoint(m_endpoint);
    qDeleteAll(m_observed);
    qDeleteAll(m_jobs);
}

void TupleDataObservableHandler::addTupleProvider(const QString &tupleName, TupleProvider provider)
{
    m_providers.insert(tupleName, std::move(provider));
}

int TupleDataObservableHandler::observerCount() const
{
    int n = 0;
    for (const Observed *o : m_observed)
        n += int(o->connections.size());
    return n;
}

int TupleDataObservableHandler::observedSelectorCount() const
{
    return int(m_observed.size());
}

void TupleDataObservableHandler::onRequest(const PayloadEnvelope &envelope, const MessageSource &source)
{
    TupleSelector selector;
    if (!observable::selectorOf(envelope.filt, selector)) {
        qCWarning(lcObservable).noquote() << "observable" << m_name << "got a request without a tupleSelector from"
                                          << source.vortexName << source.address;
        source.reply(PayloadEnvelope::error(envelope.filt, QStringLiteral("observable %1: the request has no tupleSelector").arg(m_name)));
        return;
    }
    // A per-caller subscription (the field or office proxy vouched for the caller): data of its
    // own, not shared with other callers of the same selector.
    const bool stamped = source.proven && envelope.filt.find(kCallerKey);
    auto caller = std::make_shared<const PeerIdentity>(stamped ? callerFromFilt(envelope.filt) : PeerIdentity {});
    const QString key = stamped ? perCallerKey(selector.key(), *caller) : selector.key();
    Dict filt = envelope.filt;
    filt.remove(PayloadRouter::kMessageIdKey);

    if (envelope.filt.value(observable::kUnsubscribe).toBool()) {
        if (Observed *o = m_observed.value(key)) {
            if (o->connections.remove(source.connectionId))
                --*m_subscriptionCount;
            if (o->connections.isEmpty()) {
                m_keysBySelector.remove(o->selector.key(), key);
                delete m_observed.take(key);
            }
        }
        return;
    }
    if (envelope.filt.value(observable::kSubscribe).toBool()) {
        Observed *&o = m_observed[key];
        if (!o) {
            o = new Observed{selector, filt, {}, caller};
            m_keysBySelector.insert(selector.key(), key);
        }
        const qsizetype before = o->connections.size();
        o->connections.insert(source.connectionId);
        *m_subscriptionCount += o->connections.size() - before;
        queue(key, selector, filt, 0, {}, caller);
        return;
    }
    queue(key, selector, filt, source.connectionId, envelope.filt, caller); // a one-shot poll
}

void TupleDataObservableHandler::notifyOfTupleUpdate(const TupleSelector &selector)
{
    // Every caller's subscription of this selector (one shared one, or one per caller).
    const QStringList keys = m_keysBySelector.values(selector.key());
    for (const QString &key : keys)
        if (const Observed *o = m_observed.value(key))
            queue(key, o->selector, o->filt, 0, {}, o->caller);
}

void TupleDataObservableHandler::notifyOfTupleUpdateForTuple(const QString &tupleName)
{
    for (auto it = m_observed.cbegin(); it != m_observed.cend(); ++it)
        if (it.value()->selector.name == tupleName)
            queue(it.key(), it.value()->selector, it.value()->filt, 0, {}, it.value()->caller);
}

void TupleDataObservableHandler::queue(const QString &key, const TupleSelector &selector,
                                       const Dict &filt, quint64 pollConnection, const Dict &pollFilt,
                                       const std::shared_ptr<const PeerIdentity> &caller)
{
    Job *&job = m_jobs[key];
    if (job) {
        // Merge with the request already queued; a running one runs again for fresh data.
        if (pollConnection)
            job->polls.append({pollConnection, pollFilt});
        else if (job->running)
            job->rerun = true;
        return;
    }
    job = new Job{selector, filt, caller, false, false, {}};
    if (pollConnection)
        job->polls.append({pollConnection, pollFilt});
    m_queue.append(key);
    startJobs();
}

void TupleDataObservableHandler::startJobs()
{
    while (m_running < m_pool.maxThreadCount() && !m_queue.isEmpty()) {
        const QString key = m_queue.takeFirst();
        Job *job = m_jobs.value(key);
        if (!job)
            continue;
        job->running = true;
        ++m_running;
        ++m_providerCalls;
        const TupleProvider provider = m_providers.value(job->selector.name);
        const TupleSelector selector = job->selector;
        const Dict filt = job->filt;
        const auto caller = job->caller ? job->caller : std::make_shared<const PeerIdentity>();
        const int level = m_options.compressionLevel;
        const QString name = m_name;
        m_pool.start([this, key, provider, selector, filt, level, name, caller] {
            CallerScope scope(*caller);
            PayloadEnvelope envelope;
            if (!provider) {
                envelope = PayloadEnvelope::error(filt, QStringLiteral("observable %1 has no tuple provider for %2")
                                                            .arg(name, selector.name));
            } else {
                try {
                    ProvidedTuples provided = provider(filt, selector);
                    if (provided.encodedPayload.isEmpty()) {
                        Payload payload(filt, std::move(provided.tuples));
                        envelope = PayloadEnvelope::fromPayload(payload, level);
                    } else {
                        envelope = PayloadEnvelope(filt, provided.encodedPayload);
                    }
                } catch (const std::exception &e) {
                    envelope = PayloadEnvelope::error(filt, QStringLiteral("observable %1 could not load %2: %3")
                                                                .arg(name, selector.name, QString::fromUtf8(e.what())));
                }
            }
            const QByteArray message = envelope.toVortexMsg();
            QMetaObject::invokeMethod(this, [this, key, envelope, message] { finishJob(key, envelope, message); },
                                      Qt::QueuedConnection);
        });
    }
}

void TupleDataObservableHandler::finishJob(const QString &key, const PayloadEnvelope &envelope,
                                          const QByteArray &vortexMsg)
{
    --m_running;
    Job *job = m_jobs.value(key);
    if (job && m_vortex) {
        int count = 0;
        if (const Observed *o = m_observed.value(key))
            count += m_vortex->sendToConnections(o->connections, vortexMsg, key); // the newest to a slow peer
        // Each poll is answered with its own filt, as request/response needs (docs/protocol.md §4).
        for (const auto &[connection, pollFilt] : std::as_const(job->polls)) {
            PayloadEnvelope answer = envelope;
            answer.filt = pollFilt;
            count += m_vortex->sendToConnection(connection, answer.toVortexMsg()) ? 1 : 0;
        }
        Q_EMIT sent(key, count);
    }
    if (job) {
        if (job->rerun) {
            job->running = false;
            job->rerun = false;
            job->polls.clear();
            m_queue.append(key);
        } else {
            delete m_jobs.take(key);
        }
    }
    startJobs();
}

void TupleDataObservableHandler::dropConnection(quint64 connectionId)
{
    for (auto it = m_observed.begin(); it != m_observed.end();) {
        if (it.value()->connections.remove(connectionId))
            --*m_subscriptionCount;
        if (it.value()->connections.isEmpty()) {
            m_keysBySelector.remove(it.value()->selector.key(), it.key());
            delete it.value();
            it = m_observed.erase(it);
        } else {
            ++it;
        }
    }
}

} // namespace peek
