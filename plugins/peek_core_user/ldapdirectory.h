#pragma once
// LDAP / Active Directory logins through OpenLDAP's libldap (docs/identity.md, "Directories").
// authenticate() blocks (network round trips with the directory's timeout): call it on a pool
// thread.
#include "peek/plugin.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace user {

struct DirectoryConfig
{
    QString name;             // for logs and the user's source ("ldap:<name>")
    QString url;              // ldap://host:389 or ldaps://host:636
    bool startTls = false;    // ldap:// upgraded with StartTLS (required when set)
    QString caFile;           // CA certificates to verify the directory with (else the system's)
    int timeoutSeconds = 5;
    // Either bind straight away as the user's DN ...
    QString bindDnTemplate;   // e.g. "uid={user},ou=people,dc=example,dc=org"
    // ... or find it first (bound as bindDn, or anonymously).
    QString searchBase;
    QString searchFilter = QStringLiteral("(uid={user})"); // AD: (sAMAccountName={user})
    QString bindDn;
    QString bindPassword;
    QString displayNameAttribute = QStringLiteral("cn");
    // Groups: the user entry's memberOf values, and the groups under groupBase that list the user.
    QString groupBase;
    QString groupFilter = QStringLiteral("(|(member={dn})(uniqueMember={dn})(memberUid={user}))");
    QHash<QString, QStringList> groupRoles; // group DN or cn (any case) -> Peek roles
};

// The "ldapDirectories" setting (a JSON array of objects with the fields above); what is wrong
// with it otherwise.
peek::Result<QList<DirectoryConfig>> parseDirectories(const QString &json);
// The same as JSON with bindPassword masked (for `users directories show`).
QString describeDirectories(const QList<DirectoryConfig> &directories);

struct DirectoryAnswer
{
    enum class Outcome { Authenticated, WrongPassword, NoSuchUser, Unreachable };
    Outcome outcome = Outcome::Unreachable;
    QString displayName;
    QStringList roles;
    QString detail; // for the log: what the directory said
};

DirectoryAnswer authenticate(const DirectoryConfig &directory, const QString &userName, const QString &password);

} // namespace user
