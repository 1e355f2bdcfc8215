// The administration service (issue 15) against real peek-server processes: logic and a field
// service as separate processes, `peek-server admin` as the local operator, and an admin logged in
// on logic's admin port with a raw wire-protocol client watching the services live.
#include "pgdatabase.h"
#include "pgrequired.h"
#include "serverprocess.h"
#include "wirejson.h"

#include "../unit/vortex/rawpeer.h"

#include "observable/observablefilt.h"
#include "plugin/uibundle.h"
#include "tuple/tupleselector.h"
#include "vortex/payload.h"
#include "vortex/payloadenvelope.h"
#include "vortex/payloadrouter.h"
#include "vortex/rpc.h"
#include "vortex/vortex.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace peek;
using namespace testing;

namespace {

const QByteArray kPassword = "correct horse battery";

bool linkPlugin(const QString &home, const QString &plugin)
{
    const QString plugins = home + QStringLiteral("/plugins");
    return QDir().mkpath(plugins)
        && QFile::link(QStringLiteral(PEEK_TEST_PLUGINS_DIR "/") + plugin, plugins + u'/' + plugin);
}

// The services of the newest peek_admin observable message after `from` that satisfies `match`
// (vortexName and role of each); -1 when none came.
int waitForServices(RawPeer &peer, int from, const std::function<bool(const QList<TuplePtr> &)> &match)
{
    int found = -1;
    (void)QTest::qWaitFor([&] {
        for (int i = from; i < peer.messages.size(); ++i) {
            const PayloadEnvelope e = peer.envelope(i);
            if (e.filt.string(QStringLiteral("plugin")) != QLatin1String("peek_admin") || !e.isSuccess())
                continue;
            auto payload = e.decodePayload();
            if (!payload)
                continue;
            QList<TuplePtr> services(payload.value().tuples.begin(), payload.value().tuples.end());
            if (match(services)) {
                found = i;
                return true;
            }
        }
        return false;
    }, 20000);
    return found;
}

QStringList rolesOf(const QList<TuplePtr> &services)
{
    QStringList roles;
    for (const TuplePtr &s : services)
        roles << s->field(QStringLiteral("role")).toString();
    return roles;
}

// A package of the tutorial as built, as `version`, with one more migration (0003, a table) and
// `library` as its library; its path in `work`, or empty.
QString makePackage(const QString &work, const QString &folder, const QString &version, const QString &library,
                    const QJsonArray &dependencies)
{
    const QString dir = work + u'/' + folder + QStringLiteral("/peek_plugin_tutorial");
    const QString built = QStringLiteral(PEEK_TEST_PLUGINS_DIR "/../../plugins/peek_plugin_tutorial");
    if (!QDir().mkpath(dir + QStringLiteral("/migrations")))
        return QString();
    QFile json(built + QStringLiteral("/plugin.json"));
    if (!json.open(QIODevice::ReadOnly))
        return QString();
    QJsonObject plugin = QJsonDocument::fromJson(json.readAll()).object();
    plugin.insert(QStringLiteral("version"), version);
    plugin.insert(QStringLiteral("dependencies"), dependencies);
    plugin.remove(QStringLiteral("ui"));
    QFile out(dir + QStringLiteral("/plugin.json"));
    if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(plugin).toJson()) <= 0)
        return QString();
    out.close();
    for (const QString &m : QDir(built + QStringLiteral("/migrations")).entryList(QDir::Files))
        QFile::copy(built + QStringLiteral("/migrations/") + m, dir + QStringLiteral("/migrations/") + m);
    QFile marker(dir + QStringLiteral("/migrations/0003_upgrade_marker.sql"));
    if (!marker.open(QIODevice::WriteOnly) || marker.write("CREATE TABLE pl_tutorial.upgrade_marker (id INTEGER PRIMARY KEY);\n") <= 0)
        return QString();
    marker.close();
    QFile::copy(library, dir + QStringLiteral("/libpeek_plugin_tutorial.so"));
    QProcess package;
    package.start(QStringLiteral(PEEK_SERVER_BIN), {QStringLiteral("package"), dir, QStringLiteral("--out"), work});
    package.waitForFinished(30000);
    return package.exitCode() == 0 ? work + QStringLiteral("/peek_plugin_tutorial-%1.peekplugin").arg(version) : QString();
}

// The tutorial's "<version> <state>" on each role, as logic of `home` lists its services.
QMap<QString, QString> tutorialOnEachRole(const QString &home)
{
    QMap<QString, QString> out;
    const QByteArray listed = runAdmin(home, {QStringLiteral("--json"), QStringLiteral("services")}).out;
    for (const QJsonValue &service : QJsonDocument::fromJson(listed).array())
        for (const QJsonValue &plugin : service[QLatin1String("plugins")].toArray())
            if (plugin[QLatin1String("name")].toString() == QLatin1String("peek_plugin_tutorial"))
                out.insert(service[QLatin1String("role")].toString(),
                           plugin[QLatin1String("version")].toString() + u' ' + plugin[QLatin1String("state")].toString());
    return out;
}

QMap<QString, QString> onLogicAndField(const QString &versionAndState)
{
    return {{QStringLiteral("logic"), versionAndState}, {QStringLiteral("field"), versionAndState}};
}

const QString kTutorialLibrary = QStringLiteral(PEEK_TEST_PLUGINS_DIR "/../../plugins/peek_plugin_tutorial/libpeek_plugin_tutorial.so");

} // namespace

class TestAdmin : public QObject
{
    Q_OBJECT

    QTemporaryDir m_logicHome, m_fieldHome;
    Ports m_ports;
    std::unique_ptr<ServerProcess> m_logic, m_field;

    AdminRun admin(const QStringList &args, const QByteArray &input = {}) { return runAdmin(m_logicHome.path(), args, input); }
    std::unique_ptr<ServerProcess> startField()
    {
        auto field = std::make_unique<ServerProcess>(
            m_fieldHome.path(),
            QStringList {QStringLiteral("--logic-url"), QStringLiteral("ws://127.0.0.1:%1").arg(m_ports.logicDataExchange)});
        return field->start() ? std::move(field) : nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QStringList plugins {QStringLiteral("peek_plugin_tutorial"), QStringLiteral("peek_test_failstart")};
        QVERIFY(writeConfig(m_logicHome.path(), m_ports, {QStringLiteral("logic")}, plugins));
        QVERIFY(writeConfig(m_fieldHome.path(), m_ports, {QStringLiteral("field")}, plugins));
        QVERIFY(linkPlugin(m_logicHome.path(), QStringLiteral("peek_test_failstart")));
        QVERIFY(linkPlugin(m_fieldHome.path(), QStringLiteral("peek_test_failstart")));
        m_logic = std::make_unique<ServerProcess>(m_logicHome.path());
        QVERIFY2(m_logic->start(), (m_logic->output() + m_logic->errors()).constData());
        m_field = startField();
        QVERIFY(m_field);
    }

