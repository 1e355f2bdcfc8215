#include "auditlog.h"

#include "database.h"
#include "migrations.h"
#include "sql.h"

#include <QDateTime>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcAudit, "peek.audit")

namespace peek {

namespace {

MigrationSet auditMigrations()
{
    return MigrationSet::fromList({},
                                  {{1,
                                    QStringLiteral("create_audit_event"),
                                    {},
                                    QStringLiteral("CREATE TABLE \"AuditEvent\" (\n"
                                                   "    time_us BIGINT NOT NULL,\n"
                                                   "    event VARCHAR(100) NOT NULL,\n"
                                                   "    source VARCHAR(100) NOT NULL,\n"
                                                   "    device_id VARCHAR(100) NOT NULL,\n"
                                                   "    user_name VARCHAR(100) NOT NULL,\n"
                                                   "    actor VARCHAR(100) NOT NULL,\n"
                                                   "    address VARCHAR(100) NOT NULL,\n"
                                                   "    detail VARCHAR(400) NOT NULL\n"
                                                   ");\n"
                                                   "CREATE INDEX \"AuditEvent_time\" ON \"AuditEvent\" (time_us);\n")}},
                                  QStringLiteral("peek.audit"))
        .value();
}

// Text for a NOT NULL column, cut to its size.
QString column(const QString &s, int size)
{
    return s.isNull() ? QStringLiteral("") : s.left(size);
}

} // namespace

Result<AuditLog> AuditLog::open(Database &database)
{
    if (auto migrated = Migrator::migrate(database, auditMigrations()); !migrated)
        return migrated.error().context(QStringLiteral("creating the audit table"));
    return AuditLog(database);
}

void AuditLog::record(AuditEvent e) const
{
    if (!e.timeUs)
        e.timeUs = QDateTime::currentMSecsSinceEpoch() * 1000;
    const QVariantList binds {e.timeUs, column(e.event, 100), column(e.source, 100), column(e.deviceId, 100),
                              column(e.userName, 100), column(e.actor, 100), column(e.address, 100),
                              column(e.detail, 400)};
    const QString what = e.event;
    m_database
        ->run([binds](QSqlDatabase &db) -> Result<void> {
            auto done = sql::exec(db,
                                  QStringLiteral("INSERT INTO \"AuditEvent\" (time_us, event, source, device_id, user_name, "
                                                 "actor, address, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                                  binds);
            if (!done)
                return done.error();
            return {};
        })
        .then([what](const Result<void> &done) {
            if (!done)
                qCWarning(lcAudit).noquote() << "could not write the audit of" << what << "-" << done.error().message();
        });
}

Result<QList<AuditEvent>> AuditLog::newest(qint64 limit) const
{
    return m_database->runSync([limit](QSqlDatabase &db) -> Result<QList<AuditEvent>> {
        auto query = sql::exec(db,
                               QStringLiteral("SELECT time_us, event, source, device_id, user_name, actor, address, detail "
                                              "FROM \"AuditEvent\" ORDER BY time_us DESC LIMIT ?"),
                               {limit});
        if (!query)
            return query.error();
        QList<AuditEvent> events;
        while (query.value().next()) {
            const QSqlQuery &q = query.value();
            events.prepend({q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString(),
                            q.value(4).toString(), q.value(5).toString(), q.value(6).toString(), q.value(7).toString()});
        }
        return events;
    });
}

} // namespace peek
