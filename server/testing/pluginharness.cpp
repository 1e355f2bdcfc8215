// peek::testing::PluginHarness (peek/testing.h): a ServiceHost in the test's process and a field
// app's client (a vortex named like the app, the observer client, action payloads).
#include "peek/testing.h"

#include "action/tupleactionpushofflinequeue.h"
#include "action/tupleactions.h"
#include "admin/adminapi.h"
#include "admin/adminclient.h"
#include "admin/identityactions.h"
#include "base/secrethash.h"
#include "host/servicehost.h"
#include "observable/tupledataobserverclient.h"
#include "vortex/payload.h"
#include "vortex/payloadenvelope.h"
#include "vortex/payloadresponse.h"
#include "vortex/vortex.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QUuid>

#include <map>

namespace peek::testing {

struct PluginHarness::Private
{
    Options options;
    QString sdkPlugins;
    QTemporaryDir home;
    std::unique_ptr<ServiceHost> host;
    std::unique_ptr<Vortex> device;
    QUrl fieldUrl;
    // The device's action queue (created by the first queueAction) and what logic refused of it
    // since the last waitForQueuedActions.
    std::unique_ptr<TupleActionPushOfflineQueue> queue;
    QStringList refused;
    bool online = true;
    // The logged-in user's session (the login's answer) and the field service's last word on it.
    QString userToken;
    int userStatuses = 0;
    bool userLoggedIn = false;
    std::map<QString, std::unique_ptr<TupleDataObserverClient>> observers; // by "plugin/observable"

    // Runs the event loop until `done` holds or the timeout passes; whether it held.
    bool waitFor(const std::function<bool()> &done) const
    {
        QDeadlineTimer deadline(options.timeoutMs);
        while (!done()) {
            if (deadline.hasExpired())
                return false;
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        }
        return true;
    }
    QString pluginOr(const QString &plugin) const { return plugin.isEmpty() ? options.plugins.value(0) : plugin; }

    // The future's value once it finished (running the event loop), or why there is none.
    template <typename T>
    Result<T> await(QFuture<T> future, const QString &what) const
    {
        return PluginHarness::awaited(future, what, waitFor([&future] { return future.isFinished(); }), options.timeoutMs);
    }

    QByteArray joinToken = randomSecret();
    // The test client's device, enrolled and approved on its first login.
    QString deviceId;
    QString deviceToken;

    // An administration RPC on logic, as the machine's operator (the join token).
    Result<Value> adminCall(const Rpc &rpc, const ValueList &args, Dict kwargs, const QString &what) const
    {
        AdminClient::Options o;
        o.url = QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(host->ports(Role::Logic).value(0)));
        o.joinToken = joinToken;
        o.timeoutMs = options.timeoutMs;
        AdminClient admin(o);
        admin.open();
        if (!waitFor([&admin] { return admin.isConnected(); }))
            return Error {QStringLiteral("%1: cannot reach logic's admin port %2").arg(what).arg(o.url.port())};
        kwargs.insert(QStringLiteral("actor"), Value(QStringLiteral("PluginHarness")));
        return await(admin.call(rpc, args, kwargs), what);
    }

    Result<PayloadEnvelope> sendToField(const TuplePtr &tuple, const Dict &filt, const QString &what) const
    {
        return await(PayloadResponse::send(device.get(), PayloadEnvelope::fromPayload(Payload(filt, {tuple})),
                                           Role(Role::Field).vortexName(), options.timeoutMs),
                     what);
    }

    void presentDevice() const
    {
        device->send(PayloadEnvelope::fromPayload(
                         Payload(identity::deviceFilt(QStringLiteral("device.online")), {identity::deviceOnline(deviceId, deviceToken)})),
                     Role(Role::Field).vortexName());
    }

    // On a new connection: the device presents itself and, with a user logged in, resumes their
    // session until the field service says they are logged in here (it checks the device with
    // logic first, so the first tries may be refused).
    Result<void> resumeSession()
    {
        if (deviceId.isEmpty())
            return {};
        if (userToken.isEmpty()) {
            presentDevice();
            return {};
        }
        const Payload resume(identity::userFilt(QStringLiteral("user.resume")), {identity::userResume(userToken)});
        const bool resumed = waitFor([&] {
            const int seen = userStatuses;
            presentDevice();
            device->send(PayloadEnvelope::fromPayload(resume), Role(Role::Field).vortexName());
            return waitFor([&] { return userStatuses > seen; }) && userLoggedIn;
        });
        if (!resumed)
            return Error {QStringLiteral("the user's session did not resume on the new connection within %1 ms").arg(options.timeoutMs)};
        resubscribeObservers();
        return {};
    }

