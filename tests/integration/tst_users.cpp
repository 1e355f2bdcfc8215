// Users and logins (issue 14, peek_core_user) against a real peek-server with enrolment and
// login required, by raw wire-protocol clients and `peek-server admin` as an operator.
#include "serverprocess.h"
#include "wirejson.h"

#include "../unit/vortex/rawpeer.h"

#include "observable/observablefilt.h"
#include "tuple/tupleselector.h"
#include "vortex/payload.h"
#include "vortex/payloadenvelope.h"
#include "vortex/payloadrouter.h"
#include "vortex/rpc.h"

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

const QString kTutorial = QStringLiteral("peek_plugin_tutorial");
const QByteArray kPassword = "correct horse battery";
const QString kUserAlreadyLoggedOn = QStringLiteral("pl-user.USER_ALREADY_LOGGED_ON");
const QByteArray kTypedAsName = "tr0ub4dor-typed-as-name";


// A device of its own, enrolled, approved and connected; logs users in and out.
struct Device
{
    QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    QString token = QUuid::createUuid().toString(QUuid::Id128) + QUuid::createUuid().toString(QUuid::Id128);
    RawPeer peer;
    int sent = 0;

    // The index of the next message after `from` that satisfies `match`; -1 after the timeout.
    int waitFor(int from, const std::function<bool(const PayloadEnvelope &)> &match, int timeoutMs = 15000)
    {
        int found = -1;
        (void)QTest::qWaitFor([&] {
            for (int i = from; i < peer.messages.size(); ++i)
                if (match(peer.envelope(i))) {
                    found = i;
                    return true;
                }
            return false;
        }, timeoutMs);
        return found;
    }
    static bool hasKey(const PayloadEnvelope &e, const QString &key, const QString &value)
    {
        const Value *v = e.filt.find(key);
        return v && v->type() == Value::Type::String && v->toString() == value;
    }
    int request(Dict filt, const QByteArray &data)
    {
        const QString id = QStringLiteral("m%1").arg(++sent);
        filt.insert(PayloadRouter::kMessageIdKey, Value(id));
        const int before = peer.messages.size();
        peer.send(PayloadEnvelope(filt, data).toVortexMsg());
        return waitFor(before, [&](const PayloadEnvelope &e) { return hasKey(e, PayloadRouter::kMessageIdKey, id); });
    }
    Value field(int index, const QString &name)
    {
        auto payload = peer.envelope(index).decodePayload();
        return payload && !payload.value().tuples.empty() ? payload.value().tuples.front()->field(name) : Value();
    }
    void online()
    {
        peer.send(PayloadEnvelope({{QStringLiteral("plugin"), QStringLiteral("peek_core_device")},
                                   {QStringLiteral("key"), QStringLiteral("device.online")}},
                                  testing::payloadData(testing::tupleJson(QStringLiteral("peek_core_device.DeviceOnlineTuple"),
                                                  {{QStringLiteral("deviceId"), id}, {QStringLiteral("deviceToken"), token}})))
                      .toVortexMsg());
    }
    int enrol(const QString &name)
    {
        return request({{QStringLiteral("plugin"), QStringLiteral("peek_core_device")},
                        {QStringLiteral("key"), QStringLiteral("tupleActionProcessorName")},
                        {QStringLiteral("name"), QStringLiteral("peek_core_device")}},
                       testing::payloadData(testing::tupleJson(QStringLiteral("peek_core_device.EnrolDeviceAction"),
                                       {{QStringLiteral("description"), name}, {QStringLiteral("deviceId"), id},
                                        {QStringLiteral("deviceType"), QStringLiteral("field")},
                                        {QStringLiteral("deviceToken"), token}})));
    }
    int login(const QString &user, const QByteArray &password, const QStringList &accepted = {})
    {
        return request({{QStringLiteral("plugin"), QStringLiteral("peek_core_user")},
                        {QStringLiteral("key"), QStringLiteral("tupleActionProcessorName")},
                        {QStringLiteral("name"), QStringLiteral("peekPluginUser")}},
                       testing::payloadData(testing::tupleJson(QStringLiteral("peek_core_user.UserLoginAction"),
                                       {{QStringLiteral("userName"), user},
                                        {QStringLiteral("password"), QString::fromUtf8(password)},
                                        {QStringLiteral("isFieldService"), true},
                                        {QStringLiteral("acceptedWarningKeys"), QJsonArray::fromStringList(accepted)}})));
    }
    // The tutorial's rows: the error text, or empty when served.
    QString rows()
    {
        Dict filt = observable::requestFilt(kTutorial, kTutorial,
                                            TupleSelector(QStringLiteral("peek_plugin_tutorial.StringIntTuple"), {}), false);
        const int before = peer.messages.size();
        peer.send(PayloadEnvelope(filt));
        const int at = waitFor(before, [](const PayloadEnvelope &e) {
            return !hasKey(e, QStringLiteral("plugin"), QStringLiteral("peek_core_device"))
                && !hasKey(e, QStringLiteral("plugin"), QStringLiteral("peek_core_user"));
        });
        return at < 0 ? QStringLiteral("<no answer>") : peer.envelope(at).errorText();
    }
    // The newest user.status's message after `from`, waiting for one with loggedIn == false.
    int waitForLoggedOut(int from)
    {
        return waitFor(from, [](const PayloadEnvelope &e) {
            if (!hasKey(e, QStringLiteral("key"), QStringLiteral("user.status")))
                return false;
            auto p = e.decodePayload();
            return p && !p.value().tuples.empty()
                && !p.value().tuples.front()->field(QStringLiteral("loggedIn")).toBool();
        });
    }
};

} // namespace

