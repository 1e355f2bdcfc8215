#pragma once
// Plugin API 1.0 named the result and error types of storage StorageResult/StorageError; since
// 1.1 every library returns peek::Result/peek::Error (base/result.h). The old names remain for
// plugins written against 1.0 and go with the next API major version.

#include "base/export.h"
#include "base/result.h"

namespace peek {

using StorageError PEEK_DEPRECATED("peek::Error (base/result.h)") = Error;
template <typename T> using StorageResult PEEK_DEPRECATED("peek::Result<T> (base/result.h)") = Result<T>;

} // namespace peek
