// Directory logins (issue 14): a throw-away OpenLDAP slapd (Debian's slapd, a directory made with
// slapadd in a temporary folder) on a loopback port, and a real peek-server checking logins with
// it: a directory user logs in with their groups mapped to roles, a wrong password gets the
// usual message, and with the directory unreachable its users get a clear error while internal
// users still log in.
#include "serverprocess.h"
#include "wirejson.h"

#include "../unit/vortex/rawpeer.h"

#include "vortex/payload.h"
#include "vortex/payloadrouter.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace peek;
using namespace testing;

namespace {

const char *kSlapd = "/usr/sbin/slapd";
const char *kSlapadd = "/usr/sbin/slapadd";
const QByteArray kPassword = "correct horse battery";


// The directory: two people, two groups.
const char *kDirectory =
    "dn: dc=peek,dc=test\n"
    "objectClass: dcObject\n"
    "objectClass: organization\n"
    "dc: peek\n"
    "o: Peek test directory\n"
    "\n"
    "dn: ou=people,dc=peek,dc=test\n"
    "objectClass: organizationalUnit\n"
    "ou: people\n"
    "\n"
    "dn: ou=groups,dc=peek,dc=test\n"
    "objectClass: organizationalUnit\n"
    "ou: groups\n"
    "\n"
    "dn: uid=alice,ou=people,dc=peek,dc=test\n"
    "objectClass: inetOrgPerson\n"
    "uid: alice\n"
    "cn: Alice Example\n"
    "sn: Example\n"
    "userPassword: alice password\n"
    "\n"
    "dn: uid=bob,ou=people,dc=peek,dc=test\n"
    "objectClass: inetOrgPerson\n"
    "uid: bob\n"
    "cn: Bob Example\n"
    "sn: Example\n"
    "userPassword: bob password\n"
    "\n"
    "dn: cn=field-crew,ou=groups,dc=peek,dc=test\n"
    "objectClass: groupOfNames\n"
    "cn: field-crew\n"
    "member: uid=alice,ou=people,dc=peek,dc=test\n"
    "\n"
    "dn: cn=planners,ou=groups,dc=peek,dc=test\n"
    "objectClass: groupOfNames\n"
    "cn: planners\n"
    "member: uid=alice,ou=people,dc=peek,dc=test\n"
    "member: uid=bob,ou=people,dc=peek,dc=test\n"
    "\n";

} // namespace

class TestLdap : public QObject
{
    Q_OBJECT

    QTemporaryDir m_ldapDir;
    quint16 m_ldapPort = freePort();
    quint16 m_ldapsPort = freePort();
    QProcess m_slapd;
    QTemporaryDir m_home;
    Ports m_ports;
    std::unique_ptr<ServerProcess> m_server;
    RawPeer m_device;
    int m_sent = 0;

    // peek-server admin ARGS for the test's home.
    using Admin = AdminRun;
    Admin admin(const QStringList &args, const QByteArray &input = {}) { return runAdmin(m_home.path(), args, input); }
    QString ldapUrl() const { return QStringLiteral("ldap://127.0.0.1:%1").arg(m_ldapPort); }
    QString ldapsUrl() const { return QStringLiteral("ldaps://127.0.0.1:%1").arg(m_ldapsPort); }
    QJsonObject directory(const QString &url) const
    {
        return QJsonObject {{QStringLiteral("name"), QStringLiteral("test")},
                            {QStringLiteral("url"), url},
                            // plain ldap:// needs saying so (the TLS case below removes it)
                            {QStringLiteral("plainTextForTestsOnly"), true},
                            {QStringLiteral("timeoutSeconds"), 2},
                            {QStringLiteral("searchBase"), QStringLiteral("ou=people,dc=peek,dc=test")},
                            {QStringLiteral("searchFilter"), QStringLiteral("(uid={user})")},
                            {QStringLiteral("groupBase"), QStringLiteral("ou=groups,dc=peek,dc=test")},
                            {QStringLiteral("groupRoles"),
                             QJsonObject {{QStringLiteral("field-crew"), QJsonArray {QStringLiteral("field")}},
                                          {QStringLiteral("cn=planners,ou=groups,dc=peek,dc=test"),
                                           QJsonArray {QStringLiteral("office"), QStringLiteral("planner")}}}}};
    }
    bool setDirectories(const QJsonArray &directories)
    {
        QFile file(m_home.path() + QStringLiteral("/directories.json"));
        if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(directories).toJson()) <= 0)
            return false;
        file.close();
        const Admin a = admin({QStringLiteral("users"), QStringLiteral("directories"), QStringLiteral("set"), file.fileName()});
        if (a.code != 0)
            qWarning().noquote() << a.err;
        return a.code == 0;
    }
    // Logs in on the test's device (logging out whoever was logged in on it); the answer's error
    // text, or "" when logged in.
    QString login(const QString &user, const QString &password)
    {
        const QString id = QStringLiteral("login%1").arg(++m_sent);
        Dict filt {{QStringLiteral("plugin"), QStringLiteral("peek_core_user")},
                   {QStringLiteral("key"), QStringLiteral("tupleActionProcessorName")},
                   {QStringLiteral("name"), QStringLiteral("peekPluginUser")},
                   {PayloadRouter::kMessageIdKey, id}};
        const int before = m_device.messages.size();
        m_device.send(PayloadEnvelope(filt, testing::payloadData(testing::tupleJson(QStringLiteral("peek_core_user.UserLoginAction"),
                                                            {{QStringLiteral("userName"), user},
                                                             {QStringLiteral("password"), password},
                                                             {QStringLiteral("isOfficeService"), true},
                                                             // one device, several users in turn
                                                             {QStringLiteral("acceptedWarningKeys"),
                                                              QJsonArray {QStringLiteral("pl-user.DEVICE_ALREADY_LOGGED_ON_KEY")}}}))));
        int at = -1;
        (void)QTest::qWaitFor([&] {
            for (int i = before; i < m_device.messages.size(); ++i) {
                const Value *m = m_device.envelope(i).filt.find(PayloadRouter::kMessageIdKey);
                if (m && m->toString() == id) {
                    at = i;
                    return true;
                }
            }
            return false;
        }, 20000);
        if (at < 0)
            return QStringLiteral("<no answer>");
        const PayloadEnvelope answer = m_device.envelope(at);
        if (!answer.isSuccess())
            return answer.errorText();
        auto payload = answer.decodePayload();
        return payload && payload.value().tuples.front()->field(QStringLiteral("succeeded")).toBool()
            ? QString()
            : QStringLiteral("<not logged in>");
    }
    QByteArray serverLog() { return testing::serverLog(m_home.path()); }

