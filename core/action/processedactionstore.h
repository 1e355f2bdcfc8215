#pragma once

#include "vortex/payloadenvelope.h"

#include <QFuture>
#include <QHash>

#include <deque>
#include <optional>

namespace peek {

class Database;

// What logic remembers of each applied action, so that an action re-sent after a lost answer
// is answered again but not applied twice.
struct ProcessedAnswer
{
    QByteArray encodedPayload; // the result payload (success)
    QString error;             // or the error text
};

// Where those answers are kept. Both calls complete later: a store may have to ask a database,
// and that never happens on the event loop.
class ProcessedActionStore
{
public:
    virtual ~ProcessedActionStore() = default;
    virtual QFuture<std::optional<ProcessedAnswer>> lookup(const QString &uuid) = 0;
    // Completes once the answer is kept (durably, for durable stores).
    virtual QFuture<void> remember(const QString &uuid, const ProcessedAnswer &answer) = 0;
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
// "peek_processed_actions", so they survive a restart; older than keepSeconds are purged.
// Work runs on the database's threads.
class DatabaseProcessedActionStore final : public ProcessedActionStore
{
public:
    DatabaseProcessedActionStore(Database *database, int keepSeconds = 7 * 24 * 3600);
    bool isReady() const { return m_ready; }
    QString errorString() const { return m_error; }
    QFuture<std::optional<ProcessedAnswer>> lookup(const QString &uuid) override;
    QFuture<void> remember(const QString &uuid, const ProcessedAnswer &answer) override;

private:
    Database *m_database;
    int m_keepSeconds;
    bool m_ready = false;
    QString m_error;
    qint64 m_lastPurge = 0;
};

} // namespace peek
