#pragma once
// Who is behind a message: what a device's connection proved (PeerIdentity), carried from the
// field and office services to logic under the filt key "peekCaller" (docs/identity.md).
#include "base/export.h"
#include "payloadrouter.h"
#include "tuple/value.h"

namespace peek {

// The filt key under which the field and office services stamp who sent what they forward to
// logic: {deviceId, deviceName, userName, roles}, from what the device's connection proved,
// overwriting whatever the device wrote there. Logic reads it only from a proven service.
inline const QString kCallerKey = QStringLiteral("peekCaller");
PEEK_API Value callerValue(const PeerIdentity &identity);
PEEK_API PeerIdentity callerFromFilt(const Dict &filt);
// A selector's key for one caller (device, user and roles): a per-caller observable keeps one
// subscription per such key, so callers never share data.
PEEK_API QString perCallerKey(const QString &selectorKey, const PeerIdentity &identity);

// Who sent the action a delegate is applying, or whose subscription a tuple provider is loading
// (the device and the user logged in on it, as the field or office service vouched): valid inside
// a delegate's call, a transactional apply and its `applied` callback, and a provider's call; an
// async delegate reads it before it returns. Empty elsewhere, and for work no device asked for.
PEEK_API const PeerIdentity &currentCaller();

// Sets currentCaller() for its scope (the action processor and the observable do).
class PEEK_API CallerScope
{
public:
    explicit CallerScope(const PeerIdentity &caller);
    ~CallerScope();
    CallerScope(const CallerScope &) = delete;
    CallerScope &operator=(const CallerScope &) = delete;

private:
    const PeerIdentity *m_previous;
};

} // namespace peek
