#include "deviceguard.h"

#include "deviceregistry.h"
#include "devicerpc.h"

#include "peek/action.h"

namespace device {
namespace {

constexpr qint64 kRefusalLogEveryMs = 60000;
constexpr int kMaxOnlinePerMinute = 10;  // device.online per connection (each asks logic)
constexpr int kMaxEnrolments = 60;       // enrolments per address ...
constexpr qint64 kEnrolmentWindowMs = 10 * 60 * 1000; // ... in this long


peek::Dict deviceFilt(const QString &key)
{
    return {{QStringLiteral("plugin"), peek::Value(QString::fromLatin1(kPlugin))},
            {QStringLiteral("key"), peek::Value(key)}};
}


} // namespace

DeviceGuard::DeviceGuard(peek::PluginContext &ctx)
    : m_ctx(ctx), m_vortex(ctx.vortex()), m_required(ctx.deviceEnrolmentRequired())
{
    connect(m_vortex, &peek::Vortex::peerDisconnected, this, &DeviceGuard::peerGone);
    // Logic back (restarted, or the link dropped): it knows no device as online; ask again.
    const QString logic = peek::Role(peek::Role::Logic).vortexName();
    connect(m_vortex, &peek::Vortex::peerConnected, this, [this, logic](const peek::PeerInfo &peer) {
        if (peer.vortexName != logic)
            return;
        for (auto it = m_connections.begin(); it != m_connections.end(); ++it)
            if (!it->deviceId.isEmpty())
                check(it.key());
    });
}

bool DeviceGuard::isEnrolment(const peek::PayloadEnvelope &envelope) const
{
    if (envelope.filt.string(QStringLiteral("plugin")) != QLatin1String(kPlugin)
        || envelope.filt.string(QStringLiteral("key")) != peek::action::kKey
        || envelope.filt.string(QStringLiteral("name")) != QLatin1String(kPlugin))
        return false;
    auto payload = envelope.decodePayload();
    return payload && payload.value().tuples.size() == 1 && payload.value().tuples.front()
        && payload.value().tuples.front()->tupleType() == QLatin1String(EnrolDeviceAction::kTupleType);
}

peek::Vortex::GateVerdict DeviceGuard::gate(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source)
{
    using Verdict = peek::Vortex::GateVerdict;
    Connection &c = m_connections[source.connectionId];
    if (envelope.filt.string(QStringLiteral("plugin")) == QLatin1String(kPlugin)
        && envelope.filt.string(QStringLiteral("key")) == QLatin1String("device.online"))
        return Verdict::Pass; // onOnline() checks it
    if (c.checks > 0)
        return Verdict::Hold; // until logic answers (settle)
    if (!m_required || approved(c))
        return Verdict::Pass;
    if (isEnrolment(envelope)) {
        // One address cannot fill the approval list (logic also caps the devices waiting).
        const qint64 now = m_vortex->clockMs();
        if (m_enrolments.size() > 10000)
            m_enrolments.clear();
        Window &w = m_enrolments[source.host()];
        if (now - w.startMs >= kEnrolmentWindowMs)
            w = {now, 0};
        if (++w.count > kMaxEnrolments) {
            refuse(envelope, source, &c,
                   QStringLiteral("too many enrolments from this address; try again in %1 minute(s)")
                       .arg((kEnrolmentWindowMs - (now - w.startMs)) / 60000 + 1));
            return Verdict::Refused;
        }
        return Verdict::Pass;
    }
    refuse(envelope, source, &c,
           !c.message.isEmpty() ? c.message
           : c.state.isEmpty()  ? QStringLiteral("device not enrolled: present this device first (device.online), or enrol it")
                                : messageFor(c.state));
    return Verdict::Refused;
}

void DeviceGuard::refuse(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source,
                         Connection *c, const QString &why)
{
    const qint64 now = m_vortex ? m_vortex->clockMs() : 0;
    if (c->lastRefusalLogMs < 0 || now - c->lastRefusalLogMs >= kRefusalLogEveryMs) {
        c->lastRefusalLogMs = now;
        qCInfo(m_ctx.log()).noquote()
            << QStringLiteral("refused %1 from %2 (%3, device %4): %5")
                   .arg(envelope.filt.string(QStringLiteral("key")).left(60), source.vortexName.left(60), source.address,
                        c->deviceId.isEmpty() ? QStringLiteral("not presented") : c->deviceId, why);
    }
    source.reply(peek::PayloadEnvelope::error(envelope.filt, why));
}

void DeviceGuard::onOnline(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source)
{
    auto payload = envelope.decodePayload();
    const DeviceOnlineTuple *online = nullptr;
    if (payload && payload.value().tuples.size() == 1)
        online = dynamic_cast<const DeviceOnlineTuple *>(payload.value().tuples.front().get());
    if (!online || online->deviceId.isEmpty() || online->deviceId.size() > 100 || online->deviceToken.size() < 32
        || online->deviceToken.size() > 200) {
        const QString why = QStringLiteral("device.online needs one %1 with deviceId (1 to 100 characters) and "
                                           "deviceToken (32 to 200)")
                                .arg(QString::fromLatin1(DeviceOnlineTuple::kTupleType));
        qCInfo(m_ctx.log()).noquote() << "refused device.online from" << source.address << "-" << why;
        source.reply(peek::PayloadEnvelope::error(envelope.filt, why));
        return;
    }
    Connection &c = m_connections[source.connectionId];
    const qint64 now = m_vortex->clockMs();
    if (now - c.onlines.startMs >= 60000)
        c.onlines = {now, 0};
    if (c.checks > 0 || ++c.onlines.count > kMaxOnlinePerMinute) {
        const QString why = c.checks > 0 ? QStringLiteral("device.online: this device is being checked; wait for device.status")
                                         : QStringLiteral("device.online: at most %1 a minute per connection").arg(kMaxOnlinePerMinute);
        refuse(envelope, source, &c, why);
        return;
    }
    c.deviceId = online->deviceId;
    c.tokenHash = peek::secretHash(online->deviceToken);
    c.appVersion = online->appVersion.left(40);
    c.address = source.address;
    c.proven = source.proven;
    check(source.connectionId);
}

void DeviceGuard::check(quint64 connectionId)
{
    Connection &c = m_connections[connectionId];
    ++c.checks;
    QFuture<peek::Value> answer
        = rpc::identify().call(m_vortex, {peek::Value(c.deviceId), peek::Value(c.tokenHash), peek::Value(c.appVersion),
                                          peek::Value(c.address), peek::Value(m_vortex->name()),
                                          peek::Value(m_vortex->uuid())});
    peek::onFinished(this, answer, [this, connectionId](QFuture<peek::Value> finished) {
        auto result = peek::resultOf(finished, QStringLiteral("the service is stopping"));
        if (!result) {
            qCWarning(m_ctx.log()).noquote() << "could not check a device with logic:" << result.error().message();
            settle(connectionId, {}, {}, {},
                   QStringLiteral("cannot check this device now: %1; try again").arg(result.error().message()));
            return;
        }
        const peek::Dict answer = result.value().toDict();
        auto text = [&answer](const char *key) { return answer.string(QString::fromLatin1(key)); };
        settle(connectionId, text("state"), text("description"), text("deviceType"), text("message"));
    });
}

void DeviceGuard::settle(quint64 connectionId, const QString &answeredState, const QString &description,
                         const QString &type, const QString &answeredMessage)
{
    auto it = m_connections.find(connectionId);
    if (it == m_connections.end())
        return; // closed meanwhile
    Connection &c = it.value();
    --c.checks;
    QString state = answeredState;
    QString message = answeredMessage;
    // A device is served by the service of its type only (an office device approved
    // automatically is not a field device).
    const QString kind = m_ctx.role() == peek::Role::Field ? QStringLiteral("field") : QStringLiteral("office");
    if (state == QLatin1String(kApproved) && !type.isEmpty() && type != kind) {
        state = QString::fromLatin1(kRefused);
        message = QStringLiteral("device not enrolled here: this is an enrolled %1 device; it may use the %1 service only")
                      .arg(type);
    }
    if (!state.isEmpty())
        c.state = state;
    c.message = message.isEmpty() ? messageFor(c.state) : message;
    const bool known = state == QLatin1String(kApproved) || state == QLatin1String(kPending)
        || state == QLatin1String(kRevoked);
    // The user part (peek_core_user) stays while the connection is the same approved device.
    const auto before = m_vortex->identity(connectionId);
    auto identity = std::make_shared<peek::PeerIdentity>();
    if (known) {
        identity->deviceId = c.deviceId;
        identity->deviceName = description;
        identity->deviceApproved = state == QLatin1String(kApproved);
        if (before && before->deviceId == c.deviceId && identity->deviceApproved) {
            identity->userName = before->userName;
            identity->userRoles = before->userRoles;
        }
    }
    // A check that failed (logic away) changes nothing the connection proved before.
    if (!state.isEmpty())
        m_vortex->setIdentity(connectionId, known ? identity : nullptr);

    DeviceInfoTuple info;
    info.deviceId = c.deviceId;
    info.description = description;
    info.deviceType = type;
    info.state = state.isEmpty() ? QStringLiteral("unchecked") : state;
    info.isEnrolled = state == QLatin1String(kApproved);
    info.deviceStatus = 1;
    info.onlineVia = m_vortex->name();
    info.message = message;
    info.enrolmentRequired = m_required && !c.proven;
    const bool settled = c.checks == 0; // else a newer check decides about what is held
    // Telling may cut a device that does not read off (its entry goes): nothing of `c` after it.
    tell(connectionId, info);
    if (settled)
        m_vortex->releaseHeld(connectionId);
}

void DeviceGuard::tell(quint64 connectionId, const DeviceInfoTuple &info)
{
    peek::Payload payload(deviceFilt(QStringLiteral("device.status")), {std::make_shared<DeviceInfoTuple>(info)});
    m_vortex->sendToConnection(connectionId, peek::PayloadEnvelope::fromPayload(payload).toVortexMsg());
}

void DeviceGuard::onChanged(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source)
{
    if (!source.proven || source.vortexName != peek::Role(peek::Role::Logic).vortexName())
        return;
    auto payload = envelope.decodePayload();
    if (!payload || payload.value().tuples.size() != 1)
        return;
    const auto *info = dynamic_cast<const DeviceInfoTuple *>(payload.value().tuples.front().get());
    if (!info)
        return;
    QList<quint64> ids;
    for (auto it = m_connections.cbegin(); it != m_connections.cend(); ++it)
        if (it->deviceId == info->deviceId && !it->state.isEmpty() && it->state != QLatin1String(kRefused))
            ids << it.key();
    const bool removed = info->state != QLatin1String(kApproved) && info->state != QLatin1String(kPending)
        && info->state != QLatin1String(kRevoked);
    int closed = 0;
    if (removed) // closed while the connections still carry the device (settle would clear it)
        closed = m_vortex->closeDevice(info->deviceId, QStringLiteral("device removed"));
    for (quint64 id : std::as_const(ids)) {
        auto it = m_connections.find(id);
        if (it == m_connections.end() || it->checks > 0)
            continue; // gone, or its check answers with the new state
        ++it->checks;
        settle(id, info->state, info->description, info->deviceType, info->message);
    }
    if (!ids.isEmpty() && (removed || info->state == QLatin1String(kRevoked))) {
        const QString reason = removed ? QStringLiteral("device removed") : QStringLiteral("access revoked");
        if (!removed)
            closed = m_vortex->closeDevice(info->deviceId, reason);
        qCInfo(m_ctx.log()).noquote() << QStringLiteral("closed %1 connection(s) of device %2 (\"%3\"): %4")
                                             .arg(closed)
                                             .arg(info->deviceId, info->description, reason);
    }
}

void DeviceGuard::peerGone(const peek::PeerInfo &peer)
{
    auto it = m_connections.find(peer.connectionId);
    if (it == m_connections.end())
        return;
    const QString deviceId = it->deviceId;
    const bool wasKnown = !it->state.isEmpty() && it->state != QLatin1String(kUnknown)
        && it->state != QLatin1String(kRefused);
    m_connections.erase(it);
    if (deviceId.isEmpty() || !wasKnown)
        return;
    for (const Connection &other : std::as_const(m_connections))
        if (other.deviceId == deviceId && other.state == QLatin1String(kApproved))
            return; // still here through another connection
    rpc::offline().call(m_vortex, {peek::Value(deviceId), peek::Value(m_vortex->uuid())});
}

} // namespace device
