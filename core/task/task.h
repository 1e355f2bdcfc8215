#pragma once
// Tasks: named units of work that logic queues and workers run (docs/architecture.md "worker").
//
// A plugin declares its tasks once, in a header both sides include:
//
//   inline const peek::Task pickRandomNumber(QStringLiteral("peek_plugin_tutorial.pickRandomNumber"));
//
// its worker hook runs them (ctx.addTask(pickRandomNumber, [](const peek::TaskCall &call) {...}))
// and its logic hook queues them (ctx.queueTask(pickRandomNumber, {100}) -> a TaskHandle whose
// future completes with the handler's return value, or fails with TaskError). Arguments and
// results are Values (tuples included) stored in the database in the Vortex JSON form, so a
// queued task survives a restart of logic or of its worker.

#include "base/export.h"
#include "tuple/value.h"
#include "vortex/vortexerror.h"

#include <QFuture>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

namespace peek {

// How a task is run (0: the installation's default from config.json "tasks").
struct PEEK_API TaskOptions
{
    int maxAttempts = 0; // runs at most this often (a failure or a lost worker is retried)
    int timeoutMs = 0;   // one run may take this long before it counts as failed
};

// A task's declaration: its qualified name "<plugin>.<task>" and how it is run.
class PEEK_API Task
{
public:
    using Options = TaskOptions;

    explicit Task(QString qualifiedName, Options options = {})
        : m_name(std::move(qualifiedName)), m_options(options)
    {
    }
    const QString &name() const { return m_name; }
    const Options &options() const { return m_options; }

private:
    QString m_name;
    Options m_options;
};

// One run of a task, as its handler sees it (on a worker thread).
struct PEEK_API TaskCall
{
    QString id;          // the task's id (a UUID), the same for every attempt
    QString name;        // "<plugin>.<task>"
    int attempt = 1;     // 1 for the first run, 2 after a retry, ...
    ValueList args;
    // Set when the run has timed out or the worker is stopping: a long handler should check it
    // and return (its result is then discarded; C++ code cannot be stopped from outside).
    std::shared_ptr<const std::atomic<bool>> cancelFlag;
    bool cancelled() const { return cancelFlag && cancelFlag->load(std::memory_order_relaxed); }
};

// A task handler: runs on one of the worker's threads, returns the result, fails by throwing (a
// std::exception's what() is the error the caller sees once the retries are used up).
using TaskHandler = std::function<Value(const TaskCall &call)>;

// A task that failed for good: every attempt failed or timed out, or it is not known (expired).
class PEEK_API TaskError : public VortexError
{
public:
    using VortexError::VortexError;
};

// A queued task: its id (keep it to ask for the result later, e.g. after a restart of logic),
// the future of its result, and a future that completes once the task is stored in the database
// (from then on it survives a restart of logic; it fails with TaskError if it cannot be stored).
struct PEEK_API TaskHandle
{
    QString id;
    QFuture<Value> result;
    QFuture<void> stored;
};

// The queue's settings: config.json "tasks" (and "worker" for the worker's side).
struct PEEK_API TaskSettings
{
    int leaseMs = 30000;           // a claimed task is the worker's for this long, renewed while it runs
    int maxAttempts = 3;           // default for tasks that do not say
    int retryBackoffMs = 2000;     // wait before the 2nd attempt; doubles per attempt ...
    int retryBackoffMaxMs = 300000; // ... up to this
    int timeoutMs = 600000;        // default per-run timeout
    int resultExpiryMs = 3600000;  // finished tasks (and their results) are deleted after this
    int idlePollMs = 5000;         // safety net when a notification was missed; not the wake-up path
    int workerThreads = 0;         // 0: one per CPU core
    int workerPrefetch = -1;       // tasks claimed beyond the free threads; -1: as many as threads
};

} // namespace peek
