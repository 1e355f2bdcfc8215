#pragma once

#include "vortex/caller.h"

#include "base/export.h"
#include "tuple/tupleselector.h"
#include "vortex/payloadenvelope.h"
#include "vortex/vortex.h"

#include <QObject>
#include <QPointer>
#include <QThreadPool>

#include <functional>

namespace peek {

// What a tuple provider returns: tuples to encode, or a payload it already encoded (from a
// cache, say) that goes out as it is.
struct PEEK_API ProvidedTuples
{
    std::vector<TuplePtr> tuples;
    QByteArray encodedPayload;
};

// Loads the tuples a selector names. Runs on a worker thread, never on the event loop; may
// block (database, files). Throw to fail: subscribers get the error text. For an observable whose
// field and office proxies are per caller (TupleDataObservableProxyHandler::setPerCaller),
// peek::currentCaller() says whose data it is (vortex/caller.h).
using TupleProvider = std::function<ProvidedTuples(const Dict &filt, const TupleSelector &selector)>;

// The owner side of an observable (on logic): answers subscribe / poll / unsubscribe requests
// for one observable name from its tuple providers, and sends fresh data to every subscriber
// when notifyOfTupleUpdate is called (docs/protocol.md §6).
class PEEK_API TupleDataObservableHandler : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int maxConcurrentProviders = 4; // provider calls running at once
        int compressionLevel = kDefaultCompressionLevel;
    };

    TupleDataObservableHandler(Vortex *vortex, const QString &plugin, const QString &observableName,
                               const Options &options, QObject *parent = nullptr);
    TupleDataObservableHandler(Vortex *vortex, const QString &plugin, const QString &observableName,
                               QObject *parent = nullptr);
    ~TupleDataObservableHandler() override;

    void addTupleProvider(const QString &tupleName, TupleProvider provider);

    // Sends fresh data to every observer of this selector.
    void notifyOfTupleUpdate(const TupleSelector &selector);
    // Sends fresh data to the observers of every selector with this tuple name.
    void notifyOfTupleUpdateForTuple(const QString &tupleName);

    int observerCount() const;         // (connection, selector) pairs
    int observedSelectorCount() const; // distinct selectors
    qint64 providerCalls() const { return m_providerCalls; }

Q_SIGNALS:
    // One batch of messages went out for a selector (for benchmarks and tests).
    void sent(const QString &selectorKey, int observerCount);

private:
    struct Observed;
    struct Job;
    void onRequest(const PayloadEnvelope &envelope, const MessageSource &source);
    void queue(const QString &key, const TupleSelector &selector, const Dict &filt,
               quint64 pollConnection, const Dict &pollFilt, const std::shared_ptr<const PeerIdentity> &caller);
    void startJobs();
    void finishJob(const QString &key, const PayloadEnvelope &envelope, const QByteArray &vortexMsg);
    void dropConnection(quint64 connectionId);

    QPointer<Vortex> m_vortex; // cleared first if the vortex goes (e.g. it is our parent)
    QString m_plugin;
    QString m_name;
    quint64 m_collector = 0; // its subscriptions for GET /metrics
    std::shared_ptr<std::atomic<qint64>> m_subscriptionCount = std::make_shared<std::atomic<qint64>>(0);
    Options m_options;
    PayloadRouter::EndpointId m_endpoint = 0;
    QHash<QString, TupleProvider> m_providers;
    QHash<QString, Observed *> m_observed; // by selector key (and caller, for per-caller ones)
    QMultiHash<QString, QString> m_keysBySelector; // selector key -> its m_observed keys
    QHash<QString, Job *> m_jobs;          // queued or running, by selector key
    QStringList m_queue;                   // keys of jobs waiting for a slot
    int m_running = 0;
    qint64 m_providerCalls = 0;
    QThreadPool m_pool;
};

} // namespace peek
