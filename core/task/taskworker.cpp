#include "taskworker.h"

#include "vortex/backoff.h"

#include "storage/database.h"
#include "tasknotifier.h"
#include "tuple/jsoncodec.h"
#include "vortex/futurecontext.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QMutex>
#include <QPointer>

Q_LOGGING_CATEGORY(lcTaskWorker, "peek.task.worker")

namespace peek {

namespace {
// A retry wake-up comes this much after the backoff: run_after is the database's clock, whose
// milliseconds are truncated, and a claim a millisecond early would find nothing.
constexpr int kRetrySlackMs = 5;
// Adaptive prefetch: hold about this much work per thread beyond the running task, so trivial
// tasks are claimed in batches and long ones are not hoarded (at least `threads`, as before).
constexpr double kPrefetchWindowUs = 20000;
constexpr int kMaxPrefetch = 64;
} // namespace

// A claimed task while this worker holds it.
struct TaskWorker::Held
{
    taskstore::ClaimedTask task;
    quint64 run = 0; // this worker's number for the run (ids and attempts can repeat)
    std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
    std::shared_ptr<std::atomic<qint64>> startedAtMs = std::make_shared<std::atomic<qint64>>(-1); // worker clock
    bool timedOut = false; // failed by the watchdog; the thread may still be in the handler
};

// How pool threads reach the worker: posts only while the worker lives.
struct TaskWorker::Mailbox
{
    QMutex mutex;
    QPointer<TaskWorker> worker;

