#include "peeksingleton.h"

#include "session.h"

namespace peek::app {

PeekSingleton::PeekSingleton(QObject *parent) : QObject(parent)
{
    connect(SessionNotifier::instance(), &SessionNotifier::currentSessionChanged, this,
            &PeekSingleton::attach);
    attach();
}

void PeekSingleton::attach()
{
    for (const auto &c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
    m_session = Session::current();
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
                      << connect(s, &QObject::destroyed, this, &PeekSingleton::attach);
    }
    Q_EMIT sessionChanged();
    Q_EMIT connectionStateChanged();
    Q_EMIT queuedActionsChanged();
    Q_EMIT failedActionsChanged();
    Q_EMIT lastSyncTimeChanged();
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
