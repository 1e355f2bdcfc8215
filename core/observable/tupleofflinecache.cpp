#include "tupleofflinecache.h"

#include "storage/database.h"
#include "storage/sql.h"

#include <QLoggingCategory>
#include <QSqlQuery>

Q_LOGGING_CATEGORY(lcOfflineCache, "peek.observable.cache")

namespace peek {

// The app reads its cache at start-up and writes it as data arrives; statements are small and
// run on the app's thread through the storage layer's connection for that thread.
TupleOfflineCache::TupleOfflineCache(const QString &sqlitePath)
{
    auto opened = Database::open(sqlitePath);
    if (!opened) {
        m_error = QStringLiteral("cannot open the offline cache: %1").arg(opened.error().message());
        qCWarning(lcOfflineCache).noquote() << m_error;
        return;
    }
    m_db = std::move(opened.value());
    const Result<void> created = m_db->runSync([](QSqlDatabase &db) -> Result<void> {
        auto q = sql::exec(db, QStringLiteral("CREATE TABLE IF NOT EXISTS tuples (tupleSelector TEXT PRIMARY KEY, "
                                              "dateTime REAL, payload TEXT)"));
        if (!q)
            return q.error();
        return {};
    });
    if (!created) {
        m_error = created.error().message();
        qCWarning(lcOfflineCache).noquote() << "cannot prepare the offline cache" << sqlitePath << ":" << m_error;
        return;
    }
    m_open = true;
}

TupleOfflineCache::~TupleOfflineCache() = default;

TupleOfflineCache::Entry TupleOfflineCache::load(const QString &selectorKey) const
{
    if (!m_open)
        return {};
    const auto r = m_db->runSync([&](QSqlDatabase &db) -> Result<Entry> {
        auto q = sql::exec(db, QStringLiteral("SELECT dateTime, payload FROM tuples WHERE tupleSelector = ?"), {selectorKey});
        if (!q)
            return q.error();
        if (!q.value().next())
            return Entry{};
        const double seconds = q.value().value(0).toDouble();
        return Entry{q.value().value(1).toString().toLatin1(), DateTime::fromUtcMicros(qint64(seconds * 1e6))};
    });
    return r ? r.value() : Entry{};
}

bool TupleOfflineCache::store(const QString &selectorKey, const DateTime &date, const QByteArray &encodedPayload)
{
    if (!m_open)
        return false;
    const auto r = m_db->runSync([&](QSqlDatabase &db) -> Result<void> {
        auto q = sql::exec(db, QStringLiteral("INSERT OR REPLACE INTO tuples (tupleSelector, dateTime, payload) VALUES (?, ?, ?)"),
                           {selectorKey, double(date.utcMicros()) / 1e6, QString::fromLatin1(encodedPayload)},
                           QStringLiteral("caching the data of %1").arg(selectorKey));
        if (!q)
            return q.error();
        return {};
    });
    if (!r)
        qCWarning(lcOfflineCache).noquote() << r.error();
    return r.ok();
}

bool TupleOfflineCache::remove(const QString &selectorKey)
{
    if (!m_open)
        return false;
    return m_db->runSync([&](QSqlDatabase &db) -> Result<void> {
        auto q = sql::exec(db, QStringLiteral("DELETE FROM tuples WHERE tupleSelector = ?"), {selectorKey});
        if (!q)
            return q.error();
        return {};
    }).ok();
}

int TupleOfflineCache::count() const
{
    if (!m_open)
        return 0;
    const auto r = m_db->runSync([](QSqlDatabase &db) { return sql::scalar(db, QStringLiteral("SELECT COUNT(*) FROM tuples")); });
    return r ? r.value().toInt() : 0;
}

} // namespace peek
