#pragma once

#include "base/export.h"
#include "base/result.h"
#include "vortex/payloadenvelope.h"

#include <QFuture>
#include <QHash>

#include <atomic>
#include <deque>
#include <functional>
#include <optional>

class QSqlDatabase;

namespace peek {

class Database;

// What logic remembers of each applied action, so that an action re-sent after a lost answer
// is answered again but not applied twice.
struct ProcessedAnswer
{
    QByteArray encodedPayload; // the result payload (success)
    QString error;             // or the error text
    // The error is the platform's, not the action's (storage unreachable, a lookup or commit that
    // failed): nothing was applied and the sender should try again later. Never remembered.
    bool tryAgain = false;
};

// What applyOnce() did with an action.
struct AppliedOnce
{
    enum class Outcome { Applied, AlreadyApplied, Refused, TryAgain };
    Outcome outcome = Outcome::TryAgain;
    ProcessedAnswer answer;
};

// Work that applies one action inside a transaction the platform opened; it must not commit.
// Returns the result tuples, or an error (or throws) to refuse the action: then nothing it did
// is kept.
using TransactionalWork = std::function<Result<std::vector<TuplePtr>>(QSqlDatabase &db)>;

// Where those answers are kept. Both calls complete later: a store may have to ask a database,
// and that never happens on the event loop.
class ProcessedActionStore
{
public:
    virtual ~ProcessedActionStore() = default;
    virtual QFuture<std::optional<ProcessedAnswer>> lookup(const QString &uuid) = 0;
    // Completes once the answer is kept (durably, for durable stores).
    virtual QFuture<void> remember(const QString &uuid, const ProcessedAnswer &answer) = 0;
    // Exactly once: in one transaction, looks the uuid up (answering what was remembered when
    // it was applied before), runs `work`, and remembers the answer (its payload has
    // `answerFilt`), so the action's changes and its record are committed together or not at
    // all. The default refuses: only a store with a database can.
    virtual QFuture<AppliedOnce> applyOnce(const QString &uuid, const Dict &answerFilt, TransactionalWork work);
};

// Keeps answers in memory for a bounded time and count (tests, services without storage).
class MemoryProcessedActionStore final : public ProcessedActionStore
{
public:
    explicit MemoryProcessedActionStore(int keepSeconds = 24 * 3600, int maxEntries = 200000)
        : m_keepSeconds(keepSeconds), m_maxEntries(maxEntries)
    {
    }
    QFuture<std::optional<ProcessedAnswer>> lookup(const QString &uuid) override;
    QFuture<void> remember(const QString &uuid, const ProcessedAnswer &answer) override;

private:
    struct Kept
    {
        ProcessedAnswer answer;
        qint64 at;
    };
    int m_keepSeconds;
    int m_maxEntries;
    QHash<QString, Kept> m_kept;
    std::deque<std::pair<qint64, QString>> m_order; // oldest first, for O(1) expiry
};

// Keeps answers in logic's storage database (SQLite or PostgreSQL), in the table
// "peek_processed_actions" of `schema` (a plugin's: then on SQLite the record lives in the same
// file as the plugin's tables, and one transaction covers both) or of the main database when
// empty, so they survive a restart; older than keepSeconds are purged. Work runs on the
// database's threads.
class PEEK_CORE_EXPORT DatabaseProcessedActionStore final : public ProcessedActionStore
{
public:
    DatabaseProcessedActionStore(Database *database, const QString &schema = {}, int keepSeconds = 7 * 24 * 3600);
    bool isReady() const { return m_ready; }
    QString errorString() const { return m_error; }
    QFuture<std::optional<ProcessedAnswer>> lookup(const QString &uuid) override;
    QFuture<void> remember(const QString &uuid, const ProcessedAnswer &answer) override;
    QFuture<AppliedOnce> applyOnce(const QString &uuid, const Dict &answerFilt, TransactionalWork work) override;

private:
    // Deletes answers older than keepSeconds, at most once an hour (in the caller's transaction).
    Result<void> purgeIfDue(QSqlDatabase &db);

    Database *m_database;
    QStringList m_schemas; // the schema to attach, or none
    QString m_table;       // "<schema>.peek_processed_actions" or "peek_processed_actions"
    int m_keepSeconds;
    bool m_ready = false;
    QString m_error;
    std::atomic<qint64> m_lastPurge {0};
};

} // namespace peek
