#include "payloadrouter.h"

#include "vortex.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcRouter, "peek.vortex.router")

namespace peek {

const QString PayloadRouter::kMessageIdKey = QStringLiteral("PayloadResponse.messageId");

namespace {
const QString kKey = QStringLiteral("key");
}

bool MessageSource::reply(const PayloadEnvelope &envelope) const
{
    return replyRaw(envelope.toVortexMsg());
}

bool MessageSource::replyRaw(const QByteArray &vortexMsg) const
{
    return vortex && vortex->sendToConnection(connectionId, vortexMsg);
}

PayloadRouter::EndpointId PayloadRouter::addEndpoint(Dict filt, Handler handler,
                                                     QStringList acceptOnlyFrom,
                                                     QStringList ignoreFrom)
{
    const EndpointId id = m_nextId++;
    const Value *key = filt.find(kKey);
    if (key && key->type() == Value::Type::String)
        m_byKey[key->toString()].append(id);
    else
        m_unkeyed.append(id);
    m_endpoints.emplace(id, Endpoint{std::move(filt), std::move(handler), std::move(acceptOnlyFrom),
                                     std::move(ignoreFrom)});
    return id;
}

void PayloadRouter::removeEndpoint(EndpointId id)
{
    const auto it = m_endpoints.find(id);
    if (it == m_endpoints.end())
        return;
    const Value *key = it->second.filt.find(kKey);
    if (key && key->type() == Value::Type::String) {
        auto bucket = m_byKey.find(key->toString());
        if (bucket != m_byKey.end()) {
            bucket->removeOne(id);
            if (bucket->isEmpty())
                m_byKey.erase(bucket);
        }
    } else {
        m_unkeyed.removeOne(id);
    }
    m_endpoints.erase(it);
}

void PayloadRouter::addResponseWaiter(const QString &messageId, Handler handler, quint64 connectionId)
{
    m_waiters.insert(messageId, Waiter {std::move(handler), connectionId});
}

void PayloadRouter::removeResponseWaiter(const QString &messageId)
{
    m_waiters.remove(messageId);
}

int PayloadRouter::dispatch(const PayloadEnvelope &envelope, const MessageSource &source) const
{
    const Value *messageId = envelope.filt.find(kMessageIdKey);
    if (messageId) {
        const auto waiter = m_waiters.constFind(messageId->toString());
        if (waiter != m_waiters.constEnd()) {
            if (waiter->connectionId != 0 && waiter->connectionId != source.connectionId) {
                qCWarning(lcRouter).noquote() << "dropped an answer to request" << messageId->toString() << "from"
                                              << source.vortexName << source.address
                                              << "- the request went out on another connection";
                return 0;
            }
            const Handler handler = waiter->handler; // the handler may remove itself
            handler(envelope, source);
            return 1;
        }
    }

    // Collect ids first: a handler may add or remove endpoints (or destroy their owners) while
    // we deliver, so each one is looked up again just before it is called.
    std::vector<EndpointId> matched;
    auto consider = [&](EndpointId id) {
        const auto it = m_endpoints.find(id);
        if (it == m_endpoints.end())
            return;
        const Endpoint &ep = it->second;
        if (!ep.filt.isSubsetOf(envelope.filt))
            return;
        if (!ep.acceptOnlyFrom.isEmpty() && !ep.acceptOnlyFrom.contains(source.vortexName)) {
            qCDebug(lcRouter) << "endpoint ignores a message from" << source.vortexName
                              << "(accepts only" << ep.acceptOnlyFrom << ")";
            return;
        }
        if (ep.ignoreFrom.contains(source.vortexName))
            return;
        matched.push_back(id);
    };
    const Value *key = envelope.filt.find(kKey);
    if (key && key->type() == Value::Type::String) {
        const auto bucket = m_byKey.constFind(key->toString());
        if (bucket != m_byKey.constEnd())
            for (EndpointId id : *bucket)
                consider(id);
    }
    for (EndpointId id : m_unkeyed)
        consider(id);

    for (EndpointId id : matched) {
        const auto it = m_endpoints.find(id);
        if (it == m_endpoints.end())
            continue; // removed by an earlier handler
        const Handler handler = it->second.handler;
        handler(envelope, source);
    }
    if (matched.empty())
        qCDebug(lcRouter).noquote() << "no endpoint took a message from" << source.vortexName
                                    << "with filt keys" << envelope.filt.keys().join(u',');
    return int(matched.size());
}

} // namespace peek
