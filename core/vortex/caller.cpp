#include "caller.h"

namespace peek {

Value callerValue(const PeerIdentity &identity)
{
    ValueList roles;
    for (const QString &role : identity.userRoles)
        roles.push_back(Value(role));
    return Value(Dict {{QStringLiteral("deviceId"), Value(identity.deviceId)},
                       {QStringLiteral("deviceName"), Value(identity.deviceName)},
                       {QStringLiteral("userName"), Value(identity.userName)},
                       {QStringLiteral("roles"), Value(roles)}});
}

PeerIdentity callerFromFilt(const Dict &filt)
{
    PeerIdentity caller;
    const Value *stamped = filt.find(kCallerKey);
    if (!stamped || stamped->type() != Value::Type::Dict)
        return caller;
    const Dict &d = stamped->toDict();
    caller.deviceId = d.string(QStringLiteral("deviceId"));
    caller.deviceName = d.string(QStringLiteral("deviceName"));
    caller.deviceApproved = !caller.deviceId.isEmpty();
    caller.userName = d.string(QStringLiteral("userName"));
    if (const Value *roles = d.find(QStringLiteral("roles")); roles && roles->type() == Value::Type::List)
        for (const Value &r : roles->toList())
            if (r.type() == Value::Type::String)
                caller.userRoles << r.toString();
    return caller;
}

QString perCallerKey(const QString &selectorKey, const PeerIdentity &identity)
{
    const QChar separator(0x1f);
    return selectorKey + QChar(0x1e) + identity.deviceId + separator + identity.userName + separator
        + identity.userRoles.join(separator);
}

namespace {
const PeerIdentity kNobody;
thread_local const PeerIdentity *t_caller = nullptr;
} // namespace

const PeerIdentity &currentCaller()
{
    return t_caller ? *t_caller : kNobody;
}

CallerScope::CallerScope(const PeerIdentity &caller) : m_previous(t_caller)
{
    t_caller = &caller;
}

CallerScope::~CallerScope()
{
    t_caller = m_previous;
}

} // namespace peek
