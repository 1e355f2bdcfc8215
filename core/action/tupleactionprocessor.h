#pragma once

#include "base/export.h"
#include "base/role.h"
#include "processedactionstore.h"
#include "tupleactions.h"
#include "vortex/vortex.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <stdexcept>

class QSqlDatabase;

namespace peek {

// Logic's side of actions: receives action tuples for one processor name, hands each to the
// delegate for its tuple type (or the default delegate), and answers with the delegate's result
// tuples or its error. Remembers processed action uuids so a re-sent action is answered again
// but applied once.
class PEEK_API TupleActionProcessor : public QObject
{
    Q_OBJECT
public:
    // Applies one action; returns the result tuples, or fails (throws / a failed future) with a
    // message for the user. May finish later (work off the event loop).
    using Delegate = std::function<QFuture<std::vector<TuplePtr>>(const TuplePtr &action)>;
    using SyncDelegate = std::function<std::vector<TuplePtr>(const TuplePtr &action)>;

    TupleActionProcessor(Vortex *vortex, const QString &plugin, const QString &processorName,
                         ProcessedActionStore *store = nullptr, QObject *parent = nullptr);
    // The same, owning its store.
    TupleActionProcessor(Vortex *vortex, const QString &plugin, const QString &processorName,
                         std::unique_ptr<ProcessedActionStore> store, QObject *parent = nullptr);
    ~TupleActionProcessor() override;

    void setDelegate(const QString &actionTupleType, Delegate delegate);
    void setDelegate(const QString &actionTupleType, SyncDelegate delegate);
    void setDefaultDelegate(Delegate delegate);
    void setDefaultDelegate(SyncDelegate delegate);

    // The checked form: `delegate` receives only ActionT tuples (any other tuple under ActionT's
    // type name is refused with an error naming the type); no cast in plugin code.
    template <typename ActionT>
    void setDelegate(std::function<QFuture<std::vector<TuplePtr>>(const ActionT &)> delegate)
    {
        setDelegate(typeName<ActionT>(), Delegate([delegate = std::move(delegate)](const TuplePtr &action) {
                        return delegate(checked<ActionT>(action));
                    }));
    }

    // Exactly once, across a kill -9 at any moment: `apply` runs on a database thread inside a
    // transaction the platform opened, which also records the action as processed (in the
    // plugin's schema); both are committed together or neither. Return the result tuples, or an
    // error (an Error, or throw) to refuse the action: nothing it did is kept. `apply` must
    // not commit, and must only change the database (what it does elsewhere is not undone).
    // `applied` runs on the event loop after the commit (e.g. notify observers); an action sent
    // again is answered from the record without either running. Needs the processor's store to
    // have a database (PluginContext::actionProcessor on logic has).
    template <typename ActionT>
    void applyInTransaction(std::function<Result<std::vector<TuplePtr>>(QSqlDatabase &, const ActionT &)> apply,
                            std::function<void(const ActionT &)> applied = {})
    {
        Transactional t;
        t.apply = [apply = std::move(apply)](QSqlDatabase &db, const TuplePtr &action) {
            return apply(db, checked<ActionT>(action));
        };
        if (applied)
            t.applied = [applied = std::move(applied)](const TuplePtr &action) { applied(checked<ActionT>(action)); };
        m_transactional.insert(typeName<ActionT>(), std::move(t));
    }

    qint64 appliedCount() const { return m_applied; }
    qint64 duplicateCount() const { return m_duplicates; }

private:
    struct Transactional
    {
        std::function<Result<std::vector<TuplePtr>>(QSqlDatabase &, const TuplePtr &)> apply;
        std::function<void(const TuplePtr &)> applied;
    };

    template <typename ActionT>
    static QString typeName()
    {
        return QString::fromUtf8(ActionT::kTupleType);
    }
    // The action as ActionT, or throws std::invalid_argument saying what was expected.
    template <typename ActionT>
    static const ActionT &checked(const TuplePtr &action)
    {
        const auto *typed = dynamic_cast<const ActionT *>(action.get());
        if (!typed)
            throw std::invalid_argument(QStringLiteral("expected a %1 tuple").arg(typeName<ActionT>()).toStdString());
        return *typed;
    }

    void onAction(const PayloadEnvelope &envelope, const MessageSource &source);
    void applyTransactional(const QString &uuid, const TuplePtr &action, const Transactional &transactional,
                            const std::shared_ptr<const PeerIdentity> &caller);
    void apply(const QString &key, const TuplePtr &action, bool remember,
               const std::shared_ptr<const PeerIdentity> &caller);
    // `source` waits for the answer to `key` (the first one starts the latency clock).
    void await(const QString &key, const MessageSource &source, const Dict &filt);
    void answerAll(const QString &key, const ProcessedAnswer &answer);
    static Delegate wrap(SyncDelegate delegate);

    QPointer<Vortex> m_vortex; // cleared first if the vortex goes (e.g. it is our parent)
    QString m_plugin;
    QString m_name;
    ProcessedActionStore *m_store;
    std::unique_ptr<ProcessedActionStore> m_ownStore;
    PayloadRouter::EndpointId m_endpoint = 0;
    QHash<QString, Delegate> m_delegates;
    QHash<QString, Transactional> m_transactional;
    Delegate m_default;
    // Actions being applied, and who waits for their answer (a re-send may arrive meanwhile).
    QHash<QString, QList<std::pair<MessageSource, Dict>>> m_inFlight;
    QHash<QString, qint64> m_startedNs; // when the first of them arrived (m_clock)
    QElapsedTimer m_clock;
    metrics::Histogram *m_latency = nullptr;
    qint64 m_applied = 0;
    qint64 m_anonymous = 0;
    qint64 m_duplicates = 0;
};

// The field/office side: relays each device's action to logic and the answer back, with a
// timeout. The encoded action is passed on as it came.
class PEEK_API TupleActionProcessorProxy : public QObject
{
    Q_OBJECT
public:
    TupleActionProcessorProxy(Vortex *vortex, const QString &plugin, const QString &processorName,
                              const QString &upstreamVortexName = Role(Role::Logic).vortexName(),
                              int timeoutMs = 30000, QObject *parent = nullptr);
    ~TupleActionProcessorProxy() override;

private:
    QPointer<Vortex> m_vortex; // cleared first if the vortex goes (e.g. it is our parent)
    PayloadRouter::EndpointId m_endpoint = 0;
};

// Pushes one action now and returns logic's result tuples; fails at once with NotConnectedError
// when there is no connection (use TupleActionPushOfflineQueue to queue instead).
PEEK_API QFuture<std::vector<TuplePtr>> pushAction(Vortex *vortex, const QString &plugin,
                                          const QString &processorName, TuplePtr action,
                                          const QString &destVortexName = Role(Role::Field).vortexName(),
                                          int timeoutMs = 30000);

} // namespace peek
