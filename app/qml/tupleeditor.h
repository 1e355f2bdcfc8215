#pragma once

#include "actiontarget.h"

#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

namespace peek::app {

// Adds, changes and deletes rows of one of a plugin's tuple types at the service, for table
// editors (TableEditor.qml; logic applies them with acceptTableEdits, docs/plugins.md "Table
// editors"):
//
//   TupleEditor { id: edits; plugin: "my_plugin"; tupleName: "my_plugin.ItemTuple" }
//   edits.add({name: "new"}); edits.change(row, {name: "renamed"}); edits.remove(row)
//
// Each call sends one vortex.TupleUpdateAction now (not through the offline queue: an editor
// wants the service's answer — a refusal, a row changed meanwhile — while the user is there) and
// says the outcome with finished(). One edit at a time: a call while `busy` is refused.
class TupleEditor : public peek::app::ActionTarget {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString tupleName READ tupleName WRITE setTupleName NOTIFY tupleNameChanged)
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    // Why the last edit failed; "" after one that was applied (or while one is under way).
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    // How long to wait for the service's answer.
    Q_PROPERTY(int timeoutMs READ timeoutMs WRITE setTimeoutMs NOTIFY timeoutMsChanged)
public:
    explicit TupleEditor(QObject *parent = nullptr);

    QString tupleName() const { return m_tupleName; }
    void setTupleName(const QString &tupleName);
    bool busy() const { return m_busy; }
    QString error() const { return m_error; }
    int timeoutMs() const { return m_timeoutMs; }
    void setTimeoutMs(int timeoutMs);

    // A new row with these fields. False (with `error`) when it could not be sent.
    Q_INVOKABLE bool add(const QVariantMap &fields);
    // The row `row` (as the view showed it: TupleObserver.get) with `fields` set.
    Q_INVOKABLE bool change(const QVariantMap &row, const QVariantMap &fields);
    // Deletes the row `row` (as the view showed it).
    Q_INVOKABLE bool remove(const QVariantMap &row);

Q_SIGNALS:
    void tupleNameChanged();
    void busyChanged();
    void errorChanged();
    void timeoutMsChanged();
    // The service's answer: ok, else what failed. rows: the added or changed rows as stored.
    void finished(bool ok, const QString &error, const QVariantList &rows);

private:
    bool send(const QVariant &oldRow, const QVariant &newRow);
    void setBusy(bool busy);
    void setError(const QString &error);

    QString m_tupleName;
    QString m_error;
    bool m_busy = false;
    int m_timeoutMs = 30000;
};

} // namespace peek::app
