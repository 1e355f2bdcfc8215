#include "observablefilt.h"

#include "base/metrics.h"

namespace peek::observable {

Dict endpointFilt(const QString &plugin, const QString &observableName)
{
    return Dict{{QStringLiteral("plugin"), plugin},
                {QStringLiteral("key"), kKey},
                {QStringLiteral("name"), observableName}};
}

Dict requestFilt(const QString &plugin, const QString &observableName, const TupleSelector &selector,
                 bool subscribe, bool unsubscribe)
{
    Dict filt = endpointFilt(plugin, observableName);
    filt.append(kTupleSelector, Value(TuplePtr(std::make_shared<TupleSelector>(selector))));
    filt.append(kSubscribe, subscribe);
    filt.append(kUnsubscribe, unsubscribe);
    return filt;
}

bool selectorOf(const Dict &filt, TupleSelector &out)
{
    const Value *v = filt.find(kTupleSelector);
    if (!v)
        return false;
    const TuplePtr t = v->toTuple();
    if (!t)
        return false;
    if (auto typed = std::dynamic_pointer_cast<TupleSelector>(t)) {
        out = *typed;
        return true;
    }
    out.name = t->field(QStringLiteral("name")).toString();
    out.selector = t->field(QStringLiteral("selector")).toDict();
    return !out.name.isEmpty();
}

quint64 collectSubscriptions(const QString &vortexName, const QString &plugin, const QString &observableName,
                             std::shared_ptr<const std::atomic<qint64>> count)
{
    const metrics::Labels labels {{QStringLiteral("vortex"), vortexName},
                                  {QStringLiteral("plugin"), plugin},
                                  {QStringLiteral("observable"), observableName}};
    return metrics::Registry::instance().addCollector([labels, count = std::move(count)](metrics::Samples &samples) {
        samples.add(QStringLiteral("peek_observable_subscriptions"),
                    QStringLiteral("Connections subscribed to an observable's selectors (logic: services; proxies: devices)."),
                    QStringLiteral("gauge"), labels, double(count->load(std::memory_order_relaxed)));
    });
}

} // namespace peek::observable
