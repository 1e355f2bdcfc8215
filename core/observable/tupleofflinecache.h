#pragma once

#include "base/export.h"
#include "tuple/datetime.h"

#include <QByteArray>
#include <QString>

#include <memory>

namespace peek {

class Database;

// The device's offline cache of observable data (docs/protocol.md §6): one row per selector key
// holding the encoded payload as it arrived, so an app shows its last data at once, with or
// without a connection. Table tuples(tupleSelector TEXT PRIMARY KEY, dateTime REAL, payload TEXT).
class PEEK_CORE_EXPORT TupleOfflineCache
{
public:
    struct Entry
    {
        QByteArray encodedPayload;
        DateTime date;
        bool isValid() const { return !encodedPayload.isEmpty(); }
    };

    // Opens (creating if needed) the SQLite file. Use from the thread that created it.
    explicit TupleOfflineCache(const QString &sqlitePath);
    ~TupleOfflineCache();
    TupleOfflineCache(const TupleOfflineCache &) = delete;
    TupleOfflineCache &operator=(const TupleOfflineCache &) = delete;

    bool isOpen() const { return m_open; }
    QString errorString() const { return m_error; }

    Entry load(const QString &selectorKey) const;
    bool store(const QString &selectorKey, const DateTime &date, const QByteArray &encodedPayload);
    bool remove(const QString &selectorKey);
    int count() const;

private:
    std::unique_ptr<Database> m_db;
    QString m_error;
    bool m_open = false;
};

} // namespace peek
