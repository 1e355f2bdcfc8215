#pragma once

#include "base/export.h"
#include "base/role.h"
#include "tuple/tuple.h"
#include "vortex/vortex.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

namespace peek {

class Database;

// The device's queue of actions (docs/protocol.md §7): push() stores an action durably in SQLite
// before it says yes (it survives a crash or kill -9), and the queue sends actions oldest first,
// one at a time, retrying with backoff until the service answers. An error answer from logic
// moves the action to the failed list with its error text (the app can show it, retry or
// discard it) instead of dropping it silently.
class PEEK_CORE_EXPORT TupleActionPushOfflineQueue : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString destVortexName = Role(Role::Field).vortexName();
        int timeoutMs = 30000;
        int retryMinMs = 1000;
        int retryMaxMs = 30000;
    };
    struct Failed
    {
        qint64 id = 0;
        QString uuid;
        QString plugin;
        QString processorName;
        QString error;
        TuplePtr action;
        DateTime failedAt;
    };

    TupleActionPushOfflineQueue(Vortex *vortex, const QString &sqlitePath, const Options &options,
                                QObject *parent = nullptr);
    TupleActionPushOfflineQueue(Vortex *vortex, const QString &sqlitePath, QObject *parent = nullptr);
    ~TupleActionPushOfflineQueue() override;

    bool isOpen() const { return m_open; }
    QString errorString() const { return m_error; }

    // Succeeds once the action is on disk; it is sent as soon as possible.
    Result<void> push(const QString &plugin, const QString &processorName, TuplePtr action);

    int queuedCount() const;
    int failedCount() const;
    QList<Failed> failedActions() const;
    bool retryFailed(qint64 id);   // back to the end of the queue
    bool discardFailed(qint64 id);
    // Moves every queued action not being sent right now to the failed list with `error` (e.g.
    // the user who queued them was logged out: they cannot be applied as that user); returns how
    // many. They can be retried from there.
    int failQueued(const QString &error);

    // While paused nothing is sent (e.g. the service has not yet said this device is approved,
    // so it would refuse every action); actions still queue. Resuming sends at once.
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }

Q_SIGNALS:
    void queuedCountChanged(int count);
    void failedCountChanged(int count);
    void actionDelivered(const QString &uuid);
    void actionFailed(const QString &uuid, const QString &error);
    // The next action could not be delivered now (offline, no answer); it is retried later.
    void deliveryDeferred(const QString &reason, int retryInMs);

private:
    void sendNext();
    void scheduleRetry(const QString &why);
    void moveToFailed(qint64 id, const QString &scope, const QString &uuid, const QByteArray &encoded,
                      const QString &error);
    Result<void> exec(const QString &sql, const QVariantList &binds = {}) const;
    int count(const char *table) const;

    QPointer<Vortex> m_vortex; // cleared first if the vortex goes (e.g. it is our parent)
    Options m_options;
    std::unique_ptr<Database> m_db;
    QString m_error;
    bool m_open = false;
    bool m_sending = false;
    bool m_paused = false;
    int m_failures = 0;
    QTimer m_retry;
};

} // namespace peek
