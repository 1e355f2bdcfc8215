#include "tupleactionpushofflinequeue.h"

#include "vortex/backoff.h"

#include "vortex/futurecontext.h"

#include "tupleactions.h"
#include "storage/database.h"
#include "storage/sql.h"
#include "vortex/payloadresponse.h"

#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSqlQuery>

Q_LOGGING_CATEGORY(lcQueue, "peek.action.queue")

namespace peek {

namespace {
// The scope column names where an action goes: "<plugin>:<processor name>".
QString scopeOf(const QString &plugin, const QString &processorName)
{
    return plugin + u':' + processorName;
}
} // namespace

TupleActionPushOfflineQueue::TupleActionPushOfflineQueue(Vortex *vortex, const QString &sqlitePath, QObject *parent)
    : TupleActionPushOfflineQueue(vortex, sqlitePath, Options(), parent)
{
}

TupleActionPushOfflineQueue::TupleActionPushOfflineQueue(Vortex *vortex, const QString &sqlitePath,
                                                         const Options &options, QObject *parent)
    : QObject(parent), m_vortex(vortex), m_options(options)
{
    auto opened = Database::open(sqlitePath);
    if (!opened) {
        m_error = QStringLiteral("cannot open the action queue: %1").arg(opened.error().message());
        qCCritical(lcQueue).noquote() << m_error;
        return;
    }
    m_db = std::move(opened.value());
    for (const char *sql : {"CREATE TABLE IF NOT EXISTS tupleActions (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                            "scope TEXT, uuid TEXT, payload TEXT)",
                            "CREATE TABLE IF NOT EXISTS tupleActionsFailed (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                            "scope TEXT, uuid TEXT, payload TEXT, error TEXT, failedAt REAL)"}) {
        if (auto made = exec(QString::fromLatin1(sql)); !made) {
            m_error = made.error().message();
            qCCritical(lcQueue).noquote() << "cannot prepare the action queue" << sqlitePath << ":" << m_error;
            return;
        }
    }
    m_open = true;
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &TupleActionPushOfflineQueue::sendNext);
    connect(vortex, &Vortex::peerConnected, this, [this](const PeerInfo &peer) {
        if (peer.vortexName != m_options.destVortexName)
            return;
        m_failures = 0;
        m_retry.stop();
        sendNext();
    });
    QMetaObject::invokeMethod(this, &TupleActionPushOfflineQueue::sendNext, Qt::QueuedConnection);
}

TupleActionPushOfflineQueue::~TupleActionPushOfflineQueue() = default;

// The queue lives on the app's thread and its statements are small: they run there, so an
// action is on disk (SQLite in WAL mode commits durably) before push() returns.
Result<void> TupleActionPushOfflineQueue::exec(const QString &sql, const QVariantList &binds) const
{
    if (!m_db)
        return Error {m_error};
    return m_db->runSync([&](QSqlDatabase &db) -> Result<void> {
        auto q = sql::exec(db, sql, binds);
        if (!q)
            return q.error();
        return {};
    });
}

int TupleActionPushOfflineQueue::count(const char *table) const
{
    if (!m_open)
        return 0;
    const auto r = m_db->runSync([&](QSqlDatabase &db) {
        return sql::scalar(db, QStringLiteral("SELECT COUNT(*) FROM %1").arg(QString::fromLatin1(table)));
    });
    return r ? r.value().toInt() : 0;
}

int TupleActionPushOfflineQueue::queuedCount() const
{
    return count("tupleActions");
}

int TupleActionPushOfflineQueue::failedCount() const
{
    return count("tupleActionsFailed");
}

Result<void> TupleActionPushOfflineQueue::push(const QString &plugin, const QString &processorName,
                                               TuplePtr actionTuple)
{
    if (!m_open)
        return Error {m_error};
    action::stamp(*actionTuple);
    const Payload payload(action::processorFilt(plugin, processorName), {actionTuple});
    if (auto stored = exec(QStringLiteral("INSERT INTO tupleActions (scope, uuid, payload) VALUES (?, ?, ?)"),
                           {scopeOf(plugin, processorName), action::uuidOf(*actionTuple),
                            QString::fromLatin1(payload.encode())});
        !stored) {
        const Error error = stored.error().context(QStringLiteral("could not queue the action for %1").arg(processorName));
        qCCritical(lcQueue) << error;
        return error;
    }
    Q_EMIT queuedCountChanged(queuedCount());
    QMetaObject::invokeMethod(this, &TupleActionPushOfflineQueue::sendNext, Qt::QueuedConnection);
    return {};
}

