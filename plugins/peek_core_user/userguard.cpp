#include "userguard.h"

#include "userrpc.h"
#include "userstore.h"

#include "peek/action.h"

namespace user {
namespace {

constexpr qint64 kRefusalLogEveryMs = 60000;
const QString kNotLoggedIn = QStringLiteral("not logged in: log in on this device first");


const QString kNotAdmin = QStringLiteral("admin login required: log in as a user with the admin role");

bool isLoginExchange(const peek::Dict &filt, bool admins)
{
    const QString plugin = filt.string(QStringLiteral("plugin"));
    if (plugin == QLatin1String("peek_core_device") && !admins)
        return true; // peek_core_device's gate decides about those
    if (plugin != QLatin1String(kPlugin))
        return false;
    const QString key = filt.string(QStringLiteral("key"));
    return key == QLatin1String("user.resume")
        || (key == peek::action::kKey && filt.string(QStringLiteral("name")) == QLatin1String(kProcessor));
}

peek::Dict userFilt(const QString &key)
{
    return {{QStringLiteral("plugin"), peek::Value(QString::fromLatin1(kPlugin))},
            {QStringLiteral("key"), peek::Value(key)}};
}

} // namespace

UserGuard::UserGuard(peek::PluginContext &ctx)
    : UserGuard(ctx,
                Backend {[vortex = QPointer<peek::Vortex>(ctx.vortex())](const peek::ValueList &args) {
                             return rpc::login().call(vortex, args);
                         },
                         [vortex = QPointer<peek::Vortex>(ctx.vortex())](const peek::ValueList &args) {
                             return rpc::resume().call(vortex, args);
                         },
                         [vortex = QPointer<peek::Vortex>(ctx.vortex())](const peek::ValueList &args) {
                             (void)rpc::logout().call(vortex, args);
                         }},
                false)
{
}

UserGuard::UserGuard(peek::PluginContext &ctx, Backend backend, bool admins)
    : m_ctx(ctx), m_vortex(ctx.vortex()), m_backend(std::move(backend)), m_admins(admins),
      m_required(admins || ctx.deviceEnrolmentRequired())
{
    connect(m_vortex, &peek::Vortex::peerDisconnected, this, &UserGuard::peerGone);
    if (admins)
        return; // logic itself: its store answers
    // Logic back (restarted, or the link dropped): a session may have ended meanwhile (disabled,
    // new password, logged in elsewhere); each one is checked again.
    const QString logic = peek::Role(peek::Role::Logic).vortexName();
    connect(m_vortex, &peek::Vortex::peerConnected, this, [this, logic](const peek::PeerInfo &peer) {
        if (peer.vortexName != logic)
            return;
        for (auto it = m_connections.begin(); it != m_connections.end(); ++it)
            if (!it->tokenHash.isEmpty())
                recheck(it.key());
    });
}

peek::Vortex::GateVerdict UserGuard::gate(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source)
{
    using Verdict = peek::Vortex::GateVerdict;
    if (isLoginExchange(envelope.filt, m_admins))
        return Verdict::Pass;
    auto it = m_connections.find(source.connectionId);
    if (it != m_connections.end() && it->checks > 0)
        return Verdict::Hold; // until logic answers (recheck)
    if (!m_required || served(source))
        return Verdict::Pass;
    Connection &c = m_connections[source.connectionId];
    const qint64 now = m_vortex->clockMs();
    if (c.lastRefusalLogMs < 0 || now - c.lastRefusalLogMs >= kRefusalLogEveryMs) {
        c.lastRefusalLogMs = now;
        if (m_admins)
            qCInfo(m_ctx.log()).noquote() << QStringLiteral("refused %1 from %2 (%3) on the admin port: no admin is "
                                                            "logged in on it")
                                                 .arg(envelope.filt.string(QStringLiteral("key")).left(60),
                                                      source.vortexName.left(60), source.address);
        else
            qCInfo(m_ctx.log()).noquote() << QStringLiteral("refused %1 from device %2 (%3): nobody is logged in on it")
                                                 .arg(envelope.filt.string(QStringLiteral("key")).left(60),
                                                      source.identity ? source.identity->deviceId : QStringLiteral("?"),
                                                      source.address);
    }
    source.reply(peek::PayloadEnvelope::error(envelope.filt, m_admins ? kNotAdmin : kNotLoggedIn));
    return Verdict::Refused;
}

bool UserGuard::served(const peek::MessageSource &source) const
{
    if (!source.identity || source.identity->userName.isEmpty())
        return false;
    return !m_admins || source.identity->userRoles.contains(QLatin1String("admin"));
}

void UserGuard::onAction(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source)
{
    auto payload = envelope.decodePayload();
    const peek::Tuple *tuple = payload && payload.value().tuples.size() == 1 ? payload.value().tuples.front().get() : nullptr;
    if (const auto *loginAction = dynamic_cast<const UserLoginAction *>(tuple)) {
        login(*loginAction, envelope, source);
    } else if (dynamic_cast<const UserLogoutAction *>(tuple)) {
        logout(envelope, source);
    } else {
        source.reply(peek::PayloadEnvelope::error(
            envelope.filt, QStringLiteral("the %1 processor takes one %2 or %3").arg(QString::fromLatin1(kProcessor),
                                                                                    QString::fromLatin1(UserLoginAction::kTupleType),
                                                                                    QString::fromLatin1(UserLogoutAction::kTupleType))));
    }
}

void UserGuard::login(const UserLoginAction &action, const peek::PayloadEnvelope &envelope,
                      const peek::MessageSource &source)
{
    if (!m_admins && (!source.identity || !source.identity->deviceApproved)) {
        source.reply(peek::PayloadEnvelope::error(envelope.filt, QStringLiteral("device not enrolled: a user logs in "
                                                                                "on an approved device")));
        return;
    }
    peek::ValueList accepted;
    for (const peek::Value &key : action.acceptedWarningKeys)
        if (key.type() == peek::Value::Type::String && accepted.size() < 10)
            accepted.push_back(key);
    const bool isField = m_ctx.role() == peek::Role::Field;
    const QString deviceId = source.identity ? source.identity->deviceId : QString();
    const quint64 connectionId = source.connectionId;
    const peek::Dict filt = envelope.filt;
    const peek::MessageSource replyTo = source;
    QFuture<peek::Value> answer
        = m_backend.login({peek::Value(action.userName), peek::Value(action.password), peek::Value(deviceId),
                           peek::Value(isField), peek::Value(accepted), peek::Value(source.address)});
    peek::onFinished(this, answer, [this, connectionId, filt, replyTo, deviceId](QFuture<peek::Value> finished) {
        auto result = peek::resultOf(finished, QStringLiteral("the service is stopping"));
        if (!result) {
            replyTo.reply(peek::PayloadEnvelope::error(filt, QStringLiteral("login failed: %1").arg(result.error().message())));
            return;
        }
        const peek::Dict a = result.value().toDict();
        auto response = std::make_shared<UserLoginResponseTuple>();
        const peek::Value *ok = a.find(QStringLiteral("succeeded"));
        response->succeeded = ok && ok->type() == peek::Value::Type::Bool && ok->toBool();
        response->userName = a.string(QStringLiteral("userName"));
        response->displayName = a.string(QStringLiteral("displayName"));
        response->message = a.string(QStringLiteral("message"));
        response->deviceDescription = replyTo.identity ? replyTo.identity->deviceName : QString();
        if (const peek::Value *w = a.find(QStringLiteral("warnings")); w && w->type() == peek::Value::Type::Dict)
            response->warnings = w->toDict();
        if (const peek::Value *r = a.find(QStringLiteral("roles")); r && r->type() == peek::Value::Type::List)
            response->roles = r->toList();
        if (!response->succeeded && response->warnings.isEmpty()) {
            replyTo.reply(peek::PayloadEnvelope::error(filt, response->message));
            return;
        }
        if (response->succeeded) {
            const QString token = a.string(QStringLiteral("userToken"));
            response->userToken = token;
            if (!m_vortex->hasConnection(connectionId))
                return; // the connection closed meanwhile
            m_connections[connectionId].tokenHash = peek::secretHash(token);
            setUser(connectionId, response->userName, response->roles);
        }
        replyTo.reply(peek::PayloadEnvelope::fromPayload(peek::Payload(filt, {response})));
        if (response->succeeded)
            tell(connectionId, true, response->userName, response->displayName, response->roles, {});
    });
}

void UserGuard::logout(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source)
{
    auto it = m_connections.find(source.connectionId);
    const QString tokenHash = it == m_connections.end() ? QString() : it->tokenHash;
    if (it != m_connections.end())
        it->tokenHash.clear();
    setUser(source.connectionId, {}, {});
    if (!tokenHash.isEmpty() && source.identity)
        m_backend.logout({peek::Value(tokenHash), peek::Value(source.identity->deviceId), peek::Value(source.address)});
    source.reply(peek::PayloadEnvelope::fromPayload(peek::Payload(envelope.filt, {})));
    tell(source.connectionId, false, {}, {}, {}, QStringLiteral("logged out"));
}

void UserGuard::onResume(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source)
{
    auto payload = envelope.decodePayload();
    const auto *resume = payload && payload.value().tuples.size() == 1
        ? dynamic_cast<const UserResumeTuple *>(payload.value().tuples.front().get())
        : nullptr;
    if (!resume || resume->userToken.size() < 32 || resume->userToken.size() > 200) {
        source.reply(peek::PayloadEnvelope::error(envelope.filt, QStringLiteral("user.resume needs one %1 with the "
                                                                                "session's userToken")
                                                                     .arg(QString::fromLatin1(UserResumeTuple::kTupleType))));
        return;
    }
    if (!m_admins && (!source.identity || !source.identity->deviceApproved)) {
        tell(source.connectionId, false, {}, {}, {}, QStringLiteral("device not enrolled: the session waits for the device"));
        return;
    }
    const quint64 connectionId = source.connectionId;
    m_connections[connectionId].tokenHash = peek::secretHash(resume->userToken);
    recheck(connectionId);
}

void UserGuard::recheck(quint64 connectionId)
{
    const auto identity = m_vortex->identity(connectionId);
    if (!identity && !m_admins)
        return;
    Connection &c = m_connections[connectionId];
    ++c.checks;
    QString address;
    for (const peek::PeerInfo &peer : m_vortex->peers())
        if (peer.connectionId == connectionId)
            address = peer.address;
    QFuture<peek::Value> answer = m_backend.resume(
        {peek::Value(c.tokenHash), peek::Value(identity ? identity->deviceId : QString()), peek::Value(address)});
    peek::onFinished(this, answer, [this, connectionId](QFuture<peek::Value> finished) {
        auto it = m_connections.find(connectionId);
        if (it == m_connections.end())
            return;
        --it->checks;
        auto result = peek::resultOf(finished, QStringLiteral("the service is stopping"));
        if (!result) {
            // Not a logout: the session is checked again when logic is back (the app keeps it).
            qCWarning(m_ctx.log()).noquote() << "could not check a session with logic:" << result.error().message();
            release(connectionId);
            return;
        }
        const peek::Dict a = result.value().toDict();
        const peek::Value *in = a.find(QStringLiteral("loggedIn"));
        bool loggedIn = in && in->type() == peek::Value::Type::Bool && in->toBool();
        peek::ValueList roles;
        if (const peek::Value *r = a.find(QStringLiteral("roles")); r && r->type() == peek::Value::Type::List)
            roles = r->toList();
        QString message = a.string(QStringLiteral("message"));
        if (loggedIn && m_admins
            && std::none_of(roles.begin(), roles.end(), [](const peek::Value &r) { return r.toString() == QLatin1String("admin"); })) {
            loggedIn = false; // an admin's session outlived their admin role
            message = kNotAdmin;
        }
        if (loggedIn) {
            setUser(connectionId, a.string(QStringLiteral("userName")), roles);
        } else {
            it->tokenHash.clear();
            setUser(connectionId, {}, {});
        }
        tell(connectionId, loggedIn, a.string(QStringLiteral("userName")), a.string(QStringLiteral("displayName")), roles,
             message);
        release(connectionId);
    });
}

void UserGuard::release(quint64 connectionId)
{
    auto it = m_connections.find(connectionId);
    if (it != m_connections.end() && it->checks == 0)
        m_vortex->releaseHeld(connectionId);
}

void UserGuard::setUser(quint64 connectionId, const QString &userName, const peek::ValueList &roles)
{
    const auto before = m_vortex->identity(connectionId);
    if (!before && !m_admins)
        return; // a device's user needs the device proven first
    auto identity = before ? std::make_shared<peek::PeerIdentity>(*before) : std::make_shared<peek::PeerIdentity>();
    identity->userName = userName;
    identity->userRoles.clear();
    for (const peek::Value &r : roles)
        if (r.type() == peek::Value::Type::String)
            identity->userRoles << r.toString();
    m_vortex->setIdentity(connectionId, identity);
}

void UserGuard::tell(quint64 connectionId, bool loggedIn, const QString &userName, const QString &displayName,
                     const peek::ValueList &roles, const QString &message)
{
    auto status = std::make_shared<UserStatusTuple>();
    status->loggedIn = loggedIn;
    status->userName = userName;
    status->displayName = displayName;
    status->roles = roles;
    status->loginRequired = m_required;
    status->message = message;
    m_vortex->sendToConnection(connectionId,
                               peek::PayloadEnvelope::fromPayload(peek::Payload(userFilt(QStringLiteral("user.status")), {status}))
                                   .toVortexMsg());
}

void UserGuard::onChanged(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source)
{
    if (!source.proven || source.vortexName != peek::Role(peek::Role::Logic).vortexName())
        return;
    auto payload = envelope.decodePayload();
    const auto *status = payload && payload.value().tuples.size() == 1
        ? dynamic_cast<const UserStatusTuple *>(payload.value().tuples.front().get())
        : nullptr;
    if (!status)
        return;
    applyChange(*status, envelope.filt.string(QStringLiteral("deviceId")));
}

void UserGuard::applyChange(const UserStatusTuple &status, const QString &deviceId)
{
    for (const peek::PeerInfo &peer : m_vortex->peers()) {
        const auto identity = m_vortex->identity(peer.connectionId);
        if (!identity || identity->userName != status.userName || (!deviceId.isEmpty() && identity->deviceId != deviceId))
            continue;
        if (status.loggedIn) { // still logged in, with other roles
            setUser(peer.connectionId, status.userName, status.roles);
            tell(peer.connectionId, true, status.userName, status.displayName, status.roles, {});
            continue;
        }
        if (auto it = m_connections.find(peer.connectionId); it != m_connections.end())
            it->tokenHash.clear();
        setUser(peer.connectionId, {}, {});
        tell(peer.connectionId, false, {}, {}, {}, status.message);
    }
}

void UserGuard::peerGone(const peek::PeerInfo &peer)
{
    m_connections.remove(peer.connectionId);
}

} // namespace user
