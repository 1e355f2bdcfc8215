#pragma once

#include "base/export.h"
#include "tuple/tuple.h"
#include "payloadrouter.h"
#include "vortexerror.h"

#include <QFuture>

#include <stdexcept>
#include <type_traits>

namespace peek {

class Vortex;

// The RPC argument and result tuples of the original (docs/protocol.md §8).
struct PEEK_API RpcArgTuple : TypedTuple<RpcArgTuple>
{
    PEEK_TUPLE(RpcArgTuple, "vortex.rpc.RPC_VortexRPCArgTuple", args, kwargs)
    ValueList args;
    Dict kwargs;
};

struct PEEK_API RpcResultTuple : TypedTuple<RpcResultTuple>
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
//       {.plugin = "peek_plugin_tutorial", .listenVortexName = Role(Role::Logic).vortexName(),
//        .acceptOnlyFrom = {Role(Role::Agent).vortexName()}});
//   addInts.listen(logicVortex, [](const ValueList &a, const Dict &) { return a[0].toInt() + a[1].toInt(); });
//   addInts.call(agentVortex, {1, 2}).then([](const Value &sum) { ... });
class PEEK_API Rpc
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

// The name of the administration service's callers: `peek-server admin` on the logic machine
// dials as this (a proven service); RPCs for administration accept it in acceptOnlyFrom. Such an
// RPC also accepts a connection on logic's admin port on which a user with the admin role has
// logged in (docs/administration.md).
inline const QString kAdminServiceName = QStringLiteral("peek-admin-service");

// Who asked an RPC for an audit line: the admin logged in on the calling connection, or, for a
// proven service (the local `peek-server admin`), what it wrote in kwargs "actor"; never empty.
PEEK_API QString rpcActor(const Dict &kwargs);

// Checked RPC arguments: the argument at `index` as T (qint64, int, double, bool, QString,
// ValueList, Dict, DateTime), converted as a tuple field of type T would be (an int must be a whole
// number, a string a string), or std::invalid_argument naming the argument, what it must be and
// what came. Handlers read their arguments through it, never with Value::toInt() and friends
// (which turn "abc" into 0). The message goes back to the caller.
template <typename T>
T rpcArgument(const ValueList &args, size_t index, const char *name)
{
    const auto expected = [] {
        if constexpr (std::is_same_v<T, qint64> || std::is_same_v<T, int>)
            return "a whole number";
        else if constexpr (std::is_same_v<T, double>)
            return "a number";
        else if constexpr (std::is_same_v<T, bool>)
            return "true or false";
        else if constexpr (std::is_same_v<T, QString>)
            return "a string";
        else if constexpr (std::is_same_v<T, ValueList>)
            return "a list";
        else if constexpr (std::is_same_v<T, Dict>)
            return "a dict";
        else
            return "of the declared type";
    };
    if (index >= args.size())
        throw std::invalid_argument(QStringLiteral("argument %1 (%2) is missing: it must be %3")
                                        .arg(index + 1)
                                        .arg(QLatin1String(name), QLatin1String(expected()))
                                        .toStdString());
    T out {};
    if (args[index].isNull() || !FieldTraits<T>::fromValue(args[index], out))
        throw std::invalid_argument(QStringLiteral("argument %1 (%2) must be %3, not %4")
                                        .arg(index + 1)
                                        .arg(QLatin1String(name), QLatin1String(expected()),
                                             QLatin1String(Value::typeName(args[index].type())))
                                        .toStdString());
    return out;
}

} // namespace peek
