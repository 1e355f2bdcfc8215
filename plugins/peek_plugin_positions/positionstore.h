#pragma once
// Logic's storage of device positions: every position (DevicePosition, the history) and each
// device's newest one (DeviceLatestPosition), in the plugin's schema. Reads run on the
// observable's worker threads, writes on the database's pool; observers are told on the event
// loop once a write is stored.
#include "positionstuples.h"

#include "peek/storage.h"
#include "peek/tuple.h"

#include <QFuture>
#include <QSqlDatabase>

namespace peek {
class Database;
class TupleDataObservableHandler;
} // namespace peek

namespace positions {

class PositionStore {
public:
    // The most positions one history selector returns (its "limit" may ask for fewer).
    static constexpr qint64 kMaxHistory = 10000;
    static constexpr qint64 kDefaultHistory = 1000;

    PositionStore(peek::Database &database, QString schema,
                  peek::TupleDataObservableHandler &observable);

    // Why `position` cannot be stored, in words for the device's user; empty when it can.
    static QString check(const DevicePositionTuple &position);

    // Stores a checked position (once per action uuid) and, when it is the device's newest fix,
    // as its latest position, in the caller's transaction (the action processor's: exactly
    // once). True when stored, false when a position with that action uuid was stored before.
    static peek::Result<bool> store(QSqlDatabase &db, const QString &schema,
                                           const DevicePositionTuple &position);
    // Tells the observers that positions changed (after a commit, on the event loop).
    void notifyChanged();

    // The tuples a selector of DevicePositionTuple names (keys: "deviceId", "history",
    // "limit"; see docs/positioning.md). Throws std::runtime_error with the reason.
    std::vector<peek::TuplePtr> load(const peek::TupleSelector &selector) const;

private:
    peek::Database &m_db;
    QString m_schema;
    peek::TupleDataObservableHandler &m_observable;
};

} // namespace positions
