#include "tupleobserver.h"

#include "session.h"

#include <QQmlEngine>
#include "variantvalue.h"

namespace peek::app {

TupleObserver::TupleObserver(QObject *parent) : QAbstractListModel(parent)
{
    connect(SessionNotifier::instance(), &SessionNotifier::currentSessionChanged, this,
            &TupleObserver::resubscribe);
}

TupleObserver::~TupleObserver()
{
    delete m_subscription.data();
}

void TupleObserver::setPlugin(const QString &plugin)
{
    if (m_plugin == plugin)
        return;
    const QString before = observable();
    m_plugin = plugin;
    Q_EMIT pluginChanged();
    if (observable() != before)
        Q_EMIT observableChanged();
    resubscribe();
}

void TupleObserver::setObservable(const QString &observableName)
{
    if (m_observable == observableName)
        return;
    const QString before = observable();
    m_observable = observableName;
    if (observable() != before) {
        Q_EMIT observableChanged();
        resubscribe();
    }
}

void TupleObserver::setTupleName(const QString &tupleName)
{
    if (m_tupleName == tupleName)
        return;
    m_tupleName = tupleName;
    Q_EMIT tupleNameChanged();
    resubscribe();
}

void TupleObserver::setSelector(const QVariantMap &selector)
{
    if (m_selector == selector)
        return;
    m_selector = selector;
    Q_EMIT selectorChanged();
    resubscribe();
}

void TupleObserver::classBegin()
{
    m_complete = false;
}

void TupleObserver::componentComplete()
{
    m_complete = true;
    resubscribe();
}

void TupleObserver::resubscribe()
{
    if (!m_complete)
        return;
    delete m_subscription.data();
    Session *session = Session::ofEngine(qmlEngine(this));
    QString why;
    if (!session)
        why = QStringLiteral("no session: the app sets one before it loads QML");
    else if (m_plugin.isEmpty() || m_tupleName.isEmpty())
        why = QStringLiteral("set plugin and tupleName to observe tuples");
    else if (!(m_subscription
               = session->subscribe(m_plugin, observable(),
                                    TupleSelector(m_tupleName, dictFromQml(m_selector)), this)))
        why = session->errorString();
    setError(why);
    if (m_subscription) {
        connect(m_subscription, &TupleSubscription::tuplesChanged, this,
                &TupleObserver::takeTuples);
        connect(m_subscription, &TupleSubscription::errorReceived, this, &TupleObserver::setError);
    }
    takeTuples(); // cached tuples are there at once; without a subscription this empties the model
}

void TupleObserver::takeTuples()
{
    std::vector<TuplePtr> tuples;
    if (m_subscription) {
        for (const auto &t : m_subscription->tuples())
            if (t)
                tuples.push_back(t);
    }
    bool newFields = false;
    for (const auto &t : tuples) {
        for (const auto &name : t->fieldNames()) {
            // "tuple" is the whole-tuple role; such a field is read as model.tuple.tuple.
            if (name != QLatin1String("tuple") && !m_fields.contains(name)) {
                m_fields.append(name);
                newFields = true;
            }
        }
    }
    const int before = count();
    if (!newFields && size_t(before) == tuples.size()) {
        m_tuples = std::move(tuples);
        if (before > 0)
            Q_EMIT dataChanged(index(0), index(before - 1));
    } else {
        // New roles or another row count: views read the roles again after a reset.
        beginResetModel();
        m_tuples = std::move(tuples);
        endResetModel();
    }
    if (count() != before)
        Q_EMIT countChanged();
    ++m_revision;
    Q_EMIT revisionChanged();
    const bool cached = m_subscription && m_subscription->isFromCache();
    if (cached != m_fromCache) {
        m_fromCache = cached;
        Q_EMIT fromCacheChanged();
    }
    if (m_subscription && m_subscription->hasData() && !m_subscription->lastError().isEmpty())
        setError(m_subscription->lastError());
}

void TupleObserver::setError(const QString &error)
{
    if (m_error == error)
        return;
    m_error = error;
    Q_EMIT errorChanged();
}

QVariantMap TupleObserver::get(int row) const
{
    if (row < 0 || row >= count())
        return {};
    return Value(m_tuples[size_t(row)]).toVariant().toMap(); // the fields, and "_type"
}

int TupleObserver::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : count();
}

QVariant TupleObserver::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= count())
        return {};
    const auto &tuple = m_tuples[size_t(index.row())];
    if (role == TupleRole)
        return get(index.row());
    const int field = role - FirstFieldRole;
    if (field >= 0 && field < m_fields.size())
        return tuple->field(m_fields[field]).toVariant();
    return {};
}

QHash<int, QByteArray> TupleObserver::roleNames() const
{
    QHash<int, QByteArray> roles {{TupleRole, QByteArrayLiteral("tuple")}};
    for (int i = 0; i < m_fields.size(); ++i)
        roles.insert(FirstFieldRole + i, m_fields[i].toUtf8());
    return roles;
}

} // namespace peek::app