void TupleActionPushOfflineQueue::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (!paused)
        QMetaObject::invokeMethod(this, &TupleActionPushOfflineQueue::sendNext, Qt::QueuedConnection);
}

void TupleActionPushOfflineQueue::sendNext()
{
    if (!m_open || m_sending || m_retry.isActive() || m_paused)
        return;
    struct Row
    {
        qint64 id = 0;
        QString scope, uuid;
        QByteArray encoded;
    };
    const auto next = m_db->runSync([](QSqlDatabase &db) -> Result<std::optional<Row>> {
        auto q = sql::exec(db, QStringLiteral("SELECT id, scope, uuid, payload FROM tupleActions ORDER BY id LIMIT 1"));
        if (!q)
            return q.error();
        if (!q.value().next())
            return std::optional<Row>();
        return std::optional<Row>(Row{q.value().value(0).toLongLong(), q.value().value(1).toString(),
                                      q.value().value(2).toString(), q.value().value(3).toString().toLatin1()});
    });
    if (!next || !next.value())
        return; // nothing queued
    if (!m_vortex || !m_vortex->isConnectedTo(m_options.destVortexName))
        return; // sent when the connection comes back
    const qint64 id = next.value()->id;
    const QString scope = next.value()->scope;
    const QString uuid = next.value()->uuid;
    const QByteArray encoded = next.value()->encoded;
    const qsizetype colon = scope.indexOf(u':');
    const Dict filt = action::processorFilt(scope.left(colon), scope.mid(colon + 1));

    m_sending = true;
    onFinished(this, PayloadResponse::send(m_vortex, PayloadEnvelope(filt, encoded), m_options.destVortexName, m_options.timeoutMs),
               [this, id, scope, uuid, encoded](const QFuture<PayloadEnvelope> &answered) {
        m_sending = false;
        try {
            if (!hasResult(answered)) {
                scheduleRetry(QStringLiteral("the request was cancelled"));
                return;
            }
        } catch (const RemoteError &e) {
            moveToFailed(id, scope, uuid, encoded, e.message());
            return;
        } catch (const VortexError &e) {
            scheduleRetry(e.message());
            return;
        }
        if (auto removed = exec(QStringLiteral("DELETE FROM tupleActions WHERE id = ?"), {id}); !removed) {
            // Sent again after a backoff (logic answers a repeat from its record), not at once:
            // a queue file that refuses writes would otherwise resend it in a tight loop.
            qCWarning(lcQueue).noquote() << "action" << uuid << "was delivered but stays queued:" << removed.error().message();
            Q_EMIT actionDelivered(uuid);
            scheduleRetry(QStringLiteral("action %1 was delivered but could not be removed from the queue").arg(uuid));
            return;
        }
        m_failures = 0;
        Q_EMIT actionDelivered(uuid);
        Q_EMIT queuedCountChanged(queuedCount());
        sendNext();
    });
}

// Logic looked at the action and refused it: keep it where the user can see it.
void TupleActionPushOfflineQueue::moveToFailed(qint64 id, const QString &scope, const QString &uuid,
                                               const QByteArray &encoded, const QString &error)
{
    const Result<void> moved = m_db->runSync([&](QSqlDatabase &db) -> Result<void> {
        sql::Transaction tx(db);
        if (auto b = tx.begin(); !b)
            return b;
        auto ins = sql::exec(db, QStringLiteral("INSERT INTO tupleActionsFailed (scope, uuid, payload, error, failedAt) "
                                                "VALUES (?, ?, ?, ?, ?)"),
                             {scope, uuid, QString::fromLatin1(encoded), error,
                              double(DateTime::currentUtc().utcMicros()) / 1e6});
        if (!ins)
            return ins.error();
        auto del = sql::exec(db, QStringLiteral("DELETE FROM tupleActions WHERE id = ?"), {id});
        if (!del)
            return del.error();
        return tx.commit();
    });
    if (!moved)
        qCCritical(lcQueue).noquote() << "could not move action" << uuid << "to the failed list:" << moved.error();
    qCWarning(lcQueue).noquote() << "action" << uuid << "for" << scope << "failed:" << error
                                 << "- moved to the failed list";
    Q_EMIT actionFailed(uuid, error);
    Q_EMIT queuedCountChanged(queuedCount());
    Q_EMIT failedCountChanged(failedCount());
    sendNext();
}

