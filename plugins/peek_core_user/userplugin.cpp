// peek_core_user: users and logins (docs/identity.md).
//   logic:        UserStore (core_user."User", "UserLogin"), the RPCs the services and
//                 `peek-server admin users` call, the published UserApi
//   field/office: UserGuard, the gate after peek_core_device's (nothing but the login exchange
//                 until a user is logged in), login, logout and remembered sessions
#include "api/userapi.h"
#include "userguard.h"
#include "userrpc.h"
#include "userstore.h"
#include "usertuples.h"

#include "deviceapi.h"

#include "peek/action.h"
#include "peek/plugin.h"
#include "peek/rpc.h"

#include <sodium.h>

namespace user {
namespace {

class UserLogicApi final : public QObject, public UserApi {
    Q_OBJECT
    Q_INTERFACES(user::UserApi)
public:
    explicit UserLogicApi(UserStore *store) : m_store(store) { }
    UserInfo user(const QString &userName) const override { return m_store->info(userName); }
    bool hasRole(const QString &userName, const QString &role) const override
    {
        const UserInfo i = m_store->info(userName);
        return !i.userName.isEmpty() && !i.disabled && i.roles.contains(role);
    }
    QList<UserInfo> users() const override { return m_store->all(); }

private:
    UserStore *m_store;
};

QStringList strings(const peek::ValueList &list)
{
    QStringList out;
    for (const peek::Value &v : list)
        if (v.type() == peek::Value::Type::String)
            out << v.toString();
    return out;
}

class LogicHook final : public peek::PluginRoleHook {
public:
    void load(peek::PluginContext &ctx) override
    {
        ctx.declareSettings({
            {QStringLiteral("ldapDirectories"), peek::SettingType::Password, QString(),
             QStringLiteral("LDAP / Active Directory directories logins are checked with (JSON; docs/identity.md). Set it "
                            "with `peek-server admin users directories set FILE`")},
        });
    }

