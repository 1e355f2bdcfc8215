// peek::testing::PluginHarness (peek/testing.h): a ServiceHost in the test's process and a field
// app's client (a vortex named like the app, the observer client, action payloads).
#include "peek/testing.h"

#include "action/tupleactions.h"
#include "host/servicehost.h"
#include "observable/tupledataobserverclient.h"
#include "vortex/payload.h"
#include "vortex/payloadenvelope.h"
#include "vortex/payloadresponse.h"
#include "vortex/vortex.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>

#include <map>

namespace peek::testing {

struct PluginHarness::Private
{
    Options options;
    QString sdkPlugins;
    QTemporaryDir home;
    std::unique_ptr<ServiceHost> host;
    std::unique_ptr<Vortex> device;
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
    ServiceHostOptions o;
    o.home = d->home.path();
    o.roles = d->options.roles;
    o.listenAddress = QHostAddress::LocalHost;
    o.fieldPort = 0;
    o.officePort = 0;
    o.logicAdminPort = 0;
    o.logicDataExchangePort = 0;
    o.enabledPlugins = d->options.plugins;
    o.pluginDirectories = d->options.pluginDirectories;
    o.pluginDirectories << qEnvironmentVariable("PEEK_PLUGIN_PATH").split(u':', Qt::SkipEmptyParts);
    if (!d->sdkPlugins.isEmpty())
        o.pluginDirectories << d->sdkPlugins;
    o.storageUrl = d->options.storageUrl;
    o.requireDeviceEnrolment = false; // the test's client stands for an enrolled, approved device
    o.vortexOptions.reconnectMinMs = 50;
    o.vortexOptions.reconnectMaxMs = 200;
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
    d->device->connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port(Role::Field))));
    const QString field = Role(Role::Field).vortexName();
    if (!d->waitFor([this, &field] { return d->device->isConnectedTo(field); }))
        return Error {QStringLiteral("the test client could not connect to the field service on port %1").arg(port(Role::Field))};
    return {};
}

void PluginHarness::stop()
{
    d->observers.clear();
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
    QFutureWatcher<PayloadEnvelope> answer;
    answer.setFuture(PayloadResponse::send(d->device.get(), PayloadEnvelope::fromPayload(payload), Role(Role::Field).vortexName(),
                                           d->options.timeoutMs));
    d->waitFor([&answer] { return answer.isFinished(); });
    try {
        const PayloadEnvelope envelope = answer.result();
        if (!envelope.isSuccess())
            return Error {QStringLiteral("%1 was refused: %2").arg(action->tupleType(), envelope.errorText())};
    } catch (const std::exception &e) {
        return Error {QStringLiteral("%1 got no answer: %2").arg(action->tupleType(), QString::fromUtf8(e.what()))};
    }
    return {};
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
