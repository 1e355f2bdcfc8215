#pragma once
// Plugin API: tuples (TypedTuple with PEEK_TUPLE, registered in the TupleRegistry), selectors
// and values.
#include "peek/api.h"

#include "tuple/datetime.h"
#include "tuple/tuple.h"
#include "tuple/tupleregistry.h"
#include "tuple/tupleselector.h"
#include "tuple/value.h"
