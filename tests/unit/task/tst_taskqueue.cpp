// The durable task queue, end to end on both backends: TaskQueue queues and hands results back,
// TaskWorker claims and runs, TaskNotifier wakes them (in-process on SQLite, LISTEN/NOTIFY on
// PostgreSQL), taskstore keeps it all in one table. Every case runs on an SQLite file and on a
// fresh PostgreSQL database of its own (so cases never see each other's tasks).
//
// The settings make polling useless on purpose (idlePollMs of a minute): a case passes only when
// the wake-ups the design promises (notifications, retry timers) happen.
#include "storagetest.h"

#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/sql.h"
#include "task/task.h"
#include "task/tasknotifier.h"
#include "task/taskqueue.h"
#include "task/taskstore.h"
#include "task/taskworker.h"
#include "tuple/jsoncodec.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QMutex>
#include <QScopeGuard>
#include <QSemaphore>
#include <QSqlDatabase>
#include <QThread>
#include <QUrl>
#include <QUuid>
#include <QWaitCondition>

#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

using namespace peek;

namespace {

// One database of a case, and its notifier (destroyed in this order: notifier, then database).
struct Stack {
    std::unique_ptr<Database> db;
    std::unique_ptr<TaskNotifier> notifier;

    ~Stack() { close(); }
    void close()
    {
        notifier.reset();
        db.reset();
    }
};

// Opens the database at url, creates the task table (a no-op when it is there) and starts
// listening; false with *error when any of it fails.
bool openStack(const QString &url, Stack &stack, QString *error)
{
    auto opened = Database::open(url);
    if (!opened) {
        *error = opened.error().message();
        return false;
    }
    stack.db = std::move(opened).value();
    auto migrated = Migrator::migrate(*stack.db, taskstore::migrations());
    if (!migrated) {
        *error = migrated.error().message();
        return false;
    }
    stack.notifier = std::make_unique<TaskNotifier>(stack.db.get());
    auto started = stack.notifier->start();
    if (!started)
        *error = started.error().message();
    return bool(started);
}

// Fast retries, a long lease and a long default timeout; polling that comes far too late to
// make any case pass on time.
TaskSettings testSettings()
{
    TaskSettings s;
    s.leaseMs = 30000;
    s.maxAttempts = 3;
    s.retryBackoffMs = 20;
    s.retryBackoffMaxMs = 100;
    s.timeoutMs = 60000;
    s.resultExpiryMs = 3600000;
    s.idlePollMs = 60000;
    s.workerThreads = 4;
    s.workerPrefetch = -1;
    return s;
}

// testSettings() with a worker of `threads` threads that holds `prefetch` tasks besides those it
// runs.
TaskSettings testSettings(int threads, int prefetch)
{
    TaskSettings s = testSettings();
    s.workerThreads = threads;
    s.workerPrefetch = prefetch;
    return s;
}

// How a finished future ended: its value, or the message of the TaskError it failed with.
struct Ending {
    bool ok = false;
    Value value;
    QString error;
};

Ending endingOf(QFuture<Value> future)
{
    try {
        future.waitForFinished();
        if (future.resultCount() > 0)
            return {true, future.result(), {}};
        if (future.isCanceled())
            (void)future.result(); // rethrows the failure, if there is one
        return {false, {}, QStringLiteral("<cancelled without an error>")};
    } catch (const TaskError &e) {
        return {false, {}, e.message()};
    } catch (const std::exception &e) {
        return {
            false, {}, QStringLiteral("<not a TaskError: %1>").arg(QString::fromUtf8(e.what()))};
    }
}

QString show(const Value &value)
{
    return QString::fromUtf8(json::encode(value));
}

bool allFinished(const QList<TaskHandle> &handles)
{
    return std::all_of(handles.cbegin(), handles.cend(),
                       [](const TaskHandle &h) { return h.result.isFinished(); });
}

bool allFinished(const QList<QFuture<Value>> &futures)
{
    return std::all_of(futures.cbegin(), futures.cend(),
                       [](const QFuture<Value> &f) { return f.isFinished(); });
}

QStringList idsOf(const QList<TaskHandle> &handles)
{
    QStringList ids;
    for (const TaskHandle &h : handles)
        ids << h.id;
    return ids;
}

QHash<QString, taskstore::TaskState> statesOf(Database &db, const QStringList &ids)
{
    auto states = db.runSync([&](QSqlDatabase &c) { return taskstore::states(c, ids); });
    if (!states) {
        qWarning().noquote() << states.error().message();
        return {};
    }
    return states.value();
}

int taskCount(Database &db, const QString &where = QStringLiteral("1 = 1"))
{
    return storagetest::scalar(db, QStringLiteral("SELECT COUNT(*) FROM peek_task WHERE ") + where)
        .toInt();
}

// Counts runs per task id, from any thread.
class RunLog {
public:
    void add(const TaskCall &call, const QString &worker = {})
    {
        QMutexLocker lock(&m_mutex);
        ++m_runs[call.id];
        m_attempts[call.id] << call.attempt;
        if (!worker.isEmpty())
            ++m_byWorker[worker];
    }
    QHash<QString, int> runs() const
    {
        QMutexLocker lock(&m_mutex);
        return m_runs;
    }
    QList<int> attempts(const QString &id) const
    {
        QMutexLocker lock(&m_mutex);
        return m_attempts.value(id);
    }
    int total() const
    {
        QMutexLocker lock(&m_mutex);
        int n = 0;
        for (int r : m_runs)
            n += r;
        return n;
    }
    int byWorker(const QString &worker) const
    {
        QMutexLocker lock(&m_mutex);
        return m_byWorker.value(worker);
    }

private:
    mutable QMutex m_mutex;
    QHash<QString, int> m_runs;
    QHash<QString, QList<int>> m_attempts;
    QHash<QString, int> m_byWorker;
};

// Every id ran exactly once: a message naming the first one that did not, or empty.
QString exactlyOnce(const RunLog &log, const QStringList &ids)
{
    const QHash<QString, int> runs = log.runs();
    for (const QString &id : ids)
        if (runs.value(id) != 1)
            return QStringLiteral("task %1 ran %2 time(s)").arg(id).arg(runs.value(id));
    if (runs.size() != ids.size())
        return QStringLiteral("%1 distinct tasks ran, %2 were queued")
            .arg(runs.size())
            .arg(ids.size());
    return {};
}

// Waits until the test opens the gate, the run is cancelled, or (a failed case) 15 s passed.
void waitAtGate(QSemaphore &gate, const TaskCall &call)
{
    const QDeadlineTimer safety(15000);
    while (!gate.tryAcquire(1, 5) && !call.cancelled() && !safety.hasExpired()) { }
}

const Task doubler(QStringLiteral("tst.double"));

Value doubled(const TaskCall &call)
{
    return Value(call.args.at(0).toInt() * 2);
}

// The handler of most cases: logs the run (under worker, when given) and doubles.
TaskHandler loggingDoubler(RunLog &log, const QString &worker = {})
{
    return [&log, worker](const TaskCall &call) {
        log.add(call, worker);
        return doubled(call);
    };
}

// Queues n tasks of task, the i-th with the single argument i.
QList<TaskHandle> queueMany(TaskQueue &queue, const Task &task, int n)
{
    QList<TaskHandle> handles;
    for (int i = 0; i < n; ++i)
        handles << queue.queue(task, {Value(i)});
    return handles;
}

// The i-th future (of tasks queueMany() queued, run by a doubling handler) gave i * 2: a message
// naming the first that did not, or empty.
QString doubledResults(const QList<QFuture<Value>> &futures)
{
    for (int i = 0; i < futures.size(); ++i) {
        const Ending ending = endingOf(futures.at(i));
        if (!ending.ok)
            return QStringLiteral("task %1 failed: %2").arg(i).arg(ending.error);
        if (ending.value.toInt() != qint64(i) * 2)
            return QStringLiteral("task %1 gave %2 instead of %3")
                .arg(i)
                .arg(show(ending.value))
                .arg(qint64(i) * 2);
    }
    return {};
}

QString doubledResults(const QList<TaskHandle> &handles)
{
    QList<QFuture<Value>> futures;
    for (const TaskHandle &h : handles)
        futures << h.result;
    return doubledResults(futures);
}

// Every id ran with these attempts, in this order: a message naming the first that did not, or
// empty.
QString attemptsAre(const RunLog &log, const QStringList &ids, const QList<int> &attempts)
{
    for (const QString &id : ids) {
        const QList<int> ran = log.attempts(id);
        if (ran != attempts) {
            QStringList numbers;
            for (int a : ran)
                numbers << QString::number(a);
            return QStringLiteral("task %1 ran with attempt(s) [%2]").arg(id, numbers.join(u','));
        }
    }
    return {};
}

// Every id is in the table, in state, with attempts (and held by worker, when given): a message
// naming the first that is not, or empty.
QString statesAre(Database &db, const QStringList &ids, const QString &state, int attempts,
                  const QString &worker = {})
{
    const auto states = statesOf(db, ids);
    for (const QString &id : ids) {
        if (!states.contains(id))
            return QStringLiteral("task %1 is not in the table").arg(id);
        const taskstore::TaskState &s = states.value(id);
        if (s.state != state || s.attempts != attempts || (!worker.isEmpty() && s.worker != worker))
            return QStringLiteral("task %1 is %2 after %3 attempt(s) (worker '%4'), "
                                  "not %5 after %6 (worker '%7')")
                .arg(id, s.state)
                .arg(s.attempts)
                .arg(s.worker, state)
                .arg(attempts)
                .arg(worker.isEmpty() ? QStringLiteral("any") : worker);
    }
    if (states.size() != ids.size())
        return QStringLiteral("%1 states read for %2 tasks").arg(states.size()).arg(ids.size());
    return {};
}

// What a case runs on: a database of its own with the task table and a notifier (a Stack), the
// TaskQueue on it and the workers the case adds, with the case's settings unless told otherwise,
// and a log of the runs for the handlers that keep one.
// Torn down as the locals it stands for would be: the workers (newest first), the queue, the
// database. Declare what handlers capture before it, so that it outlives them.
class TaskCase {
public:
    explicit TaskCase(const TaskSettings &caseSettings = testSettings())
        : settings(caseSettings) { }
    ~TaskCase()
    {
        while (!m_workers.empty())
            m_workers.pop_back();
        m_queue.reset();
    }