    // `services`: logic and the field service, each with its own pid and how it is linked;
    // `plugins list`: every plugin on every service, the failed one with its error; `health`
    // says degraded and why, with exit status 1.
    void theConsoleListsServicesPluginsAndHealth()
    {
        const QString fieldPid = QString::number(m_field->process().processId());
        const QString logicPid = QString::number(m_logic->process().processId());
        AdminRun services;
        // The field service reports itself once its link is up (right after it said ready).
        QVERIFY(QTest::qWaitFor([&] {
            services = admin({QStringLiteral("services")});
            return services.out.contains("peek-field-service");
        }, 20000));
        QCOMPARE(services.code, 0);
        QVERIFY2(services.out.contains(logicPid.toUtf8()) && services.out.contains(fieldPid.toUtf8()), services.out.constData());
        QVERIFY2(services.out.contains("self") && services.out.contains("connected from 127.0.0.1"), services.out.constData());

        const AdminRun json = admin({QStringLiteral("--json"), QStringLiteral("services")});
        QCOMPARE(json.code, 0);
        const QJsonArray list = QJsonDocument::fromJson(json.out).array();
        QCOMPARE(list.size(), 2);
        QCOMPARE(list[0][QLatin1String("role")].toString(), QStringLiteral("logic"));
        QCOMPARE(list[1][QLatin1String("role")].toString(), QStringLiteral("field"));
        QCOMPARE(QString::number(list[1][QLatin1String("pid")].toInteger()), fieldPid);
        QCOMPARE(list[1][QLatin1String("link")].toString(), QStringLiteral("connected"));

        const AdminRun plugins = admin({QStringLiteral("plugins"), QStringLiteral("list")});
        QCOMPARE(plugins.code, 0);
        QVERIFY2(plugins.out.contains("peek_plugin_tutorial") && plugins.out.contains("peek_test_failstart"),
                 plugins.out.constData());
        QVERIFY2(plugins.out.contains("failed"), plugins.out.constData());

        const AdminRun health = admin({QStringLiteral("health")});
        QCOMPARE(health.code, 1);
        QVERIFY2(health.out.startsWith("degraded: 2 service(s)"), health.out.constData());
        QVERIFY2(health.out.contains("plugin peek_test_failstart failed on logic") && health.out.contains("on purpose"),
                 health.out.constData());
        QCOMPARE(admin({QStringLiteral("--json"), QStringLiteral("health")}).code, 1);
        QCOMPARE(admin({QStringLiteral("plugins")}).code, 2); // usage
    }

    // An admin logged in on the admin port watches the services: the field service going away
    // and coming back (a new process) shows without asking again.
    void anAdminWatchesTheServicesLive()
    {
        const AdminRun added = admin({QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("ops"),
                                      QStringLiteral("--roles"), QStringLiteral("admin")},
                                     kPassword + "\n");
        QVERIFY2(added.code == 0, added.err.constData());
        RawPeer peer;
        QVERIFY(peer.open(m_ports.logicAdmin));
        const QByteArray data = payloadData(tupleJson(QStringLiteral("peek_core_user.UserLoginAction"),
                                                      {{QStringLiteral("userName"), QStringLiteral("ops")},
                                                       {QStringLiteral("password"), QString::fromLatin1(kPassword)},
                                                       {QStringLiteral("acceptedWarningKeys"), QJsonArray()}}));
        Dict loginFilt {{QStringLiteral("plugin"), QStringLiteral("peek_core_user")},
                        {QStringLiteral("key"), QStringLiteral("tupleActionProcessorName")},
                        {QStringLiteral("name"), QStringLiteral("peekPluginUser")},
                        {PayloadRouter::kMessageIdKey, QStringLiteral("in")}};
        peer.send(PayloadEnvelope(loginFilt, data));
        QVERIFY(QTest::qWaitFor([&] {
            for (int i = 0; i < peer.messages.size(); ++i)
                if (peer.envelope(i).filt.string(PayloadRouter::kMessageIdKey) == QLatin1String("in"))
                    return peer.envelope(i).isSuccess();
            return false;
        }, 20000));

        const int before = peer.messages.size();
        peer.send(PayloadEnvelope(observable::requestFilt(QStringLiteral("peek_admin"), QStringLiteral("peek_admin"),
                                                          TupleSelector(QStringLiteral("peek_admin.ServiceInfoTuple"), {}), true)));
        const int both = waitForServices(peer, before, [](const QList<TuplePtr> &s) {
            return rolesOf(s) == QStringList {QStringLiteral("logic"), QStringLiteral("field")};
        });
        QVERIFY2(both >= 0, peer.messages.isEmpty() ? "" : peer.messages.last().left(300).constData());

        m_field->kill();
        const int gone = waitForServices(peer, both + 1, [](const QList<TuplePtr> &s) {
            return rolesOf(s) == QStringList {QStringLiteral("logic")};
        });
        QVERIFY(gone >= 0);

        m_field = startField();
        QVERIFY(m_field);
        const qint64 newPid = m_field->process().processId();
        QVERIFY(waitForServices(peer, gone + 1, [newPid](const QList<TuplePtr> &s) {
            return rolesOf(s) == QStringList {QStringLiteral("logic"), QStringLiteral("field")}
                && s.last()->field(QStringLiteral("pid")).toInt() == newPid
                && !s.last()->field(QStringLiteral("plugins")).toList().empty();
        }) >= 0);

        // The users, live: one added by the operator shows without asking again.
        const int beforeUsers = peer.messages.size();
        peer.send(PayloadEnvelope(observable::requestFilt(QStringLiteral("peek_core_user"), QStringLiteral("peek_core_user"),
                                                          TupleSelector(QStringLiteral("peek_core_user.UserDetailTuple"), {}), true)));
        const auto usersIn = [&peer](int from, const QString &name) {
            int found = -1;
            (void)QTest::qWaitFor([&] {
                for (int i = from; i < peer.messages.size(); ++i) {
                    const PayloadEnvelope e = peer.envelope(i);
                    if (e.filt.string(QStringLiteral("plugin")) != QLatin1String("peek_core_user") || !e.isSuccess())
                        continue;
                    auto payload = e.decodePayload();
                    for (const TuplePtr &t : payload ? payload.value().tuples : std::vector<TuplePtr> {})
                        if (t->field(QStringLiteral("userName")).toString() == name) {
                            found = i;
                            return true;
                        }
                }
                return false;
            }, 20000);
            return found;
        };
        const int listed = usersIn(beforeUsers, QStringLiteral("ops"));
        QVERIFY(listed >= 0);
        QVERIFY(!peer.messages.value(listed).contains("argon2")); // never a hash
        QCOMPARE(admin({QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("newcomer")}, kPassword + "\n").code, 0);
        const int newcomer = usersIn(listed + 1, QStringLiteral("newcomer"));
        QVERIFY(newcomer >= 0);
    }

