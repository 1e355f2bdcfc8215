#pragma once

#include "base/export.h"
#include "tuple.h"

namespace peek {

// Names a set of tuples an observer wants: a tuple type name and a dict of conditions.
// Two selectors are the same subscription when their key() is the same.
struct PEEK_API TupleSelector : TypedTuple<TupleSelector>
{
    PEEK_TUPLE(TupleSelector, "vortex.TupleSelector", name, selector)
    QString name;
    Dict selector;

    TupleSelector() = default;
    TupleSelector(QString name, Dict selector = {})
        : name(std::move(name)), selector(std::move(selector))
    {
    }

    // The canonical key: json({"name", "selector"}) with keys sorted recursively, compact,
    // ASCII-escaped; byte for byte the reference implementation's toJsonStr().
    QString key() const;

    bool operator==(const TupleSelector &o) const { return key() == o.key(); }
};

} // namespace peek
