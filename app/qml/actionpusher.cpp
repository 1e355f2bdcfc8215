#include "actionpusher.h"

#include "session.h"

#include <QQmlEngine>
#include "variantvalue.h"

namespace peek::app {

ActionPusher::ActionPusher(QObject *parent) : ActionTarget(parent)
{
}

bool ActionPusher::push(const QString &tupleType, const QVariantMap &fields)
{
    Session *session = Session::ofEngine(qmlEngine(this));
    if (!session)
        return fail(
            QStringLiteral("cannot push %1: no session (the app sets one before it loads QML)")
                .arg(tupleType));
    if (plugin().isEmpty())
        return fail(
            QStringLiteral("cannot push %1: set the ActionPusher's plugin first").arg(tupleType));
    if (tupleType.isEmpty())
        return fail(
            QStringLiteral("cannot push an action without a tuple type to %1").arg(processor()));
    if (auto queued = session->pushAction(plugin(), processor(),
                                          std::make_shared<GenericTuple>(tupleType, dictFromQml(fields)));
        !queued) {
        const QString why = queued.error().message();
        return fail(why.isEmpty() ? QStringLiteral("cannot queue %1").arg(tupleType) : why);
    }
    if (!m_error.isEmpty()) {
        m_error.clear();
        Q_EMIT errorChanged();
    }
    return true;
}

bool ActionPusher::fail(const QString &error)
{
    if (m_error != error) {
        m_error = error;
        Q_EMIT errorChanged();
    }
    return false;
}

} // namespace peek::app