    // Opens the database at url (a fresh one from freshUrl(): empty when that failed) and builds
    // the queue on it; false, with error, when the database could not be opened.
    bool open(const QString &url)
    {
        if (!openDatabase(url))
            return false;
        buildQueue();
        return true;
    }
    // The two steps of open(), for a case that looks at the database before there is a queue.
    bool openDatabase(const QString &url)
    {
        if (url.isEmpty()) {
            error = QStringLiteral("no database for this case (see the warning above)");
            return false;
        }
        return openStack(url, m_stack, &error);
    }
    void buildQueue()
    {
        m_queue = std::make_unique<TaskQueue>(m_stack.db.get(), m_stack.notifier.get(), settings);
    }

    // A worker on the case's database that the case owns ...
    TaskWorker &addWorker(const QString &name, std::optional<TaskSettings> workerSettings = {})
    {
        m_workers.push_back(newWorker(name, workerSettings));
        return *m_workers.back();
    }
    // ... started, with a handler that logs each run into the case's log and doubles ...
    TaskWorker &startDoublingWorker(const QString &name)
    {
        TaskWorker &worker = addWorker(name);
        worker.addHandler(doubler.name(), loggingDoubler(log));
        worker.start();
        return worker;
    }
    // ... or that the caller owns.
    std::unique_ptr<TaskWorker> newWorker(const QString &name,
                                          std::optional<TaskSettings> workerSettings = {}) const
    {
        return std::make_unique<TaskWorker>(m_stack.db.get(), m_stack.notifier.get(),
                                            workerSettings.value_or(settings), name);
    }

