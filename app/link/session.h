#pragma once

#include "action/tupleactionpushofflinequeue.h"
#include "observable/tupledataobserverclient.h"
#include "vortex/vortex.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <memory>


namespace peek {
class TupleOfflineCache;
}

namespace peek::app {

class PluginBundles;

// The app's one link to its field or office service: a Vortex dialling the service, the
// device's offline cache of observable data and its durable action queue (both SQLite files in
// the data directory), and an observer client per (plugin, observable) handed out on demand.
// The QML types (Peek, TupleObserver, ActionPusher) reach the data layer only through the
// process's current Session; views never open a socket or a database.
//
// The session also keeps the device's copy of the plugins' UI bundles (plugins()): read from disk
// at once, refreshed from the service each time the link comes up.
//
// connectionState is kept simple: "connecting" from the start until the first dial succeeds or
// fails, "online" while a link is up, "offline" when the service cannot be reached or the link
// was lost, until it is back (the vortex keeps redialling by itself).
class Session : public QObject {
    Q_OBJECT
public:
    struct Options {
        VortexOptions vortex; // transport settings (reconnect backoff etc.)
        int actionTimeoutMs = 30000;
        int actionRetryMinMs = 1000;
        int actionRetryMaxMs = 30000;
        int bundleCheckIntervalMs = 5 * 60 * 1000; // while online: look for changed plugin views
        // The device presents itself (peek_core_device, docs/identity.md) on every connection:
        // the session dials only once presentDevice() gave it the device's id and token, and
        // sends no action until the service says the device is served.
        bool presentDevice = false;
        // Mode "admin": the admin's session (its token from the admin window's login), resumed on
        // every connection before anything else goes out; nothing is sent until logic says it
        // stands (user.status).
        QString adminToken;
    };

    // mode is "field" or "office" (the app's service), or "admin" (logic's admin port, for the
    // plugins' admin views: Options::adminToken); dataDir is created if missing. Check
    // isReady() afterwards.
    Session(const QUrl &serverUrl, const QString &mode, const QString &dataDir,
            const Options &options, QObject *parent = nullptr);
    Session(const QUrl &serverUrl, const QString &mode, const QString &dataDir,
            QObject *parent = nullptr);
    ~Session() override;

    // The session the QML types use; set it before loading QML. Not owned. nullptr clears it.
    static void setCurrent(Session *session);
    static Session *current();
    // The session of one QML engine (several windows with their own sessions in one process):
    // the QML types of that engine use it instead of current(). Set it before loading QML.
    void attachTo(QObject *engine);
    // The session of a QML engine (attachTo), else current().
    static Session *ofEngine(const QObject *engine);

    bool isReady() const { return m_error.isEmpty(); }
    QString errorString() const { return m_error; }

    QUrl serverUrl() const { return m_serverUrl; }
    QString mode() const { return m_mode; }
    QString serviceVortexName() const
    {
        return m_serviceName;
    } // peek-field-service / peek-office-service / peek-logic-service (admin)
    QString connectionState() const { return m_state; }
    int queuedActions() const;
    int failedActions() const;
    QDateTime lastSyncTime() const { return m_lastSync; } // invalid until data first arrives
    QString dataDir() const { return m_dataDir; }
    PluginBundles *plugins() const { return m_bundles.get(); }

    Vortex *vortex() const { return m_vortex.get(); }
    TupleActionPushOfflineQueue *actionQueue() const { return m_queue.get(); }
    TupleOfflineCache *offlineCache() const { return m_cache.get(); }

    // The observer client of one observable (created on first use, owned by the session); null
    // when the session is not ready.
    TupleDataObserverClient *observerClient(const QString &plugin, const QString &observableName);
    // Subscribes through observerClient() and keeps lastSyncTime when fresh data arrives. The
    // subscription belongs to parent (or the session); null when the session is not ready.
    TupleSubscription *subscribe(const QString &plugin, const QString &observableName,
                                 const TupleSelector &selector, QObject *parent);

    // ---- the device (Options::presentDevice) ----
    // Its standing with the service: "" (not heard yet), "unknown" (not enrolled), "pending"
    // (waiting for approval), "approved", "revoked", "refused" (its id is enrolled with another
    // token). The last one heard is kept in the data directory: an approved device works offline
    // from the start.
    QString deviceState() const { return m_device.state; }
    QString deviceMessage() const { return m_device.message; } // what the state means, or what failed
    QString deviceName() const { return m_device.name; }
    bool presentsDevice() const { return m_presentDevice; }
    // The service serves this device: approved, or enrolment not required there.
    bool deviceServed() const;
    // Sets who this device is and dials; every connection presents it (device.online) and, with
    // a remembered session's token, the session (user.resume).
    void presentDevice(const QString &deviceId, const QString &deviceToken, const QString &userToken = {});

