#include "tupleeditor.h"

#include "session.h"
#include "variantvalue.h"

#include "action/tupleactionprocessor.h"
#include "action/tupleactions.h"
#include "vortex/futurecontext.h"

#include <QQmlEngine>

namespace peek::app {

TupleEditor::TupleEditor(QObject *parent) : ActionTarget(parent)
{
}

void TupleEditor::setTupleName(const QString &tupleName)
{
    if (m_tupleName == tupleName)
        return;
    m_tupleName = tupleName;
    Q_EMIT tupleNameChanged();
}

void TupleEditor::setTimeoutMs(int timeoutMs)
{
    if (m_timeoutMs == timeoutMs || timeoutMs <= 0)
        return;
    m_timeoutMs = timeoutMs;
    Q_EMIT timeoutMsChanged();
}

bool TupleEditor::add(const QVariantMap &fields)
{
    return send(QVariant(), fields);
}

bool TupleEditor::change(const QVariantMap &row, const QVariantMap &fields)
{
    return send(row, fields);
}

bool TupleEditor::remove(const QVariantMap &row)
{
    return send(row, QVariant());
}

bool TupleEditor::send(const QVariant &oldRow, const QVariant &newRow)
{
    Session *session = Session::ofEngine(qmlEngine(this));
    QString refused;
    if (m_busy)
        refused = tr("Another change of %1 is still under way.").arg(m_tupleName);
    else if (!session || !session->vortex())
        refused = tr("Cannot edit %1: the app has no connection to a service.").arg(m_tupleName);
    else if (plugin().isEmpty() || m_tupleName.isEmpty())
        refused = tr("Cannot edit: set the editor's plugin and tupleName first.");
    else if (!session->vortex()->isConnectedTo(session->serviceVortexName()))
        refused = tr("Cannot edit %1 offline: the service cannot be reached.").arg(m_tupleName);
    if (!refused.isEmpty()) {
        setError(refused);
        return false;
    }
    const auto asValue = [](const QVariant &row) {
        if (!row.isValid())
            return Value();
        Dict fields = dictFromQml(row.toMap());
        Dict out;
        for (const auto &[name, value] : fields)
            if (name != QLatin1String("_type"))
                out.append(name, value);
        return Value(out);
    };
    auto action = std::make_shared<TupleUpdateAction>();
    action->tupleSelector = std::make_shared<TupleSelector>(m_tupleName);
    action->tupleChanges.push_back(Value(Dict {{QStringLiteral("old"), asValue(oldRow)}, {QStringLiteral("new"), asValue(newRow)}}));
    action::stamp(*action);
    setError({});
    setBusy(true);
    QFuture<std::vector<TuplePtr>> answer
        = pushAction(session->vortex(), plugin(), processor(), action, session->serviceVortexName(), m_timeoutMs);
    onFinished(this, answer, [this](QFuture<std::vector<TuplePtr>> done) {
        setBusy(false);
        auto result = resultOf(done, tr("the connection closed before the service answered"));
        if (!result) {
            setError(result.error().message());
            Q_EMIT finished(false, m_error, {});
            return;
        }
        QVariantList rows;
        for (const TuplePtr &row : result.value())
            rows << Value(row).toVariant();
        Q_EMIT finished(true, {}, rows);
    });
    return true;
}

void TupleEditor::setBusy(bool busy)
{
    if (m_busy == busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged();
}

void TupleEditor::setError(const QString &error)
{
    if (m_error == error)
        return;
    m_error = error;
    Q_EMIT errorChanged();
}

} // namespace peek::app
