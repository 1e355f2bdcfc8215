#include "userstore.h"

#include "deviceapi.h"

#include "peek/rpc.h"

#include <QDateTime>
#include <QPromise>
#include <QRegularExpression>
#include <QRandomGenerator>
#include <QUuid>
#include <QtConcurrent/QtConcurrentRun>

#include <sodium.h>

#include <stdexcept>

namespace user {
namespace {

constexpr int kMaxFailures = 5;          // per user in a window ...
constexpr int kMaxAddressFailures = 50;  // ... and per address (crews behind one NAT share it)
constexpr qint64 kFailureWindowMs = 15 * 60 * 1000;
constexpr qint64 kLockMs = 5 * 60 * 1000;    // then the user (or address) waits this long
constexpr int kMinPasswordLength = 8;
const QString kWrongCredentials = QStringLiteral("wrong user name or password");

qint64 nowUs()
{
    return QDateTime::currentMSecsSinceEpoch() * 1000;
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// Text for a NOT NULL column: Qt binds a null QString as NULL.
QString text(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

[[noreturn]] void refuse(const QString &why)
{
    throw std::runtime_error(why.toStdString());
}

peek::ValueList toList(const QStringList &strings)
{
    peek::ValueList list;
    for (const QString &s : strings)
        list.push_back(peek::Value(s));
    return list;
}

// Argon2id (libsodium's crypto_pwhash_str, its interactive limits): runs on a pool thread.
QString hashPassword(const QString &password)
{
    const QByteArray bytes = password.toUtf8();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, bytes.constData(), quint64(bytes.size()), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE)
        != 0)
        return {};
    return QString::fromLatin1(out);
}

bool verifyPassword(const QString &hash, const QString &password)
{
    // Unknown users are checked against a hash of nothing, so their answer takes as long.
    static const QString dummy = hashPassword(QStringLiteral("peek-no-such-user"));
    const QByteArray h = (hash.isEmpty() ? dummy : hash).toLatin1();
    const QByteArray p = password.toUtf8();
    const bool ok = crypto_pwhash_str_verify(h.constData(), p.constData(), quint64(p.size())) == 0;
    return ok && !hash.isEmpty();
}

QStringList checkRoles(const QStringList &roles)
{
    static const QRegularExpression pattern(QStringLiteral("^[a-z][a-z0-9_.-]{0,39}$"));
    QStringList out;
    for (const QString &r : roles) {
        const QString role = r.trimmed().toLower();
        if (role.isEmpty())
            continue;
        if (!pattern.match(role).hasMatch())
            refuse(QStringLiteral("\"%1\" is not a role name: use lower-case letters, digits, '_', '.' or '-', "
                                  "starting with a letter")
                       .arg(role.left(40)));
        if (!out.contains(role))
            out << role;
    }
    return out;
}

} // namespace


UserStore::UserStore(peek::PluginContext &ctx, device::DeviceApi *devices)
    : m_ctx(ctx), m_devices(devices), m_schema(ctx.schema())
{
}

peek::Result<void> UserStore::load()
{
    const QString schema = m_schema;
    auto loaded = m_ctx.database().runSync(QStringList {schema}, [&](QSqlDatabase &db) -> peek::Result<void> {
        auto users = peek::sql::exec(db, QStringLiteral("SELECT user_name, display_name, password_hash, roles, "
                                                        "disabled, source, created_us FROM %1.\"User\"")
                                             .arg(schema));
        if (!users)
            return users.error();
        while (users.value().next()) {
            const QSqlQuery &q = users.value();
            User u;
            u.name = q.value(0).toString();
            u.displayName = q.value(1).toString();
            u.passwordHash = q.value(2).toString();
            u.roles = q.value(3).toString().split(u',', Qt::SkipEmptyParts);
            u.disabled = q.value(4).toInt() != 0;
            u.source = q.value(5).toString();
            u.createdUs = q.value(6).toLongLong();
            m_users.insert(u.name, u);
        }
        auto logins = peek::sql::exec(
            db, QStringLiteral("SELECT token_hash, user_name, device_id, is_field, logged_in_us FROM %1.\"UserLogin\"")
                    .arg(schema));
        if (!logins)
            return logins.error();
        while (logins.value().next()) {
            const QSqlQuery &q = logins.value();
            Login l {q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), q.value(3).toInt() != 0,
                     q.value(4).toLongLong()};
            m_logins.insert(l.tokenHash, l);
        }
        return {};
    });
    if (!loaded)
        return loaded.error().context(QStringLiteral("reading the users"));
    for (const Login &l : std::as_const(m_logins))
        if (m_devices)
            m_devices->setLoggedInUser(l.deviceId, l.userName);
    readDirectories();
    QObject::connect(&m_ctx.settings(), &peek::Settings::changed, this, [this](const QString &key) {
        if (key == QLatin1String("ldapDirectories"))
            readDirectories();
    });
    qCInfo(m_ctx.log()).noquote() << m_users.size() << "user(s)," << m_logins.size() << "session(s)";
    return {};
}

