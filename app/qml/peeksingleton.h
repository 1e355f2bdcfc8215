#pragma once

#include <QDateTime>
#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

namespace peek::app {

class Session;

// The `Peek` singleton: the app's connection and action queue as views see them, from the
// process's current Session (Session::setCurrent, called before QML loads). Without a session
// it says mode "" and connectionState "offline".
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
public:
    explicit PeekSingleton(QObject *parent = nullptr);

    QString connectionState() const;
    int queuedActions() const;
    int failedActions() const;
    QString mode() const;
    QString serverUrl() const;
    QDateTime lastSyncTime() const;

    // Every failed action back into the queue / dropped; return how many.
    Q_INVOKABLE int retryFailedActions();
    Q_INVOKABLE int discardFailedActions();

Q_SIGNALS:
    void connectionStateChanged();
    void queuedActionsChanged();
    void failedActionsChanged();
    void lastSyncTimeChanged();
    void sessionChanged();

private:
    void attach();

    QPointer<Session> m_session;
    QList<QMetaObject::Connection> m_connections;
};

} // namespace peek::app
