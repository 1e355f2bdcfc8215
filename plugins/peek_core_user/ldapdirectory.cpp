#include "ldapdirectory.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <ldap.h>

#include <memory>

namespace user {
namespace {

// RFC 4515: a value inside a search filter.
QString filterEscaped(const QString &value)
{
    QString out;
    for (const QChar c : value) {
        switch (c.unicode()) {
        case '*': out += QLatin1String("\\2a"); break;
        case '(': out += QLatin1String("\\28"); break;
        case ')': out += QLatin1String("\\29"); break;
        case '\\': out += QLatin1String("\\5c"); break;
        case 0: out += QLatin1String("\\00"); break;
        default: out += c;
        }
    }
    return out;
}

// RFC 4514: a value inside a DN.
QString dnEscaped(const QString &value)
{
    QString out;
    for (int i = 0; i < value.size(); ++i) {
        const QChar c = value[i];
        if (QStringLiteral(",+\"\\<>;=").contains(c) || (i == 0 && (c == u'#' || c == u' '))
            || (i == value.size() - 1 && c == u' '))
            out += u'\\';
        out += c;
    }
    return out;
}

QString fill(QString pattern, const QString &user, const QString &dn, bool forFilter)
{
    pattern.replace(QLatin1String("{user}"), forFilter ? filterEscaped(user) : dnEscaped(user));
    pattern.replace(QLatin1String("{dn}"), forFilter ? filterEscaped(dn) : dn);
    return pattern;
}

struct LdapHandle
{
    LDAP *ld = nullptr;
    ~LdapHandle()
    {
        if (ld)
            ldap_unbind_ext_s(ld, nullptr, nullptr);
    }
};

QString ldapError(int rc)
{
    return QString::fromUtf8(ldap_err2string(rc));
}

bool simpleBind(LDAP *ld, const QString &dn, const QString &password, int *rc)
{
    const QByteArray d = dn.toUtf8();
    QByteArray p = password.toUtf8();
    berval cred {ber_len_t(p.size()), p.data()};
    *rc = ldap_sasl_bind_s(ld, d.isEmpty() ? nullptr : d.constData(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
    return *rc == LDAP_SUCCESS;
}

// Every value of `attribute` in `entry`.
QStringList values(LDAP *ld, LDAPMessage *entry, const char *attribute)
{
    QStringList out;
    berval **vals = ldap_get_values_len(ld, entry, attribute);
    if (!vals)
        return out;
    for (int i = 0; vals[i]; ++i)
        out << QString::fromUtf8(vals[i]->bv_val, int(vals[i]->bv_len));
    ldap_value_free_len(vals);
    return out;
}

struct SearchResult
{
    LDAPMessage *message = nullptr;
    ~SearchResult()
    {
        if (message)
            ldap_msgfree(message);
    }
};

} // namespace

peek::Result<QList<DirectoryConfig>> parseDirectories(const QString &json)
{
    QList<DirectoryConfig> out;
    if (json.trimmed().isEmpty())
        return out;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray())
        return peek::Error {QStringLiteral("the directories must be a JSON array of objects (%1)")
                                .arg(error.error != QJsonParseError::NoError ? error.errorString()
                                                                             : QStringLiteral("not an array"))};
    static const QStringList known {QStringLiteral("name"), QStringLiteral("url"), QStringLiteral("startTls"),
                                    QStringLiteral("caFile"), QStringLiteral("timeoutSeconds"),
                                    QStringLiteral("bindDnTemplate"), QStringLiteral("searchBase"),
                                    QStringLiteral("searchFilter"), QStringLiteral("bindDn"),
                                    QStringLiteral("bindPassword"), QStringLiteral("displayNameAttribute"),
                                    QStringLiteral("groupBase"), QStringLiteral("groupFilter"),
                                    QStringLiteral("groupRoles"), QStringLiteral("plainTextForTestsOnly")};
    int index = 0;
    for (const QJsonValue &v : doc.array()) {
        ++index;
        const QJsonObject o = v.toObject();
        auto wrong = [index](const QString &what) {
            return peek::Error {QStringLiteral("directory %1: %2").arg(index).arg(what)};
        };
        if (!v.isObject())
            return wrong(QStringLiteral("is not an object"));
        for (const QString &key : o.keys())
            if (!known.contains(key))
                return wrong(QStringLiteral("unknown key \"%1\" (known: %2)").arg(key, known.join(QStringLiteral(", "))));
        DirectoryConfig d;
        d.name = o.value(QLatin1String("name")).toString(QStringLiteral("directory%1").arg(index));
        d.url = o.value(QLatin1String("url")).toString();
        if (!d.url.startsWith(QLatin1String("ldap://")) && !d.url.startsWith(QLatin1String("ldaps://")))
            return wrong(QStringLiteral("url must be ldap://host:port or ldaps://host:port, not \"%1\"").arg(d.url));
        d.startTls = o.value(QLatin1String("startTls")).toBool(false);
        if (d.startTls && d.url.startsWith(QLatin1String("ldaps://")))
            return wrong(QStringLiteral("startTls is for ldap:// URLs; ldaps:// is TLS already"));
        // Passwords go to the directory: never in clear text, unless a test rig says so.
        if (d.url.startsWith(QLatin1String("ldap://")) && !d.startTls
            && !o.value(QLatin1String("plainTextForTestsOnly")).toBool(false))
            return wrong(QStringLiteral("ldap:// without \"startTls\": true would send passwords in clear text; use "
                                        "ldaps:// or StartTLS"));
        d.caFile = o.value(QLatin1String("caFile")).toString();
        d.timeoutSeconds = std::clamp(o.value(QLatin1String("timeoutSeconds")).toInt(5), 1, 60);
        d.bindDnTemplate = o.value(QLatin1String("bindDnTemplate")).toString();
        d.searchBase = o.value(QLatin1String("searchBase")).toString();
        d.searchFilter = o.value(QLatin1String("searchFilter")).toString(d.searchFilter);
        d.bindDn = o.value(QLatin1String("bindDn")).toString();
        d.bindPassword = o.value(QLatin1String("bindPassword")).toString();
        d.displayNameAttribute = o.value(QLatin1String("displayNameAttribute")).toString(d.displayNameAttribute);
        d.groupBase = o.value(QLatin1String("groupBase")).toString();
        d.groupFilter = o.value(QLatin1String("groupFilter")).toString(d.groupFilter);
        if (d.bindDnTemplate.isEmpty() == d.searchBase.isEmpty())
            return wrong(QStringLiteral("give either bindDnTemplate (bind as the user's DN) or searchBase (search, then bind)"));
        if (!d.bindDnTemplate.isEmpty() && !d.bindDnTemplate.contains(QLatin1String("{user}")))
            return wrong(QStringLiteral("bindDnTemplate must contain {user}"));
        const QJsonObject roles = o.value(QLatin1String("groupRoles")).toObject();
        for (auto it = roles.begin(); it != roles.end(); ++it) {
            QStringList list;
            for (const QJsonValue &r : it.value().toArray())
                list << r.toString().trimmed().toLower();
            list.removeAll(QString());
            d.groupRoles.insert(it.key().toLower(), list);
        }
        out << d;
    }
    return out;
}

QString describeDirectories(const QList<DirectoryConfig> &directories)
{
    QJsonArray array;
    for (const DirectoryConfig &d : directories) {
        QJsonObject roles;
        for (auto it = d.groupRoles.cbegin(); it != d.groupRoles.cend(); ++it)
            roles.insert(it.key(), QJsonArray::fromStringList(it.value()));
        array.append(QJsonObject {{QStringLiteral("name"), d.name}, {QStringLiteral("url"), d.url},
                                  {QStringLiteral("startTls"), d.startTls}, {QStringLiteral("caFile"), d.caFile},
                                  {QStringLiteral("timeoutSeconds"), d.timeoutSeconds},
                                  {QStringLiteral("bindDnTemplate"), d.bindDnTemplate},
                                  {QStringLiteral("searchBase"), d.searchBase}, {QStringLiteral("searchFilter"), d.searchFilter},
                                  {QStringLiteral("bindDn"), d.bindDn},
                                  {QStringLiteral("bindPassword"), d.bindPassword.isEmpty() ? QString() : QStringLiteral("********")},
                                  {QStringLiteral("displayNameAttribute"), d.displayNameAttribute},
                                  {QStringLiteral("groupBase"), d.groupBase}, {QStringLiteral("groupFilter"), d.groupFilter},
                                  {QStringLiteral("groupRoles"), roles}});
    }
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented));
}