void UserStore::readDirectories()
{
    auto parsed = parseDirectories(m_ctx.settings().stringValue(QStringLiteral("ldapDirectories")));
    if (!parsed) {
        qCWarning(m_ctx.log()).noquote() << "the LDAP directories are not used:" << parsed.error().message()
                                         << "(fix them with `peek-server admin users directories set FILE`)";
        m_directories.clear();
        return;
    }
    m_directories = parsed.value();
    for (const DirectoryConfig &d : std::as_const(m_directories))
        qCInfo(m_ctx.log()).noquote() << QStringLiteral("logins are also checked with the directory %1 (%2%3)")
                                             .arg(d.name, d.url, d.startTls ? QStringLiteral(", StartTLS") : QString());
}

void UserStore::warnWhenNoAdmin() const
{
    for (const User &u : m_users)
        if (!u.disabled && u.roles.contains(QLatin1String("admin")))
            return;
    qCWarning(m_ctx.log()).noquote()
        << "no admin user exists: create one on this machine with `peek-server admin users add NAME --roles admin` "
           "(it asks for the password); peek-server creates none by itself";
}

QString UserStore::deviceName(const QString &deviceId) const
{
    const QString name = m_devices ? m_devices->deviceName(deviceId) : QString();
    return name.isEmpty() ? deviceId : name;
}

void UserStore::audit(const QString &event, const QString &deviceId, const QString &userName, const QString &actor,
                      const QString &address, const QString &detail)
{
    m_ctx.audit({0, event, {}, deviceId, userName, actor, address, detail});
}

QString UserStore::shownName(const QString &name) const
{
    if (m_users.contains(name))
        return name;
    // Not a user: perhaps a password typed into the name field. Logs and the audit get a
    // fingerprint that tells repeated tries apart, never the text.
    return QStringLiteral("(unknown name #%1)").arg(peek::secretHash(name).left(8));
}

qint64 UserStore::lockedFor(const QString &name, const QString &address) const
{
    const qint64 now = nowMs();
    qint64 until = 0;
    if (auto it = m_userFailures.constFind(name); it != m_userFailures.cend())
        until = std::max(until, it->lockedUntilMs);
    if (auto it = m_addressFailures.constFind(peek::hostOfAddress(address)); it != m_addressFailures.cend())
        until = std::max(until, it->lockedUntilMs);
    return until > now ? (until - now + 999) / 1000 : 0;
}

void UserStore::noteFailure(const QString &name, const QString &address)
{
    const qint64 now = nowMs();
    auto note = [now](Failures &f, int limit) {
        if (now - f.windowStartMs > kFailureWindowMs) {
            f.count = 0;
            f.windowStartMs = now;
        }
        if (++f.count >= limit) {
            f.lockedUntilMs = now + kLockMs;
            f.count = 0;
            f.windowStartMs = now;
        }
    };
    if (m_userFailures.size() > 100000)
        m_userFailures.clear(); // a flood of made-up names must not grow this without end
    if (m_addressFailures.size() > 100000)
        m_addressFailures.clear();
    note(m_userFailures[name], kMaxFailures);
    note(m_addressFailures[peek::hostOfAddress(address)], kMaxAddressFailures);
}

