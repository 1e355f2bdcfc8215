#include "rpc.h"

#include "caller.h"
#include "futurecontext.h"

#include "tuple/tupleregistry.h"
#include "payloadresponse.h"
#include "vortex.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcRpc, "peek.vortex.rpc")

namespace peek {

PEEK_REGISTER_TUPLE(RpcArgTuple)
PEEK_REGISTER_TUPLE(RpcResultTuple)

namespace {

void answer(const MessageSource &source, const Dict &requestFilt, const Value &result)
{
    auto tuple = std::make_shared<RpcResultTuple>();
    tuple->result = result;
    Payload payload(requestFilt, {tuple});
    source.reply(PayloadEnvelope::fromPayload(payload));
}

void answerError(const MessageSource &source, const Dict &requestFilt, const QString &error)
{
    source.reply(PayloadEnvelope::error(requestFilt, error));
}

} // namespace

Rpc::Rpc(QString qualifiedName, Options options)
    : m_name(std::move(qualifiedName)), m_options(std::move(options))
{
}

Dict Rpc::filt() const
{
    Dict f{{QStringLiteral("_internal"), QStringLiteral("vortexRPC")}, {QStringLiteral("key"), m_name}};
    if (!m_options.plugin.isEmpty())
        f.insert(QStringLiteral("plugin"), m_options.plugin);
    return f;
}

PayloadRouter::EndpointId Rpc::listen(Vortex *vortex, Handler handler) const
{
    return listenAsync(vortex, [handler = std::move(handler)](const ValueList &args, const Dict &kwargs) {
        QPromise<Value> promise;
        promise.start();
        try {
            promise.addResult(handler(args, kwargs));
        } catch (...) {
            promise.setException(std::current_exception());
        }
        promise.finish();
        return promise.future();
    });
}

PayloadRouter::EndpointId Rpc::listenAsync(Vortex *vortex, AsyncHandler handler) const
{
    if (!m_options.listenVortexName.isEmpty() && vortex->name() != m_options.listenVortexName)
        qCWarning(lcRpc).noquote() << "RPC" << m_name << "is declared on" << m_options.listenVortexName
                                   << "but listens on" << vortex->name();
    const QString name = m_name;
    const QStringList acceptOnly = m_options.acceptOnlyFrom;
    QPointer<Vortex> guard(vortex);
    return vortex->router().addEndpoint(
        filt(), [name, acceptOnly, handler, guard](const PayloadEnvelope &envelope, const MessageSource &source) {
            // An admin logged in on logic's admin port may call what the admin service may.
            const bool admin = !source.proven && source.identity && acceptOnly.contains(kAdminServiceName)
                && source.identity->userRoles.contains(QLatin1String("admin"));
            if (!acceptOnly.isEmpty() && !acceptOnly.contains(source.vortexName) && !admin) {
                qCWarning(lcRpc).noquote() << "RPC" << name << "refused a call from" << source.vortexName
                                           << source.address << "(accepts only" << acceptOnly.join(u',') << ")";
                answerError(source, envelope.filt,
                            QStringLiteral("RPC %1 does not accept calls from %2").arg(name, source.vortexName));
                return;
            }
            const Result<Payload> payload = envelope.decodePayload();
            if (!payload || payload.value().tuples.size() != 1) {
                answerError(source, envelope.filt,
                            QStringLiteral("RPC %1: unreadable arguments: %2")
                                .arg(name, payload ? QStringLiteral("expected one argument tuple")
                                                   : payload.error().what));
                return;
            }
            const TuplePtr argTuple = payload.value().tuples.front();
            const ValueList args = argTuple ? argTuple->field(QStringLiteral("args")).toList() : ValueList{};
            const Dict kwargs = argTuple ? argTuple->field(QStringLiteral("kwargs")).toDict() : Dict{};
            QFuture<Value> result;
            try {
                const CallerScope caller(source.identity ? *source.identity : PeerIdentity {});
                result = handler(args, kwargs);
            } catch (const std::exception &e) {
                answerError(source, envelope.filt, QString::fromUtf8(e.what()));
                return;
            }
            const Dict requestFilt = envelope.filt;
            auto deliver = [source, requestFilt, name](QFuture<Value> done) {
                const auto refuse = [&](const QString &why) {
                    qCInfo(lcRpc).noquote() << "RPC" << name << "failed for" << source.vortexName << ":" << why;
                    answerError(source, requestFilt, why);
                };
                try {
                    done.waitForFinished(); // rethrows what the handler failed with (QFuture's way)
                    if (done.resultCount() == 0)
                        refuse(QStringLiteral("RPC %1 was cancelled before it produced a result").arg(name));
                    else
                        answer(source, requestFilt, done.result());
                } catch (const std::exception &e) {
                    refuse(QString::fromUtf8(e.what()));
                } catch (...) {
                    answerError(source, requestFilt, QStringLiteral("RPC %1 failed").arg(name));
                }
            };
            if (result.isFinished())
                deliver(result);
            else
                onFinished(guard.data(), result, deliver); // deliver answers a cancelled call too
        });
}

void Rpc::stopListening(Vortex *vortex, PayloadRouter::EndpointId id)
{
    vortex->router().removeEndpoint(id);
}

QFuture<Value> Rpc::call(Vortex *caller, ValueList args, Dict kwargs) const
{
    return call(caller, std::move(args), std::move(kwargs), m_options.timeoutMs);
}

QFuture<Value> Rpc::call(Vortex *caller, ValueList args, Dict kwargs, int timeoutMs) const
{
    auto argTuple = std::make_shared<RpcArgTuple>();
    argTuple->args = std::move(args);
    argTuple->kwargs = std::move(kwargs);
    const Payload payload(filt(), {argTuple});
    return PayloadResponse::send(caller, PayloadEnvelope::fromPayload(payload),
                                 m_options.listenVortexName, timeoutMs)
        .then([](const PayloadEnvelope &reply) {
            const Result<Payload> result = reply.decodePayload();
            if (!result || result.value().tuples.size() != 1 || !result.value().tuples.front())
                throw RemoteError(
                    QStringLiteral("unreadable RPC result: %1").arg(result ? QString() : result.error().what));
            return result.value().tuples.front()->field(QStringLiteral("result"));
        });
}

QString rpcActor(const Dict &kwargs)
{
    const QString admin = currentCaller().userName;
    if (!admin.isEmpty())
        return admin;
    const QString said = kwargs.string(QStringLiteral("actor")).left(100);
    return said.isEmpty() ? QStringLiteral("an operator") : said;
}

} // namespace peek
