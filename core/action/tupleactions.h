#pragma once

#include "tuple/tupleselector.h"

namespace peek {

// The action tuples every Peek peer knows (PROTOCOL.md §7). Every action has a uuid (what makes
// "applied once" possible) and the time it was made on the device.
struct TupleGenericAction : TypedTuple<TupleGenericAction>
{
    PEEK_TUPLE(TupleGenericAction, "vortex.TupleGenericAction", key, data, uuid, dateTime)
    QString key;
    Value data;
    QString uuid;
    DateTime dateTime;
};

struct TupleUpdateAction : TypedTuple<TupleUpdateAction>
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
Dict processorFilt(const QString &plugin, const QString &processorName);

// Gives an action its uuid and date if it has none (any tuple with uuid/dateTime fields).
void stamp(Tuple &action);
QString uuidOf(const Tuple &action);

} // namespace action
} // namespace peek
