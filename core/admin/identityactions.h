#pragma once
// What a device, the admin window and a plugin's test harness send the identity plugins
// (peek_core_device, peek_core_user): the same tuples and filts, written once.
#include "base/export.h"
#include "tuple/tuple.h"
#include "tuple/value.h"

namespace peek::identity {

// Where peek_core_user's actions go: {plugin: peek_core_user, key: ..., name: peekPluginUser}.
PEEK_CORE_EXPORT Dict userProcessorFilt();
// Where peek_core_device's enrolment goes.
PEEK_CORE_EXPORT Dict deviceProcessorFilt();
// {plugin: peek_core_device, key: `key`}: the device's presentation ("device.online") and status.
PEEK_CORE_EXPORT Dict deviceFilt(const QString &key);

// A login (service: "field", "office", or "" for the admin window), without uuid or date (a
// device's action queue stamps them).
PEEK_CORE_EXPORT TuplePtr loginAction(const QString &userName, const QString &password, const QString &service,
                                      const ValueList &acceptedWarningKeys = {});
PEEK_CORE_EXPORT TuplePtr logoutAction(const QString &userName, const QString &service);
// A device asking to be enrolled (deviceType: "field" or "office"), stamped.
PEEK_CORE_EXPORT TuplePtr enrolDeviceAction(const QString &description, const QString &deviceId, const QString &deviceType,
                                            const QString &deviceToken, const QString &platform);
// A device presenting itself on a connection.
PEEK_CORE_EXPORT TuplePtr deviceOnline(const QString &deviceId, const QString &deviceToken);
// {plugin: peek_core_user, key: `key`}: a session resumed on a new connection ("user.resume")
// and the service's word on it ("user.status").
PEEK_CORE_EXPORT Dict userFilt(const QString &key);
// A logged-in user's session resumed on a new connection, with the token of the login's answer.
PEEK_CORE_EXPORT TuplePtr userResume(const QString &userToken);

} // namespace peek::identity
