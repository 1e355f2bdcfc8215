#pragma once

#include "base/export.h"
#include "base/role.h"
#include "tuple/tupleselector.h"
#include "vortex/vortex.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

namespace peek {

// The field/office side of an observable: devices subscribe here, and the proxy keeps one
// upstream subscription per selector at logic however many devices watch it. It caches the
// last message per selector as it came (the encoded payload is never decoded or re-encoded),
// answers new subscribers from the cache at once, drops updates older than the cache, fans
// updates out, unsubscribes upstream a while after the last subscriber leaves, and restores
// every upstream subscription when logic comes back (docs/protocol.md §6).
class PEEK_API TupleDataObservableProxyHandler : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString upstreamVortexName = Role(Role::Logic).vortexName();
        int unsubscribeAfterMs = 120000;
    };

    TupleDataObservableProxyHandler(Vortex *vortex, const QString &plugin, const QString &observableName,
                                    const Options &options, QObject *parent = nullptr);
    TupleDataObservableProxyHandler(Vortex *vortex, const QString &plugin, const QString &observableName,
                                    QObject *parent = nullptr);
    ~TupleDataObservableProxyHandler() override;

    // Per caller: each caller (device and user, as the connection proved) gets a subscription of
    // its own at logic, stamped with the caller, so the providers can serve per-user data
    // (peek::currentCaller()). Off (the default): one upstream subscription per selector, shared
    // by every device. Set it before the first request.
    void setPerCaller(bool perCaller) { m_perCaller = perCaller; }
    bool isPerCaller() const { return m_perCaller; }

    int upstreamSubscriptionCount() const { return int(m_entries.size()); }
    int subscriberCount() const;
    qint64 upstreamRequestsSent() const { return m_upstreamRequests; }
    qint64 updatesDropped() const { return m_staleDropped; }

Q_SIGNALS:
    // An update from upstream went out to this many devices.
    void forwarded(const QString &selectorKey, int deviceCount);

private:
    struct Entry;
    void onMessage(const PayloadEnvelope &envelope, const MessageSource &source);
    void onDeviceRequest(const PayloadEnvelope &envelope, const MessageSource &source);
    void onUpstreamUpdate(const PayloadEnvelope &envelope, const MessageSource &source);
    void subscribeUpstream(Entry *entry);
    Dict upstreamFilt(const Entry *entry, bool subscribe, bool unsubscribe) const;
    void idleCheck(const QString &key);
    void dropConnection(quint64 connectionId);
    void addSubscriber(Entry *entry, quint64 connectionId); // counted for GET /metrics

    QPointer<Vortex> m_vortex; // cleared first if the vortex goes (e.g. it is our parent)
    QString m_plugin;
    QString m_name;
    quint64 m_collector = 0; // its subscriptions for GET /metrics
    std::shared_ptr<std::atomic<qint64>> m_subscriptionCount = std::make_shared<std::atomic<qint64>>(0);
    Options m_options;
    PayloadRouter::EndpointId m_endpoint = 0;
    QHash<QString, Entry *> m_entries;
    bool m_perCaller = false;
    qint64 m_upstreamRequests = 0;
    qint64 m_staleDropped = 0;
};

} // namespace peek
