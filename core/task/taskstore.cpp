#include "taskstore.h"

#include "storage/sql.h"

#include <QSqlDriver>
#include <QSqlField>
#include <QSqlRecord>
#include <QSet>

#include <optional>

namespace peek::taskstore {

namespace {

using sql::Dialect;

// The database's clock in ms since the epoch: one clock for every machine of an installation.
QString now(const QSqlDatabase &db)
{
    return sql::dialectOf(db) == Dialect::PostgreSql
        ? QStringLiteral("CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)")
        : QStringLiteral("CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)");
}

// "?, ?, ?" for n values.
QString placeholders(qsizetype n)
{
    QString text;
    text.reserve(n * 3);
    for (qsizetype i = 0; i < n; ++i)
        text += i ? QStringLiteral(", ?") : QStringLiteral("?");
    return text;
}

// A value as an SQL literal, escaped by the driver exactly as QtSql escapes the values of its
// EXECUTE for a prepared statement.
QString literal(const QSqlDatabase &db, const QVariant &value)
{
    QSqlField field(QString(), value.metaType());
    if (value.isNull())
        field.clear();
    else
        field.setValue(value);
    return db.driver()->formatValue(field);
}

// sql::exec, but on PostgreSQL the values go into the statement as literals: QtSql prepares a
// statement with bound values as PREPARE, EXECUTE and DEALLOCATE, three round trips (and three
// statements for the server to parse) for every call; this is one. '?' outside quotes are the
// placeholders. SQLite prepares locally: it keeps its bound values.
Result<QSqlQuery> execFast(const QSqlDatabase &db, const QString &statement, const QVariantList &values,
                                  const QString &what)
{
    if (sql::dialectOf(db) != Dialect::PostgreSql || values.isEmpty())
        return sql::exec(db, statement, values, what);
    QString text;
    text.reserve(statement.size() + values.size() * 40);
    qsizetype next = 0;
    bool quoted = false;
    for (const QChar c : statement) {
        if (c == u'\'')
            quoted = !quoted;
        if (c == u'?' && !quoted && next < values.size())
            text += literal(db, values.at(next++));
        else
            text += c;
    }
    return sql::exec(db, text, {}, what);
}

// Statements with a list of values are cut into chunks of this many rows (PostgreSQL takes up to
// 65535 bound values, SQLite 32766).
constexpr qsizetype kChunk = 200;

// PostgreSQL: tells listeners about `ids` (payloads are at most 8000 bytes: chunks of ids).
Result<void> notify(QSqlDatabase &db, const char *channel, const QStringList &ids = {})
{
    if (sql::dialectOf(db) != Dialect::PostgreSql)
        return {};
    const QString what = QStringLiteral("announcing tasks on %1").arg(QLatin1String(channel));
    if (ids.isEmpty()) {
        auto q = sql::exec(db, QStringLiteral("SELECT pg_notify('%1', '')").arg(QLatin1String(channel)), {}, what);
        return q ? Result<void>() : q.error();
    }
    for (qsizetype from = 0; from < ids.size(); from += kChunk) {
        auto q = execFast(db, QStringLiteral("SELECT pg_notify('%1', ?)").arg(QLatin1String(channel)),
                           {ids.mid(from, kChunk).join(u',')}, what);
        if (!q)
            return q.error();
    }
    return {};
}

template <typename Fn>
Result<void> inTransaction(QSqlDatabase &db, const QString &what, Fn fn)
{
    sql::Transaction transaction(db);
    if (auto begun = transaction.begin(what); !begun)
        return begun;
    if (auto done = fn(); !done)
        return done;
    return transaction.commit(what);
}

} // namespace

MigrationSet migrations()
{
    Migration create;
    create.number = 1;
    create.name = QStringLiteral("create_task_queue");
    create.fileName = QStringLiteral("peek_task/0001_create_task_queue.sql");
    create.sql = QStringLiteral(R"(
CREATE TABLE peek_task (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    args TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    timeout_ms BIGINT NOT NULL,
    queued_at BIGINT NOT NULL,
    run_after BIGINT NOT NULL,
    lease_until BIGINT,
    worker TEXT,
    started_at BIGINT,
    finished_at BIGINT,
    expires_at BIGINT,
    result TEXT,
    error TEXT
);
CREATE INDEX peek_task_ready ON peek_task (state, run_after);
CREATE INDEX peek_task_expiry ON peek_task (expires_at);
)");
    // The claim's ORDER BY (run_after, queued_at) read from the index with its LIMIT, instead of
    // every ready row sorted (or an incremental sort over each run_after group) per claim.
    Migration order;
    order.number = 2;
    order.name = QStringLiteral("claim_order_index");
    order.fileName = QStringLiteral("peek_task/0002_claim_order_index.sql");
    order.sql = QStringLiteral(R"(
DROP INDEX peek_task_ready;
CREATE INDEX peek_task_ready ON peek_task (state, run_after, queued_at);
)");
    auto set = MigrationSet::fromList(QString(), {create, order}, QStringLiteral("peek_task"));
    return set.value();
}

Result<void> insert(QSqlDatabase &db, const QList<NewTask> &tasks)
{
    if (tasks.isEmpty())
        return {};
    const QString what = QStringLiteral("queueing %1 task(s) (%2 ...)").arg(tasks.size()).arg(tasks.first().name);
    return inTransaction(db, what, [&]() -> Result<void> {
        const QString t = now(db);
        for (qsizetype from = 0; from < tasks.size(); from += kChunk) {
            const qsizetype n = std::min(kChunk, tasks.size() - from);
            QString statement = QStringLiteral("INSERT INTO peek_task (id, name, args, state, max_attempts, "
                                               "timeout_ms, queued_at, run_after) VALUES ");
            QVariantList values;
            values.reserve(n * 5);
            for (qsizetype i = 0; i < n; ++i) {
                const NewTask &task = tasks.at(from + i);
                statement += (i ? QStringLiteral(", ") : QString())
                    + QStringLiteral("(?, ?, ?, 'queued', ?, ?, %1, %1)").arg(t);
                values << task.id << task.name << QString::fromUtf8(task.args) << task.maxAttempts
                       << qint64(task.timeoutMs);
            }
            auto q = execFast(db, statement, values, what);
            if (!q)
                return q.error();
        }
        return notify(db, kQueuedChannel);
    });
}

Result<QList<ClaimedTask>> claim(QSqlDatabase &db, const QString &worker, const QStringList &names,
                                        int limit, int leaseMs)
{
    if (names.isEmpty() || limit <= 0)
        return QList<ClaimedTask>();
    const QString t = now(db);
    const bool pg = sql::dialectOf(db) == Dialect::PostgreSql;
    // One statement: atomic on SQLite (one writer), and on PostgreSQL the rows are locked as they
    // are picked and rows another worker locked are skipped, so no task is claimed twice.
    const QString statement = QStringLiteral(
        "UPDATE peek_task SET state = 'running', attempts = attempts + 1, worker = ?, started_at = %1, "
        "lease_until = %1 + ? "
        "WHERE id IN (SELECT id FROM peek_task WHERE state = 'queued' AND run_after <= %1 AND name IN (%2) "
        "ORDER BY run_after, queued_at LIMIT ?%3) "
        "RETURNING id, name, args, attempts, max_attempts, timeout_ms, queued_at, started_at")
        .arg(t, placeholders(names.size()), pg ? QStringLiteral(" FOR UPDATE SKIP LOCKED") : QString());
    QVariantList values {worker, qint64(leaseMs)};
    for (const QString &name : names)
        values << name;
    values << limit;
    const QString what = QStringLiteral("worker %1 claiming tasks").arg(worker);
    // PostgreSQL: walk peek_task_ready in claim order and stop at the LIMIT. Without statistics
    // (a new table) or with stale ones the planner may read and sort every queued row instead,
    // for every claim; sorting is never the right plan here.
    std::optional<sql::Transaction> transaction;
    if (pg) {
        transaction.emplace(db);
        if (auto begun = transaction->begin(what); !begun)
            return begun.error();
        if (auto set = sql::exec(db, QStringLiteral("SET LOCAL enable_sort = off"), {}, what); !set)
            return set.error();
    }
    auto q = execFast(db, statement, values, what);
    if (!q)
        return q.error();
    QList<ClaimedTask> claimed;
    QSqlQuery &query = q.value();
    while (query.next()) {
        ClaimedTask task;
        task.id = query.value(0).toString();
        task.name = query.value(1).toString();
        task.args = query.value(2).toString().toUtf8();
        task.attempt = query.value(3).toInt();
        task.maxAttempts = query.value(4).toInt();
        task.timeoutMs = int(query.value(5).toLongLong());
        task.queuedAt = query.value(6).toLongLong();
        task.startedAt = query.value(7).toLongLong();
        claimed << task;
    }
    if (transaction)
        if (auto committed = transaction->commit(what); !committed)
            return committed.error();
    // RETURNING does not promise an order.
    std::sort(claimed.begin(), claimed.end(), [](const ClaimedTask &a, const ClaimedTask &b) {
        return a.queuedAt < b.queuedAt;
    });
    return claimed;
}

namespace {

// PostgreSQL: every outcome of a chunk in one statement that also announces what it changed
// (autocommit: one round trip, one commit), instead of BEGIN, an UPDATE per outcome, the
// notification and COMMIT.
Result<FinishReport> finishPostgres(QSqlDatabase &db, const QString &worker, const QList<Outcome> &outcomes,
                                           int resultExpiryMs, const QString &what)
{
    FinishReport report;
    const QString t = now(db);
    for (qsizetype from = 0; from < outcomes.size(); from += kChunk) {
        const qsizetype n = std::min(kChunk, outcomes.size() - from);
        QString rows;
        QVariantList values;
        values.reserve(n * 6 + 2);
        for (qsizetype i = 0; i < n; ++i) {
            const Outcome &o = outcomes.at(from + i);
            rows += i ? QStringLiteral(", (?, ?, ?, ?, ?, ?)")
                      : QStringLiteral("(CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS BOOLEAN), CAST(? AS TEXT), "
                                       "CAST(? AS TEXT), CAST(? AS BIGINT))");
            values << o.id << o.attempt << o.ok << (o.ok ? QVariant(QString::fromUtf8(o.result)) : QVariant(QMetaType::fromType<QString>()))
                   << (o.ok ? QVariant(QMetaType::fromType<QString>()) : QVariant(o.error)) << (o.ok ? qint64(-1) : o.retryAfterMs);
        }
        values << qint64(resultExpiryMs) << worker;
        const QString statement = QStringLiteral(
            "WITH o (id, attempt, ok, result, error, retry_ms) AS (VALUES %1), "
            "changed AS (UPDATE peek_task t SET "
            "state = CASE WHEN o.ok THEN 'done' WHEN o.retry_ms >= 0 THEN 'queued' ELSE 'failed' END, "
            "result = o.result, error = o.error, lease_until = NULL, "
            "finished_at = CASE WHEN o.ok OR o.retry_ms < 0 THEN %2 ELSE t.finished_at END, "
            "expires_at = CASE WHEN o.ok OR o.retry_ms < 0 THEN %2 + ? ELSE t.expires_at END, "
            "run_after = CASE WHEN NOT o.ok AND o.retry_ms >= 0 THEN %2 + o.retry_ms ELSE t.run_after END "
            "FROM o WHERE t.id = o.id AND t.worker = ? AND t.attempts = o.attempt AND t.state = 'running' "
            "RETURNING t.id, t.state) "
            "SELECT id, state, "
            "(SELECT pg_notify('%3', string_agg(id, ',')) FROM changed WHERE state <> 'queued' HAVING COUNT(*) > 0), "
            "(SELECT pg_notify('%4', '') FROM changed WHERE state = 'queued' HAVING COUNT(*) > 0) "
            "FROM changed")
            .arg(rows, t, QLatin1String(kFinishedChannel), QLatin1String(kQueuedChannel));
        auto q = execFast(db, statement, values, what);
        if (!q)
            return q.error();
        QSet<QString> changed;
        while (q.value().next()) {
            const QString id = q.value().value(0).toString();
            changed.insert(id);
            (q.value().value(1).toString() == QLatin1String("queued") ? report.retried : report.finished) << id;
        }
        for (qsizetype i = 0; i < n; ++i)
            if (!changed.contains(outcomes.at(from + i).id))
                report.stale << outcomes.at(from + i).id;
    }
    return report;
}

} // namespace

Result<FinishReport> finish(QSqlDatabase &db, const QString &worker, const QList<Outcome> &outcomes,
                                   int resultExpiryMs)
{
    FinishReport report;
    if (outcomes.isEmpty())
        return report;
    const QString what = QStringLiteral("worker %1 recording %2 task outcome(s)").arg(worker).arg(outcomes.size());
    if (sql::dialectOf(db) == Dialect::PostgreSql) {
        if (outcomes.size() <= kChunk) // one statement: its own transaction
            return finishPostgres(db, worker, outcomes, resultExpiryMs, what);
        // Several statements: all or none, so a failure never leaves some recorded and the
        // retry would then call them stale.
        Result<FinishReport> chunked;
        auto done = inTransaction(db, what, [&]() -> Result<void> {
            chunked = finishPostgres(db, worker, outcomes, resultExpiryMs, what);
            return chunked ? Result<void>() : chunked.error();
        });
        if (!done)
            return done.error();
        return chunked;
    }
    const QString t = now(db);
    const QString mine = QStringLiteral(" WHERE id = ? AND worker = ? AND attempts = ? AND state = 'running'");
    const QString done = QStringLiteral("UPDATE peek_task SET state = 'done', result = ?, error = NULL, "
                                        "finished_at = %1, expires_at = %1 + ?, lease_until = NULL")
                             .arg(t) + mine;
    const QString failed = QStringLiteral("UPDATE peek_task SET state = 'failed', error = ?, "
                                          "finished_at = %1, expires_at = %1 + ?, lease_until = NULL")
                               .arg(t) + mine;
    const QString retry = QStringLiteral("UPDATE peek_task SET state = 'queued', error = ?, run_after = %1 + ?, "
                                         "lease_until = NULL")
                              .arg(t) + mine;
    auto recorded = inTransaction(db, what, [&]() -> Result<void> {
        for (const Outcome &o : outcomes) {
            const bool retrying = !o.ok && o.retryAfterMs >= 0;
            const QVariantList values {o.ok ? QVariant(QString::fromUtf8(o.result)) : QVariant(o.error),
                                       retrying ? o.retryAfterMs : qint64(resultExpiryMs),
                                       o.id, worker, o.attempt};
            auto q = sql::exec(db, o.ok ? done : retrying ? retry : failed, values, what);
            if (!q)
                return q.error();
            if (q.value().numRowsAffected() != 1)
                report.stale << o.id;
            else if (retrying)
                report.retried << o.id;
            else
                report.finished << o.id;
        }
        if (!report.retried.isEmpty())
            if (auto n = notify(db, kQueuedChannel); !n)
                return n;
        return notify(db, kFinishedChannel, report.finished);
    });
    if (!recorded)
        return recorded.error();
    return report;
}

Result<int> renewLeases(QSqlDatabase &db, const QString &worker, const QStringList &ids, int leaseMs)
{
    int renewed = 0;
    const QString what = QStringLiteral("worker %1 renewing its task leases").arg(worker);
    for (qsizetype from = 0; from < ids.size(); from += kChunk) {
        const QStringList chunk = ids.mid(from, kChunk);
        QVariantList values {qint64(leaseMs), worker};
        for (const QString &id : chunk)
            values << id;
        auto q = execFast(db,
                           QStringLiteral("UPDATE peek_task SET lease_until = %1 + ? WHERE worker = ? AND "
                                          "state = 'running' AND id IN (%2)")
                               .arg(now(db), placeholders(chunk.size())),
                           values, what);
        if (!q)
            return q.error();
        renewed += q.value().numRowsAffected();
    }
    return renewed;
}

Result<RecoveryReport> recoverExpiredLeases(QSqlDatabase &db, int resultExpiryMs)
{
    RecoveryReport report;
    const QString what = QStringLiteral("recovering the tasks of lost workers");
    const QString t = now(db);
    auto recovered = inTransaction(db, what, [&]() -> Result<void> {
        auto failed = sql::exec(
            db,
            QStringLiteral("UPDATE peek_task SET state = 'failed', finished_at = %1, expires_at = %1 + ?, "
                           "error = 'its worker ' || COALESCE(worker, '?') || ' stopped answering on attempt ' "
                           "|| CAST(attempts AS TEXT) || ' of ' || CAST(max_attempts AS TEXT), lease_until = NULL "
                           "WHERE state = 'running' AND lease_until < %1 AND attempts >= max_attempts RETURNING id")
                .arg(t),
            {qint64(resultExpiryMs)}, what);
        if (!failed)
            return failed.error();
        while (failed.value().next())
            report.failed << failed.value().value(0).toString();
        auto requeued = sql::exec(
            db,
            QStringLiteral("UPDATE peek_task SET state = 'queued', run_after = %1, lease_until = NULL, "
                           "error = 'its worker ' || COALESCE(worker, '?') || ' stopped answering' "
                           "WHERE state = 'running' AND lease_until < %1")
                .arg(t),
            {}, what);
        if (!requeued)
            return requeued.error();
        report.requeued = requeued.value().numRowsAffected();
        if (report.requeued > 0)
            if (auto n = notify(db, kQueuedChannel); !n)
                return n;
        return notify(db, kFinishedChannel, report.failed);
    });
    if (!recovered)
        return recovered.error();
    return report;
}

Result<QHash<QString, TaskState>> states(QSqlDatabase &db, const QStringList &ids)
{
    QHash<QString, TaskState> found;
    for (qsizetype from = 0; from < ids.size(); from += kChunk) {
        const QStringList chunk = ids.mid(from, kChunk);
        QVariantList values;
        for (const QString &id : chunk)
            values << id;
        auto q = execFast(db,
                           QStringLiteral("SELECT id, state, result, error, attempts, worker FROM peek_task "
                                          "WHERE id IN (%1)")
                               .arg(placeholders(chunk.size())),
                           values, QStringLiteral("reading the state of %1 task(s)").arg(chunk.size()));
        if (!q)
            return q.error();
        while (q.value().next()) {
            const QSqlQuery &row = q.value();
            TaskState state {row.value(0).toString(), row.value(1).toString(),
                             row.value(2).toString().toUtf8(), row.value(3).toString(),
                             row.value(4).toInt(), row.value(5).toString()};
            found.insert(state.id, state);
        }
    }
    return found;
}

Result<int> deleteExpired(QSqlDatabase &db)
{
    auto q = sql::exec(db,
                       QStringLiteral("DELETE FROM peek_task WHERE state IN ('done', 'failed') AND expires_at < %1")
                           .arg(now(db)),
                       {}, QStringLiteral("deleting expired task results"));
    if (!q)
        return q.error();
    return q.value().numRowsAffected();
}

Result<int> release(QSqlDatabase &db, const QString &worker, const QStringList &ids)
{
    int released = 0;
    const QString what = QStringLiteral("worker %1 giving back %2 task(s)").arg(worker).arg(ids.size());
    auto done = inTransaction(db, what, [&]() -> Result<void> {
        for (qsizetype from = 0; from < ids.size(); from += kChunk) {
            const QStringList chunk = ids.mid(from, kChunk);
            QVariantList values {worker};
            for (const QString &id : chunk)
                values << id;
            auto q = sql::exec(db,
                               QStringLiteral("UPDATE peek_task SET state = 'queued', attempts = attempts - 1, "
                                              "run_after = %1, lease_until = NULL WHERE worker = ? AND "
                                              "state = 'running' AND id IN (%2)")
                                   .arg(now(db), placeholders(chunk.size())),
                               values, what);
            if (!q)
                return q.error();
            released += q.value().numRowsAffected();
        }
        return released > 0 ? notify(db, kQueuedChannel) : Result<void>();
    });
    if (!done)
        return done.error();
    return released;
}

Result<Stats> stats(QSqlDatabase &db)
{
    auto q = sql::exec(db,
                       QStringLiteral("SELECT state, worker, COUNT(*) FROM peek_task GROUP BY state, worker"),
                       {}, QStringLiteral("counting tasks"));
    if (!q)
        return q.error();
    Stats stats;
    for (const char *state : {"queued", "running", "done", "failed"})
        stats.byState.insert(QLatin1String(state), 0);
    while (q.value().next()) {
        const QString state = q.value().value(0).toString();
        const QString worker = q.value().value(1).toString();
        const int count = q.value().value(2).toInt();
        stats.byState[state] += count;
        if (worker.isEmpty() || state == QLatin1String("queued"))
            continue;
        Stats::Worker &w = stats.byWorker[worker];
        if (state == QLatin1String("running"))
            w.running += count;
        else if (state == QLatin1String("done"))
            w.done += count;
        else if (state == QLatin1String("failed"))
            w.failed += count;
    }
    auto oldest = sql::scalar(db, QStringLiteral("SELECT COALESCE(%1 - MIN(queued_at), 0) FROM peek_task WHERE state = 'queued'").arg(now(db)),
                              {}, QStringLiteral("finding the oldest queued task"));
    if (!oldest)
        return oldest.error();
    stats.oldestQueuedAgeMs = std::max<qint64>(0, oldest.value().toLongLong());
    return stats;
}

Result<QMap<QString, QMap<QString, int>>> countsByName(QSqlDatabase &db)
{
    auto q = sql::exec(db, QStringLiteral("SELECT name, state, COUNT(*) FROM peek_task GROUP BY name, state"), {},
                       QStringLiteral("counting tasks by name"));
    if (!q)
        return q.error();
    QMap<QString, QMap<QString, int>> counts;
    while (q.value().next())
        counts[q.value().value(0).toString()][q.value().value(1).toString()] += q.value().value(2).toInt();
    return counts;
}

Result<QList<FailedTask>> failedTasks(QSqlDatabase &db, int limit)
{
    auto q = sql::exec(db,
                       QStringLiteral("SELECT id, name, attempts, worker, finished_at, error FROM peek_task "
                                      "WHERE state = 'failed' ORDER BY finished_at DESC LIMIT ?"),
                       {limit}, QStringLiteral("reading the failed tasks"));
    if (!q)
        return q.error();
    QList<FailedTask> failed;
    while (q.value().next()) {
        const QSqlQuery &r = q.value();
        failed << FailedTask {r.value(0).toString(), r.value(1).toString(), r.value(2).toInt(), r.value(3).toString(),
                              r.value(4).toLongLong(), r.value(5).toString()};
    }
    return failed;
}

Result<bool> retryFailed(QSqlDatabase &db, const QString &id)
{
    bool retried = false;
    auto done = inTransaction(db, QStringLiteral("retrying task %1").arg(id), [&]() -> Result<void> {
        const QString t = now(db);
        auto q = sql::exec(db,
                           QStringLiteral("UPDATE peek_task SET state = 'queued', attempts = 0, run_after = %1, "
                                          "lease_until = NULL, worker = NULL, started_at = NULL, finished_at = NULL, "
                                          "expires_at = NULL, result = NULL, error = NULL "
                                          "WHERE id = ? AND state = 'failed'")
                               .arg(t),
                           {id}, QStringLiteral("retrying task %1").arg(id));
        if (!q)
            return q.error();
        retried = q.value().numRowsAffected() > 0;
        return retried ? notify(db, kQueuedChannel) : Result<void> {};
    });
    if (!done)
        return done.error();
    return retried;
}

} // namespace peek::taskstore
