#pragma once

#include "base/export.h"
#include "payloadenvelope.h"

#include <QHash>
#include <QPointer>
#include <QStringList>

#include <functional>
#include <map>
#include <memory>

namespace peek {

class Vortex;

// What a device connection has proven about itself (docs/threats.md rule 1), set by the service
// that checked it (the device and user plugins, through Vortex::setIdentity): never read from
// what the peer writes in a filt.
struct PEEK_CORE_EXPORT PeerIdentity
{
    QString deviceId;     // the enrolled device that presented its token; empty: none yet
    QString deviceName;
    bool deviceApproved = false; // an admin (or the auto-approval setting) approved it
    QString userName;     // the user logged in on it; empty: none
    QStringList userRoles;
};

// The host of a connection's address "host:port" (IPv4 or IPv6), without the port.
inline QString hostOfAddress(const QString &address)
{
    const qsizetype colon = address.lastIndexOf(u':');
    return colon > 0 ? address.left(colon) : address;
}

// Who sent an envelope, and the way back to them.
struct PEEK_CORE_EXPORT MessageSource
{
    QPointer<Vortex> vortex;
    quint64 connectionId = 0;
    QString vortexName;
    QString vortexUuid;
    QString address; // "host:port" ("local" in the same process)
    bool proven = false; // a proven service (PeerInfo::proven), not a device
    // What a device connection proved (Vortex::setIdentity); null when nothing yet, and for services.
    std::shared_ptr<const PeerIdentity> identity;
    QByteArray raw; // the vortex message as received: proxies forward it without re-encoding

    // The host of `address` without the port (what throttles count by).
    QString host() const { return hostOfAddress(address); }

    // Sends an envelope back over the connection it came from; false if that is gone.
    bool reply(const PayloadEnvelope &envelope) const;
    bool replyRaw(const QByteArray &vortexMsg) const;
};

// Delivers each received envelope to every endpoint whose filt is a subset of the envelope's
// filt (docs/protocol.md §4). Replies to requests (filts with a message id someone waits for) go to
// their waiter only.
class PEEK_CORE_EXPORT PayloadRouter
{
public:
    using Handler = std::function<void(const PayloadEnvelope &, const MessageSource &)>;
    using EndpointId = quint64;

    static const QString kMessageIdKey; // "PayloadResponse.messageId"

    EndpointId addEndpoint(Dict filt, Handler handler, QStringList acceptOnlyFrom = {},
                           QStringList ignoreFrom = {});
    void removeEndpoint(EndpointId id);
    int endpointCount() const { return int(m_endpoints.size()); }

    // The answer to request `messageId` goes to `handler` only when it comes over the connection
    // the request went out on (`connectionId`; 0: any); from any other it is dropped and logged.
    void addResponseWaiter(const QString &messageId, Handler handler, quint64 connectionId = 0);
    void removeResponseWaiter(const QString &messageId);

    // Returns how many handlers took the envelope.
    int dispatch(const PayloadEnvelope &envelope, const MessageSource &source) const;

private:
    struct Endpoint
    {
        Dict filt;
        Handler handler;
        QStringList acceptOnlyFrom;
        QStringList ignoreFrom;
    };
    EndpointId m_nextId = 1;
    std::map<EndpointId, Endpoint> m_endpoints;
    // Endpoints indexed by their filt's "key" (most filts have one), and those without.
    QHash<QString, QList<EndpointId>> m_byKey;
    QList<EndpointId> m_unkeyed;
    struct Waiter
    {
        Handler handler;
        quint64 connectionId = 0;
    };
    QHash<QString, Waiter> m_waiters;
};

} // namespace peek