DirectoryAnswer authenticate(const DirectoryConfig &d, const QString &userName, const QString &password)
{
    DirectoryAnswer answer;
    // An empty password would be an anonymous bind, which succeeds: never a login.
    if (password.isEmpty()) {
        answer.outcome = DirectoryAnswer::Outcome::WrongPassword;
        answer.detail = QStringLiteral("empty password");
        return answer;
    }
    LdapHandle h;
    const QByteArray url = d.url.toUtf8();
    int rc = ldap_initialize(&h.ld, url.constData());
    if (rc != LDAP_SUCCESS) {
        answer.detail = QStringLiteral("%1: %2").arg(d.url, ldapError(rc));
        return answer;
    }
    const int version = LDAP_VERSION3;
    ldap_set_option(h.ld, LDAP_OPT_PROTOCOL_VERSION, &version);
    ldap_set_option(h.ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    timeval timeout {d.timeoutSeconds, 0};
    ldap_set_option(h.ld, LDAP_OPT_NETWORK_TIMEOUT, &timeout);
    ldap_set_option(h.ld, LDAP_OPT_TIMEOUT, &timeout);
    // TLS: the directory's certificate is always verified (the given CAs, else the system's); the
    // options go into a TLS context of this handle's own.
    const int demand = LDAP_OPT_X_TLS_DEMAND;
    ldap_set_option(h.ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand);
    if (!d.caFile.isEmpty()) {
        const QByteArray ca = d.caFile.toUtf8();
        ldap_set_option(h.ld, LDAP_OPT_X_TLS_CACERTFILE, ca.constData());
    }
    const int newContext = 0;
    ldap_set_option(h.ld, LDAP_OPT_X_TLS_NEWCTX, &newContext);
    if (d.startTls) {
        rc = ldap_start_tls_s(h.ld, nullptr, nullptr);
        if (rc != LDAP_SUCCESS) {
            answer.detail = QStringLiteral("%1: StartTLS failed: %2").arg(d.url, ldapError(rc));
            return answer;
        }
    }

    QString userDn;
    LDAPMessage *entry = nullptr;
    SearchResult found;
    if (!d.bindDnTemplate.isEmpty()) {
        userDn = fill(d.bindDnTemplate, userName, {}, false);
    } else {
        if (!simpleBind(h.ld, d.bindDn, d.bindPassword, &rc)) {
            answer.detail = QStringLiteral("%1: the search bind as \"%2\" failed: %3").arg(d.url, d.bindDn, ldapError(rc));
            return answer; // a misconfigured or unreachable directory: not the user's fault
        }
        const QByteArray base = d.searchBase.toUtf8();
        const QByteArray filter = fill(d.searchFilter, userName, {}, true).toUtf8();
        rc = ldap_search_ext_s(h.ld, base.constData(), LDAP_SCOPE_SUBTREE, filter.constData(), nullptr, 0, nullptr,
                               nullptr, &timeout, 2, &found.message);
        if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
            answer.detail = QStringLiteral("%1: the search for the user failed: %2").arg(d.url, ldapError(rc));
            return answer;
        }
        if (ldap_count_entries(h.ld, found.message) != 1) {
            answer.outcome = DirectoryAnswer::Outcome::NoSuchUser;
            answer.detail = QStringLiteral("%1 entries match").arg(ldap_count_entries(h.ld, found.message));
            return answer;
        }
        entry = ldap_first_entry(h.ld, found.message);
        char *dn = ldap_get_dn(h.ld, entry);
        userDn = QString::fromUtf8(dn);
        ldap_memfree(dn);
    }

    if (!simpleBind(h.ld, userDn, password, &rc)) {
        if (rc == LDAP_INVALID_CREDENTIALS) {
            answer.outcome = !d.bindDnTemplate.isEmpty() ? DirectoryAnswer::Outcome::NoSuchUser
                                                         : DirectoryAnswer::Outcome::WrongPassword;
            answer.detail = QStringLiteral("invalid credentials for %1").arg(userDn);
        } else {
            answer.detail = QStringLiteral("%1: the bind as %2 failed: %3").arg(d.url, userDn, ldapError(rc));
        }
        return answer;
    }
    answer.outcome = DirectoryAnswer::Outcome::Authenticated;

    // Bound as the user: read their entry (name, memberOf) and their groups.
    SearchResult self;
    const QByteArray dnBytes = userDn.toUtf8();
    const QByteArray nameAttribute = d.displayNameAttribute.toUtf8();
    if (ldap_search_ext_s(h.ld, dnBytes.constData(), LDAP_SCOPE_BASE, "(objectClass=*)", nullptr, 0, nullptr, nullptr,
                          &timeout, 1, &self.message)
            == LDAP_SUCCESS
        && (entry = ldap_first_entry(h.ld, self.message))) {
        answer.displayName = values(h.ld, entry, nameAttribute.constData()).value(0);
    }
    QStringList groups = entry ? values(h.ld, entry, "memberOf") : QStringList();
    if (!d.groupBase.isEmpty()) {
        SearchResult listed;
        const QByteArray base = d.groupBase.toUtf8();
        const QByteArray filter = fill(d.groupFilter, userName, userDn, true).toUtf8();
        char *attrs[] = {const_cast<char *>("cn"), nullptr};
        if (ldap_search_ext_s(h.ld, base.constData(), LDAP_SCOPE_SUBTREE, filter.constData(), attrs, 0, nullptr,
                              nullptr, &timeout, 500, &listed.message)
            == LDAP_SUCCESS) {
            for (LDAPMessage *g = ldap_first_entry(h.ld, listed.message); g; g = ldap_next_entry(h.ld, g)) {
                char *dn = ldap_get_dn(h.ld, g);
                groups << QString::fromUtf8(dn);
                ldap_memfree(dn);
                groups << values(h.ld, g, "cn");
            }
        }
    }
    for (const QString &g : std::as_const(groups)) {
        const QStringList mapped = d.groupRoles.value(g.toLower());
        for (const QString &role : mapped)
            if (!answer.roles.contains(role))
                answer.roles << role;
    }
    answer.detail = QStringLiteral("%1 group(s)").arg(groups.size());
    return answer;
}

} // namespace user
