#pragma once
// Plugin API for a plugin's own tests (link Peek::testing): runs logic and field in the test's
// process with the plugin, on a scratch home, and talks to the field service as a field app does.
//
//   peek::testing::PluginHarness peek({"peek_plugin_notes"});
//   QVERIFY2(peek.start(), ...);
//   auto rows = peek.tuples(peek::TupleSelector("peek_plugin_notes.NoteTuple", {}));
//   auto done = peek.pushAction(std::make_shared<ToggleNoteAction>(...));
//
// It needs a Qt event loop (QCoreApplication, as QTEST_MAIN gives) and waits on it.
#include "peek/api.h"

#include "base/role.h"
#include "tuple/tuple.h"
#include "tuple/tupleselector.h"
#include "vortex/futurecontext.h"

#include <QStringList>

#include <functional>
#include <memory>
#include <vector>

// Where the installed (or built) Peek keeps its bundled plugins: the core plugins every
// installation runs. find_package(Peek) defines it for Peek::testing.
#ifndef PEEK_SDK_PLUGINS_DIR
#define PEEK_SDK_PLUGINS_DIR ""
#endif

namespace peek::testing {

class PluginHarness
{
public:
    struct Options
    {
        QStringList plugins;           // enabled, e.g. {"peek_plugin_notes"}
        QStringList pluginDirectories; // searched first; PEEK_PLUGIN_PATH and the SDK's plugins after
        QList<Role> roles {Role::Logic, Role::Field};
        QString storageUrl;            // empty: SQLite in the scratch home; or postgresql://...
        int timeoutMs = 10000;         // for every wait
    };

    explicit PluginHarness(Options options, QString sdkPluginsDirectory = QStringLiteral(PEEK_SDK_PLUGINS_DIR));
    ~PluginHarness();
    PluginHarness(const PluginHarness &) = delete;
    PluginHarness &operator=(const PluginHarness &) = delete;

    // Starts the roles with the plugins and connects the field app's client. Fails when a role or
    // a plugin does not start (the error says which and why).
    Result<void> start();
    void stop();

    // What the observable `observable` (default: the first plugin's) of `plugin` (default: the
    // first) serves for `selector`, received through the field service like a field app; waits
    // until `until` holds for the tuples (default: the first answer).
    Result<std::vector<TuplePtr>> tuples(const TupleSelector &selector,
                                         const std::function<bool(const std::vector<TuplePtr> &)> &until = {},
                                         const QString &plugin = {}, const QString &observable = {});
    // Pushes an action through the field service to the processor `processor` (default: the
    // plugin's own) and waits for logic's answer: fails with logic's reason when refused.
    Result<void> pushAction(const TuplePtr &action, const QString &plugin = {}, const QString &processor = {});

    // Offline, as a field app works it. queueAction stores the action in the device's durable
    // queue (the app's ActionPusher) and returns once it is on disk; the queue sends it, oldest
    // first, when the field service is reachable. waitForQueuedActions waits until the queue is
    // empty and fails with logic's reason for each action it refused (the app's failed list).
    Result<void> queueAction(const TuplePtr &action, const QString &plugin = {}, const QString &processor = {});
    Result<void> waitForQueuedActions();
    // Cuts the device's link to the field service (a crew out of coverage), or brings it back:
    // the device presents itself again and a logged-in user's session resumes before the queue
    // sends anything.
    Result<void> setOnline(bool online);

    // Adds an internal user on logic, as the machine's operator would (roles: "field", "office",
    // "admin", plugins' roles).
    Result<void> addUser(const QString &name, const QString &password, const QStringList &roles = {QStringLiteral("field")});
    // Logs the test's field client in as that user: from then on it observes and acts as them
    // (peek::currentCaller().userName on logic). Logging in as another user replaces the first.
    Result<void> logIn(const QString &name, const QString &password);

    // The API `plugin` published on `role` (PluginContext::publishApi), as another plugin there
    // gets it with otherPluginApi<T>(): nullptr when it does not run there, did not publish one,
    // or it is not a T. Call it as that plugin would; its futures finish while the harness waits.
    template <typename T>
    T *api(const QString &plugin, Role role = Role::Logic) const
    {
        return qobject_cast<T *>(findApi(plugin, role));
    }
    QObject *findApi(const QString &plugin, Role role = Role::Logic) const;
    // The future's value, running the event loop until it finishes (Options::timeoutMs), or why
    // there is none (it failed: the exception's message).
    template <typename T>
    Result<T> wait(const QFuture<T> &future, const QString &what = QStringLiteral("the call")) const
    {
        return awaited(future, what, waitUntil([&future] { return future.isFinished(); }), timeoutMs());
    }
    // `future`'s value once `finished`, else why there is none ("WHAT: ..."), for wait().
    template <typename T>
    static Result<T> awaited(const QFuture<T> &future, const QString &what, bool finished, int timeoutMs)
    {
        if (!finished)
            return Error {QStringLiteral("%1: no answer within %2 ms").arg(what).arg(timeoutMs)};
        auto result = resultOf(future, QStringLiteral("cancelled"));
        if (!result)
            return Error {QStringLiteral("%1: %2").arg(what, result.error().message())};
        return result;
    }
    int timeoutMs() const;
    // Runs the event loop until `done` holds (true) or Options::timeoutMs passed (false).
    bool waitUntil(const std::function<bool()> &done) const;

    QString home() const;
    // The first port of the role (logic: its admin port, then its data exchange port).
    quint16 port(Role role) const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace peek::testing
