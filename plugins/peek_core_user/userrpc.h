#pragma once
// peek_core_user's RPCs, declared once for both sides.
#include "peek/plugin.h"
#include "peek/rpc.h"

namespace user::rpc {

inline peek::Rpc::Options fromServices()
{
    return {QStringLiteral("peek_core_user"), peek::Role(peek::Role::Logic).vortexName(),
            {peek::Role(peek::Role::Field).vortexName(), peek::Role(peek::Role::Office).vortexName()}};
}

// Field/office -> logic: a login on an approved device. Args: userName, password, deviceId,
// isField, acceptedWarningKeys (list), address. Returns {succeeded, userName, displayName, roles,
// userToken, warnings, message}.
inline const peek::Rpc &login()
{
    static const peek::Rpc rpc(QStringLiteral("peek_core_user.login"), fromServices());
    return rpc;
}

// Field/office -> logic: a remembered session presented again. Args: tokenHash, deviceId,
// address. Returns {loggedIn, userName, displayName, roles, message}.
inline const peek::Rpc &resume()
{
    static const peek::Rpc rpc(QStringLiteral("peek_core_user.resume"), fromServices());
    return rpc;
}

// Field/office -> logic: log out the session. Args: tokenHash, deviceId, address.
inline const peek::Rpc &logout()
{
    static const peek::Rpc rpc(QStringLiteral("peek_core_user.logout"), fromServices());
    return rpc;
}

// `peek-server admin users ...` -> logic. Args: command (add, list, passwd, roles, disable,
// enable), then its own; kwargs: actor, password, displayName, roles.
inline const peek::Rpc &admin()
{
    static const peek::Rpc rpc(QStringLiteral("peek_core_user.admin"),
                               {QStringLiteral("peek_core_user"), peek::Role(peek::Role::Logic).vortexName(),
                                {peek::kAdminServiceName}});
    return rpc;
}

} // namespace user::rpc