    // ---- the user (peek_core_user; with presentDevice) ----
    // "" (nobody has logged in here), "loggedIn", "loggedOut"; kept in the data directory, so a
    // logged-in user works offline from the start.
    QString userState() const { return m_user.state; }
    QString userName() const { return m_user.name; }
    QString userDisplayName() const { return m_user.displayName; }
    QString userMessage() const { return m_user.message; } // why logged out, why a login failed
    // What the service asks to confirm (key -> text); log in again with the keys accepted.
    QVariantMap loginWarnings() const { return m_user.warnings; }
    // Plugins are served: the device is, and a user is logged in (or the service needs none).
    bool served() const;
    void login(const QString &userName, const QString &password, const QStringList &acceptedWarningKeys = {});
    void logout();
    // A view asks the app to open a plugin's view (an inbox task's route): the field app pushes
    // it, the office app selects it (openPluginRequested).
    void requestOpenPlugin(const QString &plugin) { Q_EMIT openPluginRequested(plugin); }
    // A plugin's background QML asks for a notification (an inbox task arrived): the field app
    // shows a banner (and beeps with `sound`), the office app a tray message (notificationRequested).
    void requestNotification(const QString &plugin, const QString &title, const QString &text, bool sound)
    {
        Q_EMIT notificationRequested(plugin, title, text, sound);
    }
    // Asks the service to enrol this device under `name` (online only). The answer arrives as
    // deviceStateChanged (the new state, or deviceMessage saying what failed).
    void enrolDevice(const QString &name);

    // Queues an action durably (works offline); fails when refused.
    Result<void> pushAction(const QString &plugin, const QString &processorName, TuplePtr action);
    // Every failed action back to the queue / dropped; return how many.
    int retryFailedActions();
    int discardFailedActions();

Q_SIGNALS:
    void connectionStateChanged(const QString &state);
    void queuedActionsChanged(int count);
    void failedActionsChanged(int count);
    void openPluginRequested(const QString &plugin);
    void notificationRequested(const QString &plugin, const QString &title, const QString &text, bool sound);
    void lastSyncTimeChanged(const QDateTime &time);
    void deviceStateChanged();
    void userChanged();
    // The session's token to keep in the keychain; empty: forget it.
    void userTokenChanged(const QString &userToken);

private:
    void setState(const QString &state);
    // What goes first on every connection: the device (device.online) and the user's session
    // (user.resume), as far as they are known.
    void sendPresentation();
    void onDeviceStatus(const PayloadEnvelope &envelope);
    void setDevice(const QString &state, const QString &name, const QString &message, bool required);
    void applyDeviceServed();
    void onUserStatus(const PayloadEnvelope &envelope);
    void setUser(const QString &state, const QString &name, const QString &displayName, const QString &message);
    void saveDevice() const;
    void noteSync();
    // Applies `apply` (retry or discard) to every failed action; returns how many it took.
    int forEachFailedAction(bool (TupleActionPushOfflineQueue::*apply)(qint64));

    QUrl m_serverUrl;
    QString m_mode;
    QString m_dataDir;
    QString m_serviceName;
    QString m_error;
    QString m_state = QStringLiteral("connecting");
    QDateTime m_lastSync;
    struct Device
    {
        QString id;
        QString token;
        QString state;
        QString name;
        QString message;
        bool required = true;   // the service requires enrolment (it says so with each status)
        bool statusHere = false; // a status arrived on the current connection
    } m_device;
    bool m_presentDevice = false;
    bool m_admin = false; // mode "admin"
    struct User
    {
        QString state;
        QString name;
        QString displayName;
        QString message;
        QVariantMap warnings;
        QString token;          // the session's secret (from the keychain, or a login)
        bool statusHere = false; // the service said where the session stands on this connection
        QStringList roles;       // as the service last said (not kept across restarts)
    } m_user;
    // Destroyed in reverse: clients and queue before the cache and the vortex they use.
    std::unique_ptr<Vortex> m_vortex;
    std::unique_ptr<TupleOfflineCache> m_cache;
    std::unique_ptr<TupleActionPushOfflineQueue> m_queue;
    QHash<QString, TupleDataObserverClient *> m_clients;
    std::unique_ptr<PluginBundles> m_bundles;
    QTimer m_bundleCheck;
};

// Says when the current session changes (the singleton lives longer than any one session).
class SessionNotifier : public QObject {
    Q_OBJECT
public:
    static SessionNotifier *instance();
Q_SIGNALS:
    void currentSessionChanged();
};

} // namespace peek::app
