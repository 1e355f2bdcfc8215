#pragma once
// Logic's side of peek_core_device: every enrolled device (kept in memory, written through to
// core_device."DeviceInfo"), its online status, the audit, and what changes tell: the observable
// "peek_core_device" (admin tools) and "device.changed" to the field and office services.
#include "devicetuples.h"

#include "peek/observable.h"
#include "peek/plugin.h"
#include "peek/storage.h"

#include <QHash>
#include <QReadWriteLock>
#include <QObject>
#include <QSet>

namespace device {

class DeviceRegistry
{
public:
    DeviceRegistry(peek::PluginContext &ctx, peek::TupleDataObservableHandler &observable);
    // Writes what is still to be written of when devices were last seen.
    ~DeviceRegistry();

    // Reads the devices; every one is offline until a service says otherwise.
    peek::Result<void> load();

    // EnrolDeviceAction (the action delegate): the device as it is now, or throws with the reason.
    std::vector<peek::TuplePtr> enrol(const EnrolDeviceAction &action);
    // A service asks who presented (deviceId, tokenHash): {state, description, deviceType, message}.
    peek::Dict identify(const QString &deviceId, const QString &tokenHash, const QString &appVersion,
                        const QString &address, const QString &serviceName, const QString &serviceUuid);
    void offline(const QString &deviceId, const QString &serviceUuid);
    // A service's link to logic closed: its devices are offline.
    void serviceGone(const QString &serviceUuid);
    // peek-server admin devices ...
    peek::Value admin(const QString &command, const peek::ValueList &args, const QString &actor);
    // The observable's provider: all devices, or {deviceId}.
    std::vector<peek::TuplePtr> provide(const peek::TupleSelector &selector) const;


    // For the published API (api/deviceapi.h).
    QString deviceName(const QString &deviceId) const;
    bool isApproved(const QString &deviceId) const;
    void setLoggedInUser(const QString &deviceId, const QString &userName);
    void notePosition(const QString &deviceId, double latitude, double longitude, qint64 fixTimeUs);
    void audit(const QString &event, const QString &deviceId, const QString &userName, const QString &actor,
               const QString &address, const QString &detail);

private:
    struct Device
    {
        QString id;
        QString description;
        QString type;
        QString tokenHash;
        QString state;
        QString platform;
        QString appVersion;
        QString lastAddress;
        qint64 createdUs = 0;
        qint64 lastOnlineUs = 0;
        QString onlineVia;   // service vortex name; empty: offline
        QString serviceUuid; // that service's vortex uuid
        QString loggedInUser;
        double latitude = 0;
        double longitude = 0;
        qint64 fixTimeUs = 0; // 0: no fix known (in memory; the positions plugin keeps them all)
    };

    std::shared_ptr<DeviceInfoTuple> toTuple(const Device &device) const;
    Device *find(const QString &idOrName);
    void save(const Device &device, bool inserted);
    // When a device was last seen, from where, with which app version: written in batches off
    // the event loop (a connect storm of thousands of devices is one transaction a second).
    void noteSeen(const Device &device);
    void flushSeen(bool wait);
    // A refusal of `deviceId` worth a log line and an audit row: the first, then one a minute
    // per device with how many were not logged (a flood from a cloned or made-up device must
    // not flood the log and the audit table). 0: stay quiet; else the refusals since the last.
    int refusalToLog(const QString &deviceId);
    // The observable's subscribers and (stateChanged) the services hear of it.
    void changed(const Device &device, bool stateChanged);
    void tellServices(const std::shared_ptr<DeviceInfoTuple> &info);
    bool autoApproves(const QString &type) const;

    peek::PluginContext &m_ctx;
    peek::TupleDataObservableHandler &m_observable;
    QString m_schema;
    QHash<QString, Device> m_devices;
    // The observable's provider reads m_devices on its worker threads (provide()); every change,
    // made on logic's event loop, holds this for writing (reads there need no lock).
    mutable QReadWriteLock m_lock;
    QSet<QString> m_seen; // devices whose last-seen columns are still to be written
    QObject m_flushContext; // the pending flush goes with the registry
    struct Refusals
    {
        qint64 lastLogMs = 0;
        int unlogged = 0;
    };
    QHash<QString, Refusals> m_refusals;
    qint64 m_lastPendingCapLogMs = 0;
};

// What a device's state means for it (the message of its DeviceInfoTuple).
QString messageFor(const QString &state);
// "field" or "office" for a device type (the original's field-ios, office-web, desktop-windows...);
// empty when it is neither.
QString deviceKind(const QString &type);

} // namespace device