class TestUsers : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    Ports m_ports;
    std::unique_ptr<ServerProcess> m_server;

    // peek-server admin ARGS for the test's home.
    using Admin = AdminRun;
    Admin admin(const QStringList &args, const QByteArray &input = {}) { return runAdmin(m_home.path(), args, input); }
    QByteArray serverLog() { return testing::serverLog(m_home.path()); }
    void addUser(const QString &name, const QString &roles = QStringLiteral("field"))
    {
        const Admin a = admin({QStringLiteral("users"), QStringLiteral("add"), name, QStringLiteral("--roles"), roles},
                              kPassword + "\n");
        QVERIFY2(a.code == 0, a.err.constData());
    }
    // A device enrolled and approved, connected to the field service.
    void ready(Device &d, const QString &name)
    {
        QVERIFY(d.peer.open(m_ports.field));
        const int enrolled = d.enrol(name);
        QVERIFY(enrolled >= 0);
        QVERIFY2(d.peer.envelope(enrolled).isSuccess(), qPrintable(d.peer.envelope(enrolled).errorText()));
        const Admin a = admin({QStringLiteral("devices"), QStringLiteral("approve"), name});
        QVERIFY2(a.code == 0, a.err.constData());
        d.online();
        QVERIFY(d.waitFor(0, [](const PayloadEnvelope &e) {
            if (!Device::hasKey(e, QStringLiteral("key"), QStringLiteral("device.status")))
                return false;
            auto p = e.decodePayload();
            return p && !p.value().tuples.empty()
                && p.value().tuples.front()->field(QStringLiteral("state")).toString() == QLatin1String("approved");
        }) >= 0);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        QVERIFY(writeConfig(m_home.path(), m_ports, {QStringLiteral("logic"), QStringLiteral("field")}, {kTutorial},
                            devicesMustEnrol()));
        m_server = std::make_unique<ServerProcess>(m_home.path());
        QVERIFY2(m_server->start(), m_server->errors().constData());
    }

    void withoutAnAdminTheLogSaysHowToCreateOne()
    {
        QVERIFY(QTest::qWaitFor([this] { return serverLog().contains("peek-server admin users add NAME --roles admin"); },
                                10000));
        const Admin none = admin({QStringLiteral("users"), QStringLiteral("list")});
        QCOMPARE(none.code, 0);
        QVERIFY(none.out.contains("no users yet"));
        addUser(QStringLiteral("Admin"), QStringLiteral("admin,office"));
        const Admin list = admin({QStringLiteral("users"), QStringLiteral("list")});
        QVERIFY2(list.out.contains("admin") && list.out.contains("admin, office"), list.out.constData());
        // Names are compared without case: Admin exists already.
        const Admin again = admin({QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("ADMIN")}, kPassword + "\n");
        QCOMPARE(again.code, 1);
        QVERIFY(again.err.contains("exists already"));
        const Admin shortPassword = admin({QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("bob")}, "short\n");
        QCOMPARE(shortPassword.code, 1);
        QVERIFY(shortPassword.err.contains("8 to 1000 characters"));
        const Admin badRole = admin({QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("bob"), QStringLiteral("--roles"),
                                     QStringLiteral("Field Crew!")},
                                    kPassword + "\n");
        QCOMPARE(badRole.code, 1);
        QVERIFY(badRole.err.contains("not a role name"));
    }

    void unknownUserAndWrongPasswordLookTheSameAndAreThrottled()
    {
        addUser(QStringLiteral("carol"));
        Device d;
        ready(d, QStringLiteral("carol-tablet"));
        // A name nobody has (here: a password typed into the name field) never reaches the log
        // or the audit as text (noPasswordOrHash... checks).
        const int unknown = d.login(QString::fromLatin1(kTypedAsName), kPassword);
        const int wrong = d.login(QStringLiteral("carol"), "not her password");
        QVERIFY(unknown >= 0 && wrong >= 0);
        QCOMPARE(d.peer.envelope(unknown).errorText(), QStringLiteral("wrong user name or password"));
        QCOMPARE(d.peer.envelope(wrong).errorText(), QStringLiteral("wrong user name or password"));
        QVERIFY(d.rows().startsWith(QLatin1String("not logged in")));
        // Five wrong ones in all lock carol for a while, even with the right password.
        for (int i = 0; i < 4; ++i)
            QVERIFY(d.login(QStringLiteral("carol"), "not her password") >= 0);
        const int locked = d.login(QStringLiteral("carol"), kPassword);
        QVERIFY2(d.peer.envelope(locked).errorText().startsWith(QLatin1String("too many failed logins")),
                 qPrintable(d.peer.envelope(locked).errorText()));
        const Admin audit = admin({QStringLiteral("--json"), QStringLiteral("audit")});
        QVERIFY(audit.out.contains("login failed") && audit.out.contains("login throttled"));
        // An admin unlocks her: the right password works at once.
        const Admin unlocked = admin({QStringLiteral("users"), QStringLiteral("unlock"), QStringLiteral("carol")});
        QVERIFY2(unlocked.code == 0 && unlocked.out.contains("unlocked"), (unlocked.out + unlocked.err).constData());
        const int in = d.login(QStringLiteral("carol"), kPassword);
        QVERIFY2(d.peer.envelope(in).isSuccess(), qPrintable(d.peer.envelope(in).errorText()));
        QVERIFY(admin({QStringLiteral("--json"), QStringLiteral("audit")}).out.contains("user unlocked"));
    }

    void aLoggedInUserIsServedAndLogsOut()
    {
        addUser(QStringLiteral("dave"));
        Device d;
        ready(d, QStringLiteral("dave-tablet"));
        const int in = d.login(QStringLiteral("Dave"), kPassword);
        QVERIFY(in >= 0);
        QVERIFY2(d.peer.envelope(in).isSuccess(), qPrintable(d.peer.envelope(in).errorText()));
        QCOMPARE(d.field(in, QStringLiteral("userName")).toString(), QStringLiteral("dave"));
        QVERIFY(d.field(in, QStringLiteral("userToken")).toString().size() >= 32);
        QCOMPARE(d.rows(), QString());
        const Admin users = admin({QStringLiteral("users"), QStringLiteral("list")});
        QVERIFY2(users.out.contains("dave-tablet"), users.out.constData());
        const Admin devices = admin({QStringLiteral("--json"), QStringLiteral("devices"), QStringLiteral("list")});
        QVERIFY(devices.out.contains("\"loggedInUser\": \"dave\""));

        const int out = d.request({{QStringLiteral("plugin"), QStringLiteral("peek_core_user")},
                                   {QStringLiteral("key"), QStringLiteral("tupleActionProcessorName")},
                                   {QStringLiteral("name"), QStringLiteral("peekPluginUser")}},
                                  testing::payloadData(testing::tupleJson(QStringLiteral("peek_core_user.UserLogoutAction"),
                                                  {{QStringLiteral("userName"), QStringLiteral("dave")}})));
        QVERIFY(out >= 0);
        QVERIFY(d.peer.envelope(out).isSuccess());
        QVERIFY(d.rows().startsWith(QLatin1String("not logged in")));
    }

    // What a connection subscribed to while a user was logged in stops with the logout: a change
    // reaches the device still logged in, not the one logged out.
    void subscriptionsEndWithTheLogout()
    {
        addUser(QStringLiteral("gina"));
        addUser(QStringLiteral("hank"));
        Device out, in;
        ready(out, QStringLiteral("gina-tablet"));
        ready(in, QStringLiteral("hank-tablet"));
        QVERIFY(out.peer.envelope(out.login(QStringLiteral("gina"), kPassword)).isSuccess());
        QVERIFY(in.peer.envelope(in.login(QStringLiteral("hank"), kPassword)).isSuccess());
        const Dict subscribe = observable::requestFilt(kTutorial, kTutorial,
                                                       TupleSelector(QStringLiteral("peek_plugin_tutorial.StringIntTuple"), {}), true);
        auto rowsUpdate = [](const PayloadEnvelope &e) {
            return Device::hasKey(e, QStringLiteral("key"), QStringLiteral("tupleDataObservable")) && e.isSuccess();
        };
        for (Device *d : {&out, &in}) {
            const int before = d->peer.messages.size();
            d->peer.send(PayloadEnvelope(subscribe));
            QVERIFY(d->waitFor(before, rowsUpdate) >= 0);
        }
        const int logout = out.request({{QStringLiteral("plugin"), QStringLiteral("peek_core_user")},
                                        {QStringLiteral("key"), QStringLiteral("tupleActionProcessorName")},
                                        {QStringLiteral("name"), QStringLiteral("peekPluginUser")}},
                                       testing::payloadData(testing::tupleJson(QStringLiteral("peek_core_user.UserLogoutAction"), {})));
        QVERIFY(logout >= 0);
        const int outBefore = out.peer.messages.size();
        const int inBefore = in.peer.messages.size();
        const int changed = in.request(
            {{QStringLiteral("plugin"), kTutorial}, {QStringLiteral("key"), QStringLiteral("tupleActionProcessorName")},
             {QStringLiteral("name"), kTutorial}},
            testing::payloadData(testing::tupleJson(QStringLiteral("peek_plugin_tutorial.AddIntValueActionTuple"),
                            {{QStringLiteral("stringIntId"), 1}, {QStringLiteral("offset"), 1},
                             {QStringLiteral("uuid"), QUuid::createUuid().toString(QUuid::WithoutBraces)}})));
        QVERIFY(changed >= 0 && in.peer.envelope(changed).isSuccess());
        QVERIFY(in.waitFor(inBefore, rowsUpdate) >= 0); // the logged-in device got the change ...
        // ... and the logged-out one, which the same update would have reached by now, did not.
        for (int i = outBefore; i < out.peer.messages.size(); ++i)
            QVERIFY2(!rowsUpdate(out.peer.envelope(i)), out.peer.messages.value(i).left(200).constData());
    }

    void aSecondFieldLoginAsksThenLogsTheFirstDeviceOut()
    {
        addUser(QStringLiteral("erin"));
        Device first, second;
        ready(first, QStringLiteral("erin-truck"));
        ready(second, QStringLiteral("erin-spare"));
        QVERIFY(first.peer.envelope(first.login(QStringLiteral("erin"), kPassword)).isSuccess());
        const int asked = second.login(QStringLiteral("erin"), kPassword);
        QVERIFY(asked >= 0);
        QVERIFY(second.peer.envelope(asked).isSuccess());
        QCOMPARE(second.field(asked, QStringLiteral("succeeded")).toBool(), false);
        const Dict warnings = second.field(asked, QStringLiteral("warnings")).toDict();
        const Value *warning = warnings.find(kUserAlreadyLoggedOn);
        QVERIFY(warning);
        QVERIFY2(warning->toString().contains(QLatin1String("erin-truck")), qPrintable(warning->toString()));
        QCOMPARE(first.rows(), QString()); // nothing changed yet

        const int before = first.peer.messages.size();
        const int forced = second.login(QStringLiteral("erin"), kPassword, {kUserAlreadyLoggedOn});
        QVERIFY(second.field(forced, QStringLiteral("succeeded")).toBool());
        const int out = first.waitForLoggedOut(before);
        QVERIFY(out >= 0);
        const QString why = first.field(out, QStringLiteral("message")).toString();
        QVERIFY2(why.contains(QLatin1String("erin-spare")), qPrintable(why));
        QVERIFY(first.rows().startsWith(QLatin1String("not logged in")));
        QCOMPARE(second.rows(), QString());
    }

    void disablingAUserEndsTheirSessions()
    {
        addUser(QStringLiteral("frank"));
        Device d;
        ready(d, QStringLiteral("frank-tablet"));
        QVERIFY(d.peer.envelope(d.login(QStringLiteral("frank"), kPassword)).isSuccess());
        const int before = d.peer.messages.size();
        QCOMPARE(admin({QStringLiteral("users"), QStringLiteral("disable"), QStringLiteral("frank")}).code, 0);
        const int out = d.waitForLoggedOut(before);
        QVERIFY(out >= 0);
        QVERIFY(d.field(out, QStringLiteral("message")).toString().contains(QLatin1String("disabled")));
        const int again = d.login(QStringLiteral("frank"), kPassword);
        QVERIFY(d.peer.envelope(again).errorText().contains(QLatin1String("disabled")));
        QCOMPARE(admin({QStringLiteral("users"), QStringLiteral("enable"), QStringLiteral("frank")}).code, 0);
        QVERIFY(d.peer.envelope(d.login(QStringLiteral("frank"), kPassword)).isSuccess());
    }

    // Roles an admin changes reach the user's live session at once: the app hears them
    // (user.status) and logic's plugins see them on the next request.
    void changedRolesReachTheLiveSession()
    {
        addUser(QStringLiteral("ida"));
        Device d;
        ready(d, QStringLiteral("ida-tablet"));
        QVERIFY(d.peer.envelope(d.login(QStringLiteral("ida"), kPassword)).isSuccess());
        const int before = d.peer.messages.size();
        const Admin changed = admin({QStringLiteral("users"), QStringLiteral("roles"), QStringLiteral("ida"),
                                     QStringLiteral("field,surveyor")});
        QVERIFY2(changed.code == 0, changed.err.constData());
        const int told = d.waitFor(before, [](const PayloadEnvelope &e) {
            if (!Device::hasKey(e, QStringLiteral("key"), QStringLiteral("user.status")))
                return false;
            auto p = e.decodePayload();
            return p && !p.value().tuples.empty() && p.value().tuples.front()->field(QStringLiteral("loggedIn")).toBool();
        });
        QVERIFY(told >= 0);
        const ValueList roles = d.field(told, QStringLiteral("roles")).toList();
        QCOMPARE(roles.size(), size_t(2));
        QCOMPARE(roles.back().toString(), QStringLiteral("surveyor"));

        const Dict whoAmI = observable::requestFilt(kTutorial, QStringLiteral("tutorialWhoAmI"),
                                                    TupleSelector(QStringLiteral("peek_plugin_tutorial.WhoAmITuple"), {}), true);
        const int asked = d.peer.messages.size();
        d.peer.send(PayloadEnvelope(whoAmI));
        const int me = d.waitFor(asked, [](const PayloadEnvelope &e) {
            return Device::hasKey(e, QStringLiteral("plugin"), kTutorial);
        });
        QVERIFY(me >= 0);
        QCOMPARE(d.field(me, QStringLiteral("userName")).toString(), QStringLiteral("ida"));
        const ValueList seen = d.field(me, QStringLiteral("roles")).toList();
        QVERIFY2(seen.size() == 2 && seen.back().toString() == QLatin1String("surveyor"),
                 d.peer.messages.value(me).left(300).constData());
    }

    // Logic's admin port takes admins who log in, and nobody else: a client without the join
    // token (a device, an attacker) gets nothing but the login exchange; a user without the admin
    // role cannot log in there; an admin can, and calls the administration RPCs as themselves
    // (the audit names them). The console does the same with --url and --user.
    void theAdminPortServesLoggedInAdminsOnly()
    {
        addUser(QStringLiteral("root-admin"), QStringLiteral("admin"));
        addUser(QStringLiteral("jo"), QStringLiteral("field"));
        const QString devicesAdmin = QStringLiteral("peek_core_device.admin");
        const auto callRpc = [](Device &d, const QString &name, const QStringList &args) {
            auto call = std::make_shared<RpcArgTuple>();
            for (const QString &a : args)
                call->args.push_back(a == QLatin1String("off") ? Value(false) : Value(a));
            call->kwargs = Dict {{QStringLiteral("actor"), Value(QStringLiteral("forged"))}};
            return d.request({{QStringLiteral("plugin"), QStringLiteral("peek_core_device")},
                              {QStringLiteral("_internal"), QStringLiteral("vortexRPC")},
                              {QStringLiteral("key"), name}},
                             PayloadEnvelope::fromPayload(Payload({}, {call})).data);
        };
        Device stranger; // no join token, no login
        QVERIFY(stranger.peer.open(m_ports.logicAdmin));
        const int refused = callRpc(stranger, devicesAdmin, {QStringLiteral("list")});
        QVERIFY(refused >= 0);
        QVERIFY2(stranger.peer.envelope(refused).errorText().startsWith(QLatin1String("admin login required")),
                 qPrintable(stranger.peer.envelope(refused).errorText()));
        const int rows = stranger.peer.messages.size();
        stranger.peer.send(PayloadEnvelope(observable::requestFilt(kTutorial, kTutorial,
                                                                   TupleSelector(QStringLiteral("peek_plugin_tutorial.StringIntTuple"), {}), false)));
        QVERIFY(stranger.waitFor(rows, [](const PayloadEnvelope &e) {
            return e.errorText().startsWith(QLatin1String("admin login required"));
        }) >= 0);
        // A user without the admin role, and a wrong password, cannot log in here.
        QVERIFY2(stranger.peer.envelope(stranger.login(QStringLiteral("jo"), kPassword)).errorText().contains(QLatin1String("admin role")),
                 "a field user logged in on the admin port");
        QCOMPARE(stranger.peer.envelope(stranger.login(QStringLiteral("root-admin"), "wrong password")).errorText(),
                 QStringLiteral("wrong user name or password"));
        QVERIFY(callRpc(stranger, devicesAdmin, {QStringLiteral("list")}) >= 0);
        QVERIFY(stranger.peer.envelope(stranger.peer.messages.size() - 1).errorText().startsWith(QLatin1String("admin login required")));

        // The admin: logged in, the RPC answers, and the audit names the admin, not what they wrote.
        const int in = stranger.login(QStringLiteral("root-admin"), kPassword);
        QVERIFY2(stranger.peer.envelope(in).isSuccess(), qPrintable(stranger.peer.envelope(in).errorText()));
        const int listed = callRpc(stranger, devicesAdmin, {QStringLiteral("auto-approve"), QStringLiteral("office"), QStringLiteral("off")});
        QVERIFY(listed >= 0);
        QVERIFY2(stranger.peer.envelope(listed).isSuccess(), qPrintable(stranger.peer.envelope(listed).errorText()));
        const Admin audit = admin({QStringLiteral("--json"), QStringLiteral("audit")});
        QVERIFY2(audit.out.contains("\"actor\": \"root-admin\""), audit.out.right(600).constData());
        QVERIFY(!audit.out.contains("forged"));

        // The console: --url and --user, the password on standard input.
        const QString url = QStringLiteral("ws://127.0.0.1:%1").arg(m_ports.logicAdmin);
        const QStringList remote {QStringLiteral("--url"), url, QStringLiteral("--user"), QStringLiteral("root-admin")};
        const Admin listedRemote = admin(remote + QStringList {QStringLiteral("users"), QStringLiteral("list")}, kPassword + "\n");
        QVERIFY2(listedRemote.code == 0, listedRemote.err.constData());
        QVERIFY(listedRemote.out.contains("root-admin"));
        const Admin added = admin(remote + QStringList {QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("kim")},
                                  kPassword + "\n" + kPassword + "\n");
        QVERIFY2(added.code == 0, added.err.constData());
        const Admin wrong = admin(remote + QStringList {QStringLiteral("users"), QStringLiteral("list")}, "not the password\n");
        QCOMPARE(wrong.code, 1);
        QVERIFY2(wrong.err.contains("login as root-admin failed: wrong user name or password"), wrong.err.constData());
        const Admin notAdmin = admin({QStringLiteral("--url"), url, QStringLiteral("--user"), QStringLiteral("jo"),
                                      QStringLiteral("devices"), QStringLiteral("list")},
                                     kPassword + "\n");
        QCOMPARE(notAdmin.code, 1);
        QVERIFY2(notAdmin.err.contains("admin role"), notAdmin.err.constData());
        const Admin audited = admin({QStringLiteral("--json"), QStringLiteral("audit")});
        QVERIFY2(audited.out.contains("\"actor\": \"root-admin\""), audited.out.constData());
    }

    void noPasswordOrHashAppearsInTheLogTheAuditOrTheLists()
    {
        const Admin audit = admin({QStringLiteral("--json"), QStringLiteral("audit"), QStringLiteral("--limit"), QStringLiteral("1000")});
        const Admin users = admin({QStringLiteral("--json"), QStringLiteral("users"), QStringLiteral("list")});
        const QByteArray log = serverLog();
        for (const QByteArray &text : {audit.out, users.out, log}) {
            QVERIFY(!text.isEmpty());
            QVERIFY(!text.contains(kPassword));
            QVERIFY(!text.contains("not her password"));
            QVERIFY(!text.contains(kTypedAsName));
            QVERIFY(!text.contains("$argon2id$"));
        }
        QVERIFY(audit.out.contains("\"event\": \"login\""));
        QVERIFY(audit.out.contains("user added"));
    }

    void cleanupTestCase()
    {
        if (m_server)
            m_server->terminate();
    }
};

QTEST_GUILESS_MAIN(TestUsers)
#include "tst_users.moc"
