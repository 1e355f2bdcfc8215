#pragma once
// The installation's audit (docs/administration.md): who changed what, when and from where —
// enrolments, approvals, logins, user changes (peek_core_device, peek_core_user), plugins enabled
// and disabled, settings (the admin service). One table, "AuditEvent", in logic's main database;
// written off the event loop; read by `peek-server admin audit` and the admin window. Never a
// password, hash or token: callers write names and reasons only.
#include "base/export.h"
#include "base/result.h"

#include <QList>
#include <QString>

namespace peek {

class Database;

struct PEEK_API AuditEvent
{
    qint64 timeUs = 0;  // when (set by record() when 0)
    QString event;      // "user added", "plugin enabled", ...
    QString source;     // the plugin that recorded it, or "platform"
    QString deviceId;   // what it concerns, where it applies
    QString userName;
    QString actor;      // who did it (an admin, an operator, the device itself)
    QString address;    // from where
    QString detail;
};

class PEEK_API AuditLog
{
public:
    // Creates the table when it is not there yet (migration set "peek.audit").
    static Result<AuditLog> open(Database &database);

    // Stores the event on the database's pool; a failure is logged (the change it records is
    // done already). Texts are cut to their columns' sizes.
    void record(AuditEvent event) const;
    // The newest `limit` events, oldest first.
    Result<QList<AuditEvent>> newest(qint64 limit) const;

private:
    explicit AuditLog(Database &database) : m_database(&database) { }
    Database *m_database;
};

} // namespace peek
