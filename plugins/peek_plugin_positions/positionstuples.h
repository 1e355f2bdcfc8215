#pragma once
// The positions plugin's tuple. Tuple type names start with the plugin's name, as the platform
// requires. Apps that do not link this plugin build the same action as a GenericTuple with these
// field names (app/positioning does); docs/positioning.md describes the fields.
#include "peek/action.h"
#include "peek/tuple.h"

#include <optional>

// An optional number travels as a float or null (absent: "the receiver did not say").
template <> struct peek::FieldTraits<std::optional<double>, void> {
    static Value toValue(const std::optional<double> &v) { return v ? Value(*v) : Value(); }
    static bool fromValue(const Value &v, std::optional<double> &out)
    {
        if (v.isNull()) {
            out.reset();
            return true;
        }
        if (!v.isNumber())
            return false;
        out = v.toDouble();
        return true;
    }
};

namespace positions {

inline constexpr const char *kPlugin = "peek_plugin_positions";
// The observable apps watch (latest position per device, or a device's history).
inline constexpr const char *kObservable = "devicePositions";

// One position fix of one device. As an action (pushed by the field app to the processor
// "peek_plugin_positions") it asks logic to store the fix; the devicePositions observable
// answers with the same tuple type (the stored fixes).
struct DevicePositionTuple : peek::TypedTuple<DevicePositionTuple> {
    PEEK_TUPLE(DevicePositionTuple, "peek_plugin_positions.DevicePositionTuple", deviceId, latitude,
               longitude, accuracyM, altitude, speed, time, uuid, dateTime)
    QString deviceId; // the reporting device (stable per app installation)
    double latitude = 0; // WGS84 degrees, [-90, 90]
    double longitude = 0; // WGS84 degrees, [-180, 180]
    double accuracyM = -1; // horizontal accuracy in metres; -1: unknown
    std::optional<double> altitude; // metres, as the receiver reports it; null: unknown
    std::optional<double> speed; // ground speed in m/s; null: unknown
    peek::DateTime time; // when the fix was taken (the receiver's clock, UTC)
    QString uuid; // the action's uuid (stamped by the device's queue)
    peek::DateTime dateTime; // when the device made the action
};

} // namespace positions