    // Observers asked before a login or a resumed session are answered again as the user.
    void resubscribeObservers()
    {
        for (auto &[key, observer] : observers)
            observer->resubscribeAll();
    }

    // Enrols the client as a field device and approves it (as an operator would).
    Result<void> enrolDevice()
    {
        if (!deviceId.isEmpty())
            return {};
        const QString id = QStringLiteral("harness-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString token = QString::fromLatin1(randomSecret());
        const TuplePtr enrol = identity::enrolDeviceAction(id, id, QStringLiteral("field"), token, QStringLiteral("test"));
        if (auto enrolled = sendToField(enrol, identity::deviceProcessorFilt(), QStringLiteral("enrolling the test device"));
            !enrolled)
            return enrolled.error();
        if (auto approved = adminCall(deviceAdminRpc(), {Value(QStringLiteral("approve")), Value(id)}, {},
                                      QStringLiteral("approving the test device"));
            !approved)
            return approved.error();
        deviceId = id;
        deviceToken = token;
        return {};
    }
};

PluginHarness::PluginHarness(Options options, QString sdkPluginsDirectory) : d(std::make_unique<Private>())
{
    d->options = std::move(options);
    d->sdkPlugins = std::move(sdkPluginsDirectory);
}

PluginHarness::~PluginHarness()
{
    stop();
}

Result<void> PluginHarness::start()
{
    if (!d->home.isValid())
        return Error {QStringLiteral("cannot make a scratch home: %1").arg(d->home.errorString())};
    if (d->options.plugins.isEmpty())
        return Error {QStringLiteral("PluginHarness needs the plugin to test in Options::plugins")};
    QStringList directories = d->options.pluginDirectories;
    directories << qEnvironmentVariable("PEEK_PLUGIN_PATH").split(u':', Qt::SkipEmptyParts);
    if (!d->sdkPlugins.isEmpty())
        directories << d->sdkPlugins;
    for (QString &dir : directories)
        dir = QDir::cleanPath(QDir(dir).absolutePath());
    directories.removeDuplicates();
    ServiceHostOptions o = ServiceHostOptions::forTests(d->home.path(), d->options.roles, d->options.plugins, directories);
    o.storageUrl = d->options.storageUrl;
    o.requireDeviceEnrolment = false; // the test's client stands for an enrolled, approved device
    o.joinToken = d->joinToken;       // the harness is the machine's operator (addUser)
    d->host = std::make_unique<ServiceHost>(o);
    if (auto started = d->host->start(); !started)
        return started.error();
    QStringList notStarted;
    for (const auto &entry : d->host->health().value(QStringLiteral("plugins")).toArray()) {
        const QJsonObject plugin = entry.toObject();
        if (plugin.value(QStringLiteral("state")).toString() != QLatin1String("started"))
            notStarted << QStringLiteral("%1 on %2: %3 %4")
                              .arg(plugin.value(QStringLiteral("name")).toString(), plugin.value(QStringLiteral("role")).toString(),
                                   plugin.value(QStringLiteral("state")).toString(), plugin.value(QStringLiteral("error")).toString());
    }
    if (!notStarted.isEmpty())
        return Error {QStringLiteral("plugins did not start: %1").arg(notStarted.join(QStringLiteral("; ")))};
    if (!d->options.roles.contains(Role::Field))
        return {};
    VortexOptions client;
    client.reconnectMinMs = 50;
    client.reconnectMaxMs = 200;
    d->device = std::make_unique<Vortex>(Role(Role::Field).appVortexName(), client);
    d->device->router().addEndpoint(identity::userFilt(QStringLiteral("user.status")), [this](const PayloadEnvelope &e, const MessageSource &) {
        auto payload = e.decodePayload();
        if (!payload || payload.value().tuples.size() != 1 || !payload.value().tuples.front())
            return;
        d->userLoggedIn = payload.value().tuples.front()->field(QStringLiteral("loggedIn")).toBool();
        ++d->userStatuses;
    });
    d->fieldUrl = QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port(Role::Field)));
    d->device->connectTo(d->fieldUrl);
    const QString field = Role(Role::Field).vortexName();
    if (!d->waitFor([this, &field] { return d->device->isConnectedTo(field); }))
        return Error {QStringLiteral("the test client could not connect to the field service on port %1").arg(port(Role::Field))};
    return {};
}