QFuture<peek::Value> UserStore::login(const QString &userName, const QString &password, const LoginRequest &request)
{
    const QString &deviceId = request.deviceId;
    const QString &address = request.address;
    const QString name = normalName(userName);
    if (name.isEmpty() || name.size() > 100 || password.size() > 1000)
        return QtFuture::makeReadyFuture(peek::Value(peek::Dict {
            {QStringLiteral("succeeded"), peek::Value(false)},
            {QStringLiteral("message"), peek::Value(QStringLiteral("the user name must be 1 to 100 characters, the "
                                                                   "password at most 1000"))}}));
    if (const qint64 wait = lockedFor(name, address)) {
        qCInfo(m_ctx.log()).noquote() << QStringLiteral("refused a login of user %1 from %2 (device %3): too many "
                                                        "failed logins, %4 s to wait")
                                             .arg(shownName(name), address, deviceId)
                                             .arg(wait);
        audit(QStringLiteral("login throttled"), deviceId, shownName(name), {}, address,
              QStringLiteral("too many failed logins"));
        return QtFuture::makeReadyFuture(peek::Value(peek::Dict {
            {QStringLiteral("succeeded"), peek::Value(false)},
            {QStringLiteral("message"),
             peek::Value(QStringLiteral("too many failed logins; try again in %1 minute(s)").arg((wait + 59) / 60))}}));
    }
    const auto it = m_users.constFind(name);
    auto promise = std::make_shared<QPromise<peek::Value>>();
    promise->start();
    const bool internal = it != m_users.cend() && it->source == QLatin1String("internal");
    if (!internal && !m_directories.isEmpty()) {
        // A directory user (or one we do not know): the directories decide, in order.
        struct Outcome
        {
            QString directory;
            DirectoryAnswer answer;
            QStringList unreachable;
        };
        const QList<DirectoryConfig> directories = m_directories;
        QFuture<Outcome> asked = QtConcurrent::run([directories, name, password] {
            Outcome out;
            out.answer.outcome = DirectoryAnswer::Outcome::NoSuchUser;
            for (const DirectoryConfig &d : directories) {
                DirectoryAnswer a = authenticate(d, name, password);
                if (a.outcome == DirectoryAnswer::Outcome::Unreachable) {
                    out.unreachable << QStringLiteral("%1 (%2)").arg(d.name, a.detail);
                    continue;
                }
                if (a.outcome == DirectoryAnswer::Outcome::NoSuchUser)
                    continue;
                out.directory = d.name;
                out.answer = a;
                break;
            }
            return out;
        });
        peek::onFinished(this, asked, [this, promise, name, request](QFuture<Outcome> f) {
            try {
                const Outcome o = f.result();
                promise->addResult(directoryLogin(name, o.directory, o.answer, o.unreachable, request));
            } catch (...) {
                promise->setException(std::current_exception());
            }
            promise->finish();
        });
        return promise->future();
    }
    const QString hash = it == m_users.cend() ? QString() : it->passwordHash;
    QFuture<bool> checked = QtConcurrent::run([hash, password] { return verifyPassword(hash, password); });
    peek::onFinished(this, checked, [this, promise, name, request](QFuture<bool> f) {
        const bool ok = f.resultCount() > 0 && f.result();
        try {
            promise->addResult(finishLogin(name, ok, request));
        } catch (...) {
            promise->setException(std::current_exception());
        }
        promise->finish();
    });
    return promise->future();
}

peek::Value UserStore::directoryLogin(const QString &name, const QString &directory, const DirectoryAnswer &answer,
                                      const QStringList &unreachable, const LoginRequest &request)
{
    const QString &deviceId = request.deviceId;
    const QString &address = request.address;
    for (const QString &problem : unreachable)
        qCWarning(m_ctx.log()).noquote() << "the directory" << problem << "cannot be reached: its users cannot log in "
                                            "now; internal users still can";
    if (answer.outcome != DirectoryAnswer::Outcome::Authenticated) {
        if (answer.outcome == DirectoryAnswer::Outcome::NoSuchUser && !unreachable.isEmpty()) {
            noteFailure(name, address); // no free guesses while a directory is away
            audit(QStringLiteral("login failed"), deviceId, shownName(name), {}, address,
                  QStringLiteral("directory unreachable"));
            return peek::Value(peek::Dict {
                {QStringLiteral("succeeded"), peek::Value(false)},
                {QStringLiteral("message"), peek::Value(QStringLiteral("the password cannot be checked now: the user "
                                                                       "directory cannot be reached; try again later"))}});
        }
        return finishLogin(name, false, request);
    }
    User u = m_users.value(name);
    const bool created = u.name.isEmpty();
    const QString source = QStringLiteral("ldap:") + directory;
    if (created) {
        u.name = name;
        u.createdUs = nowUs();
    }
    const bool changed = created || u.roles != answer.roles || u.source != source
        || (!answer.displayName.isEmpty() && u.displayName != answer.displayName);
    u.roles = answer.roles;
    u.source = source;
    if (!answer.displayName.isEmpty())
        u.displayName = answer.displayName.left(200);
    if (changed) {
        if (auto saved = saveUser(u); !saved) {
            qCWarning(m_ctx.log()).noquote() << "could not store directory user" << name << "-" << saved.error().message();
            return peek::Value(peek::Dict {{QStringLiteral("succeeded"), peek::Value(false)},
                                           {QStringLiteral("message"), peek::Value(QStringLiteral("the login could not be "
                                                                                                  "stored; try again"))}});
        }
        m_users.insert(u.name, u);
        usersChanged();
        audit(created ? QStringLiteral("user added") : QStringLiteral("roles changed"), {}, name, source, address,
              QStringLiteral("from the directory %1; roles: %2").arg(directory, u.roles.join(QStringLiteral(", "))));
        qCInfo(m_ctx.log()).noquote() << QStringLiteral("directory user %1 (%2): roles %3")
                                             .arg(name, directory, u.roles.join(QStringLiteral(", ")));
        tellRoles(u); // the user's other sessions get the roles the directory gives now
    }
    return finishLogin(name, true, request);
}

