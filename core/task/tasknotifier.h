#pragma once

#include "base/export.h"
#include "base/result.h"
#include <QObject>
#include <QStringList>
#include <QTimer>

namespace peek {

class Database;

// Wakes whoever waits on the task queue, in this process and (PostgreSQL) in every other process
// of the installation: queued() when tasks became ready to claim, finished(ids) when tasks ended
// for good. One per process, shared by its logic and worker roles, on the main thread.
//
// PostgreSQL: a connection of its own LISTENs on taskstore's channels (the store's statements
// NOTIFY in their transactions, so nothing is announced before it commits). The connection is
// checked every checkIntervalMs; when it was lost it is opened again and both signals fire, so
// listeners look at the queue for what they may have missed.
// SQLite: one process owns the file; the queue and the worker call announce*() after their
// transactions commit.
class PEEK_CORE_EXPORT TaskNotifier : public QObject
{
    Q_OBJECT
public:
    explicit TaskNotifier(Database *database, QObject *parent = nullptr);
    ~TaskNotifier() override;

    // What a process listens for (PostgreSQL): workers for queued tasks, logic for finished ones.
    enum Channel { Queued = 1, Finished = 2, Both = Queued | Finished };
    // PostgreSQL: opens the listening connection; the error says why it cannot.
    Result<void> start(int checkIntervalMs = 5000, Channel channels = Both);

    // After a commit that queued tasks / finished them (a no-op on PostgreSQL, which announced
    // them in the transaction).
    void announceQueued();
    void announceFinished(const QStringList &ids);

Q_SIGNALS:
    void queued();
    void finished(const QStringList &ids);

private:
    Result<void> listen();
    void closeListener();
    void check();
    void onNotification(const QString &channel, const QVariant &payload);

    Database *m_database;
    bool m_postgres = false;
    QString m_connection; // the LISTEN connection (PostgreSQL)
    Channel m_channels = Both;
    QTimer m_check;
};

} // namespace peek
