#pragma once
// peek_core_user's tuples: the original's login exchange (peek_core_user.UserLoginAction and its
// answer) plus what a remembered session needs. docs/identity.md describes the exchange.
#include "peek/action.h"
#include "peek/tuple.h"

namespace user {

inline constexpr const char *kPlugin = "peek_core_user";
// The original's action processor name (filt {"plugin": "peek_core_user",
// "key": "tupleActionProcessorName", "name": "peekPluginUser"}).
inline constexpr const char *kProcessor = "peekPluginUser";
// Warning keys (the original's): the user is logged in on another field device; another user is
// logged in on this device. Sending the login again with the key accepted logs them out there.
inline constexpr const char *kUserAlreadyLoggedOn = "pl-user.USER_ALREADY_LOGGED_ON";
inline constexpr const char *kDeviceAlreadyLoggedOn = "pl-user.DEVICE_ALREADY_LOGGED_ON_KEY";

// App -> its service: log in on this device (the device is the connection's, whatever
// deviceToken says).
struct UserLoginAction : peek::TypedTuple<UserLoginAction> {
    PEEK_TUPLE(UserLoginAction, "peek_core_user.UserLoginAction", userName, password, deviceToken, vehicleId,
               isFieldService, isOfficeService, acceptedWarningKeys, uuid, dateTime)
    QString userName;
    QString password;
    QString deviceToken; // ignored: the connection's device counts
    QString vehicleId;
    bool isFieldService = false;
    bool isOfficeService = false;
    peek::ValueList acceptedWarningKeys;
    QString uuid;
    peek::DateTime dateTime;
};

// The answer to a login (a list of one). userToken: the session's secret, to present again
// (user.resume) after a restart; only in a successful answer.
struct UserLoginResponseTuple : peek::TypedTuple<UserLoginResponseTuple> {
    PEEK_TUPLE(UserLoginResponseTuple, "peek_core_user.UserLoginResponseTuple", userName, userToken, deviceToken,
               deviceDescription, vehicleId, succeeded, acceptedWarningKeys, warnings, displayName, roles, message)
    QString userName;
    QString userToken;
    QString deviceToken;
    QString deviceDescription;
    QString vehicleId;
    bool succeeded = false;
    peek::ValueList acceptedWarningKeys;
    peek::Dict warnings; // key -> text for people; log in again with the key accepted to go on
    QString displayName;
    peek::ValueList roles;
    QString message; // why it failed
};

struct UserLogoutAction : peek::TypedTuple<UserLogoutAction> {
    PEEK_TUPLE(UserLogoutAction, "peek_core_user.UserLogoutAction", userName, deviceToken, isFieldService,
               isOfficeService, acceptedWarningKeys, uuid, dateTime)
    QString userName;
    QString deviceToken;
    bool isFieldService = false;
    bool isOfficeService = false;
    peek::ValueList acceptedWarningKeys;
    QString uuid;
    peek::DateTime dateTime;
};

// App -> service on every new connection of a device with a remembered session (filt key
// "user.resume"); answered, like every change of the login, with a UserStatusTuple (key
// "user.status").
struct UserResumeTuple : peek::TypedTuple<UserResumeTuple> {
    PEEK_TUPLE(UserResumeTuple, "peek_core_user.UserResumeTuple", userToken)
    QString userToken;
};

struct UserStatusTuple : peek::TypedTuple<UserStatusTuple> {
    PEEK_TUPLE(UserStatusTuple, "peek_core_user.UserStatusTuple", loggedIn, userName, displayName, roles,
               loginRequired, message)
    bool loggedIn = false;
    QString userName;
    QString displayName;
    peek::ValueList roles;
    bool loginRequired = true; // the service serves only logged-in users
    QString message;           // why not logged in (logged out elsewhere, disabled, ...)
};

// A user as the admin tools see it (never the password hash).
struct UserDetailTuple : peek::TypedTuple<UserDetailTuple> {
    PEEK_TUPLE(UserDetailTuple, "peek_core_user.UserDetailTuple", userName, displayName, roles, disabled, source,
               loggedInOn)
    QString userName;
    QString displayName;
    peek::ValueList roles;
    bool disabled = false;
    QString source;         // "internal", or the directory it came from
    peek::ValueList loggedInOn; // device ids
};

} // namespace user
