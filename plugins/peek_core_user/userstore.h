#pragma once
// Logic's side of peek_core_user: users and their sessions (kept in memory, written through to
// core_user."User" and "UserLogin"), password checks off the event loop (Argon2id), the
// throttle on failed logins, single login per field device, and what changes tell the field and
// office services ("user.changed").
#include "api/userapi.h"
#include "ldapdirectory.h"
#include "usertuples.h"

#include "peek/observable.h"
#include "peek/plugin.h"
#include "peek/storage.h"

#include <QFuture>
#include <QHash>
#include <QMutex>
#include <QObject>

namespace device {
class DeviceApi;
}

namespace user {

class UserStore : public QObject
{
public:
    UserStore(peek::PluginContext &ctx, device::DeviceApi *devices);

    peek::Result<void> load();
    // Says in the log how to create the first admin when there is none.
    void warnWhenNoAdmin() const;

    // Who logs in where: a user on a device (from a field or office service), or an admin on
    // logic's admin port (no device; the admin role is required; no single-login rule).
    struct LoginRequest
    {
        QString deviceId;
        bool isField = false;
        QStringList acceptedWarnings;
        QString address;
        bool admin = false;
    };
    QFuture<peek::Value> login(const QString &userName, const QString &password, const LoginRequest &request);
    peek::Dict resume(const QString &tokenHash, const QString &deviceId, const QString &address);
    peek::Dict logout(const QString &tokenHash, const QString &deviceId, const QString &address);
    QFuture<peek::Value> admin(const peek::ValueList &args, const peek::Dict &kwargs);

    // Also told of every session change the services hear of (logic's admin connections).
    using ChangeListener = std::function<void(const UserStatusTuple &status, const QString &deviceId)>;
    void setChangeListener(ChangeListener listener) { m_changeListener = std::move(listener); }

    // The observable "peek_core_user" (UserDetailTuple, empty selector: every user) for the admin
    // tools: told of every change to a user or their sessions.
    void setObservable(peek::TupleDataObservableHandler *observable);
    // What the observable's provider serves (any thread): every user, by name.
    std::vector<peek::TuplePtr> snapshot() const;

    UserInfo info(const QString &userName) const;
    QList<UserInfo> all() const;

    static QString normalName(const QString &userName) { return userName.trimmed().toLower(); }

private:
    struct User
    {
        QString name;
        QString displayName;
        QString passwordHash;
        QStringList roles;
        bool disabled = false;
        QString source = QStringLiteral("internal");
        qint64 createdUs = 0;
    };
    struct Login
    {
        QString tokenHash;
        QString userName;
        QString deviceId;
        bool isField = false;
        qint64 sinceUs = 0;
    };
    struct Failures
    {
        int count = 0;
        qint64 windowStartMs = 0;
        qint64 lockedUntilMs = 0;
    };

    // The directories' answer to a login (on the event loop); what finishLogin() is told.
    peek::Value directoryLogin(const QString &name, const QString &directory, const DirectoryAnswer &answer,
                               const QStringList &unreachable, const LoginRequest &request);
    void readDirectories();
    peek::Value finishLogin(const QString &name, bool passwordOk, const LoginRequest &request);
    // Seconds the user or the address must still wait after too many failures; 0: may try.
    qint64 lockedFor(const QString &name, const QString &address) const;
    void noteFailure(const QString &name, const QString &address);
    peek::Result<void> saveUser(const User &u);
    peek::Result<void> saveLogin(const Login &l);
    peek::Result<void> removeLogins(const QStringList &tokenHashes);
    // Ends sessions (logged out elsewhere, disabled, password changed): forgets them and tells the
    // services to log those connections out with `reason`.
    void endLogins(const QList<Login> &logins, const QString &reason, const QString &actor);
    void tellServices(const QString &userName, const QString &deviceId, const QString &reason);
    void tellServices(const std::shared_ptr<UserStatusTuple> &status, const QString &deviceId);
    // The user's live sessions get their roles now (after an admin or their directory changed them).
    void tellRoles(const User &u);
    // The name as logs and the audit show it: a known user's name, else a fingerprint.
    QString shownName(const QString &name) const;
    std::shared_ptr<UserDetailTuple> detail(const User &u) const;
    void audit(const QString &event, const QString &deviceId, const QString &userName, const QString &actor,
               const QString &address, const QString &detail);
    QString deviceName(const QString &deviceId) const;
    // A user or a session changed: the snapshot is made again and the observers are told.
    void usersChanged();

    peek::PluginContext &m_ctx;
    device::DeviceApi *m_devices;
    QString m_schema;
    QHash<QString, User> m_users;
    QHash<QString, Login> m_logins; // by token hash
    // Why sessions were ended (by token hash), so a device that presents one later is told why
    // (until logic restarts; bounded).
    QHash<QString, QString> m_endedReasons;
    QList<DirectoryConfig> m_directories; // the "ldapDirectories" setting
    QHash<QString, Failures> m_userFailures;
    QHash<QString, Failures> m_addressFailures;
    ChangeListener m_changeListener;
    peek::TupleDataObservableHandler *m_observable = nullptr;
    mutable QMutex m_snapshotMutex;
    std::vector<peek::TuplePtr> m_snapshot;
};

} // namespace user