    template <typename Fn>
    void post(Fn fn)
    {
        QMutexLocker lock(&mutex);
        if (worker)
            QMetaObject::invokeMethod(worker.data(), std::move(fn), Qt::QueuedConnection);
    }
};

TaskWorker::TaskWorker(Database *database, TaskNotifier *notifier, TaskSettings settings, QString workerName,
                       QObject *parent)
    : QObject(parent), m_database(database), m_notifier(notifier), m_settings(settings),
      m_name(std::move(workerName)), m_mailbox(std::make_shared<Mailbox>())
{
    m_threads = settings.workerThreads > 0 ? settings.workerThreads : std::max(1, QThread::idealThreadCount());
    m_prefetch = settings.workerPrefetch;
    makePool();
    m_mailbox->worker = this;
    m_clock.start();
    m_idle.setSingleShot(true);
    connect(&m_idle, &QTimer::timeout, this, &TaskWorker::claim);
    m_retryWake.setSingleShot(true);
    m_retryWake.setTimerType(Qt::PreciseTimer);
    connect(&m_retryWake, &QTimer::timeout, this, &TaskWorker::claim);
    connect(&m_leases, &QTimer::timeout, this, &TaskWorker::renewLeases);
    connect(&m_watchdog, &QTimer::timeout, this, &TaskWorker::watchTimeouts);
    connect(m_notifier, &TaskNotifier::queued, this, &TaskWorker::claim);
}

TaskWorker::~TaskWorker()
{
    stop();
    QMutexLocker lock(&m_mailbox->mutex);
    m_mailbox->worker = nullptr;
}

void TaskWorker::makePool()
{
    m_pool = std::make_unique<QThreadPool>();
    m_pool->setMaxThreadCount(m_threads);
    m_pool->setExpiryTimeout(-1);
}

void TaskWorker::addHandler(const QString &taskName, TaskHandler handler)
{
    m_handlers.insert(taskName, std::move(handler));
    if (m_running)
        claim();
}

void TaskWorker::removeHandler(const QString &taskName)
{
    m_handlers.remove(taskName);
}

void TaskWorker::start()
{
    if (m_running)
        return;
    m_running = true;
    m_leases.start(std::max(100, m_settings.leaseMs / 3));
    m_watchdog.start(std::clamp(m_settings.timeoutMs / 4, 50, 1000));
    qCInfo(lcTaskWorker).noquote() << "worker" << m_name << "runs" << m_threads << "thread(s) for"
                                   << (m_handlers.isEmpty() ? QStringLiteral("no tasks yet")
                                                            : m_handlers.keys().join(QStringLiteral(", ")));
    claim();
}

qint64 TaskWorker::backoffMs(int attempt, const TaskSettings &settings)
{
    return backoffDelayMs(attempt - 1, settings.retryBackoffMs, settings.retryBackoffMaxMs);
}

int TaskWorker::prefetch() const
{
    if (m_prefetch >= 0)
        return m_prefetch;
    if (m_avgRunUs < 0)
        return m_threads;
    return std::clamp(int(double(m_threads) * kPrefetchWindowUs / std::max(1.0, m_avgRunUs)), m_threads, kMaxPrefetch);
}

int TaskWorker::freeCapacity() const
{
    const int window = m_threads + prefetch();
    const int held = int(m_held.size());
    // While every thread has a task and some wait, refill in batches (half the window).
    if (held > m_threads && window - held < (window + 1) / 2)
        return 0;
    return window - held;
}

void TaskWorker::claim()
{
    if (!m_running)
        return;
    if (m_claimBusy) {
        m_claimAgain = true;
        return;
    }
    const int capacity = beginClaim();
    if (capacity == 0)
        return; // a finished task claims again
    const QStringList names = m_handlers.keys();
    const QString worker = m_name;
    const int lease = m_settings.leaseMs;
    m_claiming = m_database->run([=](QSqlDatabase &db) { return taskstore::claim(db, worker, names, capacity, lease); });
    thenOn(this, m_claiming,
           [this, capacity, generation = m_generation](const Result<QList<taskstore::ClaimedTask>> &claimed) {
               if (generation != m_generation)
                   return; // stop() waited for this claim and gave its tasks back
               m_claiming = {};
               if (!claimed) {
                   m_claimBusy = false;
                   if (m_lastError != claimed.error().message())
                       qCWarning(lcTaskWorker).noquote() << claimed.error() << "; trying again in"
                                                         << m_settings.idlePollMs << "ms";
                   m_lastError = claimed.error().message();
                   m_idle.start(m_settings.idlePollMs);
                   return;
               }
               m_lastError.clear();
               if (endClaim(claimed.value(), capacity))
                   claim();
               else if (!m_idle.isActive())
                   m_idle.start(m_settings.idlePollMs);
           });
}

// Takes the one claim slot when there is room for tasks: returns how many to claim, 0 for none
// now (a claim in flight, no handlers, or the window still full enough).
int TaskWorker::beginClaim()
{
    if (m_claimBusy || m_handlers.isEmpty())
        return 0;
    const int capacity = freeCapacity();
    if (capacity <= 0)
        return 0;
    m_claimBusy = true;
    m_claimAgain = false;
    m_idle.stop();
    return capacity;
}

// A claim came back with `claimed`: frees the slot and runs them. True when more may be waiting
// (the claim filled up, or tasks were announced while it was in flight).
bool TaskWorker::endClaim(const QList<taskstore::ClaimedTask> &claimed, int capacity)
{
    m_claimBusy = false;
    for (const taskstore::ClaimedTask &task : claimed)
        dispatch(task);
    return claimed.size() >= capacity || m_claimAgain;
}

void TaskWorker::dispatch(const taskstore::ClaimedTask &task)
{
    auto held = std::make_shared<Held>();
    held->task = task;
    held->run = ++m_nextRun;
    m_held.insert(task.id, held);
    const TaskHandler handler = m_handlers.value(task.name);
    std::shared_ptr<Mailbox> mailbox = m_mailbox;
    const QElapsedTimer clock = m_clock;
    m_pool->start([task, run = held->run, handler, mailbox, clock, cancel = held->cancel,
                   started = held->startedAtMs] {
        if (cancel->load())
            return; // the worker stopped before this run began: stop() gives the task back
        started->store(clock.elapsed());
        QElapsedTimer runClock;
        runClock.start();
        bool ok = false;
        QByteArray result;
        QString error;
        const Result<Value> args = json::decode(task.args);
        if (!args) {
            error = QStringLiteral("the arguments of task %1 (%2) cannot be read: %3")
                        .arg(task.name, task.id, args.error().message());
        } else if (!handler) {
            error = QStringLiteral("worker has no handler for %1").arg(task.name);
        } else {
            try {
                TaskCall call {task.id, task.name, task.attempt, args.value().toList(), cancel};
                result = json::encode(handler(call));
                ok = true;
            } catch (const std::exception &e) {
                error = QString::fromUtf8(e.what());
            } catch (...) {
                error = QStringLiteral("the handler threw something that is not a std::exception");
            }
        }
        const bool cancelled = cancel->load();
        const qint64 runNs = runClock.nsecsElapsed();
        mailbox->post([run, id = task.id, ok, cancelled, result, error, mailbox, runNs] {
            if (TaskWorker *worker = mailbox->worker)
                worker->onRan(run, id, ok, cancelled, result, error, runNs);
        });
    });
}

void TaskWorker::onRan(quint64 run, const QString &id, bool ok, bool cancelled, const QByteArray &result,
                       const QString &error, qint64 runNs)
{
    const double runUs = double(runNs) / 1000.0;
    m_avgRunUs = m_avgRunUs < 0 ? runUs : 0.9 * m_avgRunUs + 0.1 * runUs;
    auto it = m_held.find(id);
    if (it == m_held.end() || it.value()->run != run)
        return; // a run this worker no longer holds (timed out and claimed again, or left by stop())
    const std::shared_ptr<Held> held = it.value();
    if (cancelled && !held->timedOut && !m_running)
        return; // interrupted by stop(): its result is discarded and stop() gives the task back
    m_held.erase(it);
    if (!held->timedOut) // a timed-out run was recorded by the watchdog
        record(*held, ok, result, error);
    if (!m_recordBusy) // else the finish() in flight, or the next, claims with it
        claim();
}

void TaskWorker::record(const Held &held, bool ok, const QByteArray &result, const QString &error)
{
    taskstore::Outcome outcome;
    outcome.id = held.task.id;
    outcome.attempt = held.task.attempt;
    outcome.ok = ok;
    outcome.result = result;
    if (!ok) {
        outcome.error = QStringLiteral("%1 (attempt %2 of %3 on worker %4)")
                            .arg(error).arg(held.task.attempt).arg(held.task.maxAttempts).arg(m_name);
        if (held.task.attempt < held.task.maxAttempts)
            outcome.retryAfterMs = backoffMs(held.task.attempt, m_settings);
        qCWarning(lcTaskWorker).noquote() << "task" << held.task.name << held.task.id << "failed:" << outcome.error
                                          << (outcome.retryAfterMs >= 0
                                                  ? QStringLiteral("; retrying in %1 ms").arg(outcome.retryAfterMs)
                                                  : QStringLiteral("; no attempts left"));
    }
    m_outcomes << outcome;
    flushOutcomes();
}

void TaskWorker::flushOutcomes()
{
    if (m_recordBusy || m_outcomes.isEmpty() || !m_running)
        return; // (stopping: stop() records them)
    m_recordBusy = true;
    m_recording = std::exchange(m_outcomes, {});
    const QList<taskstore::Outcome> batch = m_recording;
    const QString worker = m_name;
    const int expiry = m_settings.resultExpiryMs;
    // Claim in the same round trip when there is room and no claim is in flight.
    const int capacity = beginClaim();
    const QStringList names = capacity > 0 ? m_handlers.keys() : QStringList();
    const int lease = m_settings.leaseMs;
    m_finishing = m_database->run([=](QSqlDatabase &db) -> Result<FinishAndClaim> {
        FinishAndClaim done;
        auto report = taskstore::finish(db, worker, batch, expiry);
        if (!report)
            return report.error();
        done.report = report.value();
        if (capacity > 0) {
            auto claimed = taskstore::claim(db, worker, names, capacity, lease);
            if (claimed)
                done.claimed = claimed.value();
            else
                done.claimError = claimed.error().message();
        }
        return done;
    });
    thenOn(this, m_finishing,
           [this, capacity, generation = m_generation](const Result<FinishAndClaim> &finished) {
               if (generation != m_generation)
                   return; // stop() waited for it and counted it
               m_recordBusy = false;
               m_finishing = {};
               // Claim again at once when this claim filled up or tasks were announced meanwhile,
               // or when it did not claim at all; an empty queue waits for the notifier.
               bool again = capacity == 0;
               if (capacity > 0) {
                   const bool claimFailed = !finished || !finished.value().claimError.isEmpty();
                   if (finished && claimFailed)
                       qCWarning(lcTaskWorker).noquote() << finished.value().claimError;
                   const bool announced = m_claimAgain;
                   const bool more = endClaim(finished ? finished.value().claimed : QList<taskstore::ClaimedTask>(), capacity);
                   again = announced || (!claimFailed && more);
               }
               const auto claimNext = [this, again] {
                   if (m_recordBusy)
                       return; // the next finish() claims
                   if (again)
                       claim();
                   else if (!m_idle.isActive())
                       m_idle.start(m_settings.idlePollMs);
               };
               const Result<taskstore::FinishReport> report
                   = finished ? Result<taskstore::FinishReport>(finished.value().report)
                              : Result<taskstore::FinishReport>(finished.error());
               if (!report) {
                   // Kept (their leases are renewed meanwhile) and written again shortly.
                   if (m_lastError != report.error().message())
                       qCWarning(lcTaskWorker).noquote() << report.error() << "; trying again";
                   m_lastError = report.error().message();
                   m_outcomes = m_recording + m_outcomes;
                   m_recording.clear();
                   QTimer::singleShot(std::min(1000, m_settings.idlePollMs), this, &TaskWorker::flushOutcomes);
                   claimNext();
                   return;
               }
               m_lastError.clear();
               const qint64 soonestRetry = account(std::exchange(m_recording, {}), report.value());
               // Not m_idle: claim() restarts that one, and a retry would then wait for the poll.
               if (soonestRetry >= 0
                   && (!m_retryWake.isActive() || m_retryWake.remainingTime() > soonestRetry + kRetrySlackMs))
                   m_retryWake.start(int(soonestRetry) + kRetrySlackMs);
               flushOutcomes();
               claimNext();
           });
}

qint64 TaskWorker::account(const QList<taskstore::Outcome> &outcomes, const taskstore::FinishReport &report)
{
    qint64 soonestRetry = -1;
    for (const taskstore::Outcome &o : outcomes) {
        if (report.stale.contains(o.id)) {
            ++m_stale;
            qCWarning(lcTaskWorker).noquote()
                << "task" << o.id << "finished after worker" << m_name
                << "lost its lease (it was given to another worker or failed): outcome dropped";
        } else if (o.ok) {
            ++m_completed;
        } else if (o.retryAfterMs >= 0) {
            ++m_retried;
            soonestRetry = soonestRetry < 0 ? o.retryAfterMs : std::min(soonestRetry, o.retryAfterMs);
        } else {
            ++m_failed;
        }
    }
    m_notifier->announceFinished(report.finished);
    if (!report.retried.isEmpty())
        m_notifier->announceQueued();
    return soonestRetry;
}

QStringList TaskWorker::heldIds() const
{
    QStringList ids;
    for (auto it = m_held.cbegin(); it != m_held.cend(); ++it)
        if (!it.value()->timedOut)
            ids << it.key();
    for (const auto *list : {&m_outcomes, &m_recording})
        for (const taskstore::Outcome &o : *list)
            ids << o.id;
    return ids;
}

void TaskWorker::renewLeases()
{
    const QStringList ids = heldIds();
    if (ids.isEmpty())
        return;
    const QString worker = m_name;
    const int lease = m_settings.leaseMs;
    thenOn(this, m_database->run([=](QSqlDatabase &db) { return taskstore::renewLeases(db, worker, ids, lease); }),
           [this](const Result<int> &renewed) {
               if (!renewed)
                   qCWarning(lcTaskWorker).noquote() << renewed.error();
           });
}

void TaskWorker::watchTimeouts()
{
    const qint64 now = m_clock.elapsed();
    for (const std::shared_ptr<Held> &held : std::as_const(m_held)) {
        const qint64 started = held->startedAtMs->load();
        if (held->timedOut || started < 0 || held->task.timeoutMs <= 0 || now - started <= held->task.timeoutMs)
            continue;
        held->timedOut = true;
        held->cancel->store(true);
        ++m_timedOut;
        record(*held, false, {}, QStringLiteral("timed out after %1 ms").arg(held->task.timeoutMs));
    }
}

void TaskWorker::stop(int waitMs)
{
    if (!m_running)
        return;
    m_running = false;
    ++m_generation; // the claim and finish() in flight are waited for here, not in their continuations
    m_idle.stop();
    m_retryWake.stop();
    m_leases.stop();
    m_watchdog.stop();
    for (const std::shared_ptr<Held> &held : std::as_const(m_held))
        held->cancel->store(true);
    m_pool->clear(); // held but not started: never run, given back below
    if (!m_pool->waitForDone(waitMs)) {
        qCWarning(lcTaskWorker).noquote() << "worker" << m_name << ": task handlers still running after" << waitMs
                                          << "ms; leaving them (their tasks go back to the queue)";
        (void)m_pool.release(); // its threads are stuck in handlers: never wait for them
        makePool();             // for a start() again
    }
    // What finished meanwhile: record it now, on this thread.
    QCoreApplication::sendPostedEvents(this);
    QStringList unfinished;
    for (auto it = m_held.cbegin(); it != m_held.cend(); ++it)
        if (!it.value()->timedOut)
            unfinished << it.key();
    m_held.clear();
    // A claim in flight: what it took was never held; it goes back too.
    if (m_claimBusy && m_claiming.isValid()) {
        try {
            m_claiming.waitForFinished();
            const auto claimed = m_claiming.resultCount() > 0 ? m_claiming.result()
                                                              : Result<QList<taskstore::ClaimedTask>>();
            if (claimed)
                for (const taskstore::ClaimedTask &task : claimed.value())
                    unfinished << task.id;
        } catch (...) {
        }
        m_claimBusy = false;
        m_claimAgain = false;
    }
    m_claimBusy = false;
    m_claimAgain = false;
    m_claiming = {};
    // A finish() in flight: counted when it went through, written again below when it did not.
    QList<taskstore::Outcome> outcomes = std::exchange(m_outcomes, {});
    if (m_recordBusy) {
        bool recorded = false;
        try {
            m_finishing.waitForFinished();
            if (m_finishing.resultCount() > 0) {
                const auto report = m_finishing.result();
                if (report) {
                    account(m_recording, report.value().report);
                    for (const taskstore::ClaimedTask &task : report.value().claimed)
                        unfinished << task.id;
                    recorded = true;
                }
            }
        } catch (...) {
        }
        if (!recorded)
            outcomes = m_recording + outcomes;
        m_recordBusy = false;
    }
    m_finishing = {};
    m_recording.clear();
    const QString worker = m_name;
    const int expiry = m_settings.resultExpiryMs;
    struct Last
    {
        taskstore::FinishReport report;
        int released = 0;
    };
    auto done = m_database->runSync([&](QSqlDatabase &db) -> Result<Last> {
        Last last;
        auto report = taskstore::finish(db, worker, outcomes, expiry);
        if (!report)
            return report.error();
        last.report = report.value();
        auto released = taskstore::release(db, worker, unfinished);
        if (!released)
            return released.error();
        last.released = released.value();
        return last;
    });
    if (!done) {
        qCWarning(lcTaskWorker).noquote() << "worker" << m_name << "could not record its last outcomes:" << done.error()
                                          << "; their tasks run again after their lease";
        return;
    }
    account(outcomes, done.value().report);
    if (done.value().released > 0) {
        qCInfo(lcTaskWorker).noquote() << "worker" << m_name << "gave" << done.value().released
                                       << "unfinished task(s) back to the queue";
        m_notifier->announceQueued();
    }
}

QJsonObject TaskWorker::health() const
{
    int running = 0;
    for (const std::shared_ptr<Held> &held : std::as_const(m_held))
        running += held->startedAtMs->load() >= 0 && !held->timedOut ? 1 : 0;
    QJsonObject health {{QStringLiteral("worker"), m_name},
                        {QStringLiteral("threads"), m_threads},
                        {QStringLiteral("held"), int(m_held.size())},
                        {QStringLiteral("running"), running},
                        {QStringLiteral("completed"), double(m_completed)},
                        {QStringLiteral("failed"), double(m_failed)},
                        {QStringLiteral("retried"), double(m_retried)},
                        {QStringLiteral("timedOut"), double(m_timedOut)},
                        {QStringLiteral("staleOutcomes"), double(m_stale)},
                        {QStringLiteral("tasks"), QJsonArray::fromStringList(m_handlers.keys())}};
    if (!m_lastError.isEmpty())
        health.insert(QStringLiteral("error"), m_lastError);
    return health;
}

} // namespace peek
