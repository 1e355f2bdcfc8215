#pragma once

#include <QString>

#include <stdexcept>

namespace peek {

// Errors a vortex request or RPC call completes with (as the exception of its QFuture).
class VortexError : public std::runtime_error
{
public:
    explicit VortexError(const QString &message)
        : std::runtime_error(message.toStdString()), m_message(message)
    {
    }
    QString message() const { return m_message; }

private:
    QString m_message;
};

// No answer within the timeout.
class TimeoutError : public VortexError
{
public:
    using VortexError::VortexError;
};

// The other side answered with an error; message() is its text.
class RemoteError : public VortexError
{
public:
    using VortexError::VortexError;
};

// There is no connection to the vortex the request is for.
class NotConnectedError : public VortexError
{
public:
    using VortexError::VortexError;
};

// The service in between could not reach the one that decides (e.g. field could not reach
// logic): nothing was decided, so trying again later is right.
class UnavailableError : public VortexError
{
public:
    using VortexError::VortexError;
};

} // namespace peek
