#pragma once
// Field and office's side of peek_core_device: the gate every device envelope passes before it
// is routed (docs/identity.md). A connection presents its device (filt key "device.online", a
// DeviceOnlineTuple); the guard asks logic, sets what it proved on the connection
// (Vortex::setIdentity) and tells the device its state (key "device.status"). Until its device is
// approved a connection gets the enrolment exchange only; everything else is refused with the
// reason. What arrives while logic is being asked waits for the answer (the vortex holds it).
#include "devicetuples.h"

#include "peek/plugin.h"
#include "peek/rpc.h"

#include <QHash>
#include <QObject>

namespace device {

class DeviceGuard : public QObject
{
public:
    explicit DeviceGuard(peek::PluginContext &ctx);

    peek::Vortex::GateVerdict gate(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source);
    void onOnline(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source);
    void onChanged(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source);

private:
    struct Window
    {
        qint64 startMs = 0;
        int count = 0;
    };
    struct Connection
    {
        QString deviceId;
        QString tokenHash;
        QString appVersion;
        QString address;
        QString state;          // empty: not presented yet
        bool proven = false;    // a proven service's connection (a node without a join token): never gated
        QString message;        // why it is not served (the last check's answer)
        int checks = 0;         // identify calls in flight (the vortex holds what comes meanwhile)
        qint64 lastRefusalLogMs = -1;
        Window onlines;         // device.online this minute
    };

    void check(quint64 connectionId);
    void settle(quint64 connectionId, const QString &state, const QString &description, const QString &type,
                const QString &message);
    void refuse(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source, Connection *connection,
                const QString &why);
    void tell(quint64 connectionId, const DeviceInfoTuple &info);
    void peerGone(const peek::PeerInfo &peer);
    bool isEnrolment(const peek::PayloadEnvelope &envelope) const;
    bool approved(const Connection &c) const { return c.state == QLatin1String(kApproved); }

    peek::PluginContext &m_ctx;
    QPointer<peek::Vortex> m_vortex;
    bool m_required;
    QHash<quint64, Connection> m_connections;
    QHash<QString, Window> m_enrolments; // by address host
};

} // namespace device