    // An admin disables a plugin: it stops on every service at once, the processes stay (same
    // pids), the field port stops serving its view, and each home's config.json keeps it; enabled
    // again it starts again. A field service that was down meanwhile catches up when it links.
    void pluginsAreDisabledAndEnabledWithoutARestart()
    {
        const qint64 fieldPid = m_field->process().processId();
        const qint64 logicPid = m_logic->process().processId();
        const QString tutorial = QStringLiteral("peek_plugin_tutorial");
        // tutorial's state on each role, from the services list.
        const auto states = [this, &tutorial] {
            QMap<QString, QString> out;
            const AdminRun listed = admin({QStringLiteral("--json"), QStringLiteral("services")});
            for (const QJsonValue &service : QJsonDocument::fromJson(listed.out).array()) {
                QString state = QStringLiteral("absent");
                for (const QJsonValue &plugin : service[QLatin1String("plugins")].toArray())
                    if (plugin[QLatin1String("name")].toString() == tutorial)
                        state = plugin[QLatin1String("state")].toString();
                out.insert(service[QLatin1String("role")].toString(), state);
            }
            return out;
        };
        const auto fieldIndex = [this] {
            return httpGet(m_ports.field, "/peek/ui/field/index.json").body;
        };
        QTRY_COMPARE_WITH_TIMEOUT(states().value(QStringLiteral("field")), QStringLiteral("started"), 20000);
        QVERIFY(fieldIndex().contains("peek_plugin_tutorial"));

        const AdminRun disabled = admin({QStringLiteral("plugins"), QStringLiteral("disable"), tutorial});
        QVERIFY2(disabled.code == 0, disabled.err.constData());
        QVERIFY2(disabled.out.startsWith("peek_plugin_tutorial disabled on every service"), disabled.out.constData());
        QTRY_COMPARE_WITH_TIMEOUT(states(), (QMap<QString, QString> {{QStringLiteral("logic"), QStringLiteral("absent")},
                                                                     {QStringLiteral("field"), QStringLiteral("absent")}}),
                                  20000);
        QCOMPARE(m_field->process().processId(), fieldPid);
        QCOMPARE(m_logic->process().processId(), logicPid);
        QVERIFY(!fieldIndex().contains("peek_plugin_tutorial"));
        for (const QString &home : {m_logicHome.path(), m_fieldHome.path()}) {
            QFile config(home + QStringLiteral("/config.json"));
            QVERIFY(config.open(QIODevice::ReadOnly));
            const QJsonArray enabled = QJsonDocument::fromJson(config.readAll())[QLatin1String("plugin")][QLatin1String("enabled")].toArray();
            QVERIFY2(!enabled.contains(tutorial) && enabled.contains(QStringLiteral("peek_test_failstart")), qPrintable(home));
        }

        // The audit says who did it.
        const AdminRun audit = admin({QStringLiteral("--json"), QStringLiteral("audit")});
        QVERIFY2(audit.out.contains("\"event\": \"plugin disabled\"") && audit.out.contains("(peek-server admin)")
                     && audit.out.contains("\"detail\": \"peek_plugin_tutorial\""),
                 audit.out.constData());

        // Refusals say why and change nothing.
        const AdminRun again = admin({QStringLiteral("plugins"), QStringLiteral("disable"), tutorial});
        QCOMPARE(again.code, 1);
        QVERIFY2(again.err.contains("disabled already"), again.err.constData());
        const AdminRun core = admin({QStringLiteral("plugins"), QStringLiteral("disable"), QStringLiteral("peek_core_user")});
        QCOMPARE(core.code, 1);
        QVERIFY2(core.err.contains("core plugin"), core.err.constData());
        const AdminRun unknown = admin({QStringLiteral("plugins"), QStringLiteral("enable"), QStringLiteral("peek_plugin_nope")});
        QCOMPARE(unknown.code, 1);
        QVERIFY2(unknown.err.contains("no plugin peek_plugin_nope is installed"), unknown.err.constData());

        // Enabled while the field service is down: it catches up when it links again.
        m_field->kill();
        QTRY_VERIFY_WITH_TIMEOUT(!states().contains(QStringLiteral("field")), 20000);
        const AdminRun enabled = admin({QStringLiteral("plugins"), QStringLiteral("enable"), tutorial});
        QVERIFY2(enabled.code == 0, enabled.err.constData());
        QTRY_COMPARE_WITH_TIMEOUT(states().value(QStringLiteral("logic")), QStringLiteral("started"), 20000);
        m_field = startField();
        QVERIFY(m_field);
        QTRY_COMPARE_WITH_TIMEOUT(states().value(QStringLiteral("field")), QStringLiteral("started"), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(fieldIndex().contains("peek_plugin_tutorial"), 20000);
    }

    // A plugin's settings on logic, typed: listed (passwords masked), set (the plugin sees it at
    // once), refused with the reason when wrong, reset, and audited.
    void pluginSettingsAreReadAndWrittenWithTheirTypes()
    {
        const QString device = QStringLiteral("peek_core_device");
        const AdminRun listed = admin({QStringLiteral("--json"), QStringLiteral("plugins"), QStringLiteral("settings"), device});
        QVERIFY2(listed.code == 0, listed.err.constData());
        const QJsonArray settings = QJsonDocument::fromJson(listed.out).array();
        QVERIFY(!settings.isEmpty());
        QCOMPARE(settings[0][QLatin1String("key")].toString(), QStringLiteral("autoApproveField"));
        QCOMPARE(settings[0][QLatin1String("type")].toString(), QStringLiteral("bool"));
        QCOMPARE(settings[0][QLatin1String("value")].toBool(), false);
        QCOMPARE(settings[0][QLatin1String("stored")].toBool(), false);

        const AdminRun set = admin({QStringLiteral("plugins"), QStringLiteral("settings"), device,
                                    QStringLiteral("autoApproveField"), QStringLiteral("true")});
        QVERIFY2(set.code == 0, set.err.constData());
        QVERIFY2(set.out.contains("autoApproveField") && set.out.contains("set"), set.out.constData());
        const AdminRun seen = admin({QStringLiteral("devices"), QStringLiteral("auto-approve")});
        QVERIFY2(seen.out.contains("new field devices: approved automatically"), seen.out.constData());

        const AdminRun wrongType = admin({QStringLiteral("plugins"), QStringLiteral("settings"), device,
                                          QStringLiteral("autoApproveField"), QStringLiteral("maybe")});
        QCOMPARE(wrongType.code, 1);
        QVERIFY2(wrongType.err.contains("autoApproveField"), wrongType.err.constData());
        const AdminRun unknownKey = admin({QStringLiteral("plugins"), QStringLiteral("settings"), device,
                                           QStringLiteral("noSuchKey"), QStringLiteral("1")});
        QCOMPARE(unknownKey.code, 1);
        QVERIFY2(unknownKey.err.contains("has no setting \"noSuchKey\""), unknownKey.err.constData());
        const AdminRun noSettings = admin({QStringLiteral("plugins"), QStringLiteral("settings"), QStringLiteral("peek_plugin_nope")});
        QCOMPARE(noSettings.code, 1);

        const AdminRun reset = admin({QStringLiteral("plugins"), QStringLiteral("settings"), device,
                                      QStringLiteral("autoApproveField"), QStringLiteral("--reset")});
        QVERIFY2(reset.code == 0, reset.err.constData());
        QVERIFY(admin({QStringLiteral("devices"), QStringLiteral("auto-approve")}).out.contains("new field devices: wait for an operator"));

        // A password setting shows its type, never its value.
        const AdminRun user = admin({QStringLiteral("--json"), QStringLiteral("plugins"), QStringLiteral("settings"),
                                     QStringLiteral("peek_core_user")});
        QVERIFY2(user.code == 0 && user.out.contains("\"type\": \"password\""), user.out.constData());

        const AdminRun audit = admin({QStringLiteral("--json"), QStringLiteral("audit")});
        QVERIFY2(audit.out.contains("peek_core_device.autoApproveField = true")
                     && audit.out.contains("peek_core_device.autoApproveField back to its default"),
                 audit.out.constData());
    }

    // The developer's tools: a plugin's observable as JSON, and an action pushed as a device would
    // (logic's reason when it refuses; usage errors for a bad type or JSON).
    void aDeveloperObservesAndPushesActions()
    {
        const QString rows = QStringLiteral("peek_plugin_tutorial.StringIntTuple");
        const AdminRun seen = admin({QStringLiteral("observe"), rows});
        QVERIFY2(seen.code == 0, seen.err.constData());
        const QJsonArray before = QJsonDocument::fromJson(seen.out).array();
        QVERIFY2(!before.isEmpty(), seen.out.constData());
        QCOMPARE(before[0][QLatin1String("_tt")].toString(), rows);
        const qint64 id = before[0][QLatin1String("id")].toInteger();
        const QString string1 = before[0][QLatin1String("string1")].toString();

        const AdminRun toggled = admin({QStringLiteral("action"), QStringLiteral("peek_plugin_tutorial.StringCapToggleActionTuple"),
                                        QStringLiteral("{\"stringIntId\": %1}").arg(id)});
        QVERIFY2(toggled.code == 0 && toggled.out.startsWith("applied peek_plugin_tutorial.StringCapToggleActionTuple"),
                 (toggled.out + toggled.err).constData());
        const QJsonArray after = QJsonDocument::fromJson(admin({QStringLiteral("observe"), rows}).out).array();
        QVERIFY(!after.isEmpty());
        QVERIFY2(after[0][QLatin1String("string1")].toString() != string1
                     && after[0][QLatin1String("string1")].toString().compare(string1, Qt::CaseInsensitive) == 0,
                 qPrintable(after[0][QLatin1String("string1")].toString()));

        const AdminRun missing = admin({QStringLiteral("action"), QStringLiteral("peek_plugin_tutorial.StringCapToggleActionTuple"),
                                        QStringLiteral("{\"stringIntId\": 999999}")});
        QCOMPARE(missing.code, 1);
        QVERIFY2(missing.err.contains("logic refused") && missing.err.contains("999999"), missing.err.constData());
        const AdminRun badJson = admin({QStringLiteral("action"), QStringLiteral("peek_plugin_tutorial.StringCapToggleActionTuple"),
                                        QStringLiteral("{\"stringIntId\":")});
        QCOMPARE(badJson.code, 2);
        QVERIFY2(badJson.err.contains("must be a JSON object"), badJson.err.constData());
        const AdminRun badType = admin({QStringLiteral("observe"), QStringLiteral("StringIntTuple")});
        QCOMPARE(badType.code, 2);
        QVERIFY2(badType.err.contains("is not a tuple type"), badType.err.constData());
    }

    // Any service's log, read over its link to logic: logic's by default, the field service's
    // by name, filtered by level, and followed as it grows.
    void logsOfAnyServiceAreReadAndFollowed()
    {
        const AdminRun logic = admin({QStringLiteral("logs"), QStringLiteral("--lines"), QStringLiteral("1000")});
        QVERIFY2(logic.code == 0, logic.err.constData());
        QVERIFY2(logic.out.contains("peek-logic-service listening on"), logic.out.right(500).constData());
        QVERIFY(!logic.out.contains("field service: serving")); // the field service's, in its own log

        QTRY_VERIFY_WITH_TIMEOUT(admin({QStringLiteral("services")}).out.contains("peek-field-service"), 20000);
        const AdminRun field = admin({QStringLiteral("logs"), QStringLiteral("--service"), QStringLiteral("field"),
                                      QStringLiteral("--lines"), QStringLiteral("1000")});
        QVERIFY2(field.code == 0, field.err.constData());
        QVERIFY2(field.out.contains("field service: serving"), field.out.right(500).constData());
        const AdminRun warnings = admin({QStringLiteral("logs"), QStringLiteral("--service"), QStringLiteral("peek-field-service"),
                                         QStringLiteral("--level"), QStringLiteral("warning")});
        QCOMPARE(warnings.code, 0);
        for (const QByteArray &line : warnings.out.split('\n'))
            if (!line.isEmpty() && line.front() >= '0' && line.front() <= '9')
                QVERIFY2(line.contains(" WARN ") || line.contains(" ERROR ") || line.contains(" FATAL "), line.constData());

        const AdminRun nobody = admin({QStringLiteral("logs"), QStringLiteral("--service"), QStringLiteral("nope")});
        QCOMPARE(nobody.code, 1);
        QVERIFY2(nobody.err.contains("no service linked to logic is \"nope\""), nobody.err.constData());
        const AdminRun loud = admin({QStringLiteral("logs"), QStringLiteral("--level"), QStringLiteral("loud")});
        QCOMPARE(loud.code, 1);
        QVERIFY2(loud.err.contains("unknown log level"), loud.err.constData());

        QProcess follow;
        follow.start(QStringLiteral(PEEK_SERVER_BIN), {QStringLiteral("admin"), QStringLiteral("--home"), m_logicHome.path(),
                                                      QStringLiteral("logs"), QStringLiteral("--service"), QStringLiteral("field"),
                                                      QStringLiteral("--lines"), QStringLiteral("1"), QStringLiteral("--follow")});
        QVERIFY(follow.waitForStarted());
        QByteArray seen;
        QVERIFY(QTest::qWaitFor([&] { seen += follow.readAllStandardOutput(); return !seen.isEmpty(); }, 20000));
        QVERIFY(!seen.contains("enabled plugins:"));
        QCOMPARE(admin({QStringLiteral("plugins"), QStringLiteral("disable"), QStringLiteral("peek_plugin_tutorial")}).code, 0);
        QVERIFY2(QTest::qWaitFor([&] { seen += follow.readAllStandardOutput(); return seen.contains("enabled plugins:"); }, 20000),
                 seen.constData());
        follow.kill();
        follow.waitForFinished();
        QCOMPARE(admin({QStringLiteral("plugins"), QStringLiteral("enable"), QStringLiteral("peek_plugin_tutorial")}).code, 0);
    }

    // The task queue as an admin sees it: counts by task name, a task that failed with its
    // error, and a retry once its outside system is back (logic and a worker, one process).
    void failedTasksAreListedAndRetried()
    {
        QTemporaryDir home;
        const Ports ports;
        QVERIFY(writeConfig(home.path(), ports, {QStringLiteral("logic"), QStringLiteral("worker")},
                            {QStringLiteral("peek_test_tasks")}));
        QVERIFY(linkPlugin(home.path(), QStringLiteral("peek_test_tasks")));
        const QString flagDir = home.path() + QStringLiteral("/plugin-files/peek_test_tasks");
        QVERIFY(QDir().mkpath(flagDir));
        QFile flag(flagDir + QStringLiteral("/fail"));
        QVERIFY(flag.open(QIODevice::WriteOnly));
        flag.close();
        ServerProcess server(home.path());
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());

        Vortex client(QStringLiteral("peek-test-client"));
        client.setJoinToken(kJoinToken);
        client.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(ports.logicDataExchange)));
        QVERIFY(QTest::qWaitFor([&] { return client.isConnectedTo(QStringLiteral("peek-logic-service")); }, 20000));
        const Rpc queue(QStringLiteral("peek_test_tasks.queue"), {QStringLiteral("peek_test_tasks"), QStringLiteral("peek-logic-service"), {}});
        QFuture<Value> queued = queue.call(&client, {Value(QStringLiteral("peek_test_tasks.failsWhileFlagged")), Value(qint64(1)),
                                                     Value(ValueList {Value(QStringLiteral("payload"))})});
        QVERIFY(QTest::qWaitFor([&] { return queued.isFinished(); }, 20000));
        const QString id = queued.result().toList().front().toString();
        QVERIFY(!id.isEmpty());

        const auto tasks = [&home] {
            return QJsonDocument::fromJson(runAdmin(home.path(), {QStringLiteral("--json"), QStringLiteral("tasks")}).out).object();
        };
        QTRY_COMPARE_WITH_TIMEOUT(tasks()[QLatin1String("failed")].toArray().size(), 1, 20000);
        const QJsonObject failed = tasks()[QLatin1String("failed")].toArray()[0].toObject();
        QCOMPARE(failed[QLatin1String("id")].toString(), id);
        QVERIFY2(failed[QLatin1String("error")].toString().contains(QLatin1String("the outside system is down")),
                 qPrintable(failed[QLatin1String("error")].toString()));
        const AdminRun table = runAdmin(home.path(), {QStringLiteral("tasks")});
        QCOMPARE(table.code, 0);
        QVERIFY2(table.out.contains("peek_test_tasks.failsWhileFlagged") && table.out.contains(id.toUtf8()), table.out.constData());

        QVERIFY(QFile::remove(flag.fileName())); // the outside system is back
        const AdminRun retried = runAdmin(home.path(), {QStringLiteral("tasks"), QStringLiteral("retry"), id});
        QVERIFY2(retried.code == 0, retried.err.constData());
        QTRY_VERIFY_WITH_TIMEOUT(tasks()[QLatin1String("failed")].toArray().isEmpty()
                                     && tasks()[QLatin1String("counts")].toArray()[0][QLatin1String("done")].toInt() == 1,
                                 20000);
        const AdminRun again = runAdmin(home.path(), {QStringLiteral("tasks"), QStringLiteral("retry"), id});
        QCOMPARE(again.code, 1);
        QVERIFY2(again.err.contains("no failed task has the id"), again.err.constData());
        QVERIFY(runAdmin(home.path(), {QStringLiteral("--json"), QStringLiteral("audit")}).out.contains("task retried"));
        server.terminate();
    }

    // Plugin packages in one process (logic and field): an upgrade with a migration runs at once
    // on every role without a restart and stays after one; a damaged package, one that needs a
    // plugin that is not there, and one that fails to start are refused with the reason while the
    // running version goes on; rollback returns the version before, unless that version does not
    // know the schema the newer one migrated.
    void packagesAreInstalledUpgradedAndRolledBack()
    {
        QTemporaryDir home, work;
        const Ports ports;
        QVERIFY(writeConfig(home.path(), ports, {QStringLiteral("logic"), QStringLiteral("field")},
                            {QStringLiteral("peek_plugin_tutorial")}));
        auto server = std::make_unique<ServerProcess>(home.path());
        QVERIFY2(server->start(), (server->output() + server->errors()).constData());
        const qint64 pid = server->process().processId();
        const auto run = [&home](const QStringList &args) { return runAdmin(home.path(), args); };
        const auto tutorial = [&home] { return tutorialOnEachRole(home.path()); };
        const auto on = onLogicAndField;
        QTRY_COMPARE_WITH_TIMEOUT(tutorial(), on(QStringLiteral("1.0.0 started")), 20000);

        const QString v11 = makePackage(work.path(), QStringLiteral("v11"), QStringLiteral("1.1.0"), kTutorialLibrary, {});
        QVERIFY(!v11.isEmpty());
        // The tutorial's data before the upgrade (its schema's SQLite file), changed so that a
        // recreated table would show.
        const auto tutorialSql = [&home](const QString &statement) {
            QVariant answer;
            {
                QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tutorial"));
                db.setDatabaseName(home.path() + QStringLiteral("/pl_tutorial.sqlite"));
                if (db.open()) {
                    QSqlQuery q(db);
                    if (q.exec(statement) && q.next())
                        answer = q.value(0);
                }
            }
            QSqlDatabase::removeDatabase(QStringLiteral("tutorial"));
            return answer;
        };
        tutorialSql(QStringLiteral("UPDATE \"StringInt\" SET int1 = 4242 WHERE id = 1"));
        QCOMPARE(tutorialSql(QStringLiteral("SELECT int1 FROM \"StringInt\" WHERE id = 1")).toInt(), 4242);

        const AdminRun installed = run({QStringLiteral("plugins"), QStringLiteral("install"), v11});
        QVERIFY2(installed.code == 0, installed.err.constData());
        QVERIFY2(installed.out.startsWith("installed peek_plugin_tutorial 1.1.0"), installed.out.constData());
        QTRY_COMPARE_WITH_TIMEOUT(tutorial(), on(QStringLiteral("1.1.0 started")), 20000);
        QCOMPARE(server->process().processId(), pid); // no restart
        QVERIFY(serverLog(home.path()).contains("applied migration 0003_upgrade_marker.sql of schema pl_tutorial"));
        // Data kept, the new migration applied beside it.
        QCOMPARE(tutorialSql(QStringLiteral("SELECT int1 FROM \"StringInt\" WHERE id = 1")).toInt(), 4242);
        QCOMPARE(tutorialSql(QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE name = 'upgrade_marker'")).toInt(), 1);

        // Refused, each with the reason; 1.1.0 keeps running.
        QFile file(v11);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QByteArray damaged = file.readAll();
        damaged[damaged.size() / 2] = char(damaged[damaged.size() / 2] ^ 0x55);
        QFile damagedFile(work.filePath(QStringLiteral("damaged.peekplugin")));
        QVERIFY(damagedFile.open(QIODevice::WriteOnly) && damagedFile.write(damaged) == damaged.size());
        damagedFile.close();
        const AdminRun refused = run({QStringLiteral("plugins"), QStringLiteral("install"), damagedFile.fileName()});
        QCOMPARE(refused.code, 1);
        QVERIFY2(refused.err.contains("not a usable plugin package"), refused.err.constData());
        const QString needs = makePackage(work.path(), QStringLiteral("needs"), QStringLiteral("1.3.0"), kTutorialLibrary,
                                          QJsonArray {QJsonObject {{QStringLiteral("name"), QStringLiteral("peek_plugin_nope")}}});
        QVERIFY(!needs.isEmpty());
        const AdminRun missing = run({QStringLiteral("plugins"), QStringLiteral("install"), needs});
        QCOMPARE(missing.code, 1);
        QVERIFY2(missing.err.contains("needs peek_plugin_nope, which is not installed"), missing.err.constData());
        // Altered after it was built: for another Peek (the manifest's ABI), and with a path
        // that leaves the plugin's folder.
        const auto alteredPackage = [&](const QString &name, const std::function<void(UiBundleFiles &)> &change) {
            QFile built(v11);
            if (!built.open(QIODevice::ReadOnly))
                return QString();
            auto files = readZipFiles(built.readAll(), qint64(1) << 30);
            if (!files)
                return QString();
            change(files.value());
            QFile out(work.filePath(name));
            const QByteArray zipped = zipFiles(files.value()).value();
            return out.open(QIODevice::WriteOnly) && out.write(zipped) == zipped.size() ? out.fileName() : QString();
        };
        const QString otherAbi = alteredPackage(QStringLiteral("abi.peekplugin"), [](UiBundleFiles &f) {
            QJsonObject manifest = QJsonDocument::fromJson(f.value(QStringLiteral("peek-package.json"))).object();
            QJsonObject abi = manifest.value(QLatin1String("abi")).toObject();
            abi.insert(QStringLiteral("peek"), QStringLiteral("9.0.0"));
            manifest.insert(QStringLiteral("abi"), abi);
            f.insert(QStringLiteral("peek-package.json"), QJsonDocument(manifest).toJson());
        });
        const QString escaping = alteredPackage(QStringLiteral("escaping.peekplugin"), [](UiBundleFiles &f) {
            f.insert(QStringLiteral("peek_plugin_tutorial/../../../etc/peek-owned"), "x");
        });
        QVERIFY(!otherAbi.isEmpty() && !escaping.isEmpty());
        const AdminRun wrongAbi = run({QStringLiteral("plugins"), QStringLiteral("install"), otherAbi});
        QCOMPARE(wrongAbi.code, 1);
        QVERIFY2(wrongAbi.err.contains("was built for Peek 9.0.0"), wrongAbi.err.constData());
        const AdminRun outside = run({QStringLiteral("plugins"), QStringLiteral("install"), escaping});
        QCOMPARE(outside.code, 1);
        QVERIFY2(outside.err.contains("outside"), outside.err.constData());
        // A library that does not load (not a shared object at all).
        QFile notALibrary(work.filePath(QStringLiteral("not-a-library.so")));
        QVERIFY(notALibrary.open(QIODevice::WriteOnly) && notALibrary.write("not an ELF file\n") > 0);
        notALibrary.close();
        const QString unloadable = makePackage(work.path(), QStringLiteral("unloadable"), QStringLiteral("1.2.1"),
                                               notALibrary.fileName(), {});
        QVERIFY(!unloadable.isEmpty());
        const AdminRun notLoaded = run({QStringLiteral("plugins"), QStringLiteral("install"), unloadable});
        QCOMPARE(notLoaded.code, 1);
        QVERIFY2(notLoaded.err.contains("peek_plugin_tutorial 1.2.1 did not start, so version 1.1.0 runs"), notLoaded.err.constData());
        const QString failing = makePackage(work.path(), QStringLiteral("failing"), QStringLiteral("1.2.0"),
                                            QStringLiteral(PEEK_TEST_PLUGINS_DIR "/peek_test_failstart/libpeek_test_failstart.so"), {});
        QVERIFY(!failing.isEmpty());
        const AdminRun notStarted = run({QStringLiteral("plugins"), QStringLiteral("install"), failing});
        QCOMPARE(notStarted.code, 1);
        QVERIFY2(notStarted.err.contains("peek_plugin_tutorial 1.2.0 did not start, so version 1.1.0 runs"), notStarted.err.constData());
        QTRY_COMPARE_WITH_TIMEOUT(tutorial(), on(QStringLiteral("1.1.0 started")), 20000);

        // Kept across a restart.
        server->terminate();
        QVERIFY(server->process().waitForFinished(15000));
        server = std::make_unique<ServerProcess>(home.path());
        QVERIFY2(server->start(), (server->output() + server->errors()).constData());
        QTRY_COMPARE_WITH_TIMEOUT(tutorial(), on(QStringLiteral("1.1.0 started")), 20000);

        // Back to 1.0.0 would run code that does not know the schema 1.1.0 migrated: refused.
        const AdminRun tooOld = run({QStringLiteral("plugins"), QStringLiteral("rollback"), QStringLiteral("peek_plugin_tutorial")});
        QCOMPARE(tooOld.code, 1);
        QVERIFY2(tooOld.err.contains("the database is newer than the software") && tooOld.err.contains("so 1.1.0 runs"),
                 tooOld.err.constData());
        QTRY_COMPARE_WITH_TIMEOUT(tutorial(), on(QStringLiteral("1.1.0 started")), 20000);
        // A fix without a migration, rolled back to 1.1.0.
        const QString v111 = makePackage(work.path(), QStringLiteral("v111"), QStringLiteral("1.1.1"), kTutorialLibrary, {});
        QVERIFY(!v111.isEmpty());
        QCOMPARE(run({QStringLiteral("plugins"), QStringLiteral("install"), v111}).code, 0);
        QTRY_COMPARE_WITH_TIMEOUT(tutorial(), on(QStringLiteral("1.1.1 started")), 20000);
        const AdminRun back = run({QStringLiteral("plugins"), QStringLiteral("rollback"), QStringLiteral("peek_plugin_tutorial")});
        QVERIFY2(back.code == 0, back.err.constData());
        QTRY_COMPARE_WITH_TIMEOUT(tutorial(), on(QStringLiteral("1.1.0 started")), 20000);
        const AdminRun nothing = run({QStringLiteral("plugins"), QStringLiteral("rollback"), QStringLiteral("peek_plugin_tutorial")});
        QCOMPARE(nothing.code, 1);
        const QByteArray audit = run({QStringLiteral("--json"), QStringLiteral("audit")}).out;
        QVERIFY2(audit.contains("plugin installed") && audit.contains("plugin install failed") && audit.contains("plugin rolled back"),
                 audit.constData());
        server->terminate();
    }

    // A package installed on logic reaches the field service in its own process: it fetches it
    // from logic, checks it and switches without a restart; a field service that was down during
    // an install catches up when it links; a rollback on logic is followed.
    void aPackageReachesTheServicesInOtherProcesses()
    {
        QTemporaryDir work;
        const auto versions = [this] { return tutorialOnEachRole(m_logicHome.path()); };
        const auto both = onLogicAndField;
        QTRY_COMPARE_WITH_TIMEOUT(versions(), both(QStringLiteral("1.0.0 started")), 20000);
        const qint64 fieldPid = m_field->process().processId();

        const QString v11 = makePackage(work.path(), QStringLiteral("v11"), QStringLiteral("1.1.0"), kTutorialLibrary, {});
        QVERIFY(!v11.isEmpty());
        const AdminRun installed = admin({QStringLiteral("--json"), QStringLiteral("plugins"), QStringLiteral("install"), v11});
        QVERIFY2(installed.code == 0, installed.err.constData());
        // The answer comes when every service runs it, each listed.
        const QJsonObject answer = QJsonDocument::fromJson(installed.out).object();
        QCOMPARE(answer.value(QLatin1String("installed")).toString(), QStringLiteral("peek_plugin_tutorial 1.1.0"));
        QStringList results;
        for (const QJsonValue &service : answer.value(QLatin1String("services")).toArray())
            results << service[QLatin1String("role")].toString() + u' ' + service[QLatin1String("state")].toString();
        results.sort();
        QCOMPARE(results, (QStringList {QStringLiteral("field started"), QStringLiteral("logic started")}));
        QCOMPARE(versions(), both(QStringLiteral("1.1.0 started")));
        QCOMPARE(m_field->process().processId(), fieldPid);
        QVERIFY(serverLog(m_fieldHome.path()).contains("fetching peek_plugin_tutorial 1.1.0 from logic"));
        QVERIFY(QFileInfo::exists(m_fieldHome.path() + QStringLiteral("/packages/peek_plugin_tutorial/1.1.0/libpeek_plugin_tutorial.so")));

        // Down during the next install: it catches up when it links again.
        m_field->kill();
        QTRY_VERIFY_WITH_TIMEOUT(!versions().contains(QStringLiteral("field")), 20000);
        const QString v111 = makePackage(work.path(), QStringLiteral("v111"), QStringLiteral("1.1.1"), kTutorialLibrary, {});
        QCOMPARE(admin({QStringLiteral("plugins"), QStringLiteral("install"), v111}).code, 0);
        m_field = startField();
        QVERIFY(m_field);
        QTRY_COMPARE_WITH_TIMEOUT(versions(), both(QStringLiteral("1.1.1 started")), 20000);

        // Rolled back on logic: followed.
        const AdminRun back = admin({QStringLiteral("plugins"), QStringLiteral("rollback"), QStringLiteral("peek_plugin_tutorial")});
        QVERIFY2(back.code == 0, back.err.constData());
        QTRY_COMPARE_WITH_TIMEOUT(versions(), both(QStringLiteral("1.1.0 started")), 20000);

        // An upgrade the field service cannot unpack (a file where its folder goes): the field
        // keeps 1.1.0, and the admin sees which service and why (health says degraded).
        QVERIFY(QDir().mkpath(m_fieldHome.path() + QStringLiteral("/packages/peek_plugin_tutorial")));
        QFile blocker(m_fieldHome.path() + QStringLiteral("/packages/peek_plugin_tutorial/1.3.0"));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        const QString v13 = makePackage(work.path(), QStringLiteral("v13"), QStringLiteral("1.3.0"), kTutorialLibrary, {});
        // The console waits for every service's result and says which one failed and why.
        const AdminRun upgraded = admin({QStringLiteral("plugins"), QStringLiteral("upgrade"), v13});
        QCOMPARE(upgraded.code, 1);
        QVERIFY2(upgraded.out.startsWith("installed peek_plugin_tutorial 1.3.0"), upgraded.out.constData());
        QVERIFY2(upgraded.out.contains("1.3.0 started") && upgraded.out.contains("failed, 1.1.0 runs: cannot"),
                 upgraded.out.constData());
        QVERIFY2(upgraded.err.contains("does not run on every service"), upgraded.err.constData());
        QTRY_COMPARE_WITH_TIMEOUT(versions(), (QMap<QString, QString> {{QStringLiteral("logic"), QStringLiteral("1.3.0 started")},
                                                                       {QStringLiteral("field"), QStringLiteral("1.1.0 started")}}),
                                  20000);
        AdminRun health;
        QVERIFY(QTest::qWaitFor([&] {
            health = admin({QStringLiteral("health")});
            return health.out.contains("peek_plugin_tutorial 1.3.0");
        }, 20000));
        QCOMPARE(health.code, 1);
        QVERIFY2(health.out.startsWith("degraded") && health.out.contains("on field") && health.out.contains("cannot"),
                 health.out.constData());
    }

    // On PostgreSQL, logic, a field service and a worker as separate processes: a package none
    // of them had is installed while the worker is down; logic runs it at once (same pids), the
    // worker gets it when it comes back and runs its tasks.
    void onPostgreSqlAWorkerDownDuringAnInstallGetsThePackage()
    {
        PgDatabase pg;
        PEEK_REQUIRE_POSTGRES(pg.available(), pg.error());
        const Ports ports;
        const QJsonObject storage {{QStringLiteral("storage"), QJsonObject {{QStringLiteral("url"), pg.url()}}}};
        QTemporaryDir logicHome, fieldHome, workerHome;
        const QStringList plugins {QStringLiteral("peek_plugin_tutorial")};
        QVERIFY(writeConfig(logicHome.path(), ports, {QStringLiteral("logic")}, plugins, storage));
        QVERIFY(writeConfig(fieldHome.path(), ports, {QStringLiteral("field")}, plugins));
        QVERIFY(writeConfig(workerHome.path(), ports, {QStringLiteral("worker")}, plugins, storage));
        ServerProcess logic(logicHome.path()), field(fieldHome.path()), worker(workerHome.path());
        QVERIFY2(logic.start(), (logic.output() + logic.errors()).constData());
        QVERIFY2(field.start(), (field.output() + field.errors()).constData());
        QVERIFY2(worker.start(), (worker.output() + worker.errors()).constData());
        const auto tasksPlugin = [&logicHome] {
            QMap<QString, QString> out; // role -> state of peek_test_tasks
            const QByteArray listed = runAdmin(logicHome.path(), {QStringLiteral("--json"), QStringLiteral("services")}).out;
            for (const QJsonValue &service : QJsonDocument::fromJson(listed).array()) {
                QString state = QStringLiteral("absent");
                for (const QJsonValue &plugin : service[QLatin1String("plugins")].toArray())
                    if (plugin[QLatin1String("name")].toString() == QLatin1String("peek_test_tasks"))
                        state = plugin[QLatin1String("state")].toString();
                out.insert(service[QLatin1String("role")].toString(), state);
            }
            return out;
        };
        QTRY_COMPARE_WITH_TIMEOUT(tasksPlugin().size(), 3, 20000);
        QCOMPARE(tasksPlugin().value(QStringLiteral("logic")), QStringLiteral("absent"));
        const qint64 logicPid = logic.process().processId(), fieldPid = field.process().processId();

        worker.kill();
        QTRY_COMPARE_WITH_TIMEOUT(tasksPlugin().size(), 2, 20000);
        const AdminRun installed = runAdmin(logicHome.path(), {QStringLiteral("plugins"), QStringLiteral("install"),
                                                              QStringLiteral(PEEK_PACKAGES_DIR "/peek_test_tasks-0.1.0.peekplugin")});
        QVERIFY2(installed.code == 0, installed.err.constData());
        QTRY_COMPARE_WITH_TIMEOUT(tasksPlugin().value(QStringLiteral("logic")), QStringLiteral("started"), 20000);
        QCOMPARE(tasksPlugin().value(QStringLiteral("field")), QStringLiteral("absent")); // not one of its roles
        QCOMPARE(logic.process().processId(), logicPid);
        QCOMPARE(field.process().processId(), fieldPid);

        QVERIFY2(worker.start(), (worker.output() + worker.errors()).constData());
        QTRY_COMPARE_WITH_TIMEOUT(tasksPlugin().value(QStringLiteral("worker")), QStringLiteral("started"), 20000);
        // Its tasks run on the worker.
        Vortex client(QStringLiteral("peek-test-client"));
        client.setJoinToken(kJoinToken);
        client.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(ports.logicDataExchange)));
        QVERIFY(QTest::qWaitFor([&] { return client.isConnectedTo(QStringLiteral("peek-logic-service")); }, 20000));
        const Rpc run(QStringLiteral("peek_test_tasks.run"), {QStringLiteral("peek_test_tasks"), QStringLiteral("peek-logic-service"), {}, 60000});
        QFuture<Value> ran = run.call(&client, {Value(QStringLiteral("peek_test_tasks.echo")), Value(qint64(1)),
                                                Value(ValueList {Value(QStringLiteral("hello"))})});
        QVERIFY(QTest::qWaitFor([&] { return ran.isFinished(); }, 60000));
        const Dict answer = ran.result().toList().front().toDict();
        QVERIFY2(answer.find(QStringLiteral("result")), qPrintable(answer.string(QStringLiteral("error"))));
        QCOMPARE(answer.find(QStringLiteral("result"))->toDict().find(QStringLiteral("pid"))->toInt(), worker.process().processId());
        worker.terminate();
        field.terminate();
        logic.terminate();
    }

    void cleanupTestCase()
    {
        if (m_field)
            m_field->terminate();
        if (m_logic)
            m_logic->terminate();
    }
};

QTEST_GUILESS_MAIN(TestAdmin)
#include "tst_admin.moc"
