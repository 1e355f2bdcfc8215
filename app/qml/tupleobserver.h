#pragma once

#include "tuple/tupleselector.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QQmlParserStatus>
#include <QtQml/qqmlregistration.h>

namespace peek {
class TupleSubscription;
}

namespace peek::app {

// A list model of the tuples one selector names, for plugin views:
//
//   TupleObserver { id: items; plugin: "my_plugin"; tupleName: "my_plugin.Item"; selector: {zone:
//   3} } ListView { model: items; delegate: Text { text: model.name } }
//
// Served from the offline cache first, then live from the service. Roles: `tuple` (the whole
// tuple as a map) and one role per field name. Re-subscribes when a property changes.
class TupleObserver : public QAbstractListModel, public QQmlParserStatus {
    Q_OBJECT
    Q_INTERFACES(QQmlParserStatus)
    QML_ELEMENT
    Q_PROPERTY(QString plugin READ plugin WRITE setPlugin NOTIFY pluginChanged)
    // The observable's name; defaults to the plugin's name. Assign "" to go back to the default.
    Q_PROPERTY(QString observable READ observable WRITE setObservable NOTIFY observableChanged)
    Q_PROPERTY(QString tupleName READ tupleName WRITE setTupleName NOTIFY tupleNameChanged)
    Q_PROPERTY(QVariantMap selector READ selector WRITE setSelector NOTIFY selectorChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    // Goes up with every update of the tuples: a binding on get(row) depends on it.
    Q_PROPERTY(int revision READ revision NOTIFY revisionChanged)
    // True while the rows come from the offline cache and fresh data has not arrived yet.
    Q_PROPERTY(bool fromCache READ fromCache NOTIFY fromCacheChanged)
    // The last error: from the service, or why there is no subscription (no session, no plugin).
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
public:
    enum Roles { TupleRole = Qt::UserRole + 1, FirstFieldRole };

    explicit TupleObserver(QObject *parent = nullptr);
    ~TupleObserver() override;

    QString plugin() const { return m_plugin; }
    void setPlugin(const QString &plugin);
    QString observable() const { return m_observable.isEmpty() ? m_plugin : m_observable; }
    void setObservable(const QString &observable);
    QString tupleName() const { return m_tupleName; }
    void setTupleName(const QString &tupleName);
    QVariantMap selector() const { return m_selector; }
    void setSelector(const QVariantMap &selector);
    int count() const { return int(m_tuples.size()); }
    int revision() const { return m_revision; }
    bool fromCache() const { return m_fromCache; }
    QString error() const { return m_error; }

    // Row `row` as a map of its fields plus "_type" (the `tuple` role); empty if out of range.
    Q_INVOKABLE QVariantMap get(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void classBegin() override;
    void componentComplete() override;

Q_SIGNALS:
    void pluginChanged();
    void observableChanged();
    void tupleNameChanged();
    void selectorChanged();
    void countChanged();
    void revisionChanged();
    void fromCacheChanged();
    void errorChanged();

private:
    int m_revision = 0;
    void resubscribe();
    void takeTuples();
    void setError(const QString &error);

    QString m_plugin;
    QString m_observable;
    QString m_tupleName;
    QVariantMap m_selector;
    bool m_complete = true; // false between classBegin and componentComplete
    bool m_fromCache = false;
    QString m_error;
    QPointer<TupleSubscription> m_subscription;
    std::vector<TuplePtr> m_tuples;
    QStringList m_fields; // role FirstFieldRole + i is m_fields[i]; only ever grows
};

} // namespace peek::app
