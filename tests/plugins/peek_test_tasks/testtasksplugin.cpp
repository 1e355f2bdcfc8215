// peek_test_tasks: tasks that say where and how often they ran, for tst_tasks.
//
// Worker tasks (each run adds a row (task_id, pid, attempt) to pl_peek_test_tasks.runs, so the
// test can count runs per task across processes):
//   peek_test_tasks.echo [x...]          -> {"args": [...], "pid": <worker pid>, "attempt": n}
//   peek_test_tasks.holdFirstAttempt [ms] -> like echo, but the first attempt holds its thread for
//                                           up to ms (until cancelled): a worker killed meanwhile
//                                           holds the task
// Logic RPCs (any caller):
//   peek_test_tasks.run(task, count, args)  -> queues count runs, answers when all finished:
//                                              [{"id", "result"} | {"id", "error"}, ...]
//   peek_test_tasks.queue(task, count, args) -> queues, answers the ids once they are stored
//   peek_test_tasks.results(ids)             -> waits for those tasks (queued earlier, maybe
//                                              before a restart) like run
//   peek_test_tasks.runs()                   -> [[task_id, pid, attempt], ...]
#include "peek/plugin.h"
#include "peek/rpc.h"
#include "peek/storage.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QThread>

namespace {

const QString kPlugin = QStringLiteral("peek_test_tasks");

peek::Rpc logicRpc(const char *name)
{
    return peek::Rpc(kPlugin + u'.' + QLatin1String(name), {kPlugin, peek::Role(peek::Role::Logic).vortexName(), {}, 120000});
}

void recordRun(peek::Database *database, const QString &schema, const peek::TaskCall &call)
{
    auto stored = database->runSync({schema}, [&](QSqlDatabase &db) -> peek::Result<void> {
        auto q = peek::sql::exec(db, QStringLiteral("INSERT INTO %1.runs (task_id, pid, attempt) VALUES (?, ?, ?)").arg(schema),
                                 {call.id, QCoreApplication::applicationPid(), call.attempt});
        return q ? peek::Result<void>() : q.error();
    });
    if (!stored)
        throw std::runtime_error(stored.error().message().toStdString());
}

peek::Value echo(const peek::TaskCall &call)
{
    peek::Dict answer;
    answer.insert(QStringLiteral("args"), peek::Value(call.args));
    answer.insert(QStringLiteral("pid"), qint64(QCoreApplication::applicationPid()));
    answer.insert(QStringLiteral("attempt"), call.attempt);
    return peek::Value(answer);
}

class WorkerHook final : public peek::PluginRoleHook
{
public:
    void start(peek::PluginContext &ctx) override
    {
        peek::Database *database = &ctx.database();
        const QString schema = ctx.schema();
        ctx.addTask(peek::Task(kPlugin + QStringLiteral(".echo")), [database, schema](const peek::TaskCall &call) {
            recordRun(database, schema, call);
            return echo(call);
        });
        // Fails while the file "fail" is in the plugin's file directory (an outside system that
        // is down, for the administration's failed tasks and retry).
        const QString flag = QDir(ctx.fileStorageDirectory()).absoluteFilePath(QStringLiteral("fail"));
        ctx.addTask(peek::Task(kPlugin + QStringLiteral(".failsWhileFlagged")), [flag](const peek::TaskCall &call) {
            if (QFileInfo::exists(flag))
                throw std::runtime_error(QStringLiteral("the outside system is down (%1 exists)").arg(flag).toStdString());
            return echo(call);
        });
        ctx.addTask(peek::Task(kPlugin + QStringLiteral(".holdFirstAttempt")), [database, schema](const peek::TaskCall &call) {
            recordRun(database, schema, call);
            if (call.attempt == 1) {
                // The workload of this task: hold the thread (a real task would compute).
                QElapsedTimer held;
                held.start();
                const qint64 ms = call.args.empty() ? 60000 : call.args[0].toInt();
                while (!call.cancelled() && held.elapsed() < ms)
                    QThread::msleep(10);
            }
            return echo(call);
        });
    }
};

// Completes with one entry per future, in order, once all have finished.
QFuture<peek::Value> collect(QObject *context, const QStringList &ids, const QList<QFuture<peek::Value>> &futures)
{
    auto promise = std::make_shared<QPromise<peek::Value>>();
    promise->start();
    auto answers = std::make_shared<peek::ValueList>(size_t(futures.size()));
    auto left = std::make_shared<int>(int(futures.size()));
    if (futures.isEmpty()) {
        promise->addResult(peek::Value(peek::ValueList()));
        promise->finish();
    }
    for (int i = 0; i < futures.size(); ++i) {
        peek::onFinished(context, futures[i], [=](const QFuture<peek::Value> &done) {
            peek::Dict entry;
            entry.insert(QStringLiteral("id"), ids[i]);
            try {
                if (peek::hasResult(done))
                    entry.insert(QStringLiteral("result"), done.result());
                else
                    entry.insert(QStringLiteral("error"), QStringLiteral("cancelled"));
            } catch (const std::exception &e) {
                entry.insert(QStringLiteral("error"), QString::fromUtf8(e.what()));
            }
            (*answers)[size_t(i)] = peek::Value(entry);
            if (--*left == 0) {
                promise->addResult(peek::Value(*answers));
                promise->finish();
            }
        });
    }
    return promise->future();
}

class LogicHook final : public peek::PluginRoleHook
{
public:
    void start(peek::PluginContext &ctx) override
    {
        peek::PluginContext *context = &ctx;
        const auto queueAll = [context](const peek::ValueList &args) {
            if (args.size() != 3)
                throw std::invalid_argument("takes (task, count, args)");
            const peek::Task task(args[0].toString());
            std::vector<peek::TaskHandle> handles;
            for (qint64 i = 0; i < args[1].toInt(); ++i)
                handles.push_back(context->queueTask(task, args[2].toList()));
            return handles;
        };
        ctx.listenAsync(logicRpc("run"), [context, queueAll](const peek::ValueList &args, const peek::Dict &) {
            QStringList ids;
            QList<QFuture<peek::Value>> results;
            for (const peek::TaskHandle &handle : queueAll(args)) {
                ids << handle.id;
                results << handle.result;
            }
            return collect(context, ids, results);
        });
        ctx.listenAsync(logicRpc("queue"), [context, queueAll](const peek::ValueList &args, const peek::Dict &) {
            QStringList ids;
            QList<QFuture<peek::Value>> stored;
            for (peek::TaskHandle handle : queueAll(args)) {
                ids << handle.id;
                stored << handle.stored.then([] { return peek::Value(); });
            }
            return peek::thenOn(context, collect(context, ids, stored), [](const peek::Value &entries) {
                peek::ValueList ids;
                for (const peek::Value &entry : entries.toList()) {
                    if (entry.toDict().contains(QStringLiteral("error")))
                        throw std::runtime_error(entry.toDict().value(QStringLiteral("error")).toString().toStdString());
                    ids.push_back(entry.toDict().value(QStringLiteral("id")));
                }
                return peek::Value(ids);
            });
        });
        ctx.listenAsync(logicRpc("results"), [context](const peek::ValueList &args, const peek::Dict &) {
            QStringList ids;
            QList<QFuture<peek::Value>> results;
            for (const peek::Value &id : args.empty() ? peek::ValueList() : args[0].toList()) {
                ids << id.toString();
                results << context->taskResult(id.toString());
            }
            return collect(context, ids, results);
        });
        peek::Database *database = &ctx.database();
        const QString schema = ctx.schema();
        ctx.listenAsync(logicRpc("runs"), [database, schema](const peek::ValueList &, const peek::Dict &) {
            return database->run({schema}, [schema](QSqlDatabase &db) -> peek::Result<peek::Value> {
                auto q = peek::sql::exec(db, QStringLiteral("SELECT task_id, pid, attempt FROM %1.runs").arg(schema));
                if (!q)
                    return q.error();
                peek::ValueList rows;
                while (q.value().next())
                    rows.push_back(peek::Value(peek::ValueList {q.value().value(0).toString(), q.value().value(1).toLongLong(),
                                                                qint64(q.value().value(2).toInt())}));
                return peek::Value(rows);
            }).then([](const peek::Result<peek::Value> &rows) {
                if (!rows)
                    throw std::runtime_error(rows.error().message().toStdString());
                return rows.value();
            });
        });
    }
};

} // namespace

class TestTasksPlugin final : public QObject, public peek::PeekPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID PeekPlugin_iid FILE "plugin.json")
    Q_INTERFACES(peek::PeekPlugin)
public:
    std::unique_ptr<peek::PluginRoleHook> createHook(peek::Role role) override
    {
        if (role == peek::Role::Logic)
            return std::make_unique<LogicHook>();
        if (role == peek::Role::Worker)
            return std::make_unique<WorkerHook>();
        return nullptr;
    }
};

#include "testtasksplugin.moc"
