#pragma once

#include "../tuple/tuple.h"
#include "payloadrouter.h"
#include "vortexerror.h"

#include <QFuture>

namespace peek {

class Vortex;

// The RPC argument and result tuples of the original (PROTOCOL.md §8).
struct RpcArgTuple : TypedTuple<RpcArgTuple>
{
    PEEK_TUPLE(RpcArgTuple, "vortex.rpc.RPC_VortexRPCArgTuple", args, kwargs)
    ValueList args;
    Dict kwargs;
};

struct RpcResultTuple : TypedTuple<RpcResultTuple>
{
    PEEK_TUPLE(RpcResultTuple, "vortex.rpc.RPC_VortexRPCResultTuple", result)
    Value result;
};

// A remote procedure declared once and shared by both sides: the callee listens on the vortex
// named in the declaration, callers anywhere call it and get a QFuture of the result. Arguments
// and results are Values (tuples included). A handler fails by throwing; the caller's future
// then fails with RemoteError carrying the message.
//
//   static const peek::Rpc addInts(QStringLiteral("peek_plugin_tutorial.addInts"),
//       {.plugin = "peek_plugin_tutorial", .listenVortexName = "peek-logic-service",
//        .acceptOnlyFrom = {"peek-agent-service"}});
//   addInts.listen(logicVortex, [](const ValueList &a, const Dict &) { return a[0].toInt() + a[1].toInt(); });
//   addInts.call(agentVortex, {1, 2}).then([](const Value &sum) { ... });
class Rpc
{
public:
    struct Options
    {
        QString plugin;
        QString listenVortexName;
        QStringList acceptOnlyFrom; // empty: any vortex may call
        int timeoutMs = 30000;
    };
    using Handler = std::function<Value(const ValueList &args, const Dict &kwargs)>;
    using AsyncHandler = std::function<QFuture<Value>(const ValueList &args, const Dict &kwargs)>;

    Rpc(QString qualifiedName, Options options);

    const QString &name() const { return m_name; }
    const Options &options() const { return m_options; }

    // Answers calls on `vortex` (whose name should be the declared listenVortexName).
    // Returns the router endpoint id, for stopListening.
    PayloadRouter::EndpointId listen(Vortex *vortex, Handler handler) const;
    PayloadRouter::EndpointId listenAsync(Vortex *vortex, AsyncHandler handler) const;
    static void stopListening(Vortex *vortex, PayloadRouter::EndpointId id);

    QFuture<Value> call(Vortex *caller, ValueList args, Dict kwargs = {}) const;
    QFuture<Value> call(Vortex *caller, ValueList args, Dict kwargs, int timeoutMs) const;

private:
    Dict filt() const;
    QString m_name;
    Options m_options;
};

} // namespace peek
