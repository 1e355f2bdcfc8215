#pragma once
// The task queue's table and its SQL, shared by SQLite and PostgreSQL: every function runs one
// step on a connection handed in by Database::run()/runSync(). Times are the database's clock in
// milliseconds since the epoch (so workers on other machines agree on leases).
//
// peek_task: id (a UUID), name, args (Vortex JSON of the argument list), state
// (queued -> running -> done | failed; back to queued for a retry or a lost worker), attempts,
// max_attempts, timeout_ms, queued_at, run_after (not before: retry backoff), lease_until,
// worker (who holds or last ran it), started_at, finished_at, expires_at, result (Vortex JSON),
// error.
//
// On PostgreSQL, a claim takes rows FOR UPDATE SKIP LOCKED (workers never wait for each other
// or take the same task), and every change a waiting party cares about sends a notification in
// the same transaction (delivered only when it commits): kQueuedChannel when tasks become ready,
// kFinishedChannel with the ids that finished for good. On SQLite one process owns the file and
// the caller announces the same through TaskNotifier after the transaction.

#include "base/export.h"
#include "storage/migrations.h"
#include "base/result.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

class QSqlDatabase;

namespace peek::taskstore {

inline constexpr char kQueuedChannel[] = "peek_task_queued";
inline constexpr char kFinishedChannel[] = "peek_task_finished";

// The platform migration that creates the table (main schema, set "peek_task").
PEEK_CORE_EXPORT MigrationSet migrations();

struct NewTask
{
    QString id;
    QString name;
    QByteArray args; // Vortex JSON of the argument list
    int maxAttempts = 1;
    int timeoutMs = 0;
};
// Queues tasks (one transaction; announces them on PostgreSQL).
PEEK_CORE_EXPORT Result<void> insert(QSqlDatabase &db, const QList<NewTask> &tasks);

struct ClaimedTask
{
    QString id;
    QString name;
    QByteArray args;
    int attempt = 1;
    int maxAttempts = 1;
    int timeoutMs = 0;
    qint64 queuedAt = 0;
    qint64 startedAt = 0;
};
// Claims up to `limit` ready tasks whose name is in `names` for `worker`, oldest first, with a
// lease of leaseMs.
PEEK_CORE_EXPORT Result<QList<ClaimedTask>> claim(QSqlDatabase &db, const QString &worker, const QStringList &names,
                                        int limit, int leaseMs);

// How one run ended.
struct Outcome
{
    QString id;
    int attempt = 1;         // the attempt that ran (a stale run of an earlier attempt is ignored)
    bool ok = false;
    QByteArray result;       // ok: Vortex JSON of the result
    QString error;           // !ok: why
    qint64 retryAfterMs = -1; // !ok: >= 0 queues it again after this long; < 0 fails it for good
};
struct FinishReport
{
    QStringList finished; // done or failed for good
    QStringList retried;  // queued again
    QStringList stale;    // no longer this worker's (lease lost): the outcome was dropped
};
// Records outcomes of `worker`'s runs (one transaction). An outcome counts only while the task
// is still running under that worker and attempt.
PEEK_CORE_EXPORT Result<FinishReport> finish(QSqlDatabase &db, const QString &worker, const QList<Outcome> &outcomes,
                                   int resultExpiryMs);

// Extends the leases of the tasks `worker` holds; returns how many.
PEEK_CORE_EXPORT Result<int> renewLeases(QSqlDatabase &db, const QString &worker, const QStringList &ids, int leaseMs);

struct RecoveryReport
{
    int requeued = 0;         // lease expired, attempts left: ready again
    QStringList failed;       // lease expired on the last attempt: failed for good
};
// Tasks whose worker vanished (lease expired): queued again, or failed when no attempt is left.
PEEK_CORE_EXPORT Result<RecoveryReport> recoverExpiredLeases(QSqlDatabase &db, int resultExpiryMs);

struct TaskState
{
    QString id;
    QString state; // queued, running, done, failed
    QByteArray result;
    QString error;
    int attempts = 0;
    QString worker;
};
// The state of each id found (finished or not); ids not in the table are absent.
PEEK_CORE_EXPORT Result<QHash<QString, TaskState>> states(QSqlDatabase &db, const QStringList &ids);

// Deletes finished tasks whose results have expired; returns how many.
PEEK_CORE_EXPORT Result<int> deleteExpired(QSqlDatabase &db);

// Gives tasks `worker` holds but will not finish (it is stopping) back to the queue at once;
// the interrupted attempt does not count. Returns how many.
PEEK_CORE_EXPORT Result<int> release(QSqlDatabase &db, const QString &worker, const QStringList &ids);

struct Stats
{
    QMap<QString, int> byState; // queued, running, done, failed
    struct Worker
    {
        int running = 0;
        int done = 0;
        int failed = 0;
    };
    QMap<QString, Worker> byWorker;
    qint64 oldestQueuedAgeMs = 0; // how long the longest-waiting queued task has waited (0: none queued)
};
PEEK_CORE_EXPORT Result<Stats> stats(QSqlDatabase &db);

// For the administration: the tasks in the table by name and state ({name: {state: count}}).
PEEK_CORE_EXPORT Result<QMap<QString, QMap<QString, int>>> countsByName(QSqlDatabase &db);

struct FailedTask
{
    QString id;
    QString name;
    int attempts = 0;
    QString worker;
    qint64 finishedAt = 0;
    QString error;
};
// The newest `limit` tasks that failed for good (until their results expire).
PEEK_CORE_EXPORT Result<QList<FailedTask>> failedTasks(QSqlDatabase &db, int limit);
// Queues a failed task again, its attempts counted anew; false when `id` is not a failed task.
// Announces it on PostgreSQL (the caller announces on SQLite).
PEEK_CORE_EXPORT Result<bool> retryFailed(QSqlDatabase &db, const QString &id);

} // namespace peek::taskstore
