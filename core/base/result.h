#pragma once
// The one error convention of the libraries and the plugin API: a function that can fail returns
// a Result<T>, a value or an Error a person can act on. Exceptions stay in two places
// (docs/architecture.md, "Errors"): a QFuture's failure (RemoteError and the exceptions of
// continuations, which QFuture::onFailed catches), and plugin code — hooks, providers, handlers
// and action functions fail by throwing (PluginError for a misused PluginContext call), caught
// where the platform calls them.
//
//   Result<int> r = count();
//   if (!r)
//       return r.error();            // pass it up, or
//   qWarning() << r.error();         // log it (message(): the whole story)
//   use(r.value());
//
// A Result is [[nodiscard]]: ignoring one is a compiler warning.

#include "base/export.h"

#include <QDebug>
#include <QString>

#include <optional>
#include <type_traits>
#include <utility>

namespace peek {

// What failed: `what` says what was being done, on which input, and (where one exists) what to
// do about it; `statement` and `cause` are internal details for the log: the SQL statement that
// failed and the underlying library's or database's own text.
struct PEEK_API Error {
    QString what; // e.g. "migration 0002_add_index.sql of schema pl_tutorial"
    QString statement; // the SQL that failed, empty when no statement was involved
    QString cause; // the driver's/library's text, empty when the failure was ours

    // What may go to a peer (an error answer): `what` alone; the statement and the underlying
    // text are internal and stay in the service's log (docs/threats.md rule 3).
    QString peerMessage() const
    {
        if (statement.isEmpty() && cause.isEmpty())
            return what;
        return what + QStringLiteral(" (a database error; the service's log has the details)");
    }

    // The same failure as its caller tells it: "doing: what", the statement and cause kept
    // apart, so the caller's error still keeps them out of a peer's answer.
    Error context(const QString &doing) const
    {
        return Error {doing + QStringLiteral(": ") + what, statement, cause};
    }

    // The whole story, for the log or a person at the console.
    QString message() const
    {
        QString text = what;
        if (!cause.isEmpty())
            text += QStringLiteral(": ") + cause;
        if (!statement.isEmpty())
            text += QStringLiteral("\n  statement: ") + statement.trimmed();
        return text;
    }
};

inline QDebug operator<<(QDebug debug, const Error &error)
{
    QDebugStateSaver saver(debug);
    debug.noquote() << error.message();
    return debug;
}

// A value or an Error.
template <typename T> class [[nodiscard]] Result {
public:
    using ValueType = T;

    // A default-constructed result is an error (QFuture needs default-constructible results).
    Result() : m_error {QStringLiteral("no result")} { }
    Result(T value) : m_value(std::move(value)) { }
    Result(Error error) : m_error(std::move(error)) { }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }

    T &value() & { return *m_value; }
    const T &value() const & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const Error &error() const { return m_error; }

private:
    std::optional<T> m_value;
    Error m_error;
};

template <> class [[nodiscard]] Result<void> {
public:
    using ValueType = void;

    Result() = default; // success
    Result(Error error) : m_failed(true), m_error(std::move(error)) { }

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return m_error; }

private:
    bool m_failed = false;
    Error m_error;
};

template <typename T> struct IsResult : std::false_type {
};
template <typename T> struct IsResult<Result<T>> : std::true_type {
};

} // namespace peek
