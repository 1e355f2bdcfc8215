#include "taskqueue.h"

#include "storage/database.h"
#include "tasknotifier.h"
#include "tuple/jsoncodec.h"
#include "vortex/futurecontext.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QUuid>

Q_LOGGING_CATEGORY(lcTaskQueue, "peek.task.queue")

namespace peek {

TaskQueue::TaskQueue(Database *database, TaskNotifier *notifier, TaskSettings settings, QObject *parent)
    : QObject(parent), m_database(database), m_notifier(notifier), m_settings(settings)
{
    connect(m_notifier, &TaskNotifier::finished, this, &TaskQueue::onFinished);
    connect(&m_maintenance, &QTimer::timeout, this, &TaskQueue::maintain);
}

TaskQueue::~TaskQueue()
{
    stop();
}

void TaskQueue::start()
{
    m_maintenance.start(std::max(100, std::min(m_settings.idlePollMs, m_settings.leaseMs / 2)));
    maintain();
}

void TaskQueue::stop()
{
    m_maintenance.stop();
    // Tasks queued since the last turn of the event loop are written now: a task outlives the
    // queue it was queued on (its id can be asked for after a restart).
    if (!m_toInsert.isEmpty()) {
        const QList<taskstore::NewTask> batch = std::exchange(m_toInsert, {});
        onInserted(batch, m_database->runSync([&](QSqlDatabase &db) { return taskstore::insert(db, batch); }));
    }
    // Whoever still waits is told the queue is gone (the tasks stay queued in the database).
    const auto waiting = std::exchange(m_waiting, {});
    for (const auto &promises : waiting)
        for (const Promise &promise : promises)
            promise->future().cancel();
}

TaskHandle TaskQueue::queue(const Task &task, ValueList args)
{
    taskstore::NewTask row;
    row.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    row.name = task.name();
    row.args = json::encode(Value(std::move(args)));
    row.maxAttempts = std::max(1, task.options().maxAttempts > 0 ? task.options().maxAttempts : m_settings.maxAttempts);
    row.timeoutMs = task.options().timeoutMs > 0 ? task.options().timeoutMs : m_settings.timeoutMs;
    auto promise = std::make_shared<QPromise<Value>>();
    promise->start();
    auto stored = std::make_shared<QPromise<void>>();
    stored->start();
    m_storing.insert(row.id, stored);
    TaskHandle handle {row.id, promise->future(), stored->future()};
    waitFor(row.id, promise);
    m_inserting.insert(row.id);
    m_toInsert << row;
    ++m_queuedTotal;
    if (!m_insertBusy && !m_insertPosted) {
        m_insertPosted = true;
        QMetaObject::invokeMethod(this, &TaskQueue::flushInserts, Qt::QueuedConnection);
    }
    return handle;
}

QFuture<Value> TaskQueue::result(const QString &id)
{
    auto promise = std::make_shared<QPromise<Value>>();
    promise->start();
    QFuture<Value> future = promise->future();
    waitFor(id, promise);
    if (!m_inserting.contains(id)) {
        m_toFetch.insert(id);
        if (!m_fetchBusy && !m_fetchPosted) {
            m_fetchPosted = true;
            QMetaObject::invokeMethod(this, &TaskQueue::fetch, Qt::QueuedConnection);
        }
    }
    return future;
}

void TaskQueue::waitFor(const QString &id, const Promise &promise)
{
    m_waiting[id].push_back(promise);
}

void TaskQueue::flushInserts()
{
    m_insertPosted = false;
    if (m_insertBusy || m_toInsert.isEmpty())
        return;
    m_insertBusy = true;
    QList<taskstore::NewTask> batch = std::exchange(m_toInsert, {});
    thenOn(this, m_database->run([batch](QSqlDatabase &db) { return taskstore::insert(db, batch); }),
           [this, batch](const Result<void> &inserted) {
               m_insertBusy = false;
               onInserted(batch, inserted);
               flushInserts();
           });
}

void TaskQueue::onInserted(const QList<taskstore::NewTask> &batch, const Result<void> &inserted)
{
    if (!inserted)
        qCWarning(lcTaskQueue).noquote() << inserted.error();
    else
        qCDebug(lcTaskQueue) << "queued" << batch.size() << "task(s)";
    for (const taskstore::NewTask &task : batch) {
        m_inserting.remove(task.id);
        const auto stored = m_storing.take(task.id);
        if (!inserted) {
            const QString error = QStringLiteral("task %1 (%2) could not be queued: %3")
                                      .arg(task.name, task.id, inserted.error().message());
            if (stored)
                stored->setException(std::make_exception_ptr(TaskError(error)));
            fail(task.id, error);
        }
        if (stored)
            stored->finish();
    }
    if (inserted)
        m_notifier->announceQueued();
}

void TaskQueue::onFinished(const QStringList &ids)
{
    bool any = false;
    if (ids.isEmpty()) { // "look at everything": a notification may have been missed
        for (auto it = m_waiting.cbegin(); it != m_waiting.cend(); ++it)
            if (!m_inserting.contains(it.key()))
                any = true, m_toFetch.insert(it.key());
    } else {
        for (const QString &id : ids)
            if (m_waiting.contains(id))
                any = true, m_toFetch.insert(id);
    }
    if (any)
        fetch();
}

void TaskQueue::fetch()
{
    m_fetchPosted = false;
    if (m_fetchBusy || m_toFetch.isEmpty())
        return;
    m_fetchBusy = true;
    const QStringList batch(m_toFetch.cbegin(), m_toFetch.cend());
    m_toFetch.clear();
    thenOn(this, m_database->run([batch](QSqlDatabase &db) { return taskstore::states(db, batch); }),
           [this, batch](const Result<QHash<QString, taskstore::TaskState>> &states) {
               m_fetchBusy = false;
               if (!states) {
                   // Asked again by the next notification or maintenance pass.
                   qCWarning(lcTaskQueue).noquote() << states.error();
                   m_lastError = states.error().message();
               } else {
                   for (const QString &id : batch) {
                       auto it = states.value().constFind(id);
                       complete(id, it == states.value().cend() ? nullptr : &it.value());
                   }
               }
               fetch();
           });
}

void TaskQueue::complete(const QString &id, const taskstore::TaskState *state)
{
    if (!state) {
        fail(id, QStringLiteral("task %1 is not known: its result expired (tasks.resultExpirySeconds) or it was "
                                "never queued").arg(id));
        return;
    }
    if (state->state == QLatin1String("failed")) {
        fail(id, state->error.isEmpty() ? QStringLiteral("task %1 failed").arg(id) : state->error);
        return;
    }
    if (state->state != QLatin1String("done"))
        return; // still queued or running: wait for it
    const Result<Value> decoded = json::decode(state->result);
    if (!decoded) {
        fail(id, QStringLiteral("the result of task %1 cannot be read: %2").arg(id, decoded.error().message()));
        return;
    }
    const Value &result = decoded.value();
    const auto promises = m_waiting.take(id);
    for (const Promise &promise : promises) {
        promise->addResult(result);
        promise->finish();
    }
}

void TaskQueue::fail(const QString &id, const QString &error)
{
    const auto promises = m_waiting.take(id);
    for (const Promise &promise : promises) {
        promise->setException(std::make_exception_ptr(TaskError(error)));
        promise->finish();
    }
}

void TaskQueue::maintain()
{
    if (m_maintaining)
        return;
    m_maintaining = true;
    const int expiry = m_settings.resultExpiryMs;
    struct Pass
    {
        taskstore::RecoveryReport recovered;
        int deleted = 0;
        taskstore::Stats stats;
    };
    thenOn(this, m_database->run([expiry](QSqlDatabase &db) -> Result<Pass> {
        Pass pass;
        auto recovered = taskstore::recoverExpiredLeases(db, expiry);
        if (!recovered)
            return recovered.error();
        pass.recovered = recovered.value();
        auto deleted = taskstore::deleteExpired(db);
        if (!deleted)
            return deleted.error();
        pass.deleted = deleted.value();
        auto stats = taskstore::stats(db);
        if (!stats)
            return stats.error();
        pass.stats = stats.value();
        return pass;
    }), [this](const Result<Pass> &pass) {
        m_maintaining = false;
        if (!pass) {
            if (m_lastError != pass.error().message())
                qCWarning(lcTaskQueue).noquote() << pass.error();
            m_lastError = pass.error().message();
            return;
        }
        m_lastError.clear();
        const Pass &p = pass.value();
        if (p.recovered.requeued > 0)
            qCWarning(lcTaskQueue).noquote() << p.recovered.requeued
                                             << "task(s) of a worker that stopped answering were queued again";
        if (!p.recovered.failed.isEmpty())
            qCWarning(lcTaskQueue).noquote() << p.recovered.failed.size()
                                             << "task(s) failed: their worker stopped answering on their last attempt";
        if (p.deleted > 0)
            qCDebug(lcTaskQueue) << "deleted" << p.deleted << "expired task result(s)";
        if (p.recovered.requeued > 0)
            m_notifier->announceQueued();
        m_notifier->announceFinished(p.recovered.failed);
        m_stats = p.stats;
        m_haveStats = true;
        // Safety net: whatever is still waited for is looked at once per pass.
        onFinished({});
    });
}

QJsonObject TaskQueue::health() const
{
    QJsonObject counts;
    for (auto it = m_stats.byState.cbegin(); it != m_stats.byState.cend(); ++it)
        counts.insert(it.key(), it.value());
    QJsonArray workers;
    for (auto it = m_stats.byWorker.cbegin(); it != m_stats.byWorker.cend(); ++it)
        workers.append(QJsonObject {{QStringLiteral("worker"), it.key()},
                                    {QStringLiteral("running"), it->running},
                                    {QStringLiteral("done"), it->done},
                                    {QStringLiteral("failed"), it->failed}});
    int waiting = 0;
    for (const auto &promises : m_waiting)
        waiting += int(promises.size());
    QJsonObject health {{QStringLiteral("tasks"), counts},
                        {QStringLiteral("workers"), workers},
                        {QStringLiteral("callersWaiting"), waiting},
                        {QStringLiteral("queuedSinceStart"), double(m_queuedTotal)},
                        {QStringLiteral("oldestQueuedAgeMs"), double(m_stats.oldestQueuedAgeMs)}};
    if (!m_lastError.isEmpty())
        health.insert(QStringLiteral("error"), m_lastError);
    return health;
}

Result<QMap<QString, QMap<QString, int>>> TaskQueue::countsByName() const
{
    return m_database->runSync([](QSqlDatabase &db) { return taskstore::countsByName(db); });
}

Result<QList<taskstore::FailedTask>> TaskQueue::failedTasks(int limit) const
{
    return m_database->runSync([limit](QSqlDatabase &db) { return taskstore::failedTasks(db, limit); });
}

Result<bool> TaskQueue::retry(const QString &id)
{
    auto retried = m_database->runSync([&id](QSqlDatabase &db) { return taskstore::retryFailed(db, id); });
    if (retried && retried.value() && m_notifier)
        m_notifier->announceQueued(); // the workers claim it (PostgreSQL heard it from the database)
    return retried;
}

} // namespace peek
