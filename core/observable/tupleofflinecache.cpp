#include "tupleofflinecache.h"

#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

Q_LOGGING_CATEGORY(lcOfflineCache, "peek.observable.cache")

namespace peek {

TupleOfflineCache::TupleOfflineCache(const QString &sqlitePath)
    : m_connectionName(QStringLiteral("peek-offline-cache-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    db.setDatabaseName(sqlitePath);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        m_error = QStringLiteral("cannot open the offline cache %1: %2").arg(sqlitePath, db.lastError().text());
        qCWarning(lcOfflineCache).noquote() << m_error;
        return;
    }
    QSqlQuery q(db);
    for (const char *sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                            "CREATE TABLE IF NOT EXISTS tuples (tupleSelector TEXT PRIMARY KEY, "
                            "dateTime REAL, payload TEXT)"}) {
        if (!q.exec(QString::fromLatin1(sql))) {
            m_error = QStringLiteral("cannot prepare the offline cache %1 (%2): %3")
                          .arg(sqlitePath, QString::fromLatin1(sql), q.lastError().text());
            qCWarning(lcOfflineCache).noquote() << m_error;
            return;
        }
    }
    m_open = true;
}

TupleOfflineCache::~TupleOfflineCache()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

TupleOfflineCache::Entry TupleOfflineCache::load(const QString &selectorKey) const
{
    if (!m_open)
        return {};
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("SELECT dateTime, payload FROM tuples WHERE tupleSelector = ?"));
    q.addBindValue(selectorKey);
    if (!q.exec() || !q.next())
        return {};
    const double seconds = q.value(0).toDouble();
    return Entry{q.value(1).toString().toLatin1(), DateTime::fromUtcMicros(qint64(seconds * 1e6))};
}

bool TupleOfflineCache::store(const QString &selectorKey, const DateTime &date, const QByteArray &encodedPayload)
{
    if (!m_open)
        return false;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO tuples (tupleSelector, dateTime, payload) VALUES (?, ?, ?)"));
    q.addBindValue(selectorKey);
    q.addBindValue(double(date.utcMicros()) / 1e6);
    q.addBindValue(QString::fromLatin1(encodedPayload));
    if (!q.exec()) {
        qCWarning(lcOfflineCache).noquote() << "could not cache the data of" << selectorKey << ":" << q.lastError().text();
        return false;
    }
    return true;
}

bool TupleOfflineCache::remove(const QString &selectorKey)
{
    if (!m_open)
        return false;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(QStringLiteral("DELETE FROM tuples WHERE tupleSelector = ?"));
    q.addBindValue(selectorKey);
    return q.exec();
}

int TupleOfflineCache::count() const
{
    if (!m_open)
        return 0;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM tuples")) || !q.next())
        return 0;
    return q.value(0).toInt();
}

} // namespace peek
