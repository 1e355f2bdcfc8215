#pragma once
// peek_core_device's RPCs, declared once for both sides.
#include "peek/plugin.h"
#include "peek/rpc.h"

namespace device::rpc {


// Field/office -> logic: a device presented (deviceId, hash of its token) on a connection.
// Args: deviceId, tokenHash, appVersion, address, serviceName, serviceUuid.
// Returns {state, description, deviceType, message}.
inline const peek::Rpc &identify()
{
    static const peek::Rpc rpc(QStringLiteral("peek_core_device.identify"),
                               {QStringLiteral("peek_core_device"), peek::Role(peek::Role::Logic).vortexName(),
                                {peek::Role(peek::Role::Field).vortexName(),
                                 peek::Role(peek::Role::Office).vortexName()}});
    return rpc;
}

// Field/office -> logic: the device's last connection to that service closed.
// Args: deviceId, serviceUuid.
inline const peek::Rpc &offline()
{
    static const peek::Rpc rpc(QStringLiteral("peek_core_device.offline"),
                               {QStringLiteral("peek_core_device"), peek::Role(peek::Role::Logic).vortexName(),
                                {peek::Role(peek::Role::Field).vortexName(),
                                 peek::Role(peek::Role::Office).vortexName()}});
    return rpc;
}

// `peek-server admin` -> logic. Args: command ("list", "approve", "revoke", "remove", "audit"),
// then the command's own: a device (id or name) for approve/revoke/remove, a row limit for audit.
// Kwargs: actor (who runs the command, for the audit).
inline const peek::Rpc &admin()
{
    static const peek::Rpc rpc(QStringLiteral("peek_core_device.admin"),
                               {QStringLiteral("peek_core_device"), peek::Role(peek::Role::Logic).vortexName(),
                                {peek::kAdminServiceName}});
    return rpc;
}

} // namespace device::rpc