void PluginHarness::stop()
{
    d->observers.clear();
    d->queue.reset();
    d->device.reset();
    if (d->host)
        d->host->stop();
    d->host.reset();
}

Result<std::vector<TuplePtr>> PluginHarness::tuples(const TupleSelector &selector,
                                                    const std::function<bool(const std::vector<TuplePtr> &)> &until,
                                                    const QString &pluginName, const QString &observableName)
{
    if (!d->device)
        return Error {QStringLiteral("PluginHarness::tuples needs start() with the field role")};
    const QString plugin = d->pluginOr(pluginName);
    const QString observable = observableName.isEmpty() ? plugin : observableName;
    auto &observer = d->observers[plugin + u'/' + observable];
    if (!observer)
        observer = std::make_unique<TupleDataObserverClient>(d->device.get(), plugin, observable, TupleDataObserverClient::Options {});
    QObject owner;
    TupleSubscription *subscription = observer->subscribe(selector, &owner);
    const bool met = d->waitFor([&] {
        return !subscription->lastError().isEmpty()
            || (subscription->hasData() && (!until || until(subscription->tuples())));
    });
    if (!subscription->lastError().isEmpty())
        return Error {QStringLiteral("%1 of %2 refused %3: %4").arg(observable, plugin, selector.name, subscription->lastError())};
    if (!met) {
        return Error {subscription->hasData()
                          ? QStringLiteral("the %1 tuples of %2 did not become what the test waits for within %3 ms")
                                .arg(subscription->tuples().size()).arg(selector.name).arg(d->options.timeoutMs)
                          : QStringLiteral("no answer for %1 from %2 within %3 ms").arg(selector.name, observable).arg(d->options.timeoutMs)};
    }
    return subscription->tuples();
}

Result<void> PluginHarness::pushAction(const TuplePtr &action, const QString &pluginName, const QString &processor)
{
    if (!d->device)
        return Error {QStringLiteral("PluginHarness::pushAction needs start() with the field role")};
    const QString plugin = d->pluginOr(pluginName);
    action::stamp(*action);
    const Payload payload(action::processorFilt(plugin, processor.isEmpty() ? plugin : processor), {action});
    auto answer = d->await(PayloadResponse::send(d->device.get(), PayloadEnvelope::fromPayload(payload),
                                                 Role(Role::Field).vortexName(), d->options.timeoutMs),
                           action->tupleType());
    if (!answer)
        return answer.error();
    return {};
}

Result<void> PluginHarness::queueAction(const TuplePtr &action, const QString &pluginName, const QString &processor)
{
    if (!d->device)
        return Error {QStringLiteral("PluginHarness::queueAction needs start() with the field role")};
    if (!d->queue) {
        TupleActionPushOfflineQueue::Options o;
        o.timeoutMs = d->options.timeoutMs;
        o.retryMinMs = 50;
        o.retryMaxMs = 200;
        d->queue = std::make_unique<TupleActionPushOfflineQueue>(d->device.get(), QDir(home()).filePath(QStringLiteral("device-actions.sqlite")), o);
        if (!d->queue->isOpen())
            return Error {QStringLiteral("cannot open the device's action queue: %1").arg(d->queue->errorString())};
        d->queue->setPaused(!d->online);
        QObject::connect(d->queue.get(), &TupleActionPushOfflineQueue::actionFailed, d->queue.get(),
                         [this](const QString &uuid, const QString &error) { d->refused << QStringLiteral("%1: %2").arg(uuid, error); });
    }
    const QString plugin = d->pluginOr(pluginName);
    action::stamp(*action);
    return d->queue->push(plugin, processor.isEmpty() ? plugin : processor, action);
}

Result<void> PluginHarness::waitForQueuedActions()
{
    if (!d->queue)
        return {};
    if (!d->online && d->queue->queuedCount() > 0)
        return Error {QStringLiteral("the device is offline: %1 actions wait in its queue (setOnline(true) sends them)")
                          .arg(d->queue->queuedCount())};
    if (!d->waitFor([this] { return d->queue->queuedCount() == 0; }))
        return Error {QStringLiteral("%1 actions were still queued after %2 ms").arg(d->queue->queuedCount()).arg(d->options.timeoutMs)};
    const QStringList refused = std::exchange(d->refused, {});
    if (!refused.isEmpty())
        return Error {QStringLiteral("logic refused %1 queued actions: %2").arg(refused.size()).arg(refused.join(QStringLiteral("; ")))};
    return {};
}

