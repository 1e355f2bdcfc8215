#pragma once
// peek_core_device's tuples: the original's names (peek_core_device.EnrolDeviceAction,
// peek_core_device.DeviceInfoTuple) with the fields a device must now prove itself with.
// docs/identity.md describes the exchange.
#include "peek/action.h"
#include "peek/tuple.h"

namespace device {

inline constexpr const char *kPlugin = "peek_core_device";

// The enrolment states of a device at logic.
inline constexpr const char *kPending = "pending";   // waiting for an admin's approval
inline constexpr const char *kApproved = "approved"; // served
inline constexpr const char *kRevoked = "revoked";   // refused until an admin approves it again
// Said to a device only: no enrolment for its id, or one with another token.
inline constexpr const char *kUnknown = "unknown";
inline constexpr const char *kRefused = "refused";

// Device -> its field or office service, through the action processor "peek_core_device" (the
// only action an unapproved device may send): asks logic to enrol the device. deviceToken is the
// device's 256-bit secret (the app keeps it in the keychain); logic keeps only its hash.
struct EnrolDeviceAction : peek::TypedTuple<EnrolDeviceAction> {
    PEEK_TUPLE(EnrolDeviceAction, "peek_core_device.EnrolDeviceAction", description, deviceId,
               deviceType, appVersion, deviceToken, platform, uuid, dateTime)
    QString description; // the device's name for people (unique), e.g. its host name
    QString deviceId;    // stable per app installation
    QString deviceType;  // "field" or "office" (the original's field-ios, office-web... are read as those)
    QString appVersion;
    QString deviceToken;
    QString platform;    // e.g. "linux", "windows"
    QString uuid;
    peek::DateTime dateTime;
};

// Device -> service on every new connection (filt key "device.online", the original's ping):
// who it is. Answered with a DeviceInfoTuple (filt key "device.status"), and again whenever its
// state changes.
struct DeviceOnlineTuple : peek::TypedTuple<DeviceOnlineTuple> {
    PEEK_TUPLE(DeviceOnlineTuple, "peek_core_device.DeviceOnlineTuple", deviceId, deviceToken,
               appVersion)
    QString deviceId;
    QString deviceToken;
    QString appVersion;
};

// A device as logic knows it: what the observable "peek_core_device" serves the admin tools
// (selector {} or {deviceId}), and what a device is told about itself (then with `message`).
// Never a token or its hash.
struct DeviceInfoTuple : peek::TypedTuple<DeviceInfoTuple> {
    PEEK_TUPLE(DeviceInfoTuple, "peek_core_device.DeviceInfoTuple", description, deviceId, deviceType,
               appVersion, platform, createdDate, lastOnline, deviceStatus, isEnrolled, state,
               onlineVia, lastAddress, loggedInUser, message, enrolmentRequired, lastLatitude, lastLongitude,
               lastFixTime)
    QString description;
    QString deviceId;
    QString deviceType;
    QString appVersion;
    QString platform;
    peek::DateTime createdDate;
    peek::DateTime lastOnline;
    qint64 deviceStatus = 0; // the original's flags: 1 online
    bool isEnrolled = false; // approved
    QString state;           // pending, approved, revoked (unknown, refused: to a device only)
    QString onlineVia;       // the field or office service it is connected through; empty: offline
    QString lastAddress;
    QString loggedInUser;
    QString message;         // to the device: what its state means for it
    bool enrolmentRequired = true; // to the device: whether its service serves only approved devices
    // The last position fix the positions plugin stored for it (null time: none known).
    peek::Value lastLatitude;  // degrees, or null
    peek::Value lastLongitude;
    peek::DateTime lastFixTime;
};

} // namespace device
