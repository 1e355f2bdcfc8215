#include "tupleactionprocessor.h"

#include "vortex/futurecontext.h"

#include "vortex/payloadresponse.h"

#include <QLoggingCategory>
#include <QPromise>
#include <QUuid>

Q_LOGGING_CATEGORY(lcAction, "peek.action")

namespace peek {

TupleActionProcessor::TupleActionProcessor(Vortex *vortex, const QString &plugin, const QString &processorName,
                                           ProcessedActionStore *store, QObject *parent)
    : QObject(parent), m_vortex(vortex), m_plugin(plugin), m_name(processorName), m_store(store)
{
    if (!m_store) {
        m_ownStore = std::make_unique<MemoryProcessedActionStore>();
        m_store = m_ownStore.get();
    }
    m_clock.start();
    m_latency = &metrics::Registry::instance().histogram(
        QStringLiteral("peek_action_seconds"), QStringLiteral("From an action's arrival at logic to its answer, in seconds."),
        {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
        {{QStringLiteral("plugin"), plugin}, {QStringLiteral("processor"), processorName}});
    m_endpoint = vortex->router().addEndpoint(
        action::processorFilt(plugin, processorName),
        [this](const PayloadEnvelope &e, const MessageSource &s) { onAction(e, s); });
}

TupleActionProcessor::TupleActionProcessor(Vortex *vortex, const QString &plugin, const QString &processorName,
                                           std::unique_ptr<ProcessedActionStore> store, QObject *parent)
    : TupleActionProcessor(vortex, plugin, processorName, store.get(), parent)
{
    if (store) {
        m_ownStore = std::move(store);
        m_store = m_ownStore.get();
    }
}

TupleActionProcessor::~TupleActionProcessor()
{
    if (m_vortex)
        m_vortex->router().removeEndpoint(m_endpoint);
}

TupleActionProcessor::Delegate TupleActionProcessor::wrap(SyncDelegate delegate)
{
    return [delegate = std::move(delegate)](const TuplePtr &action) {
        QPromise<std::vector<TuplePtr>> promise;
        promise.start();
        try {
            promise.addResult(delegate(action));
        } catch (...) {
            promise.setException(std::current_exception());
        }
        promise.finish();
        return promise.future();
    };
}

void TupleActionProcessor::setDelegate(const QString &actionTupleType, Delegate delegate)
{
    m_delegates.insert(actionTupleType, std::move(delegate));
}

void TupleActionProcessor::setDelegate(const QString &actionTupleType, SyncDelegate delegate)
{
    setDelegate(actionTupleType, wrap(std::move(delegate)));
}

void TupleActionProcessor::setDefaultDelegate(Delegate delegate)
{
    m_default = std::move(delegate);
}

void TupleActionProcessor::setDefaultDelegate(SyncDelegate delegate)
{
    m_default = wrap(std::move(delegate));
}

void TupleActionProcessor::onAction(const PayloadEnvelope &envelope, const MessageSource &source)
{
    const Result<Payload> payload = envelope.decodePayload();
    if (!payload || payload.value().tuples.size() != 1 || !payload.value().tuples.front()) {
        const QString why = payload ? QStringLiteral("the payload must hold exactly one action tuple")
                                    : payload.error().what;
        qCWarning(lcAction).noquote() << "processor" << m_name << "refused an unreadable action from"
                                      << source.vortexName << source.address << ":" << why;
        source.reply(PayloadEnvelope::error(envelope.filt, QStringLiteral("unreadable action: %1").arg(why)));
        return;
    }
    const TuplePtr actionTuple = payload.value().tuples.front();
    const QString uuid = action::uuidOf(*actionTuple);
    // A proven service vouches for the sender in the filt; a device's own connection proves it.
    const auto caller = std::make_shared<const PeerIdentity>(
        source.proven ? callerFromFilt(envelope.filt)
                      : (source.identity ? *source.identity : PeerIdentity {}));
    const auto transactional = m_transactional.constFind(actionTuple->tupleType());
    if (transactional != m_transactional.constEnd()) {
        // Without a uuid it cannot be recognised again; it still gets a key of its own.
        const QString key = uuid.isEmpty() ? QStringLiteral("#anonymous-%1").arg(QUuid::createUuid().toString(QUuid::WithoutBraces)) : uuid;
        auto flying = m_inFlight.find(key);
        if (flying != m_inFlight.end()) {
            ++m_duplicates;
            flying->append({source, envelope.filt});
            return;
        }
        await(key, source, envelope.filt);
        applyTransactional(key, actionTuple, transactional.value(), caller);
        return;
    }
    if (uuid.isEmpty()) {
        // Without a uuid an action cannot be recognised again: applied as it comes.
        const QString key = QStringLiteral("#%1").arg(++m_anonymous);
        await(key, source, envelope.filt);
        apply(key, actionTuple, false, caller);
        return;
    }
    auto flying = m_inFlight.find(uuid);
    if (flying != m_inFlight.end()) {
        ++m_duplicates; // the same action again while it is being applied: one answer for both
        flying->append({source, envelope.filt});
        return;
    }
    await(uuid, source, envelope.filt);
    onFinished(this, m_store->lookup(uuid),
               [this, uuid, actionTuple, caller](const QFuture<std::optional<ProcessedAnswer>> &looked) {
        const auto lookup = resultOf(looked, QStringLiteral("the lookup was cancelled"));
        if (!lookup) {
            // Not knowing whether it was applied, applying it could apply it twice: the sender
            // keeps it and tries again.
            qCWarning(lcAction).noquote() << "could not look up action" << uuid << "(" << lookup.error().message()
                                          << "); answered \"try again\"";
            answerAll(uuid, ProcessedAnswer{{}, QStringLiteral("the service could not check whether this action was "
                                                               "applied before; send it again later"), true});
            return;
        }
        const std::optional<ProcessedAnswer> &known = lookup.value();
        if (!known) {
            apply(uuid, actionTuple, true, caller);
            return;
        }
        ++m_duplicates;
        qCInfo(lcAction).noquote() << "action" << uuid << "was already applied; answering again without applying it";
        answerAll(uuid, *known);
    });
}

void TupleActionProcessor::applyTransactional(const QString &uuid, const TuplePtr &actionTuple,
                                              const Transactional &transactional,
                                              const std::shared_ptr<const PeerIdentity> &caller)
{
    const Dict filt = m_inFlight.value(uuid).value(0).second;
    auto work = [apply = transactional.apply, actionTuple, caller](QSqlDatabase &db) {
        CallerScope scope(*caller);
        return apply(db, actionTuple);
    };
    const auto applied = transactional.applied;
    onFinished(this, m_store->applyOnce(uuid, filt, std::move(work)),
               [this, uuid, actionTuple, applied, caller](const QFuture<AppliedOnce> &done) {
        const auto finished = resultOf(done, QStringLiteral("the service is shutting down"));
        AppliedOnce result;
        if (finished) {
            result = finished.value();
        } else {
            result.outcome = AppliedOnce::Outcome::TryAgain;
            result.answer = ProcessedAnswer{{}, QStringLiteral("the action was not applied (%1); send it again later")
                                                    .arg(finished.error().what), true};
        }
        switch (result.outcome) {
        case AppliedOnce::Outcome::Applied:
            ++m_applied;
            if (applied) {
                try {
                    CallerScope scope(*caller);
                    applied(actionTuple);
                } catch (const std::exception &e) {
                    qCWarning(lcAction).noquote() << "processor" << m_name << ": after applying action" << uuid
                                                  << "the plugin failed:" << e.what();
                }
            }
            break;
        case AppliedOnce::Outcome::AlreadyApplied:
            ++m_duplicates;
            qCInfo(lcAction).noquote() << "action" << uuid << "was already applied; answering again without applying it";
            break;
        case AppliedOnce::Outcome::Refused:
        case AppliedOnce::Outcome::TryAgain: break;
        }
        answerAll(uuid, result.answer);
    });
}

void TupleActionProcessor::apply(const QString &key, const TuplePtr &actionTuple, bool remember,
                                 const std::shared_ptr<const PeerIdentity> &caller)
{
    const Delegate delegate = m_delegates.value(actionTuple->tupleType(), m_default);
    if (!delegate) {
        answerAll(key, ProcessedAnswer{{}, QStringLiteral("processor %1 has no delegate for %2")
                                               .arg(m_name, actionTuple->tupleType())});
        return;
    }
    QFuture<std::vector<TuplePtr>> result;
    try {
        CallerScope scope(*caller);
        result = delegate(actionTuple);
    } catch (const std::exception &e) {
        answerAll(key, ProcessedAnswer{{}, QString::fromUtf8(e.what())});
        return;
    }
    const Dict filt = m_inFlight.value(key).value(0).second;
    auto deliver = [this, key, remember, filt](QFuture<std::vector<TuplePtr>> done) {
        ProcessedAnswer answer;
        try {
            done.waitForFinished();
            std::vector<TuplePtr> tuples = done.resultCount() ? done.result() : std::vector<TuplePtr>{};
            answer.encodedPayload = Payload(filt, std::move(tuples)).encode();
        } catch (const std::exception &e) {
            answer.error = QString::fromUtf8(e.what());
        } catch (...) {
            answer.error = QStringLiteral("the action failed");
        }
        // Only applied actions are remembered: a refused one changed nothing, so the user may
        // fix the cause and send it again. The answer goes out once it is remembered.
        if (!answer.error.isEmpty() || !remember) {
            if (answer.error.isEmpty())
                ++m_applied;
            answerAll(key, answer);
            return;
        }
        ++m_applied;
        onFinished(this, m_store->remember(key, answer), [this, key, answer](const QFuture<void> &remembered) {
            if (remembered.isCanceled())
                qCWarning(lcAction).noquote() << "action" << key << "was applied but could not be remembered";
            answerAll(key, answer);
        });
    };
    // A cancelled delegate must still be answered, or the action would hang for ever.
    auto finish = [this, key, deliver](const QFuture<std::vector<TuplePtr>> &finished) {
        try {
            if (!hasResult(finished)) {
                if (m_inFlight.contains(key))
                    answerAll(key, ProcessedAnswer{{}, QStringLiteral("the action was cancelled before it finished")});
                return;
            }
        } catch (...) {
            // deliver() turns the delegate's exception into the error answer.
        }
        deliver(finished);
    };
    if (result.isFinished())
        finish(result);
    else
        onFinished(this, result, finish);
}

void TupleActionProcessor::await(const QString &key, const MessageSource &source, const Dict &filt)
{
    auto &waiting = m_inFlight[key];
    if (waiting.isEmpty())
        m_startedNs.insert(key, m_clock.nsecsElapsed());
    waiting.append({source, filt});
}

void TupleActionProcessor::answerAll(const QString &key, const ProcessedAnswer &answer)
{
    if (const auto started = m_startedNs.constFind(key); started != m_startedNs.cend()) {
        m_latency->observe(double(m_clock.nsecsElapsed() - started.value()) / 1e9);
        m_startedNs.erase(started);
    }
    const auto waiting = m_inFlight.take(key);
    for (const auto &[source, filt] : waiting) {
        if (answer.error.isEmpty()) {
            source.reply(PayloadEnvelope(filt, answer.encodedPayload));
            continue;
        }
        PayloadEnvelope reply = PayloadEnvelope::error(filt, answer.error);
        if (answer.tryAgain)
            reply.filt.insert(PayloadResponse::kUnavailableKey, true);
        source.reply(reply);
    }
}

TupleActionProcessorProxy::TupleActionProcessorProxy(Vortex *vortex, const QString &plugin,
                                                     const QString &processorName,
                                                     const QString &upstreamVortexName, int timeoutMs,
                                                     QObject *parent)
    : QObject(parent), m_vortex(vortex)
{
    m_endpoint = vortex->router().addEndpoint(
        action::processorFilt(plugin, processorName),
        [vortex, upstreamVortexName, timeoutMs, this](const PayloadEnvelope &envelope, const MessageSource &source) {
            if (source.vortexName == upstreamVortexName)
                return; // answers come back through the request's own waiter
            PayloadEnvelope upstream = envelope;
            upstream.filt.remove(PayloadRouter::kMessageIdKey);
            // Who sent it, as the connection proved it: never what the device wrote.
            upstream.filt.remove(kCallerKey);
            if (source.identity)
                upstream.filt.insert(kCallerKey, callerValue(*source.identity));
            const Dict deviceFilt = envelope.filt;
            onFinished(this, PayloadResponse::send(vortex, upstream, upstreamVortexName, timeoutMs),
                       [source, deviceFilt](const QFuture<PayloadEnvelope> &answered) {
                try {
                    if (hasResult(answered)) {
                        const PayloadEnvelope answer = answered.result();
                        source.reply(PayloadEnvelope(deviceFilt, answer.data, answer.result));
                        return;
                    }
                    PayloadEnvelope reply = PayloadEnvelope::error(deviceFilt, QStringLiteral("the service is shutting down"));
                    reply.filt.insert(PayloadResponse::kUnavailableKey, true);
                    source.reply(reply);
                } catch (const RemoteError &e) {
                    source.reply(PayloadEnvelope::error(deviceFilt, e.message()));
                } catch (const VortexError &e) {
                    // Logic was not reached: say so, so a device queue keeps the action.
                    PayloadEnvelope reply = PayloadEnvelope::error(deviceFilt, e.message());
                    reply.filt.insert(PayloadResponse::kUnavailableKey, true);
                    source.reply(reply);
                }
            });
        });
}

TupleActionProcessorProxy::~TupleActionProcessorProxy()
{
    if (m_vortex)
        m_vortex->router().removeEndpoint(m_endpoint);
}

QFuture<std::vector<TuplePtr>> pushAction(Vortex *vortex, const QString &plugin, const QString &processorName,
                                          TuplePtr actionTuple, const QString &destVortexName, int timeoutMs)
{
    action::stamp(*actionTuple);
    const Payload payload(action::processorFilt(plugin, processorName), {actionTuple});
    return PayloadResponse::send(vortex, PayloadEnvelope::fromPayload(payload), destVortexName, timeoutMs)
        .then([](const PayloadEnvelope &answer) {
            if (answer.data.isEmpty())
                return std::vector<TuplePtr>{};
            Result<Payload> result = answer.decodePayload();
            if (!result)
                throw RemoteError(QStringLiteral("unreadable answer to the action: %1").arg(result.error().what));
            return std::move(result).value().tuples;
        });
}

} // namespace peek
