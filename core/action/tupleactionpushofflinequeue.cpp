#include "tupleactionpushofflinequeue.h"

#include "tupleactions.h"
#include "vortex/payloadresponse.h"

#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

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
    : QObject(parent), m_vortex(vortex), m_options(options),
      m_connectionName(QStringLiteral("peek-action-queue-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    db.setDatabaseName(sqlitePath);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        m_error = QStringLiteral("cannot open the action queue %1: %2").arg(sqlitePath, db.lastError().text());
        qCCritical(lcQueue).noquote() << m_error;
        return;
    }
    // FULL: a queued action is on disk when push() returns, even if the power goes.
    for (const char *sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                            "CREATE TABLE IF NOT EXISTS tupleActions (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                            "scope TEXT, uuid TEXT, payload TEXT)",
                            "CREATE TABLE IF NOT EXISTS tupleActionsFailed (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                            "scope TEXT, uuid TEXT, payload TEXT, error TEXT, failedAt REAL)"}) {
        if (!exec(QString::fromLatin1(sql), {}, &m_error)) {
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

TupleActionPushOfflineQueue::~TupleActionPushOfflineQueue()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

bool TupleActionPushOfflineQueue::exec(const QString &sql, const QVariantList &binds, QString *error) const
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.prepare(sql)) {
        if (error)
            *error = q.lastError().text();
        return false;
    }
    for (const QVariant &b : binds)
        q.addBindValue(b);
    if (!q.exec()) {
        if (error)
            *error = q.lastError().text();
        return false;
    }
    return true;
}

int TupleActionPushOfflineQueue::count(const char *table) const
{
    if (!m_open)
        return 0;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM %1").arg(QString::fromLatin1(table))) || !q.next())
        return 0;
    return q.value(0).toInt();
}

int TupleActionPushOfflineQueue::queuedCount() const
{
    return count("tupleActions");
}

int TupleActionPushOfflineQueue::failedCount() const
{
    return count("tupleActionsFailed");
}

bool TupleActionPushOfflineQueue::push(const QString &plugin, const QString &processorName, TuplePtr actionTuple,
                                       QString *error)
{
    if (!m_open) {
        if (error)
            *error = m_error;
        return false;
    }
    action::stamp(*actionTuple);
    const Payload payload(action::processorFilt(plugin, processorName), {actionTuple});
    QString why;
    if (!exec(QStringLiteral("INSERT INTO tupleActions (scope, uuid, payload) VALUES (?, ?, ?)"),
              {scopeOf(plugin, processorName), action::uuidOf(*actionTuple), QString::fromLatin1(payload.encode())},
              &why)) {
        const QString message = QStringLiteral("could not queue the action for %1: %2").arg(processorName, why);
        qCCritical(lcQueue).noquote() << message;
        if (error)
            *error = message;
        return false;
    }
    Q_EMIT queuedCountChanged(queuedCount());
    QMetaObject::invokeMethod(this, &TupleActionPushOfflineQueue::sendNext, Qt::QueuedConnection);
    return true;
}

void TupleActionPushOfflineQueue::sendNext()
{
    if (!m_open || m_sending || m_retry.isActive())
        return;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(QStringLiteral("SELECT id, scope, uuid, payload FROM tupleActions ORDER BY id LIMIT 1")) || !q.next())
        return; // nothing queued
    if (!m_vortex->isConnectedTo(m_options.destVortexName))
        return; // sent when the connection comes back
    const qint64 id = q.value(0).toLongLong();
    const QString scope = q.value(1).toString();
    const QString uuid = q.value(2).toString();
    const QByteArray encoded = q.value(3).toString().toLatin1();
    const qsizetype colon = scope.indexOf(u':');
    const Dict filt = action::processorFilt(scope.left(colon), scope.mid(colon + 1));

    m_sending = true;
    PayloadResponse::send(m_vortex, PayloadEnvelope(filt, encoded), m_options.destVortexName, m_options.timeoutMs)
        .then(this, [this, id, uuid](const PayloadEnvelope &) {
            m_sending = false;
            m_failures = 0;
            exec(QStringLiteral("DELETE FROM tupleActions WHERE id = ?"), {id});
            Q_EMIT actionDelivered(uuid);
            Q_EMIT queuedCountChanged(queuedCount());
            sendNext();
        })
        .onFailed(this, [this, id, scope, uuid, encoded](const RemoteError &e) {
            // Logic looked at the action and refused it: keep it where the user can see it.
            m_sending = false;
            QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
            db.transaction();
            const bool moved = exec(QStringLiteral("INSERT INTO tupleActionsFailed (scope, uuid, payload, error, failedAt) "
                                                   "VALUES (?, ?, ?, ?, ?)"),
                                    {scope, uuid, QString::fromLatin1(encoded), e.message(),
                                     double(DateTime::currentUtc().utcMicros()) / 1e6})
                && exec(QStringLiteral("DELETE FROM tupleActions WHERE id = ?"), {id});
            moved ? db.commit() : db.rollback();
            qCWarning(lcQueue).noquote() << "action" << uuid << "for" << scope << "failed:" << e.message()
                                         << "- moved to the failed list";
            Q_EMIT actionFailed(uuid, e.message());
            Q_EMIT queuedCountChanged(queuedCount());
            Q_EMIT failedCountChanged(failedCount());
            sendNext();
        })
        .onFailed(this, [this](const VortexError &e) {
            m_sending = false;
            scheduleRetry(e.message());
        });
}

void TupleActionPushOfflineQueue::scheduleRetry(const QString &why)
{
    const int shift = std::min(m_failures, 10);
    const qint64 base = std::min<qint64>(m_options.retryMaxMs, qint64(m_options.retryMinMs) << shift);
    const qint64 delay = base + QRandomGenerator::global()->bounded(base / 4 + 1);
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
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(QStringLiteral("SELECT id, scope, uuid, payload, error, failedAt FROM tupleActionsFailed ORDER BY id")))
        return out;
    while (q.next()) {
        Failed f;
        f.id = q.value(0).toLongLong();
        const QString scope = q.value(1).toString();
        f.plugin = scope.section(u':', 0, 0);
        f.processorName = scope.section(u':', 1);
        f.uuid = q.value(2).toString();
        Payload payload;
        if (Payload::decode(q.value(3).toString().toLatin1(), payload) && !payload.tuples.empty())
            f.action = payload.tuples.front();
        f.error = q.value(4).toString();
        f.failedAt = DateTime::fromUtcMicros(qint64(q.value(5).toDouble() * 1e6));
        out.append(f);
    }
    return out;
}

bool TupleActionPushOfflineQueue::retryFailed(qint64 id)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    db.transaction();
    const bool ok = exec(QStringLiteral("INSERT INTO tupleActions (scope, uuid, payload) "
                                        "SELECT scope, uuid, payload FROM tupleActionsFailed WHERE id = ?"), {id})
        && exec(QStringLiteral("DELETE FROM tupleActionsFailed WHERE id = ?"), {id});
    if (!ok || !db.commit()) {
        db.rollback();
        return false;
    }
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
