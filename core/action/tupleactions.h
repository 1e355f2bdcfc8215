#pragma once

#include "base/export.h"
#include "tuple/tupleselector.h"
#include "vortex/caller.h"

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

// Gives an action its uuid and date if it has none (any tuple with uuid/dateTime fields).
PEEK_API void stamp(Tuple &action);
PEEK_API QString uuidOf(const Tuple &action);

} // namespace action

} // namespace peek
