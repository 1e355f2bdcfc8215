#pragma once

#include "base/export.h"
#include <QDebug>
#include <QString>

#include <optional>
#include <type_traits>
#include <utility>

namespace peek {

// Why a storage operation failed: what was being done (on which input), the SQL statement that
// failed (if any) and the database's own error text. message() joins them for a person to read.
struct PEEK_API StorageError {
    QString what; // e.g. "migration 0002_add_index.sql of schema pl_tutorial"
    QString statement; // the SQL that failed, empty when no statement was involved
    QString databaseError; // the driver's/database's text, empty when the failure was ours

    // What may go to a peer (an error answer): `what` alone; the statement and the database's
    // own text are internal and stay in the service's log (docs/threats.md rule 3).
    QString peerMessage() const
    {
        if (statement.isEmpty() && databaseError.isEmpty())
            return what;
        return what + QStringLiteral(" (a database error; the service's log has the details)");
    }

    QString message() const
    {
        QString text = what;
        if (!databaseError.isEmpty())
            text += QStringLiteral(": ") + databaseError;
        if (!statement.isEmpty())
            text += QStringLiteral("\n  statement: ") + statement.trimmed();
        return text;
    }
};

inline QDebug operator<<(QDebug debug, const StorageError &error)
{
    QDebugStateSaver saver(debug);
    debug.noquote() << error.message();
    return debug;
}

// A value or a StorageError: storage functions return errors as values instead of throwing.
//   StorageResult<int> r = ...;  if (!r) qWarning() << r.error();  else use(r.value());
template <typename T> class [[nodiscard]] StorageResult {
public:
    using ValueType = T;

    // A default-constructed result is an error (QFuture needs default-constructible results).
    StorageResult() : m_error {QStringLiteral("no result")} { }
    StorageResult(T value) : m_value(std::move(value)) { }
    StorageResult(StorageError error) : m_error(std::move(error)) { }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }

    T &value() & { return *m_value; }
    const T &value() const & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const StorageError &error() const { return m_error; }

private:
    std::optional<T> m_value;
    StorageError m_error;
};

template <> class [[nodiscard]] StorageResult<void> {
public:
    using ValueType = void;

    StorageResult() = default; // success
    StorageResult(StorageError error) : m_failed(true), m_error(std::move(error)) { }

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const StorageError &error() const { return m_error; }

private:
    bool m_failed = false;
    StorageError m_error;
};

template <typename T> struct IsStorageResult : std::false_type {
};
template <typename T> struct IsStorageResult<StorageResult<T>> : std::true_type {
};

} // namespace peek