private Q_SLOTS:
    void initTestCase()
    {
        if (!QFile::exists(QLatin1String(kSlapd)) || !QFile::exists(QLatin1String(kSlapadd))) {
            if (qEnvironmentVariable("CI") == QLatin1String("true"))
                QFAIL("slapd is not installed (Debian packages slapd and ldap-utils)");
            QSKIP("slapd is not installed (Debian packages slapd and ldap-utils)");
        }
        // The throw-away directory: a slapd.conf, the entries loaded with slapadd, slapd in the
        // foreground (-d 0) on a loopback port, stopped with the test.
        const QString dir = m_ldapDir.path();
        QVERIFY(QDir(dir).mkpath(QStringLiteral("db")));
        // TLS with the test CA's server certificate (names IP 127.0.0.1), split from its bundle.
        QFile bundle(QStringLiteral(PEEK_TLS_FIXTURES "/server/peek-ssl-bundle.pem"));
        QVERIFY(bundle.open(QIODevice::ReadOnly));
        const QList<QByteArray> blocks = bundle.readAll().split('\n');
        QList<QByteArray> pems;
        for (const QByteArray &line : blocks) {
            if (line.startsWith("-----BEGIN"))
                pems << QByteArray();
            if (!pems.isEmpty())
                pems.last() += line + '\n';
        }
        QCOMPARE(pems.size(), 3); // key, certificate, CA
        const QStringList names {QStringLiteral("key.pem"), QStringLiteral("cert.pem"), QStringLiteral("ca.pem")};
        for (int i = 0; i < 3; ++i) {
            QFile out(dir + u'/' + names[i]);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(pems[i]);
        }
        QFile conf(dir + QStringLiteral("/slapd.conf"));
        QVERIFY(conf.open(QIODevice::WriteOnly));
        conf.write(QStringLiteral("include /etc/ldap/schema/core.schema\n"
                                  "include /etc/ldap/schema/cosine.schema\n"
                                  "include /etc/ldap/schema/inetorgperson.schema\n"
                                  "include /etc/ldap/schema/nis.schema\n"
                                  "pidfile %1/slapd.pid\n"
                                  "TLSCACertificateFile %1/ca.pem\n"
                                  "TLSCertificateFile %1/cert.pem\n"
                                  "TLSCertificateKeyFile %1/key.pem\n"
                                  "modulepath /usr/lib/ldap\n"
                                  "moduleload back_mdb\n"
                                  "database mdb\n"
                                  "suffix \"dc=peek,dc=test\"\n"
                                  "rootdn \"cn=admin,dc=peek,dc=test\"\n"
                                  "rootpw not-used\n"
                                  "directory %1/db\n")
                       .arg(dir)
                       .toUtf8());
        conf.close();
        QFile ldif(dir + QStringLiteral("/data.ldif"));
        QVERIFY(ldif.open(QIODevice::WriteOnly));
        ldif.write(kDirectory);
        ldif.close();
        QProcess slapadd;
        slapadd.start(QLatin1String(kSlapadd), {QStringLiteral("-f"), conf.fileName(), QStringLiteral("-l"), ldif.fileName()});
        QVERIFY(slapadd.waitForFinished(30000));
        QVERIFY2(slapadd.exitCode() == 0, slapadd.readAllStandardError().constData());
        m_slapd.setProcessChannelMode(QProcess::MergedChannels);
        m_slapd.start(QLatin1String(kSlapd), {QStringLiteral("-d"), QStringLiteral("0"), QStringLiteral("-f"), conf.fileName(),
                                              QStringLiteral("-h"), ldapUrl() + QStringLiteral("/ ") + ldapsUrl() + u'/'});
        QVERIFY(m_slapd.waitForStarted(10000));
        QVERIFY2(QTest::qWaitFor([this] {
                     QTcpSocket probe;
                     probe.connectToHost(QHostAddress::LocalHost, m_ldapPort);
                     return probe.waitForConnected(200);
                 }, 20000),
                 m_slapd.readAll().constData());

        QVERIFY(writeConfig(m_home.path(), m_ports, {QStringLiteral("logic"), QStringLiteral("office")}, {},
                            devicesMustEnrol()));
        m_server = std::make_unique<ServerProcess>(m_home.path());
        QVERIFY2(m_server->start(), m_server->errors().constData());
        QCOMPARE(admin({QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("carol"), QStringLiteral("--roles"),
                        QStringLiteral("office")},
                       kPassword + "\n")
                     .code,
                 0);
        // One approved office device to log in on.
        const QString deviceId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString token = QUuid::createUuid().toString(QUuid::Id128) + QUuid::createUuid().toString(QUuid::Id128);
        QVERIFY(m_device.open(m_ports.office));
        m_device.send(PayloadEnvelope({{QStringLiteral("plugin"), QStringLiteral("peek_core_device")},
                                       {QStringLiteral("key"), QStringLiteral("tupleActionProcessorName")},
                                       {QStringLiteral("name"), QStringLiteral("peek_core_device")},
                                       {PayloadRouter::kMessageIdKey, QStringLiteral("enrol")}},
                                      testing::payloadData(testing::tupleJson(QStringLiteral("peek_core_device.EnrolDeviceAction"),
                                                      {{QStringLiteral("description"), QStringLiteral("desk")},
                                                       {QStringLiteral("deviceId"), deviceId},
                                                       {QStringLiteral("deviceType"), QStringLiteral("office")},
                                                       {QStringLiteral("deviceToken"), token}}))));
        QVERIFY(m_device.waitForMessage(2, 20000));
        QCOMPARE(admin({QStringLiteral("devices"), QStringLiteral("approve"), QStringLiteral("desk")}).code, 0);
        m_device.send(PayloadEnvelope({{QStringLiteral("plugin"), QStringLiteral("peek_core_device")},
                                       {QStringLiteral("key"), QStringLiteral("device.online")}},
                                      testing::payloadData(testing::tupleJson(QStringLiteral("peek_core_device.DeviceOnlineTuple"),
                                                      {{QStringLiteral("deviceId"), deviceId},
                                                       {QStringLiteral("deviceToken"), token}}))));
        QVERIFY(m_device.waitForMessage(3, 20000));
    }

    void badDirectorySettingsAreRefusedWithTheReason()
    {
        QFile file(m_home.path() + QStringLiteral("/bad.json"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("[{\"name\": \"x\", \"url\": \"http:/" "/wrong\"}]"); // (moc takes // in a raw string for a comment)
        file.close();
        const Admin a = admin({QStringLiteral("users"), QStringLiteral("directories"), QStringLiteral("set"), file.fileName()});
        QCOMPARE(a.code, 1);
        QVERIFY2(a.err.contains("ldap://host:port"), a.err.constData());
    }

    void aDirectoryUserLogsInWithTheirGroupsAsRoles()
    {
        QVERIFY(setDirectories(QJsonArray {directory(ldapUrl())}));
        const Admin shown = admin({QStringLiteral("users"), QStringLiteral("directories"), QStringLiteral("show")});
        QVERIFY2(shown.out.contains(ldapUrl().toUtf8()), shown.out.constData());
        QCOMPARE(login(QStringLiteral("alice"), QStringLiteral("alice password")), QString());
        const Admin users = admin({QStringLiteral("--json"), QStringLiteral("users"), QStringLiteral("list")});
        const QJsonArray list = QJsonDocument::fromJson(users.out).array();
        QJsonObject alice;
        for (const QJsonValue &u : list)
            if (u.toObject().value(QLatin1String("userName")).toString() == QLatin1String("alice"))
                alice = u.toObject();
        QCOMPARE(alice.value(QLatin1String("source")).toString(), QStringLiteral("ldap:test"));
        QCOMPARE(alice.value(QLatin1String("displayName")).toString(), QStringLiteral("Alice Example"));
        QStringList roles;
        for (const QJsonValue &r : alice.value(QLatin1String("roles")).toArray())
            roles << r.toString();
        roles.sort();
        QCOMPARE(roles, (QStringList {QStringLiteral("field"), QStringLiteral("office"), QStringLiteral("planner")}));
        // Internal users are checked as before.
        QCOMPARE(login(QStringLiteral("carol"), QString::fromLatin1(kPassword)), QString());
    }

    void aWrongDirectoryPasswordGetsTheUsualAnswer()
    {
        QCOMPARE(login(QStringLiteral("bob"), QStringLiteral("not bob's password")), QStringLiteral("wrong user name or password"));
        QCOMPARE(login(QStringLiteral("nobody"), QStringLiteral("whatever it is")), QStringLiteral("wrong user name or password"));
        QCOMPARE(login(QStringLiteral("bob"), QString()), QStringLiteral("wrong user name or password"));
        QCOMPARE(login(QStringLiteral("bob"), QStringLiteral("bob password")), QString());
    }

    // ldaps:// and StartTLS, the directory's certificate verified against the given CA; a
    // directory whose certificate does not verify is not used (a clear error in the log).
    void directoriesOverTlsAreVerified()
    {
        const QString ca = QStringLiteral(PEEK_TLS_FIXTURES "/client/peek-ssl-bundle.pem");
        QJsonObject ldaps = directory(ldapsUrl());
        ldaps.insert(QStringLiteral("caFile"), ca);
        QVERIFY(setDirectories(QJsonArray {ldaps}));
        QCOMPARE(login(QStringLiteral("alice"), QStringLiteral("alice password")), QString());
        QJsonObject startTls = directory(ldapUrl());
        startTls.insert(QStringLiteral("caFile"), ca);
        startTls.insert(QStringLiteral("startTls"), true);
        startTls.remove(QStringLiteral("plainTextForTestsOnly"));
        QJsonObject plain = startTls;
        plain.remove(QStringLiteral("startTls"));
        QVERIFY(!setDirectories(QJsonArray {plain})); // clear text is refused
        QVERIFY(setDirectories(QJsonArray {startTls}));
        QCOMPARE(login(QStringLiteral("bob"), QStringLiteral("bob password")), QString());
        QJsonObject untrusted = directory(ldapsUrl());
        untrusted.insert(QStringLiteral("caFile"), QStringLiteral(PEEK_TLS_FIXTURES "/otherca/peek-ssl-bundle.pem"));
        QVERIFY(setDirectories(QJsonArray {untrusted}));
        QCOMPARE(login(QStringLiteral("alice"), QStringLiteral("alice password")).left(40),
                 QStringLiteral("the password cannot be checked now: the "));
        QVERIFY(setDirectories(QJsonArray {directory(ldapUrl())}));
    }

    // `users directories test` (the admin window's Test Connection): the directory answers a
    // made-up login, so it can be used; once it is down, the test says what failed, exit 1.
    void theDirectoryConnectionIsTested()
    {
        const Admin tested = admin({QStringLiteral("users"), QStringLiteral("directories"), QStringLiteral("test")});
        QVERIFY2(tested.code == 0, (tested.out + tested.err).constData());
        QVERIFY2(tested.out.contains("ok") && tested.out.contains("reachable"), tested.out.constData());
    }

    void anUnreachableDirectoryIsAClearErrorAndInternalUsersStillLogIn()
    {
        m_slapd.terminate();
        QVERIFY(m_slapd.waitForFinished(10000));
        const Admin tested = admin({QStringLiteral("users"), QStringLiteral("directories"), QStringLiteral("test")});
        QCOMPARE(tested.code, 1);
        QVERIFY2(tested.out.contains("FAILED") && tested.out.contains("Can't contact LDAP server"), tested.out.constData());
        QCOMPARE(login(QStringLiteral("alice"), QStringLiteral("alice password")).left(40),
                 QStringLiteral("the password cannot be checked now: the "));
        QCOMPARE(login(QStringLiteral("carol"), QString::fromLatin1(kPassword)), QString());
        QVERIFY(QTest::qWaitFor([this] { return serverLog().contains("cannot be reached"); }, 10000));
        QVERIFY(!serverLog().contains("alice password"));
    }

    void cleanupTestCase()
    {
        if (m_server)
            m_server->terminate();
        if (m_slapd.state() != QProcess::NotRunning) {
            m_slapd.terminate();
            m_slapd.waitForFinished(10000);
        }
    }
};

QTEST_GUILESS_MAIN(TestLdap)
#include "tst_ldap.moc"