peek::Value UserStore::finishLogin(const QString &name, bool passwordOk, const LoginRequest &request)
{
    const QString &deviceId = request.deviceId;
    const QString &address = request.address;
    const QStringList &accepted = request.acceptedWarnings;
    const bool isField = request.isField && !request.admin;
    auto failed = [](const QString &message) {
        return peek::Value(peek::Dict {{QStringLiteral("succeeded"), peek::Value(false)},
                                       {QStringLiteral("message"), peek::Value(message)}});
    };
    const auto it = m_users.constFind(name);
    // Guesses sent at once are all checked before the first failure counts: a lock that came
    // meanwhile refuses even a right one.
    if (const qint64 wait = lockedFor(name, address); wait && passwordOk)
        return failed(QStringLiteral("too many failed logins; try again in %1 minute(s)").arg((wait + 59) / 60));
    if (!passwordOk) {
        noteFailure(name, address);
        const QString why = it == m_users.cend() ? QStringLiteral("unknown user") : QStringLiteral("wrong password");
        qCInfo(m_ctx.log()).noquote() << QStringLiteral("failed login of user %1 from %2 on device %3: %4")
                                             .arg(shownName(name), address, deviceName(deviceId), why);
        audit(QStringLiteral("login failed"), deviceId, shownName(name), {}, address, why);
        return failed(kWrongCredentials);
    }
    const User &u = it.value();
    m_userFailures.remove(name);
    if (u.disabled) {
        qCInfo(m_ctx.log()).noquote() << QStringLiteral("refused the login of disabled user %1 from %2").arg(name, address);
        audit(QStringLiteral("login failed"), deviceId, name, {}, address, QStringLiteral("user disabled"));
        return failed(QStringLiteral("user %1 is disabled; ask an admin").arg(name));
    }
    if (request.admin && !u.roles.contains(QLatin1String("admin"))) {
        qCInfo(m_ctx.log()).noquote() << QStringLiteral("refused the admin login of user %1 from %2: not an admin")
                                             .arg(name, address);
        audit(QStringLiteral("login failed"), {}, name, {}, address, QStringLiteral("admin login without the admin role"));
        return failed(QStringLiteral("user %1 may not administer Peek: that needs the admin role").arg(name));
    }
    if (!request.admin && m_devices && !m_devices->isApproved(deviceId))
        return failed(QStringLiteral("device not enrolled: this device is not approved"));

    // Single login per field device; one user per device.
    peek::Dict warnings;
    QList<Login> toEnd;
    for (const Login &l : std::as_const(m_logins)) {
        if (request.admin)
            break; // admin sessions (no device) are not limited ...
        if (l.deviceId.isEmpty())
            continue; // ... and limit no one
        if (l.userName == name && l.deviceId == deviceId) {
            toEnd << l; // logging in again here replaces the session
        } else if (l.userName == name && isField && l.isField) {
            const QString since = QDateTime::fromMSecsSinceEpoch(l.sinceUs / 1000).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
            if (accepted.contains(QLatin1String(kUserAlreadyLoggedOn)))
                toEnd << l;
            else
                warnings.insert(QString::fromLatin1(kUserAlreadyLoggedOn),
                                peek::Value(QStringLiteral("User %1 is already logged in on device \"%2\" since %3. "
                                                           "Logging in here logs them out there.")
                                                .arg(name, deviceName(l.deviceId), since)));
        } else if (l.userName != name && l.deviceId == deviceId) {
            if (accepted.contains(QLatin1String(kDeviceAlreadyLoggedOn)))
                toEnd << l;
            else
                warnings.insert(QString::fromLatin1(kDeviceAlreadyLoggedOn),
                                peek::Value(QStringLiteral("User %1 is logged in on this device. Logging in here "
                                                           "logs them out.")
                                                .arg(l.userName)));
        }
    }
    if (!warnings.isEmpty())
        return peek::Value(peek::Dict {{QStringLiteral("succeeded"), peek::Value(false)},
                                       {QStringLiteral("warnings"), peek::Value(warnings)},
                                       {QStringLiteral("message"), peek::Value(QStringLiteral("confirm to go on"))}});
    QList<Login> elsewhere;
    QList<Login> same;
    for (const Login &l : std::as_const(toEnd))
        (l.userName == name && l.deviceId == deviceId ? same : elsewhere) << l;
    endLogins(elsewhere, QStringLiteral("logged out: user %1 logged in on device \"%2\"").arg(name, deviceName(deviceId)),
              name);
    QStringList replaced;
    for (const Login &l : std::as_const(same)) {
        replaced << l.tokenHash;
        m_logins.remove(l.tokenHash);
    }
    if (!replaced.isEmpty())
        (void)removeLogins(replaced);

    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    const QString token = QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(raw), sizeof raw)
                                                  .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    Login login {peek::secretHash(token), name, deviceId, isField, nowUs()};
    if (auto saved = saveLogin(login); !saved) {
        qCWarning(m_ctx.log()).noquote() << "could not store the login of" << name << "-" << saved.error().message();
        return failed(QStringLiteral("the login could not be stored; try again (the service's log has the details)"));
    }
    m_logins.insert(login.tokenHash, login);
    usersChanged();
    if (request.admin) {
        qCInfo(m_ctx.log()).noquote() << QStringLiteral("user %1 logged in as an admin from %2").arg(name, address);
        audit(QStringLiteral("login"), {}, name, {}, address, QStringLiteral("admin"));
    } else {
        if (m_devices)
            m_devices->setLoggedInUser(deviceId, name);
        qCInfo(m_ctx.log()).noquote() << QStringLiteral("user %1 logged in on %2 device \"%3\" from %4")
                                             .arg(name, isField ? QStringLiteral("field") : QStringLiteral("office"),
                                                  deviceName(deviceId), address);
        audit(QStringLiteral("login"), deviceId, name, {}, address,
              isField ? QStringLiteral("field") : QStringLiteral("office"));
    }
    return peek::Value(peek::Dict {{QStringLiteral("succeeded"), peek::Value(true)},
                                   {QStringLiteral("userName"), peek::Value(name)},
                                   {QStringLiteral("displayName"), peek::Value(u.displayName)},
                                   {QStringLiteral("roles"), peek::Value(toList(u.roles))},
                                   {QStringLiteral("userToken"), peek::Value(token)}});
}

