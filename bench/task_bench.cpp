// task_bench: throughput and latency of the durable task queue (core/task) on PostgreSQL, with
// logic's side in this process and real worker processes (peek-server --roles worker).
//
//   task_bench --pg postgresql://postgres@127.0.0.1:55500/peek_test --task empty|primes
//              [--tasks N] [--primes-below B] [--processes P] [--threads T] [--rate R]
//              [--warmup W] [--timeout S] [--peek-server PATH] [--pg-log FILE] [--keep-db]
//
// It creates a fresh database (peek_bench_<random>) on the server of --pg (or $PEEK_BENCH_PG_URL),
// migrates the task table, runs TaskNotifier + TaskQueue here, starts P workers with T threads
// each (the tutorial plugin's tasks), waits until they are ready, runs W warm-up tasks, then
// queues N tasks (all in one turn of the event loop, or R per second with --rate), waits for
// every result and checks it (a random number in [0, 1000), or the number of primes below B).
// Then it stops the workers with SIGTERM and drops the database.
//
// Reported: wall time from the first queue() to the last result and tasks/s; queue-to-start
// latency from the table (started_at - queued_at of the done tasks, the database's clock;
// queued_at is when the insert ran); queue-to-result latency measured here (from the call to
// queue(), or with --rate from the task's scheduled time, so a stall is not hidden); CPU over the
// measured run, per task, of this process (logic), the workers, the PostgreSQL backends of the
// bench database (split by the process they serve, found by their client port), PostgreSQL's
// shared processes (WAL writer, checkpointer, ...) and the rest of the machine (other users of
// the shared cores). With --pg-log (the server's log file, readable here) it also turns on
// log_statement for the bench database and counts the statements per task (logging slows the
// server: use it for a separate, smaller run).
#include "service/stopsignals.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/sql.h"
#include "task/tasknotifier.h"
#include "task/taskqueue.h"
#include "task/taskstore.h"
#include "tutorialtasks.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QProcess>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <set>

#include <sys/prctl.h>
#include <unistd.h>

using namespace peek;

