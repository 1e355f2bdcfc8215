#pragma once

#include "vortex/payloadenvelope.h"

#include <QHash>

#include <deque>

#include <optional>

namespace peek {

// What logic remembers of each processed action, so that an action re-sent after a lost
// answer is answered again but not applied twice.
struct ProcessedAnswer
{
    QByteArray encodedPayload; // the result payload (success)
    QString error;             // or the error text
};

class ProcessedActionStore
{
public:
    virtual ~ProcessedActionStore() = default;
    virtual std::optional<ProcessedAnswer> lookup(const QString &uuid) = 0;
    virtual void remember(const QString &uuid, const ProcessedAnswer &answer) = 0;
};

// Keeps answers in memory for a bounded time (tests, and services without storage).
class MemoryProcessedActionStore final : public ProcessedActionStore
{
public:
    explicit MemoryProcessedActionStore(int keepSeconds = 24 * 3600, int maxEntries = 200000)
        : m_keepSeconds(keepSeconds), m_maxEntries(maxEntries)
    {
    }
    std::optional<ProcessedAnswer> lookup(const QString &uuid) override;
    void remember(const QString &uuid, const ProcessedAnswer &answer) override;

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

// Keeps answers in a table of an SQLite file, so they survive a restart of logic; entries older
// than keepSeconds are purged. Use from the thread that created it.
class SqliteProcessedActionStore final : public ProcessedActionStore
{
public:
    SqliteProcessedActionStore(const QString &sqlitePath, int keepSeconds = 7 * 24 * 3600);
    ~SqliteProcessedActionStore() override;
    bool isOpen() const { return m_open; }
    std::optional<ProcessedAnswer> lookup(const QString &uuid) override;
    void remember(const QString &uuid, const ProcessedAnswer &answer) override;

private:
    void purge();
    QString m_connectionName;
    int m_keepSeconds;
    bool m_open = false;
    qint64 m_lastPurge = 0;
};

} // namespace peek
