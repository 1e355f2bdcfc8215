// peek_plugin_positions: where field devices are.
//   logic:        the DevicePosition tables (migrations/), the action processor that checks and
//                 stores DevicePositionTuple actions, and the devicePositions observable (each
//                 device's latest position, or one device's history)
//   field/office: proxies of the observable and the actions for the apps
// The app side (Qt Positioning, throttling, the offline queue) is app/positioning;
// docs/positioning.md describes both.
#include "deviceapi.h"
#include "positionstore.h"
#include "positionstuples.h"

#include "peek/action.h"
#include "peek/observable.h"
#include "peek/plugin.h"

#include <stdexcept>

namespace positions {
namespace {

const QString kType = QString::fromLatin1(DevicePositionTuple::kTupleType);

class LogicHook final : public peek::PluginRoleHook {
public:
    void start(peek::PluginContext &ctx) override
    {
        auto &observable = ctx.observable(QString::fromLatin1(kObservable));
        device::DeviceApi *devices = ctx.otherPluginApi<device::DeviceApi>(QStringLiteral("peek_core_device"));
        m_store = std::make_unique<PositionStore>(ctx.database(), ctx.schema(), observable);
        PositionStore *store = m_store.get();
        observable.addTupleProvider(
            kType, [store](const peek::Dict &, const peek::TupleSelector &selector) {
                return peek::ProvidedTuples {store->load(selector), {}};
            });

        // A position that cannot be stored fails its action with the reason: the device's queue
        // keeps it in its failed list (the user sees why) instead of it vanishing. Each position
        // is stored exactly once: the platform commits it with the record of its action.
        const QLoggingCategory &log = ctx.log();
        const QString schema = ctx.schema();
        ctx.actionProcessor().applyInTransaction<DevicePositionTuple>(
            [schema, &log](QSqlDatabase &db, const DevicePositionTuple &position)
                -> peek::Result<std::vector<peek::TuplePtr>> {
                if (const QString wrong = PositionStore::check(position); !wrong.isEmpty()) {
                    qCInfo(log).noquote() << "refused a position:" << wrong;
                    return peek::Error {wrong, {}, {}};
                }
                // A device reports only where it is itself (the caller its service proved).
                const peek::PeerIdentity &caller = peek::currentCaller();
                if (!caller.deviceId.isEmpty() && caller.deviceId != position.deviceId) {
                    const QString wrong = QStringLiteral("device %1 sent a position of device %2: a device reports "
                                                         "only its own position")
                                              .arg(caller.deviceId, position.deviceId.left(100));
                    qCWarning(log).noquote() << "refused a position:" << wrong;
                    return peek::Error {wrong, {}, {}};
                }
                if (auto stored = PositionStore::store(db, schema, position); !stored)
                    return stored.error();
                return std::vector<peek::TuplePtr> {};
            },
            [store, devices](const DevicePositionTuple &position) {
                store->notifyChanged();
                // The device list shows each device's last fix.
                if (devices)
                    devices->notePosition(position.deviceId, position.latitude, position.longitude,
                                          position.time.utcMicros());
            });
    }

    void unload(peek::PluginContext &) override { m_store.reset(); }

private:
    std::unique_ptr<PositionStore> m_store;
};

// Field and office: the apps reach logic's observable and actions through these proxies.
class ProxyHook final : public peek::PluginRoleHook {
public:
    void start(peek::PluginContext &ctx) override
    {
        ctx.proxyObservable(QString::fromLatin1(kObservable));
        ctx.proxyActions();
    }
};

} // namespace

class PositionsPlugin final : public QObject, public peek::PeekPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID PeekPlugin_iid FILE "plugin.json")
    Q_INTERFACES(peek::PeekPlugin)
public:
    std::unique_ptr<peek::PluginRoleHook> createHook(peek::Role role) override
    {
        if (role == peek::Role::Logic)
            return std::make_unique<LogicHook>();
        if (role == peek::Role::Field || role == peek::Role::Office)
            return std::make_unique<ProxyHook>();
        return nullptr;
    }
};

} // namespace positions

#include "positionsplugin.moc"