    // The tasks of handles, which a stopped worker gave back, are queued again untouched (no
    // attempt made); then a new doubling worker, named name, runs each once, with the first
    // attempt (says the log), and its result comes back: a message saying what went otherwise,
    // or empty.
    QString givenBackAndRunAgain(const QList<TaskHandle> &handles, const QString &name)
    {
        const QStringList ids = idsOf(handles);
        QString problem = statesAre(db(), ids, QStringLiteral("queued"), 0);
        if (!problem.isEmpty())
            return problem;
        startDoublingWorker(name);
        if (!QTest::qWaitFor([&] { return allFinished(handles); }, 10000))
            return QStringLiteral("the tasks did not all finish within 10 s");
        problem = doubledResults(handles);
        return problem.isEmpty() ? attemptsAre(log, ids, {1}) : problem;
    }

    TaskQueue &queue() { return *m_queue; }
    Database &db() { return *m_stack.db; }
    Stack &stack() { return m_stack; }

    RunLog log; // first: it outlives the handlers that write to it
    const TaskSettings settings;
    QString error;

private:
    Stack m_stack;
    std::unique_ptr<TaskQueue> m_queue;
    std::vector<std::unique_ptr<TaskWorker>> m_workers;
};

} // namespace

// Fails the case with the message of a check that gives one (empty when all is well).
#define VERIFY_NO_PROBLEM(check)                                                                   \
    do {                                                                                           \
        const QString problem_ = (check);                                                          \
        QVERIFY2(problem_.isEmpty(), qPrintable(problem_));                                        \
    } while (false)

