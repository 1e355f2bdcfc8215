#include "processedactionstore.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

Q_LOGGING_CATEGORY(lcProcessed, "peek.action.processed")

namespace peek {

std::optional<ProcessedAnswer> MemoryProcessedActionStore::lookup(const QString &uuid)
{
    const auto it = m_kept.constFind(uuid);
    if (it == m_kept.constEnd())
        return std::nullopt;
    if (QDateTime::currentSecsSinceEpoch() - it->at > m_keepSeconds) {
        m_kept.remove(uuid);
        return std::nullopt;
    }
    return it->answer;
}

void MemoryProcessedActionStore::remember(const QString &uuid, const ProcessedAnswer &answer)
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
}

SqliteProcessedActionStore::SqliteProcessedActionStore(const QString &sqlitePath, int keepSeconds)
    : m_connectionName(QStringLiteral("peek-processed-actions-") + QUuid::createUuid().toString(QUuid::WithoutBraces)),
      m_keepSeconds(keepSeconds)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    db.setDatabaseName(sqlitePath);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        qCCritical(lcProcessed).noquote() << "cannot open" << sqlitePath << ":" << db.lastError().text();
        return;
    }
    QSqlQuery q(db);
    for (const char *sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                            "CREATE TABLE IF NOT EXISTS processedActions (uuid TEXT PRIMARY KEY, "
                            "processedAt INTEGER NOT NULL, payload TEXT, error TEXT)"}) {
        if (!q.exec(QString::fromLatin1(sql))) {
            qCCritical(lcProcessed).noquote() << "cannot prepare" << sqlitePath << ":" << q.lastError().text();
            return;
        }
    }
    m_open = true;
}

SqliteProcessedActionStore::~SqliteProcessedActionStore()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

std::optional<ProcessedAnswer> SqliteProcessedActionStore::lookup(const QString &uuid)
{
    if (!m_open)
        return std::nullopt;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("SELECT payload, error, processedAt FROM processedActions WHERE uuid = ?"));
    q.addBindValue(uuid);
    if (!q.exec() || !q.next())
        return std::nullopt;
    if (QDateTime::currentSecsSinceEpoch() - q.value(2).toLongLong() > m_keepSeconds)
        return std::nullopt;
    return ProcessedAnswer{q.value(0).toString().toLatin1(), q.value(1).toString()};
}

void SqliteProcessedActionStore::remember(const QString &uuid, const ProcessedAnswer &answer)
{
    if (!m_open)
        return;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO processedActions (uuid, processedAt, payload, error) VALUES (?, ?, ?, ?)"));
    q.addBindValue(uuid);
    q.addBindValue(QDateTime::currentSecsSinceEpoch());
    q.addBindValue(QString::fromLatin1(answer.encodedPayload));
    q.addBindValue(answer.error);
    if (!q.exec())
        qCWarning(lcProcessed).noquote() << "could not remember action" << uuid << ":" << q.lastError().text();
    purge();
}

void SqliteProcessedActionStore::purge()
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    if (now - m_lastPurge < 3600)
        return;
    m_lastPurge = now;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("DELETE FROM processedActions WHERE processedAt < ?"));
    q.addBindValue(now - m_keepSeconds);
    q.exec();
}

} // namespace peek
