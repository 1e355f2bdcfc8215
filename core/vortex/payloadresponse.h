#pragma once

#include "base/export.h"
#include "payloadenvelope.h"
#include "vortexerror.h"

#include <QFuture>

namespace peek {

class Vortex;

// Request/response over a vortex (docs/protocol.md §4): sends an envelope with a unique
// "PayloadResponse.messageId" in its filt and completes with the envelope that comes back with
// the same filt. Fails with TimeoutError, RemoteError (the reply's result text) or
// NotConnectedError (no peer of that name right now).
class PEEK_CORE_EXPORT PayloadResponse
{
public:
    static constexpr int kDefaultTimeoutMs = 30000;
    // A reply whose filt holds this key (true) failed in transit, not on its merits: the request
    // completes with UnavailableError instead of RemoteError.
    static const QString kUnavailableKey;

    static QFuture<PayloadEnvelope> send(Vortex *vortex, PayloadEnvelope request,
                                         const QString &destVortexName,
                                         int timeoutMs = kDefaultTimeoutMs);
};

} // namespace peek
