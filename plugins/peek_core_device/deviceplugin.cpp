// peek_core_device: enrolled and approved devices (docs/identity.md).
//   logic:        DeviceRegistry (core_device."DeviceInfo", the audit), the action processor that
//                 enrols (EnrolDeviceAction), the observable "peek_core_device" (DeviceInfoTuple),
//                 the RPCs the services and `peek-server admin` call
//   field/office: DeviceGuard, the gate before routing; the proxy of the enrolment action
#include "api/deviceapi.h"
#include "deviceguard.h"
#include "deviceregistry.h"
#include "devicerpc.h"
#include "devicetuples.h"

#include "peek/action.h"
#include "peek/observable.h"
#include "peek/plugin.h"
#include "peek/rpc.h"

#include <sodium.h>

namespace device {
namespace {

// The published API (api/deviceapi.h) over logic's registry.
class DeviceLogicApi final : public QObject, public DeviceApi {
    Q_OBJECT
    Q_INTERFACES(device::DeviceApi)
public:
    explicit DeviceLogicApi(DeviceRegistry *registry) : m_registry(registry) { }
    QString deviceName(const QString &deviceId) const override { return m_registry->deviceName(deviceId); }
    bool isApproved(const QString &deviceId) const override { return m_registry->isApproved(deviceId); }
    void setLoggedInUser(const QString &deviceId, const QString &userName) override
    {
        m_registry->setLoggedInUser(deviceId, userName);
    }
    void notePosition(const QString &deviceId, double latitude, double longitude, qint64 fixTimeUs) override
    {
        m_registry->notePosition(deviceId, latitude, longitude, fixTimeUs);
    }

private:
    DeviceRegistry *m_registry;
};

class LogicHook final : public peek::PluginRoleHook {
public:
    void load(peek::PluginContext &ctx) override
    {
        if (sodium_init() < 0)
            throw peek::PluginError(QStringLiteral("peek_core_device: libsodium could not start"));
        ctx.declareSettings({
            {QStringLiteral("autoApproveField"), peek::SettingType::Bool, false,
             QStringLiteral("Approve newly enrolled field devices without an admin (off: an admin approves each)")},
            {QStringLiteral("autoApproveOffice"), peek::SettingType::Bool, false,
             QStringLiteral("Approve newly enrolled office devices without an admin (off: an admin approves each)")},
        });
    }

    void start(peek::PluginContext &ctx) override
    {
        auto &observable = ctx.observable();
        m_registry = std::make_unique<DeviceRegistry>(ctx, observable);
        if (auto loaded = m_registry->load(); !loaded)
            throw peek::PluginError(loaded.error().message());
        DeviceRegistry *registry = m_registry.get();

        observable.addTupleProvider(QString::fromLatin1(DeviceInfoTuple::kTupleType),
                                    [registry](const peek::Dict &, const peek::TupleSelector &selector) {
                                        return peek::ProvidedTuples {registry->provide(selector), {}};
                                    });
        ctx.actionProcessor().setDelegate(
            QString::fromLatin1(EnrolDeviceAction::kTupleType),
            peek::TupleActionProcessor::SyncDelegate([registry](const peek::TuplePtr &action) {
                const auto *enrol = dynamic_cast<const EnrolDeviceAction *>(action.get());
                if (!enrol)
                    throw std::invalid_argument("expected a peek_core_device.EnrolDeviceAction");
                return registry->enrol(*enrol);
            }));
        ctx.listen(rpc::identify(), [registry](const peek::ValueList &a, const peek::Dict &) {
            using peek::rpcArgument;
            return peek::Value(registry->identify(
                rpcArgument<QString>(a, 0, "deviceId"), rpcArgument<QString>(a, 1, "tokenHash"),
                rpcArgument<QString>(a, 2, "appVersion"), rpcArgument<QString>(a, 3, "address"),
                rpcArgument<QString>(a, 4, "serviceName"), rpcArgument<QString>(a, 5, "serviceUuid")));
        });
        ctx.listen(rpc::offline(), [registry](const peek::ValueList &a, const peek::Dict &) {
            registry->offline(peek::rpcArgument<QString>(a, 0, "deviceId"),
                              peek::rpcArgument<QString>(a, 1, "serviceUuid"));
            return peek::Value();
        });
        ctx.listen(rpc::admin(), [registry](const peek::ValueList &a, const peek::Dict &kwargs) {
            return registry->admin(peek::rpcArgument<QString>(a, 0, "command"), a,
                                   peek::rpcActor(kwargs));
        });
        // A field or office service gone: the devices it served are offline.
        const QMetaObject::Connection link = QObject::connect(
            ctx.vortex(), &peek::Vortex::peerDisconnected, &ctx,
            [registry](const peek::PeerInfo &peer) { registry->serviceGone(peer.vortexUuid); });
        ctx.onStop([link] { QObject::disconnect(link); });
        ctx.publishApi(new DeviceLogicApi(registry));
    }

    void unload(peek::PluginContext &) override { m_registry.reset(); }

private:
    std::unique_ptr<DeviceRegistry> m_registry;
};

class ServiceHook final : public peek::PluginRoleHook {
public:
    void start(peek::PluginContext &ctx) override
    {
        if (sodium_init() < 0)
            throw peek::PluginError(QStringLiteral("peek_core_device: libsodium could not start"));
        ctx.proxyActions();
        m_guard = std::make_unique<DeviceGuard>(ctx);
        DeviceGuard *guard = m_guard.get();
        ctx.addEndpoint({{QStringLiteral("key"), peek::Value(QStringLiteral("device.online"))}},
                        [guard](const peek::PayloadEnvelope &e, const peek::MessageSource &s) { guard->onOnline(e, s); });
        ctx.addEndpoint({{QStringLiteral("key"), peek::Value(QStringLiteral("device.changed"))}},
                        [guard](const peek::PayloadEnvelope &e, const peek::MessageSource &s) { guard->onChanged(e, s); });
        ctx.guardDevices([guard](const peek::PayloadEnvelope &e, const peek::MessageSource &s) { return guard->gate(e, s); });
        qCInfo(ctx.log()).noquote() << (ctx.deviceEnrolmentRequired()
                                            ? "devices are served once enrolled and approved"
                                            : "devices are served without enrolment (devices.requireEnrolment is off)");
    }

    void unload(peek::PluginContext &) override { m_guard.reset(); }

private:
    std::unique_ptr<DeviceGuard> m_guard;
};

} // namespace

class DevicePlugin final : public QObject, public peek::PeekPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID PeekPlugin_iid FILE "plugin.json")
    Q_INTERFACES(peek::PeekPlugin)
public:
    std::unique_ptr<peek::PluginRoleHook> createHook(peek::Role role) override
    {
        if (role == peek::Role::Logic)
            return std::make_unique<LogicHook>();
        if (role == peek::Role::Field || role == peek::Role::Office)
            return std::make_unique<ServiceHook>();
        return nullptr;
    }
};

} // namespace device

#include "deviceplugin.moc"
