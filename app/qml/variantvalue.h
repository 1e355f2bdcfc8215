#pragma once

#include "tuple/value.h"

#include <QVariant>

namespace peek::app {

// A value from QML as a protocol Value. JavaScript has only doubles: whole numbers become ints,
// so `{id: 1}` from a view is the same selector (and the same field type) as `id = 1` in C++.
Value valueFromQml(const QVariant &variant);
Dict dictFromQml(const QVariantMap &map);

} // namespace peek::app