namespace {

constexpr qint64 kRandomMax = 1000;

struct Options {
    QString pgUrl;
    QString task = QStringLiteral("empty");
    int tasks = 0;
    qint64 primesBelow = 1000000;
    int processes = 1;
    int threads = 1;
    double rate = 0;
    int warmup = -1;
    int timeoutS = 600;
    QString peekServer;
    QString pgLog;
    bool keepDb = false;
    QStringList experiments;
};

QString commandLine(const QStringList &args)
{
    QStringList shown;
    for (const QString &a : args)
        shown << (a.contains(u' ') ? u'\'' + a + u'\'' : a);
    return shown.join(u' ');
}

// Runs the event loop until done() or timeoutMs; false on timeout.
bool waitUntil(const std::function<bool()> &done, qint64 timeoutMs)
{
    QTimer tick; // wakes the loop so the timeout is noticed when nothing happens
    tick.start(20);
    QElapsedTimer clock;
    clock.start();
    QEventLoop loop;
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        loop.processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

// The expected answer of countPrimes, computed another way than the tutorial's sieve (trial
// division by odd numbers), so the check is independent of the code it checks.
qint64 countPrimesBelow(qint64 below)
{
    qint64 count = below > 2 ? 1 : 0;
    for (qint64 n = 3; n < below; n += 2) {
        bool prime = true;
        for (qint64 d = 3; d * d <= n; d += 2) {
            if (n % d == 0) {
                prime = false;
                break;
            }
        }
        count += prime ? 1 : 0;
    }
    return count;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[size_t(p * double(v.size() - 1) + 0.5)];
}

// ---- CPU accounting from /proc --------------------------------------------------------------

const double kTick = 1.0 / double(sysconf(_SC_CLK_TCK));

// utime + stime of a process (all its threads, dead ones included) in seconds; < 0 when gone.
double processCpu(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray line = f.readAll();
    const qsizetype close = line.lastIndexOf(')');
    if (close < 0)
        return -1;
    const QList<QByteArray> fields = line.mid(close + 2).split(' ');
    // fields[0] is field 3 (state); utime is field 14, stime field 15.
    if (fields.size() < 13)
        return -1;
    return double(fields[11].toLongLong() + fields[12].toLongLong()) * kTick;
}

// Busy CPU seconds of the whole machine (all cores) since boot.
double machineCpu()
{
    QFile f(QStringLiteral("/proc/stat"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = f.readLine().simplified().split(' ');
    // cpu user nice system idle iowait irq softirq steal
    qint64 busy = 0;
    for (int i : {1, 2, 3, 6, 7, 8})
        if (i < fields.size())
            busy += fields[i].toLongLong();
    return double(busy) * kTick;
}

// The 1-minute load average: how busy the shared machine was around the run.
QString loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    return f.open(QIODevice::ReadOnly) ? QString::fromLatin1(f.readAll().split(' ').value(0))
                                       : QStringLiteral("?");
}

// Local TCP port -> inode for every socket on the machine (IPv4 and IPv6).
std::map<qint64, quint16> socketPorts()
{
    std::map<qint64, quint16> byInode;
    for (const char *file : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        QFile f {QString::fromLatin1(file)};
        if (!f.open(QIODevice::ReadOnly))
            continue;
        f.readLine();
        while (!f.atEnd()) {
            const QList<QByteArray> cols = f.readLine().simplified().split(' ');
            if (cols.size() < 10)
                continue;
            const QByteArray local = cols[1];
            const quint16 port = quint16(local.mid(local.indexOf(':') + 1).toUInt(nullptr, 16));
            byInode[cols[9].toLongLong()] = port;
        }
    }
    return byInode;
}

// The local ports of the TCP sockets `pid` holds.
std::set<quint16> portsOf(qint64 pid, const std::map<qint64, quint16> &byInode)
{
    std::set<quint16> ports;
    const QDir fds(QStringLiteral("/proc/%1/fd").arg(pid));
    for (const QString &fd : fds.entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot)) {
        const QString target = QFile::symLinkTarget(fds.filePath(fd));
        const qsizetype at = target.indexOf(QLatin1String("socket:["));
        if (at < 0)
            continue;
        const qint64 inode = target.mid(at + 8, target.size() - at - 9).toLongLong();
        if (auto it = byInode.find(inode); it != byInode.end())
            ports.insert(it->second);
    }
    return ports;
}

// One process whose CPU is counted over the measured run.
struct Tracked {
    QString group; // logic, worker, pg:logic, pg:worker, pg:bench, pg:shared
    double first = 0;
    double last = 0;
};

// ---- workers --------------------------------------------------------------------------------

struct Worker {
    std::unique_ptr<QTemporaryDir> home;
    std::unique_ptr<QProcess> process;
    QByteArray out;
    qint64 pid = 0;
    QString name;

    bool ready() const { return out.contains("peek-server: ready"); }
    QByteArray errors() const
    {
        QFile f(home->filePath(QStringLiteral("stderr.log")));
        return f.open(QIODevice::ReadOnly) ? f.readAll().right(4000) : QByteArray();
    }
};

bool writeWorkerConfig(const QString &home, const QString &storageUrl, int threads,
                       const QString &name)
{
    const QJsonObject config {
        {QStringLiteral("roles"), QJsonArray {QStringLiteral("worker")}},
        {QStringLiteral("storage"), QJsonObject {{QStringLiteral("url"), storageUrl}}},
        {QStringLiteral("worker"),
         QJsonObject {{QStringLiteral("threads"), threads}, {QStringLiteral("name"), name}}},
        {QStringLiteral("plugin"),
         QJsonObject {
             {QStringLiteral("enabled"), QJsonArray {QStringLiteral("peek_plugin_tutorial")}}}},
        // Nobody listens there: the worker retries its link to logic now and then, harmlessly.
        {QStringLiteral("logic"),
         QJsonObject {{QStringLiteral("url"), QStringLiteral("ws://127.0.0.1:%1").arg(freePort())},
                      {QStringLiteral("joinToken"), QStringLiteral("bench")}}},
        {QStringLiteral("logging"),
         QJsonObject {{QStringLiteral("level"), QStringLiteral("warning")}}},
    };
    QFile file(home + QStringLiteral("/config.json"));
    return file.open(QIODevice::WriteOnly) && file.write(QJsonDocument(config).toJson()) > 0;
}

// ---- the measured run -----------------------------------------------------------------------

struct Run {
    int total = 0;
    bool primes = false;
    qint64 expectedPrimes = 0;
    std::vector<qint64> queuedNs; // per task: queue() call, or its scheduled time (--rate)
    std::vector<double> latencyMs;
    int done = 0;
    int wrong = 0;
    int failed = 0;
    QString firstProblem;
    qint64 lastResultNs = 0;
    QElapsedTimer clock;

    void onResult(int i, QFuture<Value> f)
    {
        const qint64 now = clock.nsecsElapsed();
        ++done;
        lastResultNs = now;
        latencyMs.push_back(double(now - queuedNs[size_t(i)]) / 1e6);
        try {
            const Value v = f.result();
            const bool ok = v.type() == Value::Type::Int
                && (primes ? v.toInt() == expectedPrimes
                           : v.toInt() >= 0 && v.toInt() < kRandomMax);
            if (!ok) {
                ++wrong;
                if (firstProblem.isEmpty())
                    firstProblem = QStringLiteral("task %1 returned %2").arg(i).arg(v.toString());
            }
        } catch (const std::exception &e) {
            ++failed;
            if (firstProblem.isEmpty())
                firstProblem
                    = QStringLiteral("task %1 failed: %2").arg(i).arg(QString::fromUtf8(e.what()));
        }
    }
};

int fail(const QString &message)
{
    std::fprintf(stderr, "task_bench: %s\n", qPrintable(message));
    return 1;
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("peek.*.info=false\npeek.*.debug=false"));
    const QString command = commandLine(app.arguments());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Task queue throughput and latency on PostgreSQL"));
    parser.addHelpOption();
    const QCommandLineOption pgOpt(
        QStringLiteral("pg"),
        QStringLiteral("PostgreSQL URL of a database on the server to use "
                       "(default $PEEK_BENCH_PG_URL)"),
        QStringLiteral("url"));
    const QCommandLineOption taskOpt(
        QStringLiteral("task"), QStringLiteral("empty (pickRandomNumber) or primes (countPrimes)"),
        QStringLiteral("kind"), QStringLiteral("empty"));
    const QCommandLineOption tasksOpt(QStringLiteral("tasks"),
                                      QStringLiteral("tasks to run (20000 empty, 400 primes)"),
                                      QStringLiteral("n"));
    const QCommandLineOption belowOpt(QStringLiteral("primes-below"),
                                      QStringLiteral("countPrimes argument"), QStringLiteral("b"),
                                      QStringLiteral("1000000"));
    const QCommandLineOption procOpt(QStringLiteral("processes"),
                                     QStringLiteral("worker processes"), QStringLiteral("p"),
                                     QStringLiteral("1"));
    const QCommandLineOption threadsOpt(QStringLiteral("threads"),
                                        QStringLiteral("threads per worker"), QStringLiteral("t"),
                                        QStringLiteral("1"));
    const QCommandLineOption rateOpt(QStringLiteral("rate"),
                                     QStringLiteral("queue at R tasks/s instead of all at once"),
                                     QStringLiteral("r"));
    const QCommandLineOption warmupOpt(QStringLiteral("warmup"),
                                       QStringLiteral("warm-up tasks before the measured run "
                                                      "(default 10 per worker thread)"),
                                       QStringLiteral("w"));
    const QCommandLineOption timeoutOpt(QStringLiteral("timeout"),
                                        QStringLiteral("seconds to wait for the results"),
                                        QStringLiteral("s"), QStringLiteral("600"));
    const QCommandLineOption serverOpt(QStringLiteral("peek-server"),
                                       QStringLiteral("the peek-server binary"),
                                       QStringLiteral("path"), QStringLiteral(PEEK_SERVER_BIN));
    const QCommandLineOption logOpt(
        QStringLiteral("pg-log"),
        QStringLiteral("the PostgreSQL server's log file: count statements "
                       "per task (turns on log_statement for the bench database)"),
        QStringLiteral("file"));
    const QCommandLineOption keepOpt(QStringLiteral("keep-db"),
                                     QStringLiteral("do not drop the bench database"));
    const QCommandLineOption experimentOpt(
        QStringLiteral("experiment"),
        QStringLiteral("measure a proposed change that needs no code: ready-index (peek_task_ready "
                       "on (state, run_after, "
                       "queued_at), the claim's ORDER BY), async-commit (synchronous_commit = off "
                       "for the bench database); "
                       "comma-separated"),
        QStringLiteral("list"));
    parser.addOptions({pgOpt, taskOpt, tasksOpt, belowOpt, procOpt, threadsOpt, rateOpt, warmupOpt,
                       timeoutOpt, serverOpt, logOpt, keepOpt, experimentOpt});
    parser.process(app);

    Options o;
    o.pgUrl = parser.isSet(pgOpt) ? parser.value(pgOpt) : qEnvironmentVariable("PEEK_BENCH_PG_URL");
    o.task = parser.value(taskOpt);
    o.primesBelow = parser.value(belowOpt).toLongLong();
    o.processes = std::max(1, parser.value(procOpt).toInt());
    o.threads = std::max(1, parser.value(threadsOpt).toInt());
    o.rate = parser.isSet(rateOpt) ? parser.value(rateOpt).toDouble() : 0;
    o.tasks = parser.isSet(tasksOpt) ? parser.value(tasksOpt).toInt()
                                     : (o.task == QLatin1String("primes") ? 400 : 20000);
    o.warmup
        = parser.isSet(warmupOpt) ? parser.value(warmupOpt).toInt() : 10 * o.processes * o.threads;
    o.timeoutS = parser.value(timeoutOpt).toInt();
    o.peekServer = parser.value(serverOpt);
    o.pgLog = parser.value(logOpt);
    o.keepDb = parser.isSet(keepOpt);
    o.experiments = parser.value(experimentOpt).split(u',', Qt::SkipEmptyParts);
    for (const QString &e : std::as_const(o.experiments))
        if (e != QLatin1String("ready-index") && e != QLatin1String("async-commit"))
            return fail(
                QStringLiteral("--experiment: unknown '%1' (ready-index, async-commit)").arg(e));
    if (o.pgUrl.isEmpty())
        return fail(
            QStringLiteral("give --pg postgresql://user@host:port/db (or set PEEK_BENCH_PG_URL)"));
    if (o.task != QLatin1String("empty") && o.task != QLatin1String("primes"))
        return fail(QStringLiteral("--task is empty or primes, not '%1'").arg(o.task));
    if (o.tasks <= 0)
        return fail(QStringLiteral("--tasks must be positive"));
    if (!QFile::exists(o.peekServer))
        return fail(QStringLiteral("no peek-server at %1 (build it, or give --peek-server)")
                        .arg(o.peekServer));
    const bool primes = o.task == QLatin1String("primes");

    // ---- a fresh database -------------------------------------------------------------------
    auto admin = Database::open(o.pgUrl, DatabaseOptions {5000, 1, 30000, 10});
    if (!admin)
        return fail(admin.error().message());
    if (admin.value()->backend() != DatabaseBackend::PostgreSql)
        return fail(QStringLiteral("--pg must be a postgresql:// URL"));
    const QString dbName
        = QStringLiteral("peek_bench_%1")
              .arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
    QUrl benchUrl(o.pgUrl);
    benchUrl.setPath(u'/' + dbName);
    const QString url = benchUrl.toString();
    auto adminSql = [&](const QString &statement) {
        return admin.value()->runSync([&](QSqlDatabase &db) -> Result<void> {
            auto q = sql::exec(db, statement);
            return q ? Result<void>() : q.error();
        });
    };
    if (auto created = adminSql(QStringLiteral("CREATE DATABASE %1").arg(dbName)); !created)
        return fail(created.error().message());
    std::printf("command: %s\n", qPrintable(command));
    std::printf(
        "database %s; %d worker process(es) x %d thread(s); %d %s task(s)%s\n", qPrintable(dbName),
        o.processes, o.threads, o.tasks, primes ? "countPrimes" : "pickRandomNumber",
        o.rate > 0 ? qPrintable(QStringLiteral(" at %1/s").arg(o.rate)) : " queued at once");
    std::fflush(stdout);
    if (!o.pgLog.isEmpty())
        if (auto set
            = adminSql(QStringLiteral("ALTER DATABASE %1 SET log_statement = 'all'").arg(dbName));
            !set)
            return fail(set.error().message());
    if (o.experiments.contains(QLatin1String("async-commit")))
        if (auto set = adminSql(
                QStringLiteral("ALTER DATABASE %1 SET synchronous_commit = off").arg(dbName));
            !set)
            return fail(set.error().message());

    int exitCode = 0;
    std::vector<Worker> workers;
    {
        auto database = Database::open(url);
        if (!database)
            return fail(database.error().message());
        Database *db = database.value().get();
        if (auto migrated = Migrator::migrate(*db, taskstore::migrations()); !migrated)
            return fail(migrated.error().message());
        if (o.experiments.contains(QLatin1String("ready-index"))) {
            auto replaced = db->runSync([](QSqlDatabase &c) -> Result<void> {
                for (const char *statement :
                     {"DROP INDEX peek_task_ready",
                      "CREATE INDEX peek_task_ready ON peek_task (state, run_after, queued_at)"})
                    if (auto q = sql::exec(c, QLatin1String(statement)); !q)
                        return q.error();
                return {};
            });
            if (!replaced)
                return fail(replaced.error().message());
        }
        TaskNotifier notifier(db);
        if (auto started = notifier.start(); !started)
            return fail(started.error().message());
        TaskSettings settings;
        TaskQueue queue(db, &notifier, settings);
        queue.start();

        bool interrupted = false;
        installStopSignalHandler(&app, [&](int) { interrupted = true; });

        // ---- workers ------------------------------------------------------------------------
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_NO_GLIB"), QStringLiteral("1"));
        for (int i = 0; i < o.processes; ++i) {
            Worker w;
            w.home = std::make_unique<QTemporaryDir>();
            w.name = QStringLiteral("bench-worker-%1").arg(i + 1);
            if (!w.home->isValid() || !writeWorkerConfig(w.home->path(), url, o.threads, w.name)) {
                exitCode = fail(QStringLiteral("cannot write a worker's config.json"));
                break;
            }
            w.process = std::make_unique<QProcess>();
            w.process->setProgram(o.peekServer);
            w.process->setArguments({QStringLiteral("--roles"), QStringLiteral("worker"),
                                     QStringLiteral("--home"), w.home->path(),
                                     QStringLiteral("--listen"), QStringLiteral("127.0.0.1")});
            w.process->setProcessEnvironment(env);
            w.process->setStandardErrorFile(w.home->filePath(QStringLiteral("stderr.log")));
            // A worker outlives no bench that died without stopping it (it would go on claiming).
            w.process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
            w.process->start();
            workers.push_back(std::move(w));
        }
        const auto allReady = [&] {
            for (Worker &w : workers) {
                w.out += w.process->readAllStandardOutput();
                if (!w.ready())
                    return false;
            }
            return true;
        };
        const auto anyDied = [&] {
            for (Worker &w : workers)
                if (w.process->state() == QProcess::NotRunning)
                    return &w;
            return static_cast<Worker *>(nullptr);
        };
        if (exitCode == 0
            && !waitUntil([&] { return allReady() || anyDied() || interrupted; }, 30000)) {
            exitCode = fail(QStringLiteral("the workers were not ready within 30 s"));
        } else if (exitCode == 0 && anyDied()) {
            Worker *w = anyDied();
            exitCode = fail(
                QStringLiteral("worker %1 ended before it was ready:\n%2%3")
                    .arg(w->name, QString::fromUtf8(w->out), QString::fromUtf8(w->errors())));
        }
        for (Worker &w : workers)
            w.pid = w.process->processId();

        // ---- warm-up: every worker's connections open, the plugin's code paged in -------------
        if (exitCode == 0 && o.warmup > 0) {
            int warmed = 0;
            for (int i = 0; i < o.warmup; ++i)
                queue.queue(tutorial::tasks::pickRandomNumber(), {kRandomMax})
                    .result.then(QtFuture::Launch::Sync, [&warmed](QFuture<Value>) { ++warmed; });
            if (!waitUntil([&] { return warmed == o.warmup || interrupted; }, 60000))
                exitCode = fail(QStringLiteral("the warm-up tasks did not finish within 60 s"));
        }

        // ---- the measured run ----------------------------------------------------------------
        const auto dbClock = [&]() -> qint64 {
            auto now = db->runSync([](QSqlDatabase &c) {
                return sql::scalar(
                    c,
                    QStringLiteral(
                        "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"));
            });
            return now ? now.value().toLongLong() : 0;
        };
        // Which process a backend serves: its client port belongs to one of our processes.
        std::map<qint64, Tracked> tracked; // by pid
        std::map<quint16, QString> portOwner;
        const auto mapPorts = [&] {
            const auto byInode = socketPorts();
            for (quint16 p : portsOf(QCoreApplication::applicationPid(), byInode))
                portOwner[p] = QStringLiteral("pg:logic");
            for (const Worker &w : workers)
                for (quint16 p : portsOf(w.pid, byInode))
                    portOwner[p] = QStringLiteral("pg:worker");
        };
        // Samples every process of the run; a backend first seen mid-run counts from zero.
        const auto sample = [&](bool start) {
            auto rows = admin.value()->runSync([&](QSqlDatabase &c)
                                                   -> Result<
                                                       QList<std::tuple<qint64, QString, int>>> {
                auto q = sql::exec(
                    c,
                    QStringLiteral(
                        "SELECT pid, COALESCE(datname, ''), backend_type, COALESCE(client_port, 0) "
                        "FROM pg_stat_activity"));
                if (!q)
                    return q.error();
                QList<std::tuple<qint64, QString, int>> list;
                while (q.value().next()) {
                    const QString datname = q.value().value(1).toString();
                    const QString type = q.value().value(2).toString();
                    QString group;
                    if (datname == dbName && type == QLatin1String("client backend"))
                        group = QStringLiteral("pg:backend");
                    else if (datname.isEmpty() || type == QLatin1String("autovacuum worker"))
                        group = QStringLiteral("pg:shared");
                    else
                        continue; // other databases' backends: someone else's work ("other")
                    list.append(
                        {q.value().value(0).toLongLong(), group, q.value().value(3).toInt()});
                }
                return list;
            });
            bool mapped = false;
            if (rows) {
                for (const auto &[pid, group, port] : rows.value()) {
                    auto it = tracked.find(pid);
                    if (it == tracked.end()) {
                        QString g = group;
                        if (g == QLatin1String("pg:backend")) {
                            if (!portOwner.count(quint16(port)) && !mapped)
                                mapPorts(), mapped = true;
                            g = portOwner.count(quint16(port)) ? portOwner[quint16(port)]
                                                               : QStringLiteral("pg:bench");
                        }
                        it = tracked.emplace(pid, Tracked {g, 0, 0}).first;
                        it->second.first = start ? std::max(0.0, processCpu(pid)) : 0.0;
                        it->second.last = it->second.first;
                    }
                }
            }
            if (start) {
                tracked[QCoreApplication::applicationPid()]
                    = Tracked {QStringLiteral("logic"), 0, 0};
                for (const Worker &w : workers)
                    tracked[w.pid] = Tracked {QStringLiteral("worker"), 0, 0};
            }
            for (auto &[pid, t] : tracked) {
                const double cpu = processCpu(pid);
                if (cpu >= 0) {
                    if (start
                        && (t.group == QLatin1String("logic")
                            || t.group == QLatin1String("worker")))
                        t.first = cpu;
                    t.last = cpu;
                }
            }
        };

        Run run;
        run.total = o.tasks;
        run.primes = primes;
        if (primes)
            run.expectedPrimes = countPrimesBelow(o.primesBelow);
        run.queuedNs.resize(size_t(o.tasks));
        run.latencyMs.reserve(size_t(o.tasks));
        qint64 logFrom = -1;
        double machineFirst = 0;
        double machineLast = 0;
        qint64 t0 = 0;
        bool finished = false;
        QString loadBefore;
        QString loadAfter;
        if (exitCode == 0 && !interrupted) {
            loadBefore = loadAverage();
            t0 = dbClock();
            sample(true);
            machineFirst = machineCpu();
            if (!o.pgLog.isEmpty())
                logFrom = QFileInfo(o.pgLog).size();
            const Task &task
                = primes ? tutorial::tasks::countPrimes() : tutorial::tasks::pickRandomNumber();
            const Value arg = primes ? Value(o.primesBelow) : Value(kRandomMax);
            int queued = 0;
            const auto queueOne = [&](qint64 at) {
                const int i = queued++;
                run.queuedNs[size_t(i)] = at;
                queue.queue(task, {arg})
                    .result.then(QtFuture::Launch::Sync,
                                 [&run, i](QFuture<Value> f) { run.onResult(i, f); });
            };
            QTimer pacer;
            QTimer sampler;
            QObject::connect(&sampler, &QTimer::timeout, [&] { sample(false); });
            sampler.start(1000);
            run.clock.start();
            if (o.rate > 0) {
                pacer.setTimerType(Qt::PreciseTimer);
                QObject::connect(&pacer, &QTimer::timeout, [&] {
                    const qint64 now = run.clock.nsecsElapsed();
                    const int due
                        = std::min<qint64>(o.tasks, qint64(double(now) * o.rate / 1e9) + 1);
                    while (queued < due)
                        queueOne(qint64(double(queued) * 1e9 / o.rate));
                    if (queued == o.tasks)
                        pacer.stop();
                });
                pacer.start(1);
                queueOne(0);
            } else {
                while (queued < o.tasks)
                    queueOne(run.clock.nsecsElapsed());
            }
            finished = waitUntil([&] { return run.done == o.tasks || interrupted; },
                                 qint64(o.timeoutS) * 1000);
            sampler.stop();
            sample(false);
            machineLast = machineCpu();
            loadAfter = loadAverage();
            if (!finished || interrupted)
                exitCode = fail(QStringLiteral("%1: %2 of %3 results after %4 s")
                                    .arg(interrupted ? QStringLiteral("interrupted")
                                                     : QStringLiteral("timed out"))
                                    .arg(run.done)
                                    .arg(o.tasks)
                                    .arg(run.clock.elapsed() / 1000.0));
        }

        // ---- figures -------------------------------------------------------------------------
        if (run.done > 0) {
            const double wall = double(run.lastResultNs) / 1e9;
            const double perSecond = double(run.done) / wall;
            // Latency from the table, on the database's clock.
            std::vector<double> toStart;
            std::vector<double> running;
            QMap<QString, int> byWorker;
            int retried = 0;
            auto rows = db->runSync([&](QSqlDatabase &c) -> Result<void> {
                auto q = sql::exec(
                    c,
                    QStringLiteral(
                        "SELECT started_at - queued_at, finished_at - started_at, worker, attempts "
                        "FROM peek_task WHERE state = 'done' AND queued_at >= %1")
                        .arg(t0));
                if (!q)
                    return q.error();
                while (q.value().next()) {
                    toStart.push_back(q.value().value(0).toDouble());
                    running.push_back(q.value().value(1).toDouble());
                    ++byWorker[q.value().value(2).toString()];
                    retried += q.value().value(3).toInt() > 1 ? 1 : 0;
                }
                return {};
            });
            if (!rows)
                std::fprintf(stderr, "task_bench: %s\n", qPrintable(rows.error().message()));
            // When the queued rows became claimable: the inserts commit before any worker sees
            // them.
            auto firsts = db->runSync([&](QSqlDatabase &c) -> Result<QVariantList> {
                auto q = sql::exec(
                    c,
                    QStringLiteral(
                        "SELECT MIN(queued_at) - %1, MAX(queued_at) - %1, MIN(started_at) - %1 "
                        "FROM peek_task WHERE queued_at >= %1")
                        .arg(t0));
                if (!q)
                    return q.error();
                if (!q.value().next())
                    return QVariantList();
                return QVariantList {q.value().value(0), q.value().value(1), q.value().value(2)};
            });
            if (firsts && firsts.value().size() == 3)
                std::printf("on the db clock after the first queue(): first insert %lld ms, last "
                            "insert %lld ms, first start %lld ms\n",
                            firsts.value()[0].toLongLong(), firsts.value()[1].toLongLong(),
                            firsts.value()[2].toLongLong());
            QStringList balance;
            for (auto it = byWorker.cbegin(); it != byWorker.cend(); ++it)
                balance << QStringLiteral("%1 %2").arg(it.key()).arg(it.value());

            std::map<QString, double> cpu;
            for (const auto &[pid, t] : tracked)
                cpu[t.group] += std::max(0.0, t.last - t.first);
            const double machine = machineLast - machineFirst;
            double ours = 0;
            for (const auto &[g, s] : cpu)
                ours += s;
            const auto us = [&](double seconds) { return seconds * 1e6 / double(run.done); };
            const double pgBackends = cpu["pg:logic"] + cpu["pg:worker"] + cpu["pg:bench"];

            std::printf("results: %d of %d, %d wrong, %d failed%s%s; %d retried; per worker: %s\n",
                        run.done, o.tasks, run.wrong, run.failed,
                        run.firstProblem.isEmpty() ? "" : "; first: ", qPrintable(run.firstProblem),
                        retried, qPrintable(balance.join(QStringLiteral(", "))));
            std::printf("wall %.2f s from the first queue() to the last result: %.0f tasks/s\n",
                        wall, perSecond);
            std::printf(
                "queue->start (table, db clock, ms): p50 %.0f  p99 %.0f  max %.0f   (%zu rows)\n",
                percentile(toStart, 0.5), percentile(toStart, 0.99), percentile(toStart, 1.0),
                toStart.size());
            std::printf("start->finish recorded (table, ms): p50 %.0f  p99 %.0f  max %.0f\n",
                        percentile(running, 0.5), percentile(running, 0.99),
                        percentile(running, 1.0));
            std::printf("queue->result (here%s, ms): p50 %.1f  p99 %.1f  max %.1f\n",
                        o.rate > 0 ? ", from the scheduled time" : "",
                        percentile(run.latencyMs, 0.5), percentile(run.latencyMs, 0.99),
                        percentile(run.latencyMs, 1.0));
            std::printf("CPU over the run (s; us per task): logic %.2f (%.0f)  workers %.2f (%.0f) "
                        " pg backends %.2f (%.0f) "
                        "[for logic %.2f, for workers %.2f, other %.2f]  pg shared %.2f (%.0f)  "
                        "rest of machine %.2f (%.0f); "
                        "machine busy %.2f of %.2f core-s (%.0f%%)\n",
                        cpu["logic"], us(cpu["logic"]), cpu["worker"], us(cpu["worker"]),
                        pgBackends, us(pgBackends), cpu["pg:logic"], cpu["pg:worker"],
                        cpu["pg:bench"], cpu["pg:shared"], us(cpu["pg:shared"]),
                        std::max(0.0, machine - ours), us(std::max(0.0, machine - ours)), machine,
                        wall * double(QThread::idealThreadCount()),
                        100.0 * machine / (wall * double(QThread::idealThreadCount())));
            std::printf(
                "summary: %s%s P=%d T=%d N=%d%s%s: %.0f tasks/s, wall %.2f s; queue->start "
                "p50/p99/max %.0f/%.0f/%.0f ms; "
                "queue->result p50/p99 %.1f/%.1f ms; CPU us/task logic %.0f, workers %.0f, pg "
                "%.0f+%.0f shared, rest %.0f; "
                "busy %.0f%%, load %s->%s%s\n",
                primes ? "primes" : "empty",
                primes ? qPrintable(QStringLiteral(" below=%1").arg(o.primesBelow)) : "",
                o.processes, o.threads, o.tasks,
                o.rate > 0 ? qPrintable(QStringLiteral(" rate=%1/s").arg(o.rate)) : "",
                o.experiments.isEmpty()
                    ? ""
                    : qPrintable(QStringLiteral(" [experiment %1]").arg(o.experiments.join(u','))),
                perSecond, wall, percentile(toStart, 0.5), percentile(toStart, 0.99),
                percentile(toStart, 1.0), percentile(run.latencyMs, 0.5),
                percentile(run.latencyMs, 0.99), us(cpu["logic"]), us(cpu["worker"]),
                us(pgBackends), us(cpu["pg:shared"]), us(std::max(0.0, machine - ours)),
                100.0 * machine / (wall * double(QThread::idealThreadCount())),
                qPrintable(loadBefore), qPrintable(loadAfter),
                run.wrong + run.failed > 0 ? " CHECK FAILED" : "");
            if (run.wrong + run.failed > 0)
                exitCode = 1;

            // Statements per task from the server's log (lines "[pid] LOG:  statement: ...").
            if (logFrom >= 0) {
                std::map<qint64, QString> owner;
                for (const auto &[pid, t] : tracked)
                    owner[pid] = t.group;
                QFile log(o.pgLog);
                std::map<QString, int> counts;
                int total = 0;
                if (log.open(QIODevice::ReadOnly) && log.seek(logFrom)) {
                    while (!log.atEnd()) {
                        const QByteArray line = log.readLine();
                        const qsizetype open = line.indexOf('[');
                        const qsizetype close = line.indexOf(']', open);
                        const qsizetype at = line.indexOf("LOG:  statement: ");
                        if (open < 0 || close < 0 || at < 0)
                            continue;
                        const auto it
                            = owner.find(line.mid(open + 1, close - open - 1).toLongLong());
                        if (it == owner.end() || !it->second.startsWith(QLatin1String("pg:")))
                            continue;
                        QByteArray text = line.mid(at + 17).trimmed();
                        QByteArray kind = text.left(text.indexOf(' '));
                        if (kind == "PREPARE") {
                            // Name what was prepared: its first words.
                            text = text.mid(text.indexOf(" AS ") + 4);
                            kind = "PREPARE " + text.left(60);
                        } else if (kind != "EXECUTE" && kind != "DEALLOCATE") {
                            kind = text.left(60);
                        }
                        ++counts[it->second.mid(3) + QStringLiteral(": ")
                                 + QString::fromUtf8(kind)];
                        ++total;
                    }
                }
                std::printf("statements over the run: %d, %.2f per task (from %s)\n", total,
                            double(total) / run.done, qPrintable(o.pgLog));
                std::vector<std::pair<int, QString>> sorted;
                for (const auto &[k, n] : counts)
                    sorted.push_back({n, k});
                std::sort(sorted.rbegin(), sorted.rend());
                for (const auto &[n, k] : sorted)
                    std::printf("  %8d  %6.3f/task  %s\n", n, double(n) / run.done, qPrintable(k));
            }
        }

        // ---- stop ----------------------------------------------------------------------------
        for (Worker &w : workers)
            if (w.process->state() != QProcess::NotRunning)
                ::kill(pid_t(w.pid), SIGTERM);
        for (Worker &w : workers) {
            if (!w.process->waitForFinished(20000)) {
                std::fprintf(stderr, "task_bench: %s did not stop within 20 s; killing it\n",
                             qPrintable(w.name));
                w.process->kill();
                w.process->waitForFinished(5000);
            } else if (w.process->exitStatus() != QProcess::NormalExit
                       || w.process->exitCode() != 0) {
                std::fprintf(stderr, "task_bench: %s ended with %d:\n%s\n", qPrintable(w.name),
                             w.process->exitCode(), w.errors().constData());
            }
        }
        queue.stop();
    } // queue, notifier and the bench database's connections close here
    if (!o.keepDb) {
        if (auto dropped = adminSql(QStringLiteral("DROP DATABASE %1 WITH (FORCE)").arg(dbName));
            !dropped)
            std::fprintf(stderr, "task_bench: %s\n", qPrintable(dropped.error().message()));
    } else {
        std::printf("kept database %s\n", qPrintable(url));
    }
    std::fflush(stdout);
    return exitCode;
}