int TupleActionPushOfflineQueue::failQueued(const QString &error)
{
    if (!m_open)
        return 0;
    const int before = queuedCount();
    const Result<void> moved = m_db->runSync([&](QSqlDatabase &db) -> Result<void> {
        sql::Transaction tx(db);
        if (auto b = tx.begin(); !b)
            return b;
        // The one being sent stays: its answer decides about it.
        const QString keep = m_sending ? QStringLiteral(" WHERE id <> (SELECT MIN(id) FROM tupleActions)") : QString();
        auto ins = sql::exec(db, QStringLiteral("INSERT INTO tupleActionsFailed (scope, uuid, payload, error, failedAt) "
                                                "SELECT scope, uuid, payload, ?, ? FROM tupleActions%1 ORDER BY id")
                                     .arg(keep),
                             {error, double(DateTime::currentUtc().utcMicros()) / 1e6});
        if (!ins)
            return ins.error();
        auto del = sql::exec(db, QStringLiteral("DELETE FROM tupleActions%1").arg(keep));
        if (!del)
            return del.error();
        return tx.commit();
    });
    if (!moved) {
        qCCritical(lcQueue).noquote() << "could not move the queued actions to the failed list:" << moved.error();
        return 0;
    }
    const int count = before - queuedCount();
    if (count > 0) {
        qCWarning(lcQueue).noquote() << count << "queued action(s) moved to the failed list:" << error;
        Q_EMIT queuedCountChanged(queuedCount());
        Q_EMIT failedCountChanged(failedCount());
    }
    return count;
}

void TupleActionPushOfflineQueue::scheduleRetry(const QString &why)
{
    const qint64 delay = backoffDelayMs(m_failures, m_options.retryMinMs, m_options.retryMaxMs,
                                        QRandomGenerator::global()->generateDouble(), 0.25);
    ++m_failures;
    qCInfo(lcQueue).noquote() << "action not delivered (" << why << "); retrying in" << delay << "ms";
    m_retry.start(int(delay));
    Q_EMIT deliveryDeferred(why, int(delay));
}

QList<TupleActionPushOfflineQueue::Failed> TupleActionPushOfflineQueue::failedActions() const
{
    QList<Failed> out;
    if (!m_open)
        return out;
    const auto rows = m_db->runSync([](QSqlDatabase &db) -> Result<QList<QVariantList>> {
        auto q = sql::exec(db, QStringLiteral("SELECT id, scope, uuid, payload, error, failedAt FROM tupleActionsFailed ORDER BY id"));
        if (!q)
            return q.error();
        QList<QVariantList> out;
        while (q.value().next())
            out.append({q.value().value(0), q.value().value(1), q.value().value(2), q.value().value(3),
                        q.value().value(4), q.value().value(5)});
        return out;
    });
    if (!rows)
        return out;
    for (const QVariantList &row : rows.value()) {
        Failed f;
        f.id = row[0].toLongLong();
        const QString scope = row[1].toString();
        f.plugin = scope.section(u':', 0, 0);
        f.processorName = scope.section(u':', 1);
        f.uuid = row[2].toString();
        if (auto payload = Payload::decode(row[3].toString().toLatin1()); payload && !payload.value().tuples.empty())
            f.action = payload.value().tuples.front();
        f.error = row[4].toString();
        f.failedAt = DateTime::fromUtcMicros(qint64(row[5].toDouble() * 1e6));
        out.append(f);
    }
    return out;
}

bool TupleActionPushOfflineQueue::retryFailed(qint64 id)
{
    const Result<void> moved = m_db->runSync([&](QSqlDatabase &db) -> Result<void> {
        sql::Transaction tx(db);
        if (auto b = tx.begin(); !b)
            return b;
        auto ins = sql::exec(db, QStringLiteral("INSERT INTO tupleActions (scope, uuid, payload) "
                                                "SELECT scope, uuid, payload FROM tupleActionsFailed WHERE id = ?"), {id});
        if (!ins)
            return ins.error();
        auto del = sql::exec(db, QStringLiteral("DELETE FROM tupleActionsFailed WHERE id = ?"), {id});
        if (!del)
            return del.error();
        return tx.commit();
    });
    if (!moved)
        return false;
    Q_EMIT queuedCountChanged(queuedCount());
    Q_EMIT failedCountChanged(failedCount());
    sendNext();
    return true;
}

bool TupleActionPushOfflineQueue::discardFailed(qint64 id)
{
    if (!exec(QStringLiteral("DELETE FROM tupleActionsFailed WHERE id = ?"), {id}))
        return false;
    Q_EMIT failedCountChanged(failedCount());
    return true;
}

} // namespace peek