class TestTaskQueue : public QObject {
    Q_OBJECT

private:
    // A URL of a database no other case uses: a new file, or a new PostgreSQL database (dropped
    // in cleanup()).
    QString freshUrl(const QString &backend)
    {
        if (backend == QLatin1String("sqlite"))
            return m_dir->filePath(storagetest::uniqueName(QStringLiteral("tasks"))
                                   + QStringLiteral(".sqlite"));
        const QString name = storagetest::uniqueName(QStringLiteral("peek_tq"));
        auto created = m_admin->runSync([&](QSqlDatabase &c) {
            return sql::exec(c, QStringLiteral("CREATE DATABASE %1").arg(name));
        });
        if (!created) {
            qWarning().noquote() << created.error().message();
            return {};
        }
        m_pgDatabases << name;
        QUrl url(storagetest::postgresUrl());
        url.setPath(QLatin1Char('/') + name);
        return url.toString();
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_admin; // PostgreSQL: creates and drops the cases' databases
    QStringList m_pgDatabases;

private Q_SLOTS:
    // A failed task waits retryBackoffMs before its 2nd attempt, doubling per attempt up to
    // retryBackoffMaxMs and never past it.
    void retryBackoffGrowsAndStaysUnderItsCap()
    {
        TaskSettings settings;
        settings.retryBackoffMs = 2000;
        settings.retryBackoffMaxMs = 300000;
        QCOMPARE(TaskWorker::backoffMs(1, settings), qint64(2000));
        QCOMPARE(TaskWorker::backoffMs(2, settings), qint64(4000));
        QCOMPARE(TaskWorker::backoffMs(3, settings), qint64(8000));
        qint64 previous = 0;
        for (int attempt = 1; attempt < 500; ++attempt) {
            const qint64 wait = TaskWorker::backoffMs(attempt, settings);
            QVERIFY(wait >= previous);
            QVERIFY(wait <= settings.retryBackoffMaxMs);
            previous = wait;
        }
        QCOMPARE(previous, qint64(settings.retryBackoffMaxMs));
    }

    void initTestCase()
    {
        if (storagetest::postgresUrl().isEmpty())
            return;
        auto admin = Database::open(storagetest::postgresUrl());
        QVERIFY2(admin, qPrintable(admin.error().message()));
        m_admin = std::move(admin).value();
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void cleanup()
    {
        for (const QString &name : std::as_const(m_pgDatabases)) {
            auto dropped = m_admin->runSync([&](QSqlDatabase &c) {
                return sql::exec(
                    c, QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(name));
            });
            if (!dropped)
                qWarning().noquote() << dropped.error().message();
        }
        m_pgDatabases.clear();
        m_dir.reset();
    }

    void everyTaskRunsOnceAndItsResultComesBack_data() { storagetest::backendRows(); }
    void everyTaskRunsOnceAndItsResultComesBack()
    {
        STORAGE_BACKEND();
        TaskCase t;
        QVERIFY2(t.open(freshUrl(backend)), qPrintable(t.error));
        QCOMPARE(t.startDoublingWorker(QStringLiteral("w")).threads(), 4);
        t.queue().start();

        constexpr int n = 500;
        const QList<TaskHandle> handles = queueMany(t.queue(), doubler, n);
        QTRY_VERIFY_WITH_TIMEOUT(allFinished(handles), 20000);

        VERIFY_NO_PROBLEM(doubledResults(handles));
        VERIFY_NO_PROBLEM(exactlyOnce(t.log, idsOf(handles)));
        QCOMPARE(taskCount(t.db(), QStringLiteral("state = 'done' AND attempts = 1")), n);
    }

    void twoWorkersShareTheQueueAndNeverRunATaskTwice_data() { storagetest::backendRows(); }
    void twoWorkersShareTheQueueAndNeverRunATaskTwice()
    {
        STORAGE_BACKEND();
        const QString url = freshUrl(backend);
        // w1's runs wait until w2 has run a task: w1 then holds tasks it cannot finish, so w2
        // must take the rest (both do work, by construction and not by luck).
        QMutex gateMutex;
        QWaitCondition gate;
        int w2Runs = 0;
        std::atomic<int> w1Entered {0};
        TaskCase t(testSettings(2, 0));
        QVERIFY2(t.open(url), qPrintable(t.error));
        Stack b; // PostgreSQL: w2 on a Database (connections, notifier) of its own
        const bool separate = backend == QLatin1String("postgresql");
        if (separate)
            QVERIFY2(openStack(url, b, &t.error), qPrintable(t.error));
        Stack &second = separate ? b : t.stack();

        TaskWorker &w1 = t.addWorker(QStringLiteral("w1"));
        TaskWorker w2(second.db.get(), second.notifier.get(), t.settings, QStringLiteral("w2"));
        w1.addHandler(doubler.name(), [&](const TaskCall &call) {
            ++w1Entered;
            {
                QMutexLocker lock(&gateMutex);
                const QDeadlineTimer safety(15000);
                while (w2Runs == 0 && !call.cancelled() && !safety.hasExpired())
                    gate.wait(&gateMutex, 5);
            }
            t.log.add(call, QStringLiteral("w1"));
            return doubled(call);
        });
        w2.addHandler(doubler.name(), [&](const TaskCall &call) {
            t.log.add(call, QStringLiteral("w2"));
            QMutexLocker lock(&gateMutex);
            ++w2Runs;
            gate.wakeAll();
            return doubled(call);
        });

        constexpr int n = 300;
        const QList<TaskHandle> handles = queueMany(t.queue(), doubler, n);
        QTRY_COMPARE_WITH_TIMEOUT(taskCount(t.db()), n, 10000);
        w1.start();
        QTRY_VERIFY_WITH_TIMEOUT(w1Entered.load() > 0, 10000);
        w2.start();
        QTRY_VERIFY_WITH_TIMEOUT(allFinished(handles), 20000);

        VERIFY_NO_PROBLEM(doubledResults(handles));
        VERIFY_NO_PROBLEM(exactlyOnce(t.log, idsOf(handles)));
        QVERIFY2(t.log.byWorker(QStringLiteral("w1")) > 0
                     && t.log.byWorker(QStringLiteral("w2")) > 0,
                 qPrintable(QStringLiteral("w1 ran %1, w2 ran %2")
                                .arg(t.log.byWorker(QStringLiteral("w1")))
                                .arg(t.log.byWorker(QStringLiteral("w2")))));
        QCOMPARE(t.log.byWorker(QStringLiteral("w1")) + t.log.byWorker(QStringLiteral("w2")), n);
    }

    void failedRunsAreRetriedAfterABackoffUntilAttemptsRunOut_data() { storagetest::backendRows(); }
    void failedRunsAreRetriedAfterABackoffUntilAttemptsRunOut()
    {
        STORAGE_BACKEND();
        // idlePollMs is a minute: a retry must be woken by its backoff (20 ms, 40 ms), not by
        // polling.
        TaskCase t;
        QVERIFY2(t.open(freshUrl(backend)), qPrintable(t.error));
        TaskWorker &worker = t.addWorker(QStringLiteral("w"));
        const Task flaky(QStringLiteral("tst.flaky"), {5, 0});
        const Task broken(QStringLiteral("tst.broken"), {2, 0});
        worker.addHandler(flaky.name(), [&](const TaskCall &call) -> Value {
            t.log.add(call);
            if (call.attempt < 3)
                throw std::runtime_error("flaky on attempt " + std::to_string(call.attempt));
            return Value(call.attempt);
        });
        worker.addHandler(broken.name(), [&](const TaskCall &call) -> Value {
            t.log.add(call);
            throw std::runtime_error("broken on purpose");
        });
        worker.start();

        QList<TaskHandle> flakies;
        QList<TaskHandle> brokens;
        for (int i = 0; i < 3; ++i) {
            flakies << t.queue().queue(flaky, {Value(i)});
            brokens << t.queue().queue(broken, {Value(i)});
        }
        QTRY_VERIFY_WITH_TIMEOUT(allFinished(flakies + brokens), 10000);

        for (const TaskHandle &h : std::as_const(flakies)) {
            const Ending ending = endingOf(h.result);
            QVERIFY2(ending.ok, qPrintable(ending.error));
            QCOMPARE(ending.value.toInt(), 3); // the attempt that succeeded
            QCOMPARE(t.log.attempts(h.id), (QList<int> {1, 2, 3}));
        }
        for (const TaskHandle &h : std::as_const(brokens)) {
            const Ending ending = endingOf(h.result);
            QVERIFY(!ending.ok);
            QVERIFY2(ending.error.contains(QLatin1String("broken on purpose")),
                     qPrintable(ending.error));
            QVERIFY2(ending.error.contains(QLatin1String("attempt 2 of 2")),
                     qPrintable(ending.error));
            QCOMPARE(t.log.attempts(h.id), (QList<int> {1, 2}));
        }
        VERIFY_NO_PROBLEM(statesAre(t.db(), idsOf(flakies), QStringLiteral("done"), 3));
        VERIFY_NO_PROBLEM(statesAre(t.db(), idsOf(brokens), QStringLiteral("failed"), 2));
    }

    void aRunPastItsTimeoutIsCancelledAndFails_data() { storagetest::backendRows(); }
    void aRunPastItsTimeoutIsCancelledAndFails()
    {
        STORAGE_BACKEND();
        std::atomic<bool> sawCancel {false};
        std::atomic<int> runs {0};
        TaskSettings settings = testSettings();
        settings.timeoutMs = 400; // the worker's watchdog looks every 100 ms
        TaskCase t(settings);
        QVERIFY2(t.open(freshUrl(backend)), qPrintable(t.error));
        TaskWorker &worker = t.addWorker(QStringLiteral("w"));
        const Task stuck(QStringLiteral("tst.stuck"), {1, 200});
        worker.addHandler(stuck.name(), [&](const TaskCall &call) -> Value {
            ++runs;
            const QDeadlineTimer safety(15000);
            while (!call.cancelled() && !safety.hasExpired())
                QThread::msleep(5);
            sawCancel = call.cancelled();
            return Value(QStringLiteral("too late"));
        });
        worker.start();

        const TaskHandle handle = t.queue().queue(stuck, {});
        QTRY_VERIFY_WITH_TIMEOUT(handle.result.isFinished(), 10000);
        const Ending ending = endingOf(handle.result);
        QVERIFY(!ending.ok);
        QVERIFY2(ending.error.contains(QLatin1String("timed out")), qPrintable(ending.error));
        QTRY_VERIFY_WITH_TIMEOUT(sawCancel.load(), 10000);
        QCOMPARE(runs.load(), 1);
        QTRY_COMPARE(worker.health().value(QStringLiteral("timedOut")).toInt(), 1);
        QCOMPARE(statesOf(t.db(), {handle.id}).value(handle.id).state, QStringLiteral("failed"));
    }

    void tasksOfAWorkerThatStoppedAnsweringRunElsewhereAndItsLateOutcomesAreIgnored_data()
    {
        storagetest::backendRows();
    }
    void tasksOfAWorkerThatStoppedAnsweringRunElsewhereAndItsLateOutcomesAreIgnored()
    {
        STORAGE_BACKEND();
        QSemaphore gate;
        std::atomic<int> entered {0};
        TaskSettings queueSettings = testSettings();
        queueSettings.idlePollMs = 100; // maintenance (lease recovery) every 100 ms
        TaskCase t(queueSettings);
        QVERIFY2(t.open(freshUrl(backend)), qPrintable(t.error));
        TaskWorker &live = t.addWorker(QStringLiteral("live"), testSettings(5, 0));
        const Task leased(QStringLiteral("tst.leased"), {3, 0});
        live.addHandler(leased.name(), [&](const TaskCall &call) {
            t.log.add(call);
            ++entered;
            waitAtGate(gate, call);
            return doubled(call);
        });

        constexpr int n = 5;
        const QList<TaskHandle> handles = queueMany(t.queue(), leased, n);
        const QStringList ids = idsOf(handles);
        QTRY_COMPARE_WITH_TIMEOUT(taskCount(t.db()), n, 10000);

        // The dead worker claims them all with a 300 ms lease and never finishes nor renews.
        auto claimed = t.db().runSync([&](QSqlDatabase &c) {
            return taskstore::claim(c, QStringLiteral("dead"), {leased.name()}, 10, 300);
        });
        STORAGE_VERIFY(claimed);
        QCOMPARE(claimed.value().size(), n);
        for (const taskstore::ClaimedTask &task : claimed.value())
            QCOMPARE(task.attempt, 1);

        live.start();
        t.queue().start();
        // Requeued by the queue's maintenance once the lease is over, claimed again by live.
        QTRY_COMPARE_WITH_TIMEOUT(entered.load(), n, 10000);
        VERIFY_NO_PROBLEM(
            statesAre(t.db(), ids, QStringLiteral("running"), 2, QStringLiteral("live")));

        // The dead worker wakes up and reports attempt 1 while live runs attempt 2: dropped.
        QList<taskstore::Outcome> late;
        for (int i = 0; i < n; ++i) {
            taskstore::Outcome o;
            o.id = ids.at(i);
            o.attempt = 1;
            o.ok = i % 3 == 0;
            o.result = json::encode(Value(QStringLiteral("from the dead")));
            o.error = QStringLiteral("dead worker's error");
            o.retryAfterMs = i % 3 == 1 ? 0 : -1;
            late << o;
        }
        auto reportLate = [&] {
            return t.db().runSync([&](QSqlDatabase &c) {
                return taskstore::finish(c, QStringLiteral("dead"), late, 3600000);
            });
        };
        auto report = reportLate();
        STORAGE_VERIFY(report);
        QCOMPARE(report.value().stale.size(), n);
        QVERIFY(report.value().finished.isEmpty());
        QVERIFY(report.value().retried.isEmpty());

        gate.release(n);
        QTRY_VERIFY_WITH_TIMEOUT(allFinished(handles), 10000);
        VERIFY_NO_PROBLEM(doubledResults(handles));
        VERIFY_NO_PROBLEM(attemptsAre(t.log, ids, {2}));
        VERIFY_NO_PROBLEM(exactlyOnce(t.log, ids));

        // And once more after live finished them: still dropped, the results stay live's.
        report = reportLate();
        STORAGE_VERIFY(report);
        QCOMPARE(report.value().stale.size(), n);
        const auto states = statesOf(t.db(), ids);
        for (int i = 0; i < n; ++i) {
            const taskstore::TaskState &state = states.value(ids.at(i));
            QCOMPARE(state.state, QStringLiteral("done"));
            QCOMPARE(state.worker, QStringLiteral("live"));
            const auto decoded = json::decode(state.result);
            QVERIFY2(decoded, qPrintable(decoded.error().message()));
            QCOMPARE(decoded.value().toInt(), qint64(i) * 2);
        }
    }

    void queuedTasksOutliveTheQueueAndTheirResultsCanBeAskedForAfterARestart_data()
    {
        storagetest::backendRows();
    }
    void queuedTasksOutliveTheQueueAndTheirResultsCanBeAskedForAfterARestart()
    {
        STORAGE_BACKEND();
        const QString url = freshUrl(backend);
        constexpr int n = 20;
        QStringList ids;
        QList<TaskHandle> first;
        {
            TaskCase before;
            QVERIFY2(before.open(url), qPrintable(before.error));
            first = queueMany(before.queue(), doubler, n);
            ids = idsOf(first);
            // Logic stops at once, before the event loop ran: the queue is gone, the tasks are not.
        }
        for (const TaskHandle &h : std::as_const(first))
            QVERIFY(h.result.isCanceled());

        TaskCase t;
        QVERIFY2(t.openDatabase(url), qPrintable(t.error));
        QCOMPARE(taskCount(t.db(), QStringLiteral("state = 'queued'")), n);
        t.buildQueue();
        QList<QFuture<Value>> results;
        for (const QString &id : std::as_const(ids))
            results << t.queue().result(id);
        const QString unknownId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        QFuture<Value> unknown = t.queue().result(unknownId);
        QTRY_VERIFY_WITH_TIMEOUT(unknown.isFinished(), 10000);
        const Ending unknownEnding = endingOf(unknown);
        QVERIFY(!unknownEnding.ok);
        QVERIFY2(unknownEnding.error.contains(QLatin1String("not known")),
                 qPrintable(unknownEnding.error));
        QVERIFY2(unknownEnding.error.contains(unknownId), qPrintable(unknownEnding.error));
        // Looked up in the same read as the unknown one: still waiting, nothing ran them yet.
        for (const QFuture<Value> &f : std::as_const(results))
            QVERIFY(!f.isFinished());

        t.startDoublingWorker(QStringLiteral("w"));
        QTRY_VERIFY_WITH_TIMEOUT(allFinished(results), 10000);
        VERIFY_NO_PROBLEM(doubledResults(results));
        VERIFY_NO_PROBLEM(exactlyOnce(t.log, ids));

        // A finished task's result is there at once for whoever asks later.
        QFuture<Value> again = t.queue().result(ids.first());
        QTRY_VERIFY_WITH_TIMEOUT(again.isFinished(), 10000);
        QCOMPARE(endingOf(again).value.toInt(), 0);
    }

    void argumentsAndResultsKeepTheirValues_data() { storagetest::backendRows(); }
    void argumentsAndResultsKeepTheirValues()
    {
        STORAGE_BACKEND();
        QMutex seenMutex;
        ValueList seen;
        TaskCase t;
        QVERIFY2(t.open(freshUrl(backend)), qPrintable(t.error));
        TaskWorker &worker = t.addWorker(QStringLiteral("w"));
        const Task echo(QStringLiteral("tst.echo"));
        worker.addHandler(echo.name(), [&](const TaskCall &call) {
            {
                QMutexLocker lock(&seenMutex);
                seen = call.args;
            }
            Dict reply {{QStringLiteral("args"), Value(call.args)},
                        {QStringLiteral("count"), Value(int(call.args.size()))}};
            return Value(reply);
        });
        worker.start();

        Dict dict {{QStringLiteral("b"), Value(ValueList {Value(true), Value(nullptr)})},
                   {QStringLiteral("a"), Value(1)},
                   {QStringLiteral("nested"), Value(Dict {{QStringLiteral("x"), Value(-0.5)}})}};
        const ValueList args {Value(ValueList {Value(1), Value("two"), Value(3.5)}),
                              Value(dict),
                              Value(QStringLiteral("héllo \"wörld\" ✓\n")),
                              Value(2.0),
                              Value(nullptr),
                              Value(qint64(1) << 53)};
        const TaskHandle handle = t.queue().queue(echo, args);
        QTRY_VERIFY_WITH_TIMEOUT(handle.result.isFinished(), 10000);
        const Ending ending = endingOf(handle.result);
        QVERIFY2(ending.ok, qPrintable(ending.error));

        ValueList handlerSaw;
        {
            QMutexLocker lock(&seenMutex);
            handlerSaw = seen;
        }
        QVERIFY2(Value(handlerSaw) == Value(args), qPrintable(show(Value(handlerSaw))));
        const Dict &reply = ending.value.toDict();
        QVERIFY2(reply.value(QStringLiteral("args")) == Value(args),
                 qPrintable(show(ending.value)));
        QCOMPARE(reply.value(QStringLiteral("count")).toInt(), qint64(args.size()));
        // The types survive, not only the numbers' values.
        const ValueList &back = reply.value(QStringLiteral("args")).toList();
        QCOMPARE(back.size(), args.size());
        QCOMPARE(back.at(0).type(), Value::Type::List);
        QCOMPARE(back.at(0).toList().at(2).type(), Value::Type::Float);
        QCOMPARE(back.at(1).type(), Value::Type::Dict);
        QCOMPARE(
            back.at(1).toDict().keys(),
            (QStringList {QStringLiteral("b"), QStringLiteral("a"), QStringLiteral("nested")}));
        QCOMPARE(back.at(2).toString(), QStringLiteral("héllo \"wörld\" ✓\n"));
        QCOMPARE(back.at(3).type(), Value::Type::Float);
        QCOMPARE(back.at(3).toDouble(), 2.0);
        QVERIFY(back.at(4).isNull());
        QCOMPARE(back.at(5).type(), Value::Type::Int);
        QCOMPARE(back.at(5).toInt(), qint64(1) << 53);
    }

    void healthCountsTasksAndWorkersWork_data() { storagetest::backendRows(); }
    void healthCountsTasksAndWorkersWork()
    {
        STORAGE_BACKEND();
        TaskSettings settings = testSettings();
        settings.idlePollMs = 100; // a maintenance pass (which refreshes the counts) every 100 ms
        TaskCase t(settings);
        QVERIFY2(t.open(freshUrl(backend)), qPrintable(t.error));
        TaskWorker &worker = t.addWorker(QStringLiteral("healthy"));
        worker.addHandler(doubler.name(), doubled);
        worker.start();
        TaskQueue &queue = t.queue();
        queue.start();

        constexpr int n = 30;
        const QList<TaskHandle> handles = queueMany(queue, doubler, n);
        QCOMPARE(queue.health().value(QStringLiteral("callersWaiting")).toInt(), n);
        QTRY_VERIFY_WITH_TIMEOUT(allFinished(handles), 10000);

        auto tasks = [&] { return queue.health().value(QStringLiteral("tasks")).toObject(); };
        QTRY_COMPARE_WITH_TIMEOUT(tasks().value(QStringLiteral("done")).toInt(), n, 5000);
        QCOMPARE(tasks().value(QStringLiteral("queued")).toInt(), 0);
        QCOMPARE(tasks().value(QStringLiteral("running")).toInt(), 0);
        QCOMPARE(tasks().value(QStringLiteral("failed")).toInt(), 0);
        const QJsonObject health = queue.health();
        QCOMPARE(health.value(QStringLiteral("callersWaiting")).toInt(), 0);
        QCOMPARE(health.value(QStringLiteral("queuedSinceStart")).toInt(), n);
        QVERIFY2(!health.contains(QStringLiteral("error")),
                 qPrintable(health.value(QStringLiteral("error")).toString()));
        const QJsonArray workers = health.value(QStringLiteral("workers")).toArray();
        QCOMPARE(workers.size(), 1);
        QCOMPARE(workers.at(0).toObject().value(QStringLiteral("worker")).toString(),
                 QStringLiteral("healthy"));
        QCOMPARE(workers.at(0).toObject().value(QStringLiteral("done")).toInt(), n);

        QTRY_COMPARE_WITH_TIMEOUT(worker.health().value(QStringLiteral("completed")).toInt(), n,
                                  5000);
        const QJsonObject w = worker.health();
        QCOMPARE(w.value(QStringLiteral("worker")).toString(), QStringLiteral("healthy"));
        QCOMPARE(w.value(QStringLiteral("threads")).toInt(), 4);
        QCOMPARE(w.value(QStringLiteral("held")).toInt(), 0);
        QCOMPARE(w.value(QStringLiteral("failed")).toInt(), 0);
        QCOMPARE(w.value(QStringLiteral("retried")).toInt(), 0);
        QCOMPARE(w.value(QStringLiteral("tasks")).toArray(), QJsonArray {doubler.name()});
    }

    void aStoppingWorkerGivesBackTheTasksItHeldButDidNotRun_data() { storagetest::backendRows(); }
    void aStoppingWorkerGivesBackTheTasksItHeldButDidNotRun()
    {
        STORAGE_BACKEND();
        std::atomic<int> entered {0};
        TaskCase t(testSettings(1, 3)); // holds 4: runs one, keeps three waiting
        QVERIFY2(t.open(freshUrl(backend)), qPrintable(t.error));
        TaskWorker &worker = t.addWorker(QStringLiteral("stopping"));
        // Runs until asked to stop, then returns what it has (which must not count as the result).
        worker.addHandler(doubler.name(), [&](const TaskCall &call) {
            ++entered;
            const QDeadlineTimer safety(15000);
            while (!call.cancelled() && !safety.hasExpired())
                QThread::msleep(2);
            return Value(QStringLiteral("interrupted"));
        });

        constexpr int n = 4;
        const QList<TaskHandle> handles = queueMany(t.queue(), doubler, n);
        QTRY_COMPARE_WITH_TIMEOUT(taskCount(t.db()), n, 10000);
        worker.start();
        QTRY_COMPARE_WITH_TIMEOUT(worker.health().value(QStringLiteral("held")).toInt(), n, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(entered.load(), 1, 10000);
        QCOMPARE(taskCount(t.db(), QStringLiteral("state = 'running' AND worker = 'stopping'")), n);

        worker.stop();
        QCOMPARE(entered.load(), 1); // the three waiting ones never ran
        // All four are queued again; another worker runs them all, each once, with the first
        // attempt.
        VERIFY_NO_PROBLEM(t.givenBackAndRunAgain(handles, QStringLiteral("next")));
    }

    void aWorkerStoppedWhileClaimingGivesTheClaimBack_data() { storagetest::backendRows(); }
    void aWorkerStoppedWhileClaimingGivesTheClaimBack()
    {
        STORAGE_BACKEND();
        TaskCase t;
        QVERIFY2(t.open(freshUrl(backend)), qPrintable(t.error));
        constexpr int n = 3;
        const QList<TaskHandle> handles = queueMany(t.queue(), doubler, n);
        QTRY_COMPARE_WITH_TIMEOUT(taskCount(t.db()), n, 10000);
        {
            const auto quitter = t.newWorker(QStringLiteral("quitter"));
            quitter->addHandler(doubler.name(), loggingDoubler(t.log, QStringLiteral("quitter")));
            quitter->start(); // its first claim is in flight ...
            quitter->stop(); // ... when it stops: whatever that claim took goes back
        }
        QCOMPARE(t.log.total(), 0);
        VERIFY_NO_PROBLEM(t.givenBackAndRunAgain(handles, QStringLiteral("w")));
    }

    void aWorkerRestartsAfterLeavingAStuckHandlerBehind_data() { storagetest::backendRows(); }
    void aWorkerRestartsAfterLeavingAStuckHandlerBehind()
    {
        STORAGE_BACKEND();
        // Run k waits for gates[k] and ignores cancellation; it returns k. Its state is shared
        // with the handler: the run left behind may outlive this function when the case fails.
        struct Runs {
            QSemaphore gates[3];
            std::atomic<int> entered {0};
            std::atomic<int> returned {0};
        };
        auto runs = std::make_shared<Runs>();
        auto openGates = qScopeGuard([runs] {
            for (QSemaphore &gate : runs->gates)
                gate.release(10);
        });
        TaskCase t(testSettings(1, 0));
        QVERIFY2(t.open(freshUrl(backend)), qPrintable(t.error));
        TaskWorker &worker = t.addWorker(QStringLiteral("w"));
        worker.addHandler(doubler.name(), [runs](const TaskCall &) {
            const int run = ++runs->entered;
            if (run < 3)
                runs->gates[run].tryAcquire(1, 15000);
            ++runs->returned;
            return Value(run);
        });
        worker.start();
        const TaskHandle handle = t.queue().queue(doubler, {Value(1)});
        QTRY_COMPARE_WITH_TIMEOUT(runs->entered.load(), 1, 10000);

        worker.stop(50); // run 1 does not stop: the worker leaves it behind, the task goes back
        VERIFY_NO_PROBLEM(statesAre(t.db(), {handle.id}, QStringLiteral("queued"), 0));

        worker.start();
        QTRY_COMPARE_WITH_TIMEOUT(runs->entered.load(), 2, 10000);
        // The run left behind ends first: its outcome belongs to no run the worker holds now.
        runs->gates[1].release();
        QTRY_COMPARE_WITH_TIMEOUT(runs->returned.load(), 1, 10000);
        runs->gates[2].release();
        QTRY_VERIFY_WITH_TIMEOUT(handle.result.isFinished(), 10000);
        const Ending ending = endingOf(handle.result);
        QVERIFY2(ending.ok, qPrintable(ending.error));
        QCOMPARE(ending.value.toInt(), 2);
        VERIFY_NO_PROBLEM(statesAre(t.db(), {handle.id}, QStringLiteral("done"), 1));
    }
};

QTEST_GUILESS_MAIN(TestTaskQueue)
#include "tst_taskqueue.moc"
