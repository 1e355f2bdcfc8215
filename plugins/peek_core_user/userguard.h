#pragma once
// Field and office's side of peek_core_user: logins and remembered sessions on a device's
// connection, and the gate (after peek_core_device's) that serves an approved device only once a
// user is logged in on it: until then it gets the device and login exchanges only.
#include "usertuples.h"

#include "peek/plugin.h"
#include "peek/rpc.h"

#include <QFuture>
#include <QHash>
#include <QObject>

namespace user {

class UserGuard : public QObject
{
public:
    // Where logins, session checks and logouts go: to logic over RPC (field and office), or to
    // the store itself (logic's admin port). Arguments and answers as the RPCs of userrpc.h.
    struct Backend
    {
        std::function<QFuture<peek::Value>(const peek::ValueList &)> login;
        std::function<QFuture<peek::Value>(const peek::ValueList &)> resume;
        std::function<void(const peek::ValueList &)> logout;
    };
    // Field and office: devices' users, over RPC to logic.
    explicit UserGuard(peek::PluginContext &ctx);
    // Logic's admin port (`admins`): a connection is served once a user with the admin role
    // logged in on it (no device); everything else is refused.
    UserGuard(peek::PluginContext &ctx, Backend backend, bool admins);

    peek::Vortex::GateVerdict gate(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source);
    void onAction(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source);
    void onResume(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source);
    void onChanged(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source);
    // A session ended, or its roles changed (logic's user.changed, or the store itself).
    void applyChange(const UserStatusTuple &status, const QString &deviceId);

private:
    struct Connection
    {
        QString tokenHash;      // the session logged in (or resumed) on it
        int checks = 0;         // resumes in flight (the vortex holds what comes meanwhile)
        qint64 lastRefusalLogMs = -1;
    };

    void login(const UserLoginAction &action, const peek::PayloadEnvelope &envelope, const peek::MessageSource &source);
    void logout(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source);
    void setUser(quint64 connectionId, const QString &userName, const peek::ValueList &roles);
    void tell(quint64 connectionId, bool loggedIn, const QString &userName, const QString &displayName,
              const peek::ValueList &roles, const QString &message);
    void release(quint64 connectionId);
    // Asks logic whether the connection's session still stands (user.resume, or logic back).
    void recheck(quint64 connectionId);
    void peerGone(const peek::PeerInfo &peer);

    bool served(const peek::MessageSource &source) const;

    peek::PluginContext &m_ctx;
    QPointer<peek::Vortex> m_vortex;
    Backend m_backend;
    bool m_admins = false;
    bool m_required;
    QHash<quint64, Connection> m_connections;
};

} // namespace user