Result<void> PluginHarness::setOnline(bool online)
{
    if (!d->device)
        return Error {QStringLiteral("PluginHarness::setOnline needs start() with the field role")};
    if (online == d->online)
        return {};
    const QString field = Role(Role::Field).vortexName();
    if (!online) {
        d->online = false;
        if (d->queue)
            d->queue->setPaused(true);
        d->device->disconnectFrom(d->fieldUrl);
        if (!d->waitFor([this, &field] { return !d->device->isConnectedTo(field); }))
            return Error {QStringLiteral("the device's link to the field service did not close within %1 ms").arg(d->options.timeoutMs)};
        return {};
    }
    d->device->connectTo(d->fieldUrl);
    if (!d->waitFor([this, &field] { return d->device->isConnectedTo(field); }))
        return Error {QStringLiteral("the device could not reach the field service on port %1 again").arg(d->fieldUrl.port())};
    if (auto resumed = d->resumeSession(); !resumed)
        return resumed;
    d->online = true;
    if (d->queue)
        d->queue->setPaused(false);
    return {};
}

Result<void> PluginHarness::addUser(const QString &name, const QString &password, const QStringList &roles)
{
    if (!d->host || !d->options.roles.contains(Role::Logic))
        return Error {QStringLiteral("PluginHarness::addUser needs start() with the logic role")};
    Dict kwargs {{QStringLiteral("password"), Value(password)}, {QStringLiteral("roles"), Value(roles.join(u','))}};
    auto added = d->adminCall(userAdminRpc(), {Value(QStringLiteral("add")), Value(name)}, kwargs,
                              QStringLiteral("adding the user %1").arg(name));
    if (!added)
        return added.error();
    return {};
}

Result<void> PluginHarness::logIn(const QString &name, const QString &password)
{
    if (!d->device)
        return Error {QStringLiteral("PluginHarness::logIn needs start() with the field role")};
    if (auto enrolled = d->enrolDevice(); !enrolled)
        return enrolled;
    const TuplePtr login = identity::loginAction(name, password, QStringLiteral("field"));
    action::stamp(*login);
    // The field service learns the device's approval from its presentation, which it checks with
    // logic: until then a login is refused for the device, so it is tried again (as the app does
    // once its status says approved).
    QString refusal;
    const bool loggedIn = d->waitFor([&] {
        d->presentDevice();
        login->setField(QStringLiteral("uuid"), Value(QUuid::createUuid().toString(QUuid::WithoutBraces))).ok();
        auto answer = d->sendToField(login, identity::userProcessorFilt(), QStringLiteral("logging in as %1").arg(name));
        if (!answer) {
            refusal = answer.error().message();
            return false;
        }
        auto decoded = answer.value().decodePayload();
        const Tuple *response = decoded && decoded.value().tuples.size() == 1 ? decoded.value().tuples.front().get() : nullptr;
        if (!response) {
            refusal = QStringLiteral("the answer cannot be read");
            return false;
        }
        refusal = response->field(QStringLiteral("message")).toString();
        if (response->field(QStringLiteral("succeeded")).toBool()) {
            d->userToken = response->field(QStringLiteral("userToken")).toString();
            return true;
        }
        // Warnings (another user was logged in on this device, say): accepted, as "Log in anyway".
        const Value warnings = response->field(QStringLiteral("warnings"));
        if (warnings.type() == Value::Type::Dict && !warnings.toDict().isEmpty()) {
            ValueList keys;
            for (const auto &[key, text] : warnings.toDict())
                keys.push_back(Value(key));
            login->setField(QStringLiteral("acceptedWarningKeys"), Value(keys)).ok();
        }
        return false;
    });
    if (!loggedIn)
        return Error {QStringLiteral("logging in as %1 failed: %2").arg(name, refusal)};
    d->resubscribeObservers();
    return {};
}

QObject *PluginHarness::findApi(const QString &plugin, Role role) const
{
    return d->host ? d->host->pluginApi(role, plugin) : nullptr;
}

int PluginHarness::timeoutMs() const
{
    return d->options.timeoutMs;
}

bool PluginHarness::waitUntil(const std::function<bool()> &done) const
{
    return d->waitFor(done);
}

QString PluginHarness::home() const
{
    return d->home.path();
}

quint16 PluginHarness::port(Role role) const
{
    return d->host ? d->host->ports(role).value(0) : 0;
}

} // namespace peek::testing
