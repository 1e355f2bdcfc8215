#include "processedactionstore.h"

#include "storage/database.h"
#include "storage/sql.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QPromise>
#include <QSqlQuery>

Q_LOGGING_CATEGORY(lcProcessed, "peek.action.processed")

namespace peek {

namespace {

template <typename T>
QFuture<T> ready(T value)
{
    QPromise<T> promise;
    promise.start();
    promise.addResult(std::move(value));
    promise.finish();
    return promise.future();
}

QFuture<void> readyVoid()
{
    QPromise<void> promise;
    promise.start();
    promise.finish();
    return promise.future();
}

const QString kTable = QStringLiteral("peek_processed_actions");

AppliedOnce outcome(AppliedOnce::Outcome what, const QString &error = {})
{
    AppliedOnce done;
    done.outcome = what;
    done.answer.error = error;
    done.answer.tryAgain = what == AppliedOnce::Outcome::TryAgain;
    return done;
}

} // namespace

QFuture<AppliedOnce> ProcessedActionStore::applyOnce(const QString &, const Dict &, TransactionalWork)
{
    return ready(outcome(AppliedOnce::Outcome::Refused,
                         QStringLiteral("this action processor has no database to apply actions in")));
}

QFuture<std::optional<ProcessedAnswer>> MemoryProcessedActionStore::lookup(const QString &uuid)
{
    const auto it = m_kept.constFind(uuid);
    if (it == m_kept.constEnd() || QDateTime::currentSecsSinceEpoch() - it->at > m_keepSeconds)
        return ready(std::optional<ProcessedAnswer>());
    return ready(std::optional<ProcessedAnswer>(it->answer));
}

QFuture<void> MemoryProcessedActionStore::remember(const QString &uuid, const ProcessedAnswer &answer)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    // Forget the oldest: expired ones, and beyond the size bound (memory stays bounded).
    while (!m_order.empty()
           && (now - m_order.front().first > m_keepSeconds || int(m_order.size()) >= m_maxEntries)) {
        const auto &[at, oldUuid] = m_order.front();
        const auto it = m_kept.constFind(oldUuid);
        if (it != m_kept.constEnd() && it->at == at)
            m_kept.erase(it);
        m_order.pop_front();
    }
    m_kept.insert(uuid, Kept{answer, now});
    m_order.emplace_back(now, uuid);
    return readyVoid();
}

DatabaseProcessedActionStore::DatabaseProcessedActionStore(Database *database, const QString &schema, int keepSeconds)
    : m_database(database), m_keepSeconds(keepSeconds)
{
    if (!schema.isEmpty())
        m_schemas << schema;
    m_table = schema.isEmpty() ? kTable : schema + u'.' + kTable;
    const Result<void> created = database->runSync(m_schemas, [this](QSqlDatabase &db) -> Result<void> {
        auto q = sql::exec(db, QStringLiteral("CREATE TABLE IF NOT EXISTS %1 (uuid TEXT PRIMARY KEY, "
                                              "processed_at BIGINT NOT NULL, payload TEXT, error TEXT)")
                                   .arg(m_table),
                           {}, QStringLiteral("creating the table of processed actions %1").arg(m_table));
        if (!q)
            return q.error();
        return {};
    });
    m_ready = created.ok();
    if (!m_ready) {
        m_error = created.error().message();
        qCCritical(lcProcessed).noquote() << m_error;
    }
}

QFuture<std::optional<ProcessedAnswer>> DatabaseProcessedActionStore::lookup(const QString &uuid)
{
    const qint64 oldest = QDateTime::currentSecsSinceEpoch() - m_keepSeconds;
    return m_database
        ->run(m_schemas, [uuid, oldest, table = m_table](QSqlDatabase &db) -> Result<std::optional<ProcessedAnswer>> {
            auto q = sql::exec(db, QStringLiteral("SELECT payload, error FROM %1 WHERE uuid = ? AND processed_at >= ?").arg(table),
                               {uuid, oldest}, QStringLiteral("looking up processed action %1").arg(uuid));
            if (!q)
                return q.error();
            if (!q.value().next())
                return std::optional<ProcessedAnswer>();
            return std::optional<ProcessedAnswer>(
                ProcessedAnswer{q.value().value(0).toString().toLatin1(), q.value().value(1).toString()});
        })
        .then([uuid](const Result<std::optional<ProcessedAnswer>> &r) {
            if (!r) {
                // Not knowing must not be taken for "not processed" (the action could be applied
                // twice): the caller answers "try again" and the device keeps the action.
                qCWarning(lcProcessed).noquote() << r.error();
                throw std::runtime_error(r.error().message().toStdString());
            }
            return r.value();
        });
}