    void start(peek::PluginContext &ctx) override
    {
        if (sodium_init() < 0)
            throw peek::PluginError(QStringLiteral("peek_core_user: libsodium could not start"));
        auto *devices = ctx.otherPluginApi<device::DeviceApi>(QStringLiteral("peek_core_device"));
        if (!devices)
            throw peek::PluginError(QStringLiteral("peek_core_user needs peek_core_device's API on logic, and it is "
                                                   "not running"));
        m_store = std::make_unique<UserStore>(ctx, devices);
        if (auto loaded = m_store->load(); !loaded)
            throw peek::PluginError(loaded.error().message());
        UserStore *store = m_store.get();
        // The same calls answer the services' RPCs and logic's own admin port (`admin`).
        const auto login = [store](const peek::ValueList &a, bool admin) {
            using peek::rpcArgument;
            return store->login(rpcArgument<QString>(a, 0, "userName"), rpcArgument<QString>(a, 1, "password"),
                                {rpcArgument<QString>(a, 2, "deviceId"), rpcArgument<bool>(a, 3, "isField"),
                                 strings(rpcArgument<peek::ValueList>(a, 4, "acceptedWarningKeys")),
                                 rpcArgument<QString>(a, 5, "address"), admin});
        };
        const auto resume = [store](const peek::ValueList &a) {
            using peek::rpcArgument;
            return peek::Value(store->resume(rpcArgument<QString>(a, 0, "tokenHash"),
                                             rpcArgument<QString>(a, 1, "deviceId"), rpcArgument<QString>(a, 2, "address")));
        };
        const auto logout = [store](const peek::ValueList &a) {
            using peek::rpcArgument;
            return peek::Value(store->logout(rpcArgument<QString>(a, 0, "tokenHash"),
                                             rpcArgument<QString>(a, 1, "deviceId"), rpcArgument<QString>(a, 2, "address")));
        };
        ctx.listenAsync(rpc::login(), [login](const peek::ValueList &a, const peek::Dict &) { return login(a, false); });
        ctx.listen(rpc::resume(), [resume](const peek::ValueList &a, const peek::Dict &) { return resume(a); });
        ctx.listen(rpc::logout(), [logout](const peek::ValueList &a, const peek::Dict &) { return logout(a); });

        // Logic's admin port: admins log in there (docs/administration.md).
        m_admins = std::make_unique<UserGuard>(
            ctx,
            UserGuard::Backend {[login](const peek::ValueList &a) { return login(a, true); },
                                [resume](const peek::ValueList &a) { return QtFuture::makeReadyFuture(resume(a)); },
                                [logout](const peek::ValueList &a) { (void)logout(a); }},
            true);
        UserGuard *admins = m_admins.get();
        store->setChangeListener([admins](const UserStatusTuple &status, const QString &deviceId) {
            admins->applyChange(status, deviceId);
        });
        ctx.addEndpoint({{QStringLiteral("key"), peek::Value(peek::action::kKey)},
                         {QStringLiteral("name"), peek::Value(QString::fromLatin1(kProcessor))}},
                        [admins](const peek::PayloadEnvelope &e, const peek::MessageSource &s) {
                            if (!s.proven) // services never log in here
                                admins->onAction(e, s);
                        });
        ctx.addEndpoint({{QStringLiteral("key"), peek::Value(QStringLiteral("user.resume"))}},
                        [admins](const peek::PayloadEnvelope &e, const peek::MessageSource &s) {
                            if (!s.proven)
                                admins->onResume(e, s);
                        });
        ctx.guardDevices([admins](const peek::PayloadEnvelope &e, const peek::MessageSource &s) { return admins->gate(e, s); });
        ctx.listenAsync(rpc::admin(), [store](const peek::ValueList &a, const peek::Dict &kwargs) {
            return store->admin(a, kwargs);
        });
        // Every user and where they are logged in, live, for the admin tools (the admin port's
        // gate lets admins only).
        peek::TupleDataObservableHandler &observable = ctx.observable();
        observable.addTupleProvider(QString::fromLatin1(UserDetailTuple::kTupleType),
                                          [store](const peek::Dict &, const peek::TupleSelector &selector) {
                                              if (!selector.selector.isEmpty())
                                                  throw std::invalid_argument("peek_core_user.UserDetailTuple takes an "
                                                                              "empty selector (every user)");
                                              return peek::ProvidedTuples {store->snapshot(), {}};
                                          });
        store->setObservable(&observable);
        ctx.publishApi(new UserLogicApi(store));
        store->warnWhenNoAdmin();
    }

    void unload(peek::PluginContext &) override
    {
        m_admins.reset();
        m_store.reset();
    }

private:
    std::unique_ptr<UserStore> m_store;
    std::unique_ptr<UserGuard> m_admins;
};

class ServiceHook final : public peek::PluginRoleHook {
public:
    void start(peek::PluginContext &ctx) override
    {
        if (sodium_init() < 0)
            throw peek::PluginError(QStringLiteral("peek_core_user: libsodium could not start"));
        m_guard = std::make_unique<UserGuard>(ctx);
        UserGuard *guard = m_guard.get();
        ctx.addEndpoint({{QStringLiteral("key"), peek::Value(peek::action::kKey)},
                         {QStringLiteral("name"), peek::Value(QString::fromLatin1(kProcessor))}},
                        [guard](const peek::PayloadEnvelope &e, const peek::MessageSource &s) { guard->onAction(e, s); });
        ctx.addEndpoint({{QStringLiteral("key"), peek::Value(QStringLiteral("user.resume"))}},
                        [guard](const peek::PayloadEnvelope &e, const peek::MessageSource &s) { guard->onResume(e, s); });
        ctx.addEndpoint({{QStringLiteral("key"), peek::Value(QStringLiteral("user.changed"))}},
                        [guard](const peek::PayloadEnvelope &e, const peek::MessageSource &s) { guard->onChanged(e, s); });
        ctx.guardDevices([guard](const peek::PayloadEnvelope &e, const peek::MessageSource &s) { return guard->gate(e, s); });
    }

    void unload(peek::PluginContext &) override { m_guard.reset(); }

private:
    std::unique_ptr<UserGuard> m_guard;
};

} // namespace

class UserPlugin final : public QObject, public peek::PeekPlugin {
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

} // namespace user

#include "userplugin.moc"
