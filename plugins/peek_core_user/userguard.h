#pragma once
// Field and office's side of peek_core_user: logins and remembered sessions on a device's
// connection, and the gate (after peek_core_device's) that serves an approved device only once a
// user is logged in on it: until then it gets the device and login exchanges only.
#include "usertuples.h"

#include "peek/plugin.h"
#include "peek/rpc.h"

#include <QHash>
#include <QObject>

namespace user {

class UserGuard : public QObject
{
public:
    explicit UserGuard(peek::PluginContext &ctx);

    peek::Vortex::GateVerdict gate(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source);
    void onAction(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source);
    void onResume(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source);
    void onChanged(const peek::PayloadEnvelope &envelope, const peek::MessageSource &source);

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

    peek::PluginContext &m_ctx;
    QPointer<peek::Vortex> m_vortex;
    bool m_required;
    QHash<quint64, Connection> m_connections;
};

} // namespace user