Result<void> DatabaseProcessedActionStore::purgeIfDue(QSqlDatabase &db)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    qint64 last = m_lastPurge.load();
    if (now - last <= 3600 || !m_lastPurge.compare_exchange_strong(last, now))
        return {};
    auto p = sql::exec(db, QStringLiteral("DELETE FROM %1 WHERE processed_at < ?").arg(m_table), {now - m_keepSeconds},
                       QStringLiteral("purging old processed actions"));
    if (!p)
        return p.error();
    return {};
}

QFuture<void> DatabaseProcessedActionStore::remember(const QString &uuid, const ProcessedAnswer &answer)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    return m_database
        ->run(m_schemas, [this, uuid, answer, now](QSqlDatabase &db) -> Result<void> {
            auto q = sql::exec(db, QStringLiteral("INSERT INTO %1 (uuid, processed_at, payload, error) VALUES (?, ?, ?, ?) "
                                                  "ON CONFLICT (uuid) DO UPDATE SET processed_at = excluded.processed_at, "
                                                  "payload = excluded.payload, error = excluded.error").arg(m_table),
                               {uuid, now, QString::fromLatin1(answer.encodedPayload), answer.error},
                               QStringLiteral("remembering processed action %1").arg(uuid));
            if (!q)
                return q.error();
            return purgeIfDue(db);
        })
        .then([](const Result<void> &r) {
            if (!r)
                qCWarning(lcProcessed).noquote() << r.error();
        });
}

QFuture<AppliedOnce> DatabaseProcessedActionStore::applyOnce(const QString &uuid, const Dict &answerFilt,
                                                             TransactionalWork work)
{
    using Outcome = AppliedOnce::Outcome;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const qint64 oldest = now - m_keepSeconds;
    return m_database
        ->run(m_schemas, [this, uuid, answerFilt, work = std::move(work), now, oldest](QSqlDatabase &db)
                  -> Result<AppliedOnce> {
            // The platform's own steps failing means "try again": nothing was applied.
            const auto platformFailed = [&uuid](const Error &e) {
                qCWarning(lcProcessed).noquote() << "action" << uuid << "not applied:" << e.message();
                return outcome(Outcome::TryAgain, QStringLiteral("the service could not reach its database; "
                                                                 "the action was not applied, send it again later"));
            };
            sql::Transaction transaction(db);
            if (auto begun = transaction.begin(QStringLiteral("applying action %1").arg(uuid)); !begun)
                return platformFailed(begun.error());
            auto known = sql::exec(db, QStringLiteral("SELECT payload, error FROM %1 WHERE uuid = ? AND processed_at >= ?").arg(m_table),
                                   {uuid, oldest}, QStringLiteral("looking up processed action %1").arg(uuid));
            if (!known)
                return platformFailed(known.error());
            if (known.value().next()) {
                AppliedOnce done = outcome(Outcome::AlreadyApplied, known.value().value(1).toString());
                done.answer.encodedPayload = known.value().value(0).toString().toLatin1();
                return done;
            }
            Result<std::vector<TuplePtr>> result;
            try {
                result = work(db);
            } catch (const std::exception &e) {
                result = Error{QString::fromUtf8(e.what()), {}, {}};
            } catch (...) {
                result = Error{QStringLiteral("the action failed"), {}, {}};
            }
            if (!result) {
                // The plugin's own refusal goes to the device as it is; a failed statement's text
                // is internal (SQL, database messages) and stays in the log.
                const Error &e = result.error();
                if (e.statement.isEmpty() && e.cause.isEmpty())
                    return outcome(Outcome::Refused, e.what);
                qCWarning(lcProcessed).noquote() << "action" << uuid << "failed in the database:" << e.message();
                return outcome(Outcome::Refused, QStringLiteral("the action could not be stored (%1); the service's log "
                                                                "has the details")
                                                     .arg(e.what.isEmpty() ? QStringLiteral("database error") : e.what));
            }
            AppliedOnce done = outcome(Outcome::Applied);
            done.answer.encodedPayload = Payload(answerFilt, std::move(result).value()).encode();
            auto recorded = sql::exec(db, QStringLiteral("INSERT INTO %1 (uuid, processed_at, payload, error) VALUES (?, ?, ?, ?)").arg(m_table),
                                      {uuid, now, QString::fromLatin1(done.answer.encodedPayload), QString()},
                                      QStringLiteral("remembering processed action %1").arg(uuid));
            if (!recorded)
                return platformFailed(recorded.error());
            if (auto purged = purgeIfDue(db); !purged)
                return platformFailed(purged.error());
            if (auto committed = transaction.commit(QStringLiteral("committing action %1").arg(uuid)); !committed)
                return platformFailed(committed.error());
            return done;
        })
        .then([](const Result<AppliedOnce> &r) {
            if (!r) // no connection could be had: work did not run
                return outcome(AppliedOnce::Outcome::TryAgain,
                               QStringLiteral("the service could not reach its database; the action was not "
                                              "applied, send it again later"));
            return r.value();
        });
}

} // namespace peek
