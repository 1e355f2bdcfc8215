#include "peeksingleton.h"

#include "pluginbundles.h"
#include "session.h"

#include "tuple/tuple.h"

#include <QQmlEngine>
#include <QSysInfo>

namespace peek::app {

PeekSingleton::PeekSingleton(QQmlEngine *engine, QObject *parent)
    : QObject(parent), m_engine(engine)
{
    connect(SessionNotifier::instance(), &SessionNotifier::currentSessionChanged, this,
            &PeekSingleton::attach);
    attach();
}

PeekSingleton *PeekSingleton::create(QQmlEngine *engine, QJSEngine *)
{
    return new PeekSingleton(engine);
}

QAbstractItemModel *PeekSingleton::plugins() const
{
    return m_session ? m_session->plugins() : nullptr;
}

void PeekSingleton::attach()
{
    for (const auto &c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
    m_session = Session::ofEngine(m_engine);
    if (m_session) {
        Session *s = m_session;
        m_connections << connect(s, &Session::connectionStateChanged, this,
                                 &PeekSingleton::connectionStateChanged)
                      << connect(s, &Session::queuedActionsChanged, this,
                                 &PeekSingleton::queuedActionsChanged)
                      << connect(s, &Session::failedActionsChanged, this,
                                 &PeekSingleton::failedActionsChanged)
                      << connect(s, &Session::lastSyncTimeChanged, this,
                                 &PeekSingleton::lastSyncTimeChanged)
                      << connect(s, &Session::deviceStateChanged, this, &PeekSingleton::deviceChanged)
                      << connect(s, &Session::userChanged, this, &PeekSingleton::deviceChanged)
                      << connect(s, &Session::openPluginRequested, this, &PeekSingleton::openPluginRequested)
                      << connect(s, &Session::notificationRequested, this, &PeekSingleton::notificationRequested)
                      << connect(s, &QObject::destroyed, this, &PeekSingleton::attach);
    }
    Q_EMIT sessionChanged();
    Q_EMIT connectionStateChanged();
    Q_EMIT queuedActionsChanged();
    Q_EMIT failedActionsChanged();
    Q_EMIT lastSyncTimeChanged();
    Q_EMIT deviceChanged();
}

QString PeekSingleton::deviceState() const
{
    return m_session ? m_session->deviceState() : QString();
}

QString PeekSingleton::deviceMessage() const
{
    return m_session ? m_session->deviceMessage() : QString();
}

QString PeekSingleton::deviceName() const
{
    return m_session ? m_session->deviceName() : QString();
}

bool PeekSingleton::deviceGated() const
{
    return m_session && m_session->presentsDevice() && !m_session->served();
}

bool PeekSingleton::deviceServed() const
{
    return m_session && m_session->deviceServed();
}

QString PeekSingleton::userState() const
{
    return m_session ? m_session->userState() : QString();
}

QString PeekSingleton::userName() const
{
    return m_session ? m_session->userName() : QString();
}

QString PeekSingleton::userDisplayName() const
{
    return m_session ? m_session->userDisplayName() : QString();
}

QString PeekSingleton::userMessage() const
{
    return m_session ? m_session->userMessage() : QString();
}

QVariantMap PeekSingleton::loginWarnings() const
{
    return m_session ? m_session->loginWarnings() : QVariantMap();
}

void PeekSingleton::login(const QString &userName, const QString &password, const QStringList &acceptedWarningKeys)
{
    if (m_session)
        m_session->login(userName, password, acceptedWarningKeys);
}

void PeekSingleton::logout()
{
    if (m_session)
        m_session->logout();
}

void PeekSingleton::notify(const QString &plugin, const QString &title, const QString &text, bool sound)
{
    if (m_session)
        m_session->requestNotification(plugin, title, text, sound);
}

void PeekSingleton::openPlugin(const QString &plugin)
{
    if (m_session)
        m_session->requestOpenPlugin(plugin);
}

QString PeekSingleton::defaultDeviceName() const
{
    return QSysInfo::machineHostName();
}

void PeekSingleton::enrolDevice(const QString &name)
{
    if (m_session)
        m_session->enrolDevice(name);
}

QString PeekSingleton::connectionState() const
{
    return m_session ? m_session->connectionState() : QStringLiteral("offline");
}

int PeekSingleton::queuedActions() const
{
    return m_session ? m_session->queuedActions() : 0;
}

int PeekSingleton::failedActions() const
{
    return m_session ? m_session->failedActions() : 0;
}

QString PeekSingleton::mode() const
{
    return m_session ? m_session->mode() : QString();
}

QString PeekSingleton::serverUrl() const
{
    return m_session ? m_session->serverUrl().toString() : QString();
}

QVariantList PeekSingleton::failedActionList() const
{
    QVariantList list;
    if (!m_session || !m_session->actionQueue())
        return list;
    for (const auto &failed : m_session->actionQueue()->failedActions()) {
        list.append(QVariantMap {
            {QStringLiteral("id"), failed.id},
            {QStringLiteral("plugin"), failed.plugin},
            {QStringLiteral("processor"), failed.processorName},
            {QStringLiteral("type"), failed.action ? failed.action->tupleType() : QString()},
            {QStringLiteral("error"), failed.error},
            {QStringLiteral("failedAt"), failed.failedAt.toQDateTime()},
        });
    }
    return list;
}

bool PeekSingleton::retryFailedAction(qint64 id)
{
    return m_session && m_session->actionQueue() && m_session->actionQueue()->retryFailed(id);
}

bool PeekSingleton::discardFailedAction(qint64 id)
{
    return m_session && m_session->actionQueue() && m_session->actionQueue()->discardFailed(id);
}

QDateTime PeekSingleton::lastSyncTime() const
{
    return m_session ? m_session->lastSyncTime() : QDateTime();
}

int PeekSingleton::retryFailedActions()
{
    return m_session ? m_session->retryFailedActions() : 0;
}

int PeekSingleton::discardFailedActions()
{
    return m_session ? m_session->discardFailedActions() : 0;
}

} // namespace peek::app