peek::Dict UserStore::resume(const QString &tokenHash, const QString &deviceId, const QString &address)
{
    auto out = [](bool in, const QString &message) {
        return peek::Dict {{QStringLiteral("loggedIn"), peek::Value(in)}, {QStringLiteral("message"), peek::Value(message)}};
    };
    const auto it = m_logins.constFind(tokenHash);
    if (it == m_logins.cend() || it->deviceId != deviceId)
        return out(false, m_endedReasons.value(tokenHash, QStringLiteral("logged out: this session ended; log in again")));
    const auto u = m_users.constFind(it->userName);
    if (u == m_users.cend() || u->disabled) {
        const QString reason = QStringLiteral("logged out: user %1 is disabled").arg(it->userName);
        endLogins({*it}, reason, {});
        return out(false, reason);
    }
    qCDebug(m_ctx.log()).noquote() << "user" << u->name << "resumed on" << deviceName(deviceId) << "from" << address;
    peek::Dict answer = out(true, {});
    answer.insert(QStringLiteral("userName"), peek::Value(u->name));
    answer.insert(QStringLiteral("displayName"), peek::Value(u->displayName));
    answer.insert(QStringLiteral("roles"), peek::Value(toList(u->roles)));
    return answer;
}

peek::Dict UserStore::logout(const QString &tokenHash, const QString &deviceId, const QString &address)
{
    const auto it = m_logins.constFind(tokenHash);
    if (it == m_logins.cend() || it->deviceId != deviceId)
        return {{QStringLiteral("succeeded"), peek::Value(true)}}; // not logged in: nothing to do
    const Login l = *it;
    m_logins.remove(l.tokenHash);
    (void)removeLogins({l.tokenHash});
    usersChanged();
    if (m_devices)
        m_devices->setLoggedInUser(l.deviceId, {});
    qCInfo(m_ctx.log()).noquote() << QStringLiteral("user %1 logged out on device \"%2\"").arg(l.userName, deviceName(l.deviceId));
    audit(QStringLiteral("logout"), l.deviceId, l.userName, {}, address, {});
    return {{QStringLiteral("succeeded"), peek::Value(true)}};
}

void UserStore::endLogins(const QList<Login> &logins, const QString &reason, const QString &actor)
{
    if (logins.isEmpty())
        return;
    QStringList hashes;
    if (m_endedReasons.size() > 10000)
        m_endedReasons.clear();
    for (const Login &l : logins) {
        hashes << l.tokenHash;
        m_logins.remove(l.tokenHash);
        m_endedReasons.insert(l.tokenHash, reason);
        if (m_devices)
            m_devices->setLoggedInUser(l.deviceId, {});
        audit(QStringLiteral("logged out"), l.deviceId, l.userName, actor, {}, reason);
        qCInfo(m_ctx.log()).noquote() << QStringLiteral("ended the session of user %1 on device \"%2\": %3")
                                             .arg(l.userName, deviceName(l.deviceId), reason);
        tellServices(l.userName, l.deviceId, reason);
    }
    (void)removeLogins(hashes);
    usersChanged();
}

void UserStore::tellServices(const QString &userName, const QString &deviceId, const QString &reason)
{
    auto status = std::make_shared<UserStatusTuple>();
    status->loggedIn = false;
    status->userName = userName;
    status->message = reason;
    if (deviceId.isEmpty()) { // an admin session: only logic's admin port has it
        if (m_changeListener)
            m_changeListener(*status, deviceId);
        return;
    }
    tellServices(status, deviceId);
}

