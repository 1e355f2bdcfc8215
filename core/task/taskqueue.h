#pragma once

#include "base/export.h"
#include "task.h"
#include "taskstore.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPromise>
#include <QSet>
#include <QTimer>

#include <memory>
#include <vector>

namespace peek {

class Database;
class TaskNotifier;

// Logic's side of the task queue: queues tasks in the database and hands their results back to
// whoever waits (docs/architecture.md "worker").
//
// Tasks queued in the same turn of the event loop (and while an insert is in flight) go in one
// transaction. The results come back when the notifier says tasks finished (never by polling in
// a loop): the finished ids somebody waits for are read in one query and their futures complete.
// A maintenance pass every min(idlePollMs, leaseMs / 2) recovers the tasks of vanished workers
// (lease expired: queued again, or failed on their last attempt), deletes expired results,
// refreshes the figures of /health and, as a safety net, looks at every task still waited for.
// Everything runs on the thread of the queue (logic's).
class PEEK_CORE_EXPORT TaskQueue : public QObject
{
    Q_OBJECT
public:
    TaskQueue(Database *database, TaskNotifier *notifier, TaskSettings settings, QObject *parent = nullptr);
    ~TaskQueue() override;

    // Queues a run of `task` with `args`. The handle's future completes with the result, or fails
    // with TaskError once every attempt failed (or when the task cannot be queued).
    TaskHandle queue(const Task &task, ValueList args);
    // The result of a task queued earlier (by this process or before a restart): completes when
    // it finishes, at once when it already has; fails with TaskError when it is not known (its
    // result expired, or it was never queued).
    QFuture<Value> result(const QString &id);

    // Starts the maintenance pass.
    void start();
    // Stops it: tasks queued but not yet written are written now (they outlive the queue);
    // futures still waiting are cancelled.
    void stop();

    // For /health: counts by state, callers waiting, and per worker running/done/failed.
    QJsonObject health() const;

    // For the administration (on the calling thread; rare): tasks by name and state, the newest
    // failed ones, and a failed one queued again (false: no failed task has that id).
    Result<QMap<QString, QMap<QString, int>>> countsByName() const;
    Result<QList<taskstore::FailedTask>> failedTasks(int limit) const;
    Result<bool> retry(const QString &id);

private:
    using Promise = std::shared_ptr<QPromise<Value>>;
    void waitFor(const QString &id, const Promise &promise);
    void flushInserts();
    void onInserted(const QList<taskstore::NewTask> &batch, const Result<void> &inserted);
    void onFinished(const QStringList &ids);
    void fetch();
    void complete(const QString &id, const taskstore::TaskState *state);
    void fail(const QString &id, const QString &error);
    void maintain();

    Database *m_database;
    TaskNotifier *m_notifier;
    TaskSettings m_settings;
    QHash<QString, std::vector<Promise>> m_waiting; // by task id
    QList<taskstore::NewTask> m_toInsert;
    QHash<QString, std::shared_ptr<QPromise<void>>> m_storing; // by id: completes when inserted
    QSet<QString> m_inserting; // ids in m_toInsert or in the insert in flight
    bool m_insertBusy = false;
    bool m_insertPosted = false;
    QSet<QString> m_toFetch;
    bool m_fetchBusy = false;
    bool m_fetchPosted = false;
    bool m_maintaining = false;
    QTimer m_maintenance;
    taskstore::Stats m_stats;
    bool m_haveStats = false;
    QString m_lastError;
    qint64 m_queuedTotal = 0;
};

} // namespace peek
