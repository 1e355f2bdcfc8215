#pragma once

#include "base/export.h"
#include "tuple/tupleselector.h"
#include "vortex/payloadenvelope.h"

#include <atomic>
#include <functional>
#include <memory>

namespace peek::observable {

// The filt keys of the observable protocol (docs/protocol.md §6).
inline const QString kKey = QStringLiteral("tupleDataObservable");
inline const QString kTupleSelector = QStringLiteral("tupleSelector");
inline const QString kSubscribe = QStringLiteral("subscribe");
inline const QString kUnsubscribe = QStringLiteral("unsubscribe");

// The filt an observable's endpoint listens on: {plugin, key, name}.
PEEK_CORE_EXPORT Dict endpointFilt(const QString &plugin, const QString &observableName);

// A request filt: the endpoint filt plus the selector and both subscribe flags, always explicit.
PEEK_CORE_EXPORT Dict requestFilt(const QString &plugin, const QString &observableName, const TupleSelector &selector,
                 bool subscribe, bool unsubscribe = false);

// The selector a request or update filt carries; false if it has none or it is unreadable.
PEEK_CORE_EXPORT bool selectorOf(const Dict &filt, TupleSelector &out);

// Reports an observable's subscriptions at every GET /metrics (peek_observable_subscriptions):
// the handler keeps `count` as they come and go; the scrape reads it on whatever thread serves it
// (another service's, in peek-server), and may still hold it after the handler went. Returns the
// collector's id, to remove with metrics::Registry::removeCollector before the handler goes.
PEEK_CORE_EXPORT quint64 collectSubscriptions(const QString &vortexName, const QString &plugin, const QString &observableName,
                                              std::shared_ptr<const std::atomic<qint64>> count);

} // namespace peek::observable