void UserStore::tellRoles(const User &u)
{
    bool loggedIn = false;
    for (const Login &l : std::as_const(m_logins))
        loggedIn = loggedIn || l.userName == u.name;
    if (!loggedIn)
        return;
    auto status = std::make_shared<UserStatusTuple>();
    status->loggedIn = true;
    status->userName = u.name;
    status->displayName = u.displayName;
    status->roles = toList(u.roles);
    tellServices(status, {});
}

void UserStore::tellServices(const std::shared_ptr<UserStatusTuple> &status, const QString &deviceId)
{
    if (m_changeListener)
        m_changeListener(*status, deviceId);
    peek::Payload payload({{QStringLiteral("plugin"), peek::Value(QString::fromLatin1(kPlugin))},
                           {QStringLiteral("key"), peek::Value(QStringLiteral("user.changed"))},
                           {QStringLiteral("deviceId"), peek::Value(deviceId)}},
                          {status});
    const peek::PayloadEnvelope envelope = peek::PayloadEnvelope::fromPayload(payload);
    for (const peek::Role role : {peek::Role::Field, peek::Role::Office})
        m_ctx.vortex()->send(envelope, peek::Role(role).vortexName());
}

peek::Result<void> UserStore::saveUser(const User &u)
{
    const QString schema = m_schema;
    return m_ctx.database().runSync(QStringList {schema}, [&](QSqlDatabase &db) -> peek::Result<void> {
        // Replaced in one transaction: a failed insert keeps the old row.
        peek::sql::Transaction tx(db);
        if (auto begun = tx.begin(); !begun)
            return begun;
        auto removed = peek::sql::exec(db, QStringLiteral("DELETE FROM %1.\"User\" WHERE user_name = ?").arg(schema),
                                       {u.name});
        if (!removed)
            return removed.error();
        auto inserted = peek::sql::exec(
            db,
            QStringLiteral("INSERT INTO %1.\"User\" (user_name, display_name, password_hash, roles, disabled, source, "
                           "created_us, updated_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                .arg(schema),
            {u.name, text(u.displayName), text(u.passwordHash), text(u.roles.join(u',')), u.disabled ? 1 : 0,
             text(u.source), u.createdUs, nowUs()});
        if (!inserted)
            return inserted.error();
        return tx.commit();
    });
}

peek::Result<void> UserStore::saveLogin(const Login &l)
{
    const QString schema = m_schema;
    return m_ctx.database().runSync(QStringList {schema}, [&](QSqlDatabase &db) -> peek::Result<void> {
        auto inserted = peek::sql::exec(db,
                                        QStringLiteral("INSERT INTO %1.\"UserLogin\" (token_hash, user_name, device_id, "
                                                       "is_field, logged_in_us) VALUES (?, ?, ?, ?, ?)")
                                            .arg(schema),
                                        {l.tokenHash, l.userName, text(l.deviceId), l.isField ? 1 : 0, l.sinceUs});
        if (!inserted)
            return inserted.error();
        return {};
    });
}

peek::Result<void> UserStore::removeLogins(const QStringList &tokenHashes)
{
    const QString schema = m_schema;
    auto removed = m_ctx.database().runSync(QStringList {schema}, [&](QSqlDatabase &db) -> peek::Result<void> {
        for (const QString &h : tokenHashes) {
            auto done = peek::sql::exec(db, QStringLiteral("DELETE FROM %1.\"UserLogin\" WHERE token_hash = ?").arg(schema),
                                        {h});
            if (!done)
                return done.error();
        }
        return {};
    });
    if (!removed)
        qCWarning(m_ctx.log()).noquote() << "could not remove ended sessions:" << removed.error().message();
    return removed;
}

std::shared_ptr<UserDetailTuple> UserStore::detail(const User &u) const
{
    auto t = std::make_shared<UserDetailTuple>();
    t->userName = u.name;
    t->displayName = u.displayName;
    t->roles = toList(u.roles);
    t->disabled = u.disabled;
    t->source = u.source;
    for (const Login &l : m_logins)
        if (l.userName == u.name)
            t->loggedInOn.push_back(peek::Value(deviceName(l.deviceId)));
    return t;
}

void UserStore::setObservable(peek::TupleDataObservableHandler *observable)
{
    m_observable = observable;
    usersChanged();
}

std::vector<peek::TuplePtr> UserStore::snapshot() const
{
    QMutexLocker lock(&m_snapshotMutex);
    return m_snapshot;
}

void UserStore::usersChanged()
{
    std::vector<peek::TuplePtr> users;
    for (const UserInfo &i : all())
        users.push_back(detail(m_users.value(i.userName)));
    {
        QMutexLocker lock(&m_snapshotMutex);
        m_snapshot = std::move(users);
    }
    if (m_observable)
        m_observable->notifyOfTupleUpdate(peek::TupleSelector(QString::fromLatin1(UserDetailTuple::kTupleType), {}));
}

UserInfo UserStore::info(const QString &userName) const
{
    const auto it = m_users.constFind(normalName(userName));
    if (it == m_users.cend())
        return {};
    return {it->name, it->displayName, it->roles, it->disabled};
}

QList<UserInfo> UserStore::all() const
{
    QList<UserInfo> out;
    for (const User &u : m_users)
        out << UserInfo {u.name, u.displayName, u.roles, u.disabled};
    std::sort(out.begin(), out.end(), [](const UserInfo &a, const UserInfo &b) { return a.userName < b.userName; });
    return out;
}

QFuture<peek::Value> UserStore::admin(const peek::ValueList &args, const peek::Dict &kwargs)
{
    const QString command = peek::rpcArgument<QString>(args, 0, "command");
    const QString actor = peek::rpcActor(kwargs);
    if (command == QLatin1String("list")) {
        peek::ValueList list;
        for (const UserInfo &i : all())
            list.push_back(peek::Value(detail(m_users.value(i.userName))));
        return QtFuture::makeReadyFuture(peek::Value(list));
    }
    if (command == QLatin1String("directories-test")) {
        // Each directory asked for a user that is not there: an answer (no such user, wrong
        // password) proves the address, TLS, the service bind and the search work; what failed
        // otherwise is in the detail.
        const QList<DirectoryConfig> directories = m_directories;
        return QtConcurrent::run([directories] {
            peek::ValueList out;
            const QString probe = QStringLiteral("peek-connection-test-")
                + QString::number(QRandomGenerator::system()->generate(), 36);
            for (const DirectoryConfig &d : directories) {
                const DirectoryAnswer a = authenticate(d, probe, QUuid::createUuid().toString());
                const bool ok = a.outcome != DirectoryAnswer::Outcome::Unreachable;
                out.push_back(peek::Value(peek::Dict {
                    {QStringLiteral("name"), peek::Value(d.name)},
                    {QStringLiteral("url"), peek::Value(d.url)},
                    {QStringLiteral("ok"), peek::Value(ok)},
                    {QStringLiteral("message"),
                     peek::Value(ok ? QStringLiteral("reachable: the directory answered a test login (%1)").arg(a.detail)
                                    : a.detail)}}));
            }
            return peek::Value(out);
        });
    }
    if (command == QLatin1String("directories")) {
        const QString json = kwargs.string(QStringLiteral("json"));
        if (!kwargs.find(QStringLiteral("json")))
            return QtFuture::makeReadyFuture(peek::Value(describeDirectories(m_directories)));
        auto parsed = parseDirectories(json);
        if (!parsed)
            refuse(parsed.error().message());
        if (auto stored = m_ctx.settings().setValueSync(QStringLiteral("ldapDirectories"), json); !stored)
            refuse(QStringLiteral("could not store the directories: %1").arg(stored.error().peerMessage()));
        readDirectories();
        audit(QStringLiteral("directories changed"), {}, {}, actor, {},
              QStringLiteral("%1 directory(ies)").arg(parsed.value().size()));
        return QtFuture::makeReadyFuture(peek::Value(describeDirectories(parsed.value())));
    }
    static const QStringList commands {QStringLiteral("add"), QStringLiteral("passwd"), QStringLiteral("roles"),
                                       QStringLiteral("disable"), QStringLiteral("enable"), QStringLiteral("unlock")};
    if (!commands.contains(command))
        refuse(QStringLiteral("unknown users command \"%1\": use add, list, passwd, roles, disable, enable, unlock, directories or directories-test")
                   .arg(command.left(40)));
    const QString name = normalName(peek::rpcArgument<QString>(args, 1, "user"));
    static const QRegularExpression namePattern(QStringLiteral("^[a-z0-9][a-z0-9_.@-]{0,99}$"));
    if (!namePattern.match(name).hasMatch())
        refuse(QStringLiteral("\"%1\" is not a user name: use 1 to 100 letters, digits, '_', '.', '@' or '-'")
                   .arg(name.left(100)));
    const bool exists = m_users.contains(name);
    if (command == QLatin1String("add") && exists)
        refuse(QStringLiteral("user %1 exists already (peek-server admin users passwd %1 sets a new password)").arg(name));
    if (command != QLatin1String("add") && !exists)
        refuse(QStringLiteral("no user is called %1 (see: peek-server admin users list)").arg(name));

    if (command == QLatin1String("unlock")) {
        // The failed logins counted against the user go: they may log in again at once (the
        // addresses' counts stay: an address that guessed is still slowed down).
        const bool wasLocked = m_userFailures.remove(name) > 0;
        qCInfo(m_ctx.log()).noquote() << QStringLiteral("%1 unlocked user %2%3").arg(actor, name, wasLocked ? QString() : QStringLiteral(" (was not locked)"));
        audit(QStringLiteral("user unlocked"), {}, name, actor, {}, {});
        return QtFuture::makeReadyFuture(peek::Value(detail(m_users.value(name))));
    }
    if (command == QLatin1String("add") || command == QLatin1String("passwd")) {
        const QString password = kwargs.string(QStringLiteral("password"));
        if (password.size() < kMinPasswordLength || password.size() > 1000)
            refuse(QStringLiteral("the password must be %1 to 1000 characters").arg(kMinPasswordLength));
        User u = exists ? m_users.value(name) : User {};
        if (!exists) {
            u.name = name;
            u.displayName = kwargs.string(QStringLiteral("displayName")).left(200);
            u.roles = checkRoles(kwargs.string(QStringLiteral("roles")).split(u',', Qt::SkipEmptyParts));
            u.createdUs = nowUs();
        }
        auto promise = std::make_shared<QPromise<peek::Value>>();
        promise->start();
        QFuture<QString> hashed = QtConcurrent::run([password] { return hashPassword(password); });
        peek::onFinished(this, hashed, [this, promise, u, command, actor](QFuture<QString> f) mutable {
            try {
                const QString hash = f.resultCount() ? f.result() : QString();
                if (hash.isEmpty())
                    refuse(QStringLiteral("the password could not be hashed (out of memory?)"));
                // The record may have changed while the password was hashed (disabled, roles):
                // only the hash is this command's.
                const auto now = m_users.constFind(u.name);
                if (command == QLatin1String("add") && now != m_users.cend())
                    refuse(QStringLiteral("user %1 was added by someone else meanwhile").arg(u.name));
                if (command != QLatin1String("add")) {
                    if (now == m_users.cend())
                        refuse(QStringLiteral("user %1 is gone").arg(u.name));
                    u = now.value();
                }
                u.passwordHash = hash;
                if (auto saved = saveUser(u); !saved)
                    refuse(QStringLiteral("could not store user %1: %2").arg(u.name, saved.error().peerMessage()));
                m_users.insert(u.name, u);
                usersChanged();
                if (command == QLatin1String("add")) {
                    audit(QStringLiteral("user added"), {}, u.name, actor, {},
                          QStringLiteral("roles: %1").arg(u.roles.join(QStringLiteral(", "))));
                    qCInfo(m_ctx.log()).noquote() << QStringLiteral("%1 added user %2 (roles: %3)")
                                                         .arg(actor, u.name, u.roles.join(QStringLiteral(", ")));
                } else {
                    audit(QStringLiteral("password changed"), {}, u.name, actor, {}, {});
                    qCInfo(m_ctx.log()).noquote() << QStringLiteral("%1 set a new password for user %2").arg(actor, u.name);
                    QList<Login> sessions;
                    for (const Login &l : std::as_const(m_logins))
                        if (l.userName == u.name)
                            sessions << l;
                    endLogins(sessions, QStringLiteral("logged out: the password of user %1 changed").arg(u.name), actor);
                }
                promise->addResult(peek::Value(detail(u)));
            } catch (...) {
                promise->setException(std::current_exception());
            }
            promise->finish();
        });
        return promise->future();
    }

    User u = m_users.value(name);
    QString event;
    QString what;
    if (command == QLatin1String("roles")) {
        u.roles = checkRoles(kwargs.string(QStringLiteral("roles")).split(u',', Qt::SkipEmptyParts));
        event = QStringLiteral("roles changed");
        what = QStringLiteral("roles: %1").arg(u.roles.join(QStringLiteral(", ")));
    } else {
        u.disabled = command == QLatin1String("disable");
        event = u.disabled ? QStringLiteral("user disabled") : QStringLiteral("user enabled");
    }
    if (auto saved = saveUser(u); !saved)
        refuse(QStringLiteral("could not store user %1: %2").arg(u.name, saved.error().peerMessage()));
    m_users.insert(u.name, u);
    usersChanged();
    audit(event, {}, u.name, actor, {}, what);
    qCInfo(m_ctx.log()).noquote() << QStringLiteral("%1: %2 %3").arg(actor, event, u.name) << what;
    if (u.disabled && command == QLatin1String("disable")) {
        QList<Login> sessions;
        for (const Login &l : std::as_const(m_logins))
            if (l.userName == u.name)
                sessions << l;
        endLogins(sessions, QStringLiteral("logged out: user %1 is disabled").arg(u.name), actor);
    } else if (command == QLatin1String("roles")) {
        tellRoles(u);
    }
    return QtFuture::makeReadyFuture(peek::Value(detail(u)));
}

} // namespace user
