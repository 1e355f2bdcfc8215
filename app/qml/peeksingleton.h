#pragma once

#include <QAbstractItemModel>
#include <QDateTime>
#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

class QAbstractItemModel;
class QJSEngine;
class QQmlEngine;

namespace peek::app {

class Session;

// The `Peek` singleton: the app's connection, action queue and plugins as views see them, from
// its engine's Session (Session::attachTo) or else the process's current one (Session::setCurrent),
// set before QML loads. Without a session it says mode "" and connectionState "offline".
class PeekSingleton : public QObject {
    Q_OBJECT
    QML_NAMED_ELEMENT(Peek)
    QML_SINGLETON
    Q_PROPERTY(QString connectionState READ connectionState NOTIFY connectionStateChanged)
    Q_PROPERTY(int queuedActions READ queuedActions NOTIFY queuedActionsChanged)
    Q_PROPERTY(int failedActions READ failedActions NOTIFY failedActionsChanged)
    Q_PROPERTY(QString mode READ mode NOTIFY sessionChanged)
    Q_PROPERTY(QString serverUrl READ serverUrl NOTIFY sessionChanged)
    Q_PROPERTY(QDateTime lastSyncTime READ lastSyncTime NOTIFY lastSyncTimeChanged)
    // The plugins with a view for this app (PluginBundles: plugin, title, iconUrl, viewUrl,
    // showHome, version, error); null without a session.
    Q_PROPERTY(QAbstractItemModel *plugins READ plugins NOTIFY sessionChanged)
    // The device's standing with its service (Session::deviceState): the app shows the enrolment
    // screens instead of the plugins while deviceGated (it presents itself and is not served).
    Q_PROPERTY(QString deviceState READ deviceState NOTIFY deviceChanged)
    Q_PROPERTY(QString deviceMessage READ deviceMessage NOTIFY deviceChanged)
    Q_PROPERTY(QString deviceName READ deviceName NOTIFY deviceChanged)
    // True while the plugins are not served: the device is not approved, or nobody is logged in.
    Q_PROPERTY(bool deviceGated READ deviceGated NOTIFY deviceChanged)
    Q_PROPERTY(bool deviceServed READ deviceServed NOTIFY deviceChanged)
    // The user (Session::userState): "", "loggedIn", "loggedOut"; what the service said; what it
    // asks to confirm before a login (key -> text).
    Q_PROPERTY(QString userState READ userState NOTIFY deviceChanged)
    Q_PROPERTY(QString userName READ userName NOTIFY deviceChanged)
    Q_PROPERTY(QString userDisplayName READ userDisplayName NOTIFY deviceChanged)
    Q_PROPERTY(QString userMessage READ userMessage NOTIFY deviceChanged)
    Q_PROPERTY(QVariantMap loginWarnings READ loginWarnings NOTIFY deviceChanged)
    // The name an enrolment suggests: the machine's host name.
    Q_PROPERTY(QString defaultDeviceName READ defaultDeviceName CONSTANT)
public:
    // Made by the engine through create() (not default-constructible, so QML uses the factory).
    explicit PeekSingleton(QQmlEngine *engine, QObject *parent = nullptr);
    static PeekSingleton *create(QQmlEngine *engine, QJSEngine *);

    QString connectionState() const;
    int queuedActions() const;
    int failedActions() const;
    QString mode() const;
    QString serverUrl() const;
    QDateTime lastSyncTime() const;
    QAbstractItemModel *plugins() const;
    QString deviceState() const;
    QString deviceMessage() const;
    QString deviceName() const;
    bool deviceGated() const;
    bool deviceServed() const;
    QString userState() const;
    QString userName() const;
    QString userDisplayName() const;
    QString userMessage() const;
    QVariantMap loginWarnings() const;
    Q_INVOKABLE void login(const QString &userName, const QString &password, const QStringList &acceptedWarningKeys = {});
    Q_INVOKABLE void logout();
    // Opens a plugin's view by the plugin's name (an inbox task's route): openPluginRequested.
    Q_INVOKABLE void openPlugin(const QString &plugin);
    // Asks the app to tell the user (a banner and, with `sound`, a beep in the field app; a tray
    // message in the office app); a tap on the banner opens `plugin`'s view.
    Q_INVOKABLE void notify(const QString &plugin, const QString &title, const QString &text, bool sound = false);
    QString defaultDeviceName() const;
    // Asks the service to enrol this device under `name` (deviceChanged tells the outcome).
    Q_INVOKABLE void enrolDevice(const QString &name);

    // Every failed action back into the queue / dropped; return how many.
    Q_INVOKABLE int retryFailedActions();
    Q_INVOKABLE int discardFailedActions();
    // The failed actions, oldest first: [{id, plugin, processor, type, error, failedAt}], and one
    // of them back to the queue / dropped (false when it is no longer failed).
    Q_INVOKABLE QVariantList failedActionList() const;
    Q_INVOKABLE bool retryFailedAction(qint64 id);
    Q_INVOKABLE bool discardFailedAction(qint64 id);

Q_SIGNALS:
    void connectionStateChanged();
    void queuedActionsChanged();
    void failedActionsChanged();
    void lastSyncTimeChanged();
    void sessionChanged();
    void deviceChanged();
    void openPluginRequested(const QString &plugin);
    void notificationRequested(const QString &plugin, const QString &title, const QString &text, bool sound);

private:
    void attach();

    QQmlEngine *m_engine = nullptr;
    QPointer<Session> m_session;
    QList<QMetaObject::Connection> m_connections;
};

} // namespace peek::app
