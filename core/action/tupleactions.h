#pragma once

#include "base/export.h"
#include "tuple/tupleselector.h"
#include "vortex/payloadrouter.h"

namespace peek {

// The action tuples every Peek peer knows (docs/protocol.md §7). Every action has a uuid (what makes
// "applied once" possible) and the time it was made on the device.
struct PEEK_API TupleGenericAction : TypedTuple<TupleGenericAction>
{
    PEEK_TUPLE(TupleGenericAction, "vortex.TupleGenericAction", key, data, uuid, dateTime)
    QString key;
    Value data;
    QString uuid;
    DateTime dateTime;
};

struct PEEK_API TupleUpdateAction : TypedTuple<TupleUpdateAction>
{
    PEEK_TUPLE(TupleUpdateAction, "vortex.TupleUpdateAction", tupleSelector, tupleChanges, uuid, dateTime)
    std::shared_ptr<TupleSelector> tupleSelector;
    ValueList tupleChanges;
    QString uuid;
    DateTime dateTime;
};

namespace action {

inline const QString kKey = QStringLiteral("tupleActionProcessorName");

// {plugin, key: tupleActionProcessorName, name}: where a processor listens.
PEEK_API Dict processorFilt(const QString &plugin, const QString &processorName);

// The filt key under which the field and office services stamp who sent an action they forward
// to logic: {deviceId, deviceName, userName, roles}, from what the device's connection proved,
// overwriting whatever the device wrote there (docs/identity.md). Logic reads it only from a
// proven service.
inline const QString kCallerKey = QStringLiteral("peekCaller");
PEEK_API Value callerValue(const PeerIdentity &identity);
PEEK_API PeerIdentity callerFromFilt(const Dict &filt);

// Gives an action its uuid and date if it has none (any tuple with uuid/dateTime fields).
PEEK_API void stamp(Tuple &action);
PEEK_API QString uuidOf(const Tuple &action);

} // namespace action

// Who sent the action a delegate is applying (the device and the user logged in on it, as the
// field or office service vouched): valid inside a delegate's call, a transactional apply and its
// `applied` callback; an async delegate reads it before it returns. Empty elsewhere, and for
// actions no device sent (e.g. from the agent).
PEEK_API const PeerIdentity &currentCaller();

// Sets currentCaller() for its scope (the action processor does).
class PEEK_API CallerScope
{
public:
    explicit CallerScope(const PeerIdentity &caller);
    ~CallerScope();
    CallerScope(const CallerScope &) = delete;
    CallerScope &operator=(const CallerScope &) = delete;

private:
    const PeerIdentity *m_previous;
};

} // namespace peek
