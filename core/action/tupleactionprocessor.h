#pragma once

#include "processedactionstore.h"
#include "tupleactions.h"
#include "vortex/vortex.h"

#include <QFuture>
#include <QObject>
#include <QPointer>
#include <QSet>

namespace peek {

// Logic's side of actions: receives action tuples for one processor name, hands each to the
// delegate for its tuple type (or the default delegate), and answers with the delegate's result
// tuples or its error. Remembers processed action uuids so a re-sent action is answered again
// but applied once.
class TupleActionProcessor : public QObject
{
    Q_OBJECT
public:
    // Applies one action; returns the result tuples, or fails (throws / a failed future) with a
    // message for the user. May finish later (work off the event loop).
    using Delegate = std::function<QFuture<std::vector<TuplePtr>>(const TuplePtr &action)>;
    using SyncDelegate = std::function<std::vector<TuplePtr>(const TuplePtr &action)>;

    TupleActionProcessor(Vortex *vortex, const QString &plugin, const QString &processorName,
                         ProcessedActionStore *store = nullptr, QObject *parent = nullptr);
    ~TupleActionProcessor() override;

    void setDelegate(const QString &actionTupleType, Delegate delegate);
    void setDelegate(const QString &actionTupleType, SyncDelegate delegate);
    void setDefaultDelegate(Delegate delegate);
    void setDefaultDelegate(SyncDelegate delegate);

    qint64 appliedCount() const { return m_applied; }
    qint64 duplicateCount() const { return m_duplicates; }

private:
    void onAction(const PayloadEnvelope &envelope, const MessageSource &source);
    void apply(const QString &key, const TuplePtr &action, bool remember);
    void answerAll(const QString &key, const ProcessedAnswer &answer);
    static Delegate wrap(SyncDelegate delegate);

    QPointer<Vortex> m_vortex; // cleared first if the vortex goes (e.g. it is our parent)
    QString m_plugin;
    QString m_name;
    ProcessedActionStore *m_store;
    std::unique_ptr<ProcessedActionStore> m_ownStore;
    PayloadRouter::EndpointId m_endpoint = 0;
    QHash<QString, Delegate> m_delegates;
    Delegate m_default;
    // Actions being applied, and who waits for their answer (a re-send may arrive meanwhile).
    QHash<QString, QList<std::pair<MessageSource, Dict>>> m_inFlight;
    qint64 m_applied = 0;
    qint64 m_anonymous = 0;
    qint64 m_duplicates = 0;
};

// The field/office side: relays each device's action to logic and the answer back, with a
// timeout. The encoded action is passed on as it came.
class TupleActionProcessorProxy : public QObject
{
    Q_OBJECT
public:
    TupleActionProcessorProxy(Vortex *vortex, const QString &plugin, const QString &processorName,
                              const QString &upstreamVortexName = QStringLiteral("peek-logic-service"),
                              int timeoutMs = 30000, QObject *parent = nullptr);
    ~TupleActionProcessorProxy() override;

private:
    QPointer<Vortex> m_vortex; // cleared first if the vortex goes (e.g. it is our parent)
    PayloadRouter::EndpointId m_endpoint = 0;
};

// Pushes one action now and returns logic's result tuples; fails at once with NotConnectedError
// when there is no connection (use TupleActionPushOfflineQueue to queue instead).
QFuture<std::vector<TuplePtr>> pushAction(Vortex *vortex, const QString &plugin,
                                          const QString &processorName, TuplePtr action,
                                          const QString &destVortexName = QStringLiteral("peek-field-service"),
                                          int timeoutMs = 30000);

} // namespace peek
