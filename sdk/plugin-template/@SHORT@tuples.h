#pragma once
// The tuples of @PLUGIN@: what its observable serves and the action that changes a row.
// PEEK_PLUGIN_TUPLE names them "@PLUGIN@.<Class>".
#include "peek/plugin.h"
#include "peek/tuple.h"

namespace @SHORT@ {

struct ItemTuple : peek::TypedTuple<ItemTuple>
{
    PEEK_PLUGIN_TUPLE(ItemTuple, id, name, done)
    qint64 id = 0;
    QString name;
    bool done = false;
};

// Ticks an item off, or back on.
struct ToggleItemAction : peek::TypedTuple<ToggleItemAction>
{
    PEEK_PLUGIN_ACTION(ToggleItemAction, itemId)
    qint64 itemId = 0;
};

} // namespace @SHORT@
