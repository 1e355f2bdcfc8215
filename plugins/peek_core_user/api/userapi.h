#pragma once
// peek_core_user's published API on the logic role (PluginContext::otherPluginApi<UserApi>(
// "peek_core_user")): look users up and check their roles.
#include <QObject>
#include <QString>
#include <QStringList>

namespace user {

struct UserInfo
{
    QString userName; // empty: no such user
    QString displayName;
    QStringList roles;
    bool disabled = false;
};

class UserApi
{
public:
    virtual ~UserApi() = default;
    virtual UserInfo user(const QString &userName) const = 0;
    // True when the user exists, is not disabled and has the role.
    virtual bool hasRole(const QString &userName, const QString &role) const = 0;
    // Every user (for pickers and reports), by name.
    virtual QList<UserInfo> users() const = 0;
};

} // namespace user

#define UserApi_iid "org.peek.core.user.UserApi/1.0"
Q_DECLARE_INTERFACE(user::UserApi, UserApi_iid)
