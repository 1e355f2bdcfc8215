#pragma once
// peek_core_device's published API on the logic role (PluginContext::otherPluginApi<DeviceApi>(
// "peek_core_device")): what the user plugin and other plugins may ask about devices.
#include <QObject>
#include <QString>

namespace device {

class DeviceApi
{
public:
    virtual ~DeviceApi() = default;
    // The enrolled device's name; empty when there is no such device.
    virtual QString deviceName(const QString &deviceId) const = 0;
    // Whether the device is approved (served).
    virtual bool isApproved(const QString &deviceId) const = 0;
    // Who is logged in on the device (shown with it; empty: nobody).
    virtual void setLoggedInUser(const QString &deviceId, const QString &userName) = 0;
    // The device's last position fix (the positions plugin reports it; shown with the device).
    virtual void notePosition(const QString &deviceId, double latitude, double longitude, qint64 fixTimeUs) = 0;
};

} // namespace device

#define DeviceApi_iid "org.peek.core.device.DeviceApi/1.0"
Q_DECLARE_INTERFACE(device::DeviceApi, DeviceApi_iid)
