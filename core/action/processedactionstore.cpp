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

} // namespace

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

DatabaseProcessedActionStore::DatabaseProcessedActionStore(Database *database, int keepSeconds)
    : m_database(database), m_keepSeconds(keepSeconds)
{
    const StorageResult<void> created = database->runSync([](QSqlDatabase &db) -> StorageResult<void> {
        auto q = sql::exec(db, QStringLiteral("CREATE TABLE IF NOT EXISTS %1 (uuid TEXT PRIMARY KEY, "
                                              "processed_at BIGINT NOT NULL, payload TEXT, error TEXT)")
                                   .arg(kTable),
                           {}, QStringLiteral("creating the table of processed actions"));
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
        ->run([uuid, oldest](QSqlDatabase &db) -> StorageResult<std::optional<ProcessedAnswer>> {
            auto q = sql::exec(db, QStringLiteral("SELECT payload, error FROM %1 WHERE uuid = ? AND processed_at >= ?").arg(kTable),
                               {uuid, oldest}, QStringLiteral("looking up processed action %1").arg(uuid));
            if (!q)
                return q.error();
            if (!q.value().next())
                return std::optional<ProcessedAnswer>();
            return std::optional<ProcessedAnswer>(
                ProcessedAnswer{q.value().value(0).toString().toLatin1(), q.value().value(1).toString()});
        })
        .then([uuid](const StorageResult<std::optional<ProcessedAnswer>> &r) {
            if (!r) {
                // Not knowing is treated as not processed: better to ask the delegate than to
                // lose the action; the failure is logged for the operator.
                qCWarning(lcProcessed).noquote() << r.error();
                return std::optional<ProcessedAnswer>();
            }
            return r.value();
        });
}

QFuture<void> DatabaseProcessedActionStore::remember(const QString &uuid, const ProcessedAnswer &answer)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const bool purge = now - m_lastPurge > 3600;
    if (purge)
        m_lastPurge = now;
    const qint64 oldest = now - m_keepSeconds;
    return m_database
        ->run([uuid, answer, now, purge, oldest](QSqlDatabase &db) -> StorageResult<void> {
            auto q = sql::exec(db, QStringLiteral("INSERT INTO %1 (uuid, processed_at, payload, error) VALUES (?, ?, ?, ?) "
                                                  "ON CONFLICT (uuid) DO UPDATE SET processed_at = excluded.processed_at, "
                                                  "payload = excluded.payload, error = excluded.error").arg(kTable),
                               {uuid, now, QString::fromLatin1(answer.encodedPayload), answer.error},
                               QStringLiteral("remembering processed action %1").arg(uuid));
            if (!q)
                return q.error();
            if (purge) {
                auto p = sql::exec(db, QStringLiteral("DELETE FROM %1 WHERE processed_at < ?").arg(kTable), {oldest},
                                   QStringLiteral("purging old processed actions"));
                if (!p)
                    return p.error();
            }
            return {};
        })
        .then([](const StorageResult<void> &r) {
            if (!r)
                qCWarning(lcProcessed).noquote() << r.error();
        });
}

} // namespace peek
