#pragma once

#include "base/export.h"
#include "task.h"
#include "taskstore.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <memory>

namespace peek {

class Database;
class TaskNotifier;

// The worker role's side of the task queue: claims tasks it has handlers for, runs them on a
// thread pool and records their outcomes (docs/architecture.md "worker").
//
// Claims take up to (threads + prefetch - tasks held) tasks at once; a claim that filled up is
// followed by another at once, one that came back short waits for the notifier's queued(), a
// local retry timer or, as a safety net, idlePollMs. Outcomes are written in batches; a task
// that failed (threw, timed out, had no handler) is queued again after a backoff that doubles
// per attempt, until its attempts are used up. The leases of held tasks are renewed every
// leaseMs / 3; a run that outlives its timeout is failed (and its flag set: handlers should check
// TaskCall::cancelled(), the thread stays busy until the handler returns).
class PEEK_CORE_EXPORT TaskWorker : public QObject
{
    Q_OBJECT
public:
    // How long a task that failed attempt number `attempt` (1: the first) waits before the next:
    // retryBackoffMs doubling per attempt, at most retryBackoffMaxMs.
    static qint64 backoffMs(int attempt, const TaskSettings &settings);

    TaskWorker(Database *database, TaskNotifier *notifier, TaskSettings settings, QString workerName,
               QObject *parent = nullptr);
    ~TaskWorker() override;

    const QString &name() const { return m_name; }
    int threads() const { return m_threads; }

    // Runs tasks of that name from now on (replacing an earlier handler); main thread.
    void addHandler(const QString &taskName, TaskHandler handler);
    void removeHandler(const QString &taskName);
    QStringList taskNames() const { return m_handlers.keys(); }

    void start();
    // Stops claiming, asks running handlers to stop (TaskCall::cancelled()), waits up to
    // waitMs for them, records what finished and gives the rest back to the queue: tasks held
    // but not started, tasks a claim in flight took, and runs that returned after being asked to
    // stop (their result is discarded, as TaskCall says).
    void stop(int waitMs = 10000);

    // For /health: this worker's threads, tasks held and running, and its counts since start.
    QJsonObject health() const;

private:
    struct Held;
    struct Mailbox;
    // finish() of a batch of outcomes and, in the same round trip, a claim for the free room.
    struct FinishAndClaim
    {
        taskstore::FinishReport report;
        QList<taskstore::ClaimedTask> claimed;
        QString claimError;
    };
    int freeCapacity() const;
    int prefetch() const;
    void claim();
    int beginClaim();
    bool endClaim(const QList<taskstore::ClaimedTask> &claimed, int capacity);
    void dispatch(const taskstore::ClaimedTask &task);
    void onRan(quint64 run, const QString &id, bool ok, bool cancelled, const QByteArray &result,
               const QString &error, qint64 runNs);
    void record(const Held &held, bool ok, const QByteArray &result, const QString &error);
    void flushOutcomes();
    // Counts what a finish() recorded and tells the notifier; returns the soonest retry (-1: none).
    qint64 account(const QList<taskstore::Outcome> &outcomes, const taskstore::FinishReport &report);
    void makePool();
    void renewLeases();
    void watchTimeouts();
    QStringList heldIds() const;

    Database *m_database;
    TaskNotifier *m_notifier;
    TaskSettings m_settings;
    QString m_name;
    int m_threads = 1;
    int m_prefetch = 0;
    QHash<QString, TaskHandler> m_handlers;
    std::unique_ptr<QThreadPool> m_pool;
    std::shared_ptr<Mailbox> m_mailbox;
    QHash<QString, std::shared_ptr<Held>> m_held; // claimed and not yet recorded, by id
    QList<taskstore::Outcome> m_outcomes;     // to record
    QList<taskstore::Outcome> m_recording;    // being recorded
    bool m_running = false;
    bool m_claimBusy = false;
    bool m_claimAgain = false;
    bool m_recordBusy = false;
    // The claim and the finish() in flight: stop() waits for them.
    QFuture<Result<QList<taskstore::ClaimedTask>>> m_claiming;
    QFuture<Result<FinishAndClaim>> m_finishing;
    double m_avgRunUs = -1; // moving average of a run's duration (adaptive prefetch)
    quint64 m_generation = 0; // +1 per stop(): continuations of an earlier generation are dropped
    quint64 m_nextRun = 0;    // tells runs apart (a released task runs again with the same attempt)
    QTimer m_idle;      // safety-net poll
    QTimer m_retryWake; // when the soonest retry this worker recorded is due (claim() leaves it)
    QTimer m_leases;
    QTimer m_watchdog;
    QElapsedTimer m_clock;
    QString m_lastError;
    qint64 m_completed = 0;
    qint64 m_failed = 0;
    qint64 m_retried = 0;
    qint64 m_timedOut = 0;
    qint64 m_stale = 0;
};

} // namespace peek
