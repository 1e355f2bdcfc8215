#include "admin/admincommand.h"

#include "admin/adminclient.h"
#include "tuple/datetime.h"
#include "observable/tupledataobserverclient.h"
#include "vortex/payloadresponse.h"
#include "vortex/payloadenvelope.h"
#include "vortex/payload.h"
#include "action/tupleactions.h"
#include "base/role.h"
#include "host/adminservice.h"
#include "plugin/pluginpackage.h"
#include "service/tlsbundle.h"
#include "tuple/tuple.h"
#include "vortex/futurecontext.h"
#include "vortex/rpc.h"
#include "vortex/vortexerror.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QStandardPaths>
#include <QTimer>
#include <QUuid>

#include <QTextStream>

#include <cstdio>

#include <termios.h>
#include <unistd.h>

namespace peek::admin {
namespace {

constexpr int kConnectTimeoutMs = 10000;

const char *kUsage =
    "usage: peek-server admin [--home DIR | --url URL --user NAME] [--json] COMMAND\n"
    "  devices list                     every enrolled device, its state and online status\n"
    "  devices approve DEVICE           serve the device (DEVICE: its id or name)\n"
    "  devices revoke DEVICE            refuse it from now on; its connections close at once\n"
    "  devices remove DEVICE            forget it (it may enrol again)\n"
    "  devices auto-approve [field|office on|off]\n"
    "                                   approve new devices of a type without an operator (off by default)\n"
    "  users list                       every user, their roles and where they are logged in\n"
    "  users add USER [--roles R,R] [--display-name NAME]\n"
    "                                   a new internal user; the password is read from the terminal\n"
    "                                   (or the first line of standard input)\n"
    "  users passwd USER                a new password (ends the user's sessions)\n"
    "  users roles USER R,R             the user's roles (admin, field, office, plugins' roles)\n"
    "  users disable USER | enable USER refuse or allow the user's logins (disable ends sessions)\n"
    "  users unlock USER                forget the user's failed logins (they may log in again at once)\n"
    "  users directories show | set FILE | clear | test\n"
    "                                   the LDAP / Active Directory directories (JSON; docs/identity.md)\n"
    "  users directories test           try each directory (address, TLS, service bind, search); exit 1 when\n"
    "                                   one cannot be used, with what failed\n"
    "  audit [--limit N]                the newest N changes: who did what, when, from where (default 100)\n"
    "  services                         every service linked to logic: role, host, pid, version, uptime, link\n"
    "  tasks                            the task queue by task name, and the tasks that failed with their errors\n"
    "  tasks retry ID                   queue a failed task again\n"
    "  logs [--service S] [--lines N] [--level L] [--follow]\n"
    "                                   the last N (100) records of a service's log at level L (info) or above,\n"
    "                                   read over its link to logic; S: a name, role, uuid or host:pid (logic);\n"
    "                                   --follow: then what comes, every second, until Ctrl+C\n"
    "  plugins list                     every plugin on every service, its version and state (and why it failed)\n"
    "  plugins settings NAME [KEY VALUE | KEY - | KEY --reset]\n"
    "                                   a plugin's settings on logic with their types (passwords masked); set one\n"
    "                                   (\"-\": the value from the terminal or standard input) or reset it\n"
    "  plugins install FILE | upgrade FILE [--wait SECONDS | --no-wait]\n"
    "                                   install or upgrade a plugin package (.peekplugin): logic checks and runs\n"
    "                                   it, then every linked service of its roles fetches and runs it; waits\n"
    "                                   (120 s) for each service's result and lists it: exit status 1 when a\n"
    "                                   service could not run it (it keeps the version before)\n"
    "  plugins rollback NAME            back to the version that ran before the last install\n"
    "  plugins enable NAME | disable NAME\n"
    "                                   start or stop a plugin on every service, without restarting them\n"
    "  observe TYPE [SELECTOR] [--follow]\n"
    "                                   what logic's observable of TYPE's plugin (TYPE: plugin.Tuple) serves for\n"
    "                                   the selector (a JSON object, default {}): a JSON array of the tuples;\n"
    "                                   --follow: then every update, until Ctrl+C\n"
    "  action TYPE [FIELDS] [--processor NAME]\n"
    "                                   push an action (FIELDS: a JSON object) to the plugin's processor on logic\n"
    "                                   as a device would; exit status 1 with logic's reason when refused\n"
    "  health                           ok, or what is degraded (a failed plugin, a package a service could\n"
    "                                   not run); exit status 1 when degraded\n"
    "Talks to the running logic service of the home (default: ~/.local/share/peek) on its admin port,\n"
    "as the operator of that machine (the home's join token). With --url ws[s]://HOST:8010 it talks to\n"
    "a logic elsewhere as the admin user NAME (a user with the admin role), whose password is read\n"
    "from the terminal or the first line of standard input (a command's own password comes next).\n"
    "Exit status: 0 done, 1 refused or failed (the message says why), 2 wrong usage.\n";

int usage(const QString &problem)
{
    std::fprintf(stderr, "peek-server admin: %s\n%s", qPrintable(problem), kUsage);
    return 2;
}

int failed(const QString &message)
{
    std::fprintf(stderr, "peek-server admin: %s\n", qPrintable(message));
    return 1;
}

QJsonValue toJson(const Value &value);

QJsonObject tupleToJson(const Tuple &tuple)
{
    QJsonObject out;
    for (const QString &name : tuple.fieldNames())
        out.insert(name, toJson(tuple.field(name)));
    return out;
}

QJsonValue toJson(const Value &value)
{
    switch (value.type()) {
    case Value::Type::Null: return QJsonValue();
    case Value::Type::Bool: return value.toBool();
    case Value::Type::Int: return double(value.toInt());
    case Value::Type::Float: return value.toDouble();
    case Value::Type::String: return value.toString();
    case Value::Type::DateTime:
        return value.toDateTime().isValid() ? QJsonValue(value.toDateTime().toString()) : QJsonValue();
    case Value::Type::List: {
        QJsonArray array;
        for (const Value &item : value.toList())
            array.append(toJson(item));
        return array;
    }
    case Value::Type::Dict: {
        QJsonObject object;
        for (const auto &[key, item] : value.toDict())
            object.insert(key, toJson(item));
        return object;
    }
    case Value::Type::Tuple: return value.toTuple() ? QJsonValue(tupleToJson(*value.toTuple())) : QJsonValue();
    default: return QJsonValue();
    }
}

// Rows of text as an aligned table.
void printTable(const QStringList &header, const QList<QStringList> &rows)
{
    QList<int> widths;
    for (const QString &h : header)
        widths << h.size();
    for (const QStringList &row : rows)
        for (int i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], int(row[i].size()));
    auto line = [&](const QStringList &cells) {
        QString text;
        for (int i = 0; i < cells.size(); ++i)
            text += i + 1 == cells.size() ? cells[i] : cells[i].leftJustified(widths[i] + 2);
        std::printf("%s\n", qPrintable(text.trimmed()));
    };
    line(header);
    for (const QStringList &row : rows)
        line(row);
}

QString text(const QJsonObject &o, const char *key)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isBool())
        return v.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
    if (v.isDouble())
        return QString::number(v.toDouble());
    return v.toString();
}

void printDevices(const QJsonArray &devices)
{
    QList<QStringList> rows;
    for (const QJsonValue &v : devices) {
        const QJsonObject d = v.toObject();
        const QString online = text(d, "onlineVia").isEmpty()
            ? QStringLiteral("offline") : QStringLiteral("online via %1").arg(text(d, "onlineVia"));
        rows << QStringList {text(d, "description"), text(d, "deviceId"), text(d, "deviceType"), text(d, "state"),
                             online, text(d, "lastOnline"), text(d, "lastAddress"), text(d, "appVersion")};
    }
    if (rows.isEmpty()) {
        std::printf("no devices are enrolled\n");
        return;
    }
    printTable({QStringLiteral("NAME"), QStringLiteral("ID"), QStringLiteral("TYPE"), QStringLiteral("STATE"),
                QStringLiteral("ONLINE"), QStringLiteral("LAST SEEN"), QStringLiteral("ADDRESS"),
                QStringLiteral("APP")},
               rows);
}

// "3d 4h", "5m 12s": how long since `since`.
QString ago(const DateTime &since)
{
    if (!since.isValid())
        return QStringLiteral("-");
    qint64 s = std::max<qint64>(0, (QDateTime::currentMSecsSinceEpoch() * 1000 - since.utcMicros()) / 1000000);
    const qint64 d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;
    s %= 60;
    if (d)
        return QStringLiteral("%1d %2h").arg(d).arg(h);
    if (h)
        return QStringLiteral("%1h %2m").arg(h).arg(m);
    return m ? QStringLiteral("%1m %2s").arg(m).arg(s) : QStringLiteral("%1s").arg(s);
}

QString pluginCounts(const ServiceInfoTuple &s)
{
    QMap<QString, int> counts;
    for (const Value &p : s.plugins)
        ++counts[p.toDict().string(QStringLiteral("state"))];
    QStringList parts;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        parts << QStringLiteral("%1 %2").arg(it.value()).arg(it.key());
    return parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(", "));
}

void printServices(const Value &answer)
{
    QList<QStringList> rows;
    for (const ServiceInfoTuple *s : servicesOf(answer))
        rows << QStringList {s->vortexName, s->role, s->host, QString::number(s->pid), s->version, ago(s->startedAt),
                             s->link == QLatin1String("connected") ? QStringLiteral("connected from %1, %2 ago").arg(s->address, ago(s->connectedAt))
                                                                   : s->link,
                             pluginCounts(*s)};
    printTable({QStringLiteral("SERVICE"), QStringLiteral("ROLE"), QStringLiteral("HOST"), QStringLiteral("PID"),
                QStringLiteral("VERSION"), QStringLiteral("UP"), QStringLiteral("LINK"), QStringLiteral("PLUGINS")},
               rows);
}

void printPlugins(const Value &answer)
{
    QList<QStringList> rows;
    for (const ServiceInfoTuple *s : servicesOf(answer))
        for (const Value &p : s->plugins) {
            const Dict d = p.toDict();
            rows << QStringList {d.string(QStringLiteral("name")), d.string(QStringLiteral("version")), s->role,
                                 QStringLiteral("%1:%2").arg(s->host).arg(s->pid), d.string(QStringLiteral("state")),
                                 d.string(QStringLiteral("error"))};
        }
    if (rows.isEmpty()) {
        std::printf("no plugins run anywhere\n");
        return;
    }
    printTable({QStringLiteral("PLUGIN"), QStringLiteral("VERSION"), QStringLiteral("ROLE"), QStringLiteral("PROCESS"),
                QStringLiteral("STATE"), QStringLiteral("ERROR")},
               rows);
}

void printDeployment(const QList<Deployed> &services, const QString &version)
{
    QList<QStringList> rows;
    for (const Deployed &d : services) {
        const QString running = d.running.isEmpty() ? QStringLiteral("nothing") : d.running;
        const QString result = d.state == QLatin1String("started")   ? QStringLiteral("%1 started").arg(version)
                               : d.state == QLatin1String("waiting") ? QStringLiteral("no answer yet (runs %1)").arg(running)
                               : d.state == QLatin1String("failed")  ? QStringLiteral("failed, %1 runs: %2").arg(running, d.error)
                                                                     : QStringLiteral("%1 %2").arg(version, d.state);
        rows << QStringList {d.role, d.service, d.process, result};
    }
    printTable({QStringLiteral("ROLE"), QStringLiteral("SERVICE"), QStringLiteral("PROCESS"), QStringLiteral("RESULT")}, rows);
}

QJsonArray deploymentJson(const QList<Deployed> &services)
{
    QJsonArray out;
    for (const Deployed &d : services)
        out.append(QJsonObject {{QStringLiteral("service"), d.service}, {QStringLiteral("role"), d.role},
                                {QStringLiteral("process"), d.process}, {QStringLiteral("state"), d.state},
                                {QStringLiteral("running"), d.running}, {QStringLiteral("error"), d.error}});
    return out;
}

void printTasks(const QJsonObject &tasks)
{
    QList<QStringList> rows;
    for (const QJsonValue &v : tasks.value(QLatin1String("counts")).toArray()) {
        const QJsonObject o = v.toObject();
        rows << QStringList {text(o, "name"), text(o, "queued"), text(o, "running"), text(o, "done"), text(o, "failed")};
    }
    if (rows.isEmpty())
        std::printf("no tasks in the queue\n");
    else
        printTable({QStringLiteral("TASK"), QStringLiteral("QUEUED"), QStringLiteral("RUNNING"), QStringLiteral("DONE"),
                    QStringLiteral("FAILED")},
                   rows);
    rows.clear();
    for (const QJsonValue &v : tasks.value(QLatin1String("failed")).toArray()) {
        const QJsonObject o = v.toObject();
        rows << QStringList {text(o, "id"), text(o, "name"), text(o, "attempts"), text(o, "worker"), text(o, "finishedAt"),
                             text(o, "error")};
    }
    if (rows.isEmpty())
        return;
    std::printf("\nfailed (peek-server admin tasks retry ID queues one again):\n");
    printTable({QStringLiteral("ID"), QStringLiteral("TASK"), QStringLiteral("ATTEMPTS"), QStringLiteral("WORKER"),
                QStringLiteral("FAILED AT"), QStringLiteral("ERROR")},
               rows);
}

void printSettings(const QJsonArray &settings)
{
    QList<QStringList> rows;
    for (const QJsonValue &v : settings) {
        const QJsonObject o = v.toObject();
        rows << QStringList {text(o, "key"), text(o, "type"), text(o, "value"),
                             o.value(QLatin1String("stored")).toBool() ? QStringLiteral("set") : QStringLiteral("default"),
                             text(o, "description")};
    }
    printTable({QStringLiteral("KEY"), QStringLiteral("TYPE"), QStringLiteral("VALUE"), QStringLiteral("FROM"),
                QStringLiteral("WHAT")},
               rows);
}

// Prints what is degraded; true when everything is ok.
bool printHealth(const Value &answer)
{
    QStringList problems;
    const auto services = servicesOf(answer);
    for (const ServiceInfoTuple *s : services)
        for (const Value &p : s->plugins) {
            const Dict d = p.toDict();
            if (d.string(QStringLiteral("state")) == QLatin1String("failed"))
                problems << QStringLiteral("plugin %1 failed on %2 (%3:%4): %5")
                                .arg(d.string(QStringLiteral("name")), s->role, s->host)
                                .arg(s->pid)
                                .arg(d.string(QStringLiteral("error")));
        }
    for (const ServiceInfoTuple *s : services)
        for (const Value &p : s->problems)
            problems << QStringLiteral("on %1 (%2:%3): %4").arg(s->role, s->host).arg(s->pid).arg(p.toString());
    std::printf("%s: %lld service(s) linked to logic\n", problems.isEmpty() ? "ok" : "degraded", qlonglong(services.size()));
    for (const QString &p : std::as_const(problems))
        std::printf("  %s\n", qPrintable(p));
    return problems.isEmpty();
}

QString rolesText(const QJsonObject &u)
{
    QStringList roles;
    for (const QJsonValue &r : u.value(QLatin1String("roles")).toArray())
        roles << r.toString();
    return roles.isEmpty() ? QStringLiteral("(none)") : roles.join(QStringLiteral(", "));
}

void printUsers(const QJsonArray &users)
{
    QList<QStringList> rows;
    for (const QJsonValue &v : users) {
        const QJsonObject u = v.toObject();
        QStringList on;
        for (const QJsonValue &d : u.value(QLatin1String("loggedInOn")).toArray())
            on << d.toString();
        rows << QStringList {text(u, "userName"), text(u, "displayName"), rolesText(u),
                             text(u, "disabled") == QLatin1String("yes") ? QStringLiteral("disabled") : QStringLiteral("enabled"),
                             text(u, "source"), on.join(QStringLiteral(", "))};
    }
    if (rows.isEmpty()) {
        std::printf("no users yet: peek-server admin users add NAME --roles admin\n");
        return;
    }
    printTable({QStringLiteral("USER"), QStringLiteral("NAME"), QStringLiteral("ROLES"), QStringLiteral("STATE"),
                QStringLiteral("SOURCE"), QStringLiteral("LOGGED IN ON")},
               rows);
}

void printAudit(const QJsonArray &events)
{
    QList<QStringList> rows;
    for (const QJsonValue &v : events) {
        const QJsonObject e = v.toObject();
        rows << QStringList {text(e, "time"), text(e, "event"), text(e, "source"), text(e, "deviceId"),
                             text(e, "userName"), text(e, "actor"), text(e, "address"), text(e, "detail")};
    }
    if (rows.isEmpty()) {
        std::printf("the audit is empty\n");
        return;
    }
    printTable({QStringLiteral("TIME"), QStringLiteral("EVENT"), QStringLiteral("PART"), QStringLiteral("DEVICE"),
                QStringLiteral("USER"),
                QStringLiteral("BY"), QStringLiteral("ADDRESS"), QStringLiteral("DETAIL")},
               rows);
}

struct Target
{
    QUrl url;
    QByteArray joinToken;          // the local operator: the home's join token
    std::optional<TlsBundle> tls;
    QString user;                  // an admin elsewhere (--url): logs in as this user ...
    QString password;              // ... with this password
};

// Standard input, read through one stream (a second stream would lose what the first buffered).
QTextStream &standardInput()
{
    static QTextStream in(stdin);
    return in;
}

Result<Target> readHome(const QString &home)
{
    QFile file(QDir(home).absoluteFilePath(QStringLiteral("config.json")));
    if (!file.open(QIODevice::ReadOnly))
        return Error {QStringLiteral("cannot read %1 (%2): is %3 the home of a peek-server? pass --home DIR")
                          .arg(file.fileName(), file.errorString(), home)};
    QJsonParseError parseError;
    const QJsonObject config = QJsonDocument::fromJson(file.readAll(), &parseError).object();
    if (parseError.error != QJsonParseError::NoError)
        return Error {QStringLiteral("%1 is not valid JSON: %2").arg(file.fileName(), parseError.errorString())};
    Target target;
    target.joinToken = config.value(QLatin1String("logic")).toObject().value(QLatin1String("joinToken")).toString().toUtf8();
    if (target.joinToken.isEmpty())
        return Error {QStringLiteral("%1 has no logic.joinToken: start peek-server with the logic role once first")
                          .arg(file.fileName())};
    const int port = config.value(QLatin1String("ports")).toObject().value(QLatin1String("logicAdmin")).toInt(
        Role::kLogicAdminPort);
    auto bundle = TlsBundle::loadFromHome(home);
    if (!bundle)
        return bundle.error();
    target.tls = bundle.value();
    const bool tls = target.tls && target.tls->hasIdentity();
    target.url = QUrl(QStringLiteral("%1://127.0.0.1:%2").arg(tls ? QStringLiteral("wss") : QStringLiteral("ws")).arg(port));
    return target;
}

// Reads a password: from the terminal without echo (`twice`: asked twice), else the next line
// of standard input.
Result<QString> readPassword(const QString &prompt = QStringLiteral("Password: "), bool twice = true)
{
    if (!isatty(STDIN_FILENO)) {
        const QString line = standardInput().readLine();
        if (line.isEmpty())
            return Error {QStringLiteral("no password on standard input (give it as a line of its own)")};
        return line;
    }
    auto ask = [](const QString &text) {
        std::fprintf(stderr, "%s", qPrintable(text));
        std::fflush(stderr);
        termios old {};
        tcgetattr(STDIN_FILENO, &old);
        termios quiet = old;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
        const QString line = standardInput().readLine();
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        std::fprintf(stderr, "\n");
        return line;
    };
    const QString first = ask(prompt);
    if (twice && ask(QStringLiteral("Password again: ")) != first)
        return Error {QStringLiteral("the two passwords differ; nothing was changed")};
    return first;
}

// Calls `rpc` on the logic of `target`; the answer, or why there is none.
// With `again`: after each answer it says the next call over the same connection (the next piece
// of an upload, logs --follow, waiting for the services), or nullopt to stop.
struct Next
{
    ValueList args;
    const Rpc *rpc = nullptr; // null: the same as before
    int pauseMs = 0;          // before the call
};
using Again = std::function<std::optional<Next>(const Value &answer)>;
// Opens `client` to the logic of `target` (and logs in as its admin when remote), running `loop`.
Result<void> dial(const Target &target, AdminClient &client, QEventLoop &loop)
{
    const bool remote = !target.user.isEmpty();
    QString dialError;
    QObject::connect(&client, &AdminClient::connected, &loop, &QEventLoop::quit);
    QObject::connect(&client, &AdminClient::dialFailed, &loop, [&](const QString &reason) {
        dialError = reason;
        loop.quit();
    });
    QTimer connectTimeout;
    connectTimeout.setSingleShot(true);
    QObject::connect(&connectTimeout, &QTimer::timeout, &loop, [&] {
        dialError = QStringLiteral("no answer within %1 s").arg(kConnectTimeoutMs / 1000);
        loop.quit();
    });
    connectTimeout.start(kConnectTimeoutMs);
    client.open();
    loop.exec();
    connectTimeout.stop(); // calls have their own timeouts
    QObject::disconnect(&client, nullptr, &loop, nullptr);
    if (!client.isConnected())
        return Error {QStringLiteral("cannot reach logic at %1: %2 (is peek-server running with the logic role, "
                                     "and is this its %3?)")
                          .arg(target.url.toString(), dialError,
                               remote ? QStringLiteral("admin port") : QStringLiteral("home"))};
    if (remote) {
        QFuture<AdminLogin> in = client.logIn(target.user, target.password);
        AdminLogin login;
        login.message = QStringLiteral("no answer to the login");
        onFinished(&loop, in, [&](QFuture<AdminLogin> finished) {
            if (auto answer = resultOf(finished, QStringLiteral("cancelled")))
                login = answer.value();
            else
                login.message = answer.error().message();
            loop.quit();
        });
        if (!in.isFinished())
            loop.exec();
        if (!login.loggedIn)
            return Error {QStringLiteral("login as %1 failed: %2").arg(target.user, login.message)};
    }
    return {};
}

AdminClient::Options clientOptions(const Target &target)
{
    AdminClient::Options options;
    options.url = target.url;
    if (target.user.isEmpty())
        options.joinToken = target.joinToken;
    if (target.tls)
        options.tls = target.tls->clientConfiguration();
    options.timeoutMs = kConnectTimeoutMs;
    return options;
}

Result<Value> call(const Result<Target> &target, const Rpc &first, ValueList args, Dict kwargs = {},
                   const Again &again = {})
{
    const Rpc *rpc = &first;
    if (!target)
        return target.error();
    AdminClient client(clientOptions(target.value()));
    QEventLoop loop;
    if (auto dialled = dial(target.value(), client, loop); !dialled)
        return dialled.error();
    const QString actor = QStringLiteral("%1 (peek-server admin)").arg(qEnvironmentVariable("USER", QStringLiteral("operator")));
    kwargs.insert(QStringLiteral("actor"), Value(actor));
    for (;;) {
        QFuture<Value> answer = client.call(*rpc, args, kwargs);
        Result<Value> result = Error {QStringLiteral("no answer")};
        onFinished(&loop, answer, [&](QFuture<Value> finished) {
            result = resultOf(finished, QStringLiteral("cancelled"));
            loop.quit();
        });
        if (!answer.isFinished())
            loop.exec();
        std::optional<Next> next;
        if (result && again)
            next = again(result.value());
        if (!next)
            return result;
        args = std::move(next->args);
        if (next->rpc)
            rpc = next->rpc;
        if (next->pauseMs > 0) {
            QTimer::singleShot(next->pauseMs, &loop, &QEventLoop::quit);
            loop.exec();
        }
    }
}

// A tuple as JSON: {"_tt": its type, then its fields}.
QJsonObject tupleJson(const Tuple &tuple)
{
    QJsonObject out {{QStringLiteral("_tt"), tuple.tupleType()}};
    for (const QString &field : tuple.fieldNames())
        out.insert(field, QJsonValue::fromVariant(tuple.field(field).toVariant()));
    return out;
}

// A JSON object from the command line, as tuple fields or a selector.
Result<Dict> dictArgument(const QString &text, const QString &what)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return Error {QStringLiteral("%1 must be a JSON object, e.g. '{\"id\": 1}', not '%2'%3")
                          .arg(what, text, error.error != QJsonParseError::NoError ? QStringLiteral(" (") + error.errorString() + u')' : QString())};
    return Value::fromVariant(document.toVariant()).toDict();
}

// "<plugin>.<Tuple>" -> the plugin, or an error saying what a tuple type looks like.
Result<QString> pluginOfType(const QString &type)
{
    const QString plugin = type.section(u'.', 0, 0);
    if (plugin.isEmpty() || type.count(u'.') != 1 || type.endsWith(u'.'))
        return Error {QStringLiteral("'%1' is not a tuple type: write <plugin>.<Tuple>, e.g. peek_plugin_tutorial.StringIntTuple").arg(type)};
    return plugin;
}

// What both developer commands start with: TYPE's plugin and the JSON object after TYPE (`what`
// names it), checked, then a client dialled to logic. rc is 0 when ready, else the exit code (the
// message printed).
struct DeveloperCommand
{
    int rc = 0;
    QString plugin;
    Dict object;
    std::unique_ptr<AdminClient> client;
    QEventLoop loop;

    DeveloperCommand(const Result<Target> &target, const QStringList &words, const QString &what)
    {
        const auto type = pluginOfType(words.value(1));
        if (!type) {
            rc = usage(type.error().message());
            return;
        }
        plugin = type.value();
        if (words.size() == 3) {
            auto parsed = dictArgument(words[2], what);
            if (!parsed) {
                rc = usage(parsed.error().message());
                return;
            }
            object = parsed.value();
        }
        if (!target) {
            rc = failed(target.error().message());
            return;
        }
        client = std::make_unique<AdminClient>(clientOptions(target.value()));
        if (auto dialled = dial(target.value(), *client, loop); !dialled)
            rc = failed(dialled.error().message());
    }
};

// peek-server admin observe TYPE [SELECTOR] [--follow]: what logic's observable of the type's
// plugin serves for the selector, as a JSON array per answer.
int observe(const Result<Target> &target, const QStringList &words, bool follow)
{
    DeveloperCommand command(target, words, QStringLiteral("the selector"));
    if (command.rc != 0)
        return command.rc;
    const QString &plugin = command.plugin;
    QEventLoop &loop = command.loop;
    QObject owner;
    TupleSubscription *subscription = command.client->watch(plugin, TupleSelector(words[1], command.object), &owner);
    int rc = 0;
    QObject::connect(subscription, &TupleSubscription::tuplesChanged, &loop, [&] {
        QJsonArray tuples;
        for (const TuplePtr &tuple : subscription->tuples())
            tuples.append(tupleJson(*tuple));
        std::printf("%s\n", QJsonDocument(tuples).toJson(QJsonDocument::Compact).constData());
        std::fflush(stdout);
        if (!follow)
            loop.quit();
    });
    QObject::connect(subscription, &TupleSubscription::errorReceived, &loop, [&](const QString &message) {
        rc = failed(QStringLiteral("%1 refused %2: %3").arg(plugin, words[1], message));
        loop.quit();
    });
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, [&] {
        rc = failed(QStringLiteral("no answer for %1 from logic within %2 s (is %3 running on logic, and is that its "
                                   "observable's tuple?)").arg(words[1]).arg(3 * kConnectTimeoutMs / 1000).arg(plugin));
        loop.quit();
    });
    if (!follow)
        timeout.start(3 * kConnectTimeoutMs);
    loop.exec();
    return rc;
}

// peek-server admin action TYPE [FIELDS] [--processor NAME]: pushes an action to logic as a
// device would (its uuid and time added) and says what logic answered.
int pushAction(const Result<Target> &target, const QStringList &words, const QString &processor)
{
    DeveloperCommand command(target, words, QStringLiteral("the action's fields"));
    if (command.rc != 0)
        return command.rc;
    const QString &plugin = command.plugin;
    Dict &fields = command.object;
    QEventLoop &loop = command.loop;
    if (!fields.contains(QStringLiteral("uuid")))
        fields.insert(QStringLiteral("uuid"), Value(QUuid::createUuid().toString(QUuid::WithoutBraces)));
    if (!fields.contains(QStringLiteral("dateTime")))
        fields.insert(QStringLiteral("dateTime"), Value(DateTime::currentUtc()));
    auto tuple = std::make_shared<GenericTuple>(words[1], fields);
    const Payload payload(action::processorFilt(plugin, processor.isEmpty() ? plugin : processor), {tuple});
    QFuture<PayloadEnvelope> answer = PayloadResponse::send(command.client->vortex(), PayloadEnvelope::fromPayload(payload),
                                                            Role(Role::Logic).vortexName(), 3 * kConnectTimeoutMs);
    Result<PayloadEnvelope> result = Error {QStringLiteral("no answer")};
    bool refused = false; // logic answered with an error (else: no answer at all)
    onFinished(&loop, answer, [&](QFuture<PayloadEnvelope> finished) {
        try {
            finished.waitForFinished();
        } catch (const RemoteError &) {
            refused = true;
        } catch (...) {
        }
        result = resultOf(finished, QStringLiteral("cancelled"));
        loop.quit();
    });
    if (!answer.isFinished())
        loop.exec();
    if (!result)
        return failed((refused ? QStringLiteral("logic refused %1: %2") : QStringLiteral("%1 got no answer from logic: %2"))
                          .arg(words[1], result.error().message()));
    QJsonArray tuples;
    if (auto decoded = result.value().decodePayload()) {
        for (const TuplePtr &t : decoded.value().tuples)
            tuples.append(tupleJson(*t));
    }
    std::printf("applied %s %s%s\n", qPrintable(words[1]), qPrintable(tuple->field(QStringLiteral("uuid")).toString()),
                tuples.isEmpty() ? "" : (QByteArray(": ") + QJsonDocument(tuples).toJson(QJsonDocument::Compact)).constData());
    return 0;
}

} // namespace

int run(const QStringList &arguments)
{
    QString home = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/peek");
    bool json = false;
    qint64 limit = 100;
    QString roles;
    QString displayName;
    bool rolesSet = false;
    bool reset = false;
    bool follow = false;
    bool noWait = false;
    qint64 waitSeconds = 120;
    QString service;
    QString processor;
    QString level = QStringLiteral("info");
    qint64 lines = 100;
    QString url;
    QString user;
    QStringList words;
    for (int i = 0; i < arguments.size(); ++i) {
        const QString &a = arguments[i];
        if (a == QLatin1String("--json")) {
            json = true;
        } else if (a == QLatin1String("--reset")) {
            reset = true;
        } else if (a == QLatin1String("--follow")) {
            follow = true;
        } else if (a == QLatin1String("--no-wait")) {
            noWait = true;
        } else if (a == QLatin1String("--home") || a == QLatin1String("--limit") || a == QLatin1String("--roles")
                   || a == QLatin1String("--display-name") || a == QLatin1String("--url")
                   || a == QLatin1String("--user") || a == QLatin1String("--service") || a == QLatin1String("--level")
                   || a == QLatin1String("--lines") || a == QLatin1String("--wait") || a == QLatin1String("--processor")) {
            if (i + 1 >= arguments.size())
                return usage(QStringLiteral("%1 needs a value").arg(a));
            const QString value = arguments[++i];
            if (a == QLatin1String("--home")) {
                home = value;
            } else if (a == QLatin1String("--url")) {
                url = value;
            } else if (a == QLatin1String("--user")) {
                user = value;
            } else if (a == QLatin1String("--service")) {
                service = value;
            } else if (a == QLatin1String("--processor")) {
                processor = value;
            } else if (a == QLatin1String("--level")) {
                level = value;
            } else if (a == QLatin1String("--lines")) {
                bool ok = false;
                lines = value.toLongLong(&ok);
                if (!ok || lines < 1 || lines > 1000)
                    return usage(QStringLiteral("--lines must be a whole number from 1 to 1000, not '%1'").arg(value));
            } else if (a == QLatin1String("--wait")) {
                bool ok = false;
                waitSeconds = value.toLongLong(&ok);
                if (!ok || waitSeconds < 1 || waitSeconds > 3600)
                    return usage(QStringLiteral("--wait must be a whole number of seconds from 1 to 3600, not '%1'").arg(value));
            } else if (a == QLatin1String("--roles")) {
                roles = value;
                rolesSet = true;
            } else if (a == QLatin1String("--display-name")) {
                displayName = value;
            } else {
                bool ok = false;
                limit = value.toLongLong(&ok);
                if (!ok || limit < 1)
                    return usage(QStringLiteral("--limit must be a whole number from 1, not '%1'").arg(value));
            }
        } else if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
            std::printf("%s", kUsage);
            return 0;
        } else if (a.startsWith(QLatin1String("--"))) {
            return usage(QStringLiteral("unknown option %1").arg(a));
        } else {
            words << a;
        }
    }
    home = QDir(home).absolutePath();
    // The console prints answers; the transport's own notes would only be noise here.
    QLoggingCategory::setFilterRules(QStringLiteral("peek.*.info=false\npeek.*.debug=false"));
    if (words.isEmpty())
        return usage(QStringLiteral("say what to do"));
    // Where to: the local logic of the home as its operator, or a logic elsewhere as an admin.
    Result<Target> target = Error {QString()};
    if (url.isEmpty() != user.isEmpty())
        return usage(QStringLiteral("--url and --user go together (an admin logs in on a logic elsewhere)"));
    if (!url.isEmpty()) {
        const QUrl parsed(url.contains(QLatin1String("://")) ? url : QStringLiteral("ws://") + url);
        if (!parsed.isValid() || parsed.host().isEmpty()
            || (parsed.scheme() != QLatin1String("ws") && parsed.scheme() != QLatin1String("wss")))
            return usage(QStringLiteral("--url must be ws://HOST:PORT or wss://HOST:PORT (logic's admin port), not '%1'")
                             .arg(url));
        Target remote;
        remote.url = parsed;
        if (remote.url.port() < 0)
            remote.url.setPort(Role::kLogicAdminPort);
        remote.user = user;
        auto password = readPassword(QStringLiteral("Password of %1 at %2: ").arg(user, remote.url.host()), false);
        if (!password)
            return failed(password.error().message());
        remote.password = password.value();
        target = remote;
    } else {
        target = readHome(QDir(home).absolutePath());
    }

    // A plugin's data and actions, as a device sees them (developer tools).
    if (words.value(0) == QLatin1String("observe") && (words.size() == 2 || words.size() == 3))
        return observe(target, words, follow);
    if (words.value(0) == QLatin1String("action") && (words.size() == 2 || words.size() == 3))
        return pushAction(target, words, processor);

    const Rpc *rpc = &deviceAdminRpc();
    ValueList args;
    Dict kwargs;
    const QString group = words.value(0);
    const QString command = words.value(1);
    if (group == QLatin1String("users")) {
        rpc = &userAdminRpc();
        const QString user = words.value(2);
        if (command == QLatin1String("list") && words.size() == 2) {
            args = {Value(command)};
        } else if ((command == QLatin1String("add") || command == QLatin1String("passwd")) && words.size() == 3) {
            args = {Value(command), Value(user)};
            auto password = readPassword();
            if (!password)
                return failed(password.error().message());
            kwargs.insert(QStringLiteral("password"), Value(password.value()));
            kwargs.insert(QStringLiteral("roles"), Value(roles));
            kwargs.insert(QStringLiteral("displayName"), Value(displayName));
        } else if (command == QLatin1String("roles") && (words.size() == 4 || (words.size() == 3 && rolesSet))) {
            args = {Value(command), Value(user)};
            kwargs.insert(QStringLiteral("roles"), Value(words.size() == 4 ? words[3] : roles));
        } else if ((command == QLatin1String("disable") || command == QLatin1String("enable")
                    || command == QLatin1String("unlock")) && words.size() == 3) {
            args = {Value(command), Value(user)};
        } else if (command == QLatin1String("directories") && words.size() == 3 && user == QLatin1String("test")) {
            args = {Value(QStringLiteral("directories-test"))};
        } else if (command == QLatin1String("directories")
                   && ((words.size() == 3 && (user == QLatin1String("show") || user == QLatin1String("clear")))
                       || (words.size() == 4 && user == QLatin1String("set")))) {
            args = {Value(command)};
            if (user == QLatin1String("clear")) {
                kwargs.insert(QStringLiteral("json"), Value(QString()));
            } else if (user == QLatin1String("set")) {
                QFile file(words[3]);
                if (!file.open(QIODevice::ReadOnly))
                    return failed(QStringLiteral("cannot read %1: %2").arg(words[3], file.errorString()));
                kwargs.insert(QStringLiteral("json"), Value(QString::fromUtf8(file.readAll())));
            }
        } else {
            return usage(QStringLiteral("users takes list, add USER, passwd USER, roles USER R,R, disable USER, "
                                        "enable USER, unlock USER or directories show|set FILE|clear|test"));
        }
    } else if (group == QLatin1String("devices")) {
        if (command == QLatin1String("list") && words.size() == 2)
            args = {Value(command)};
        else if ((command == QLatin1String("approve") || command == QLatin1String("revoke")
                  || command == QLatin1String("remove")) && words.size() == 3)
            args = {Value(command), Value(words[2])};
        else if (command == QLatin1String("auto-approve") && words.size() == 2)
            args = {Value(command)};
        else if (command == QLatin1String("auto-approve") && words.size() == 4
                 && (words[3] == QLatin1String("on") || words[3] == QLatin1String("off")))
            args = {Value(command), Value(words[2]), Value(words[3] == QLatin1String("on"))};
        else
            return usage(QStringLiteral("devices takes list, approve/revoke/remove and one device, or "
                                        "auto-approve [field|office on|off]"));
    } else if (group == QLatin1String("audit") && words.size() == 1) {
        rpc = &adminAuditRpc();
        args = {Value(limit)};
    } else if ((group == QLatin1String("services") && words.size() == 1)
               || (group == QLatin1String("plugins") && command == QLatin1String("list") && words.size() == 2)
               || (group == QLatin1String("health") && words.size() == 1)) {
        rpc = &adminServicesRpc();
    } else if (group == QLatin1String("plugins") && (command == QLatin1String("install") || command == QLatin1String("upgrade"))
               && words.size() == 3) {
        rpc = &adminInstallRpc(); // sent in pieces below
    } else if (group == QLatin1String("logs") && words.size() == 1) {
        rpc = &adminLogsRpc();
        args = {Value(service), Value(qint64(-1)), Value(lines), Value(level)};
    } else if (group == QLatin1String("tasks") && (words.size() == 1 || (words.size() == 3 && command == QLatin1String("retry")))) {
        rpc = &adminTasksRpc();
        if (words.size() == 3)
            args = {Value(command), Value(words[2])};
    } else if (group == QLatin1String("plugins") && command == QLatin1String("settings")
               && (words.size() == 3 || (words.size() == 4 && reset) || (words.size() == 5 && !reset))) {
        rpc = &adminSettingsRpc();
        args = {Value(words[2])};
        if (words.size() >= 4)
            args.push_back(Value(words[3]));
        if (words.size() == 5) {
            QString value = words[4];
            if (value == QLatin1String("-")) { // kept out of the command line (passwords)
                auto read = readPassword(QStringLiteral("Value of %1: ").arg(words[3]), false);
                if (!read)
                    return failed(read.error().message());
                value = read.value();
            }
            args.push_back(Value(value));
        }
        if (reset)
            kwargs.insert(QStringLiteral("reset"), Value(true));
    } else if (group == QLatin1String("plugins") && words.size() == 3
               && (command == QLatin1String("enable") || command == QLatin1String("disable")
                   || command == QLatin1String("rollback"))) {
        rpc = &adminPluginsRpc();
        args = {Value(command), Value(words[2])};
    } else {
        return usage(QStringLiteral("unknown command '%1'").arg(words.join(u' ')));
    }

    if (group == QLatin1String("plugins") && (command == QLatin1String("install") || command == QLatin1String("upgrade"))
        && words.size() == 3) {
        QFile file(words[2]);
        if (!file.open(QIODevice::ReadOnly))
            return failed(QStringLiteral("cannot read %1: %2").arg(words[2], file.errorString()));
        const QByteArray package = file.readAll();
        if (package.isEmpty())
            return failed(QStringLiteral("%1 is empty").arg(words[2]));
        constexpr qint64 kPiece = 256 * 1024;
        const QString uploadId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const auto piece = [&](qint64 offset) {
            return ValueList {Value(uploadId), Value(offset), Value(qint64(package.size())),
                              Value(QString::fromLatin1(package.mid(offset, kPiece).toBase64()))};
        };
        const bool showProgress = isatty(STDERR_FILENO);
        // What it is, to follow it onto the services (logic says why when it cannot be read).
        const auto local = PluginPackage::read(package, PluginAbi {});
        qint64 sent = 0;
        std::optional<Value> installed;
        QList<Deployed> services;
        QDeadlineTimer deadline;
        auto done = call(target, adminInstallRpc(), piece(0), kwargs, [&](const Value &answer) -> std::optional<Next> {
            if (!installed) {
                if (const Value *received = answer.toDict().find(QStringLiteral("received"))) {
                    sent = received->toInt();
                    if (showProgress)
                        std::fprintf(stderr, "\ruploading %s: %lld%% of %.1f MB", qPrintable(QFileInfo(words[2]).fileName()),
                                     qlonglong(sent * 100 / package.size()), double(package.size()) / 1e6);
                    return Next {piece(sent)};
                }
                installed = answer; // logic runs it; now the other services
                if (noWait || !local)
                    return std::nullopt;
                deadline.setRemainingTime(waitSeconds * 1000);
                return Next {{}, &adminServicesRpc()};
            }
            services = deployment(answer, local.value().name(), local.value().version(), local.value().metadata.roles);
            const auto waiting = std::count_if(services.cbegin(), services.cend(),
                                               [](const Deployed &d) { return d.state == QLatin1String("waiting"); });
            if (showProgress)
                std::fprintf(stderr, "\rservices running %s %s: %lld of %lld   ", qPrintable(local.value().name()),
                             qPrintable(local.value().version()), qlonglong(services.size() - waiting), qlonglong(services.size()));
            return waiting == 0 || deadline.hasExpired() ? std::nullopt : std::optional<Next>(Next {{}, nullptr, 250});
        });
        if (showProgress)
            std::fprintf(stderr, "\n");
        if (!done)
            return failed(done.error().message());
        const QString what = installed->toDict().string(QStringLiteral("installed"));
        if (json) {
            QJsonObject out = toJson(*installed).toObject();
            if (!noWait && local)
                out.insert(QStringLiteral("services"), deploymentJson(services));
            std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Indented).constData());
        } else {
            std::printf("installed %s\n", qPrintable(what));
        }
        if (noWait || !local) {
            if (!json)
                printPlugins(*installed->toDict().find(QStringLiteral("services")));
            return 0;
        }
        if (!json)
            printDeployment(services, local.value().version());
        std::fflush(stdout);
        if (!deployedEverywhere(services))
            return failed(QStringLiteral("%1 does not run on every service it should (see above); they keep the version "
                                         "before; `peek-server admin health` shows it until it is fixed").arg(what));
        return 0;
    }
    if (group == QLatin1String("logs")) {
        // Each answer is printed as it comes; with --follow the next asks for what came after.
        const auto print = [json](const Value &answer) {
            const auto *tail = dynamic_cast<const LogTailTuple *>(answer.toTuple().get());
            if (!tail)
                return false;
            if (json) {
                std::printf("%s\n", QJsonDocument(toJson(answer).toObject()).toJson(QJsonDocument::Compact).constData());
            } else {
                for (const Value &record : tail->records)
                    std::printf("%s\n", qPrintable(record.toString()));
            }
            std::fflush(stdout);
            return true;
        };
        auto done = call(target, *rpc, args, kwargs, [&](const Value &answer) -> std::optional<Next> {
            if (!print(answer) || !follow)
                return std::nullopt;
            const auto *tail = dynamic_cast<const LogTailTuple *>(answer.toTuple().get());
            return Next {{Value(service), Value(tail->endOffset), Value(qint64(1000)), Value(level)}, nullptr, 1000};
        });
        return done ? 0 : failed(done.error().message());
    }
    auto answer = call(target, *rpc, args, kwargs);
    if (!answer)
        return failed(answer.error().message());
    const QJsonValue out = toJson(answer.value());
    if (json && group == QLatin1String("health")) {
        bool ok = true;
        for (const ServiceInfoTuple *s : servicesOf(answer.value())) {
            for (const Value &p : s->plugins)
                ok = ok && p.toDict().string(QStringLiteral("state")) != QLatin1String("failed");
            ok = ok && s->problems.empty();
        }
        std::printf("%s\n", QJsonDocument(out.toArray()).toJson(QJsonDocument::Indented).constData());
        std::fflush(stdout);
        return ok ? 0 : 1;
    }
    if (json && answer.value().type() == Value::Type::String) {
        std::printf("%s", qPrintable(answer.value().toString()));
    } else if (json) {
        std::printf("%s\n", QJsonDocument(out.isArray() ? QJsonDocument(out.toArray()) : QJsonDocument(out.toObject()))
                                .toJson(QJsonDocument::Indented).constData());
    } else if (group == QLatin1String("audit")) {
        printAudit(out.toArray());
    } else if (group == QLatin1String("services")) {
        printServices(answer.value());
    } else if (group == QLatin1String("plugins") && command == QLatin1String("settings")) {
        printSettings(out.toArray());
    } else if (group == QLatin1String("tasks")) {
        if (command == QLatin1String("retry"))
            std::printf("task %s is queued again\n", qPrintable(words[2]));
        printTasks(out.toObject());
    } else if (group == QLatin1String("plugins") && command != QLatin1String("list")) {
        std::printf("%s %s\n", qPrintable(words[2]),
                    command == QLatin1String("enable")    ? "enabled on every service linked to logic"
                    : command == QLatin1String("disable") ? "disabled on every service linked to logic"
                                                          : "rolled back to the version before");
        printPlugins(answer.value());
    } else if (group == QLatin1String("plugins")) {
        printPlugins(answer.value());
    } else if (group == QLatin1String("health")) {
        const bool ok = printHealth(answer.value());
        std::fflush(stdout);
        return ok ? 0 : 1;
    } else if (group == QLatin1String("users") && command == QLatin1String("list")) {
        printUsers(out.toArray());
    } else if (group == QLatin1String("users") && command == QLatin1String("directories") && words.value(2) == QLatin1String("test")) {
        bool ok = true;
        QList<QStringList> rows;
        for (const QJsonValue &v : out.toArray()) {
            const QJsonObject d = v.toObject();
            ok = ok && d.value(QLatin1String("ok")).toBool();
            rows << QStringList {text(d, "name"), text(d, "url"), d.value(QLatin1String("ok")).toBool() ? QStringLiteral("ok") : QStringLiteral("FAILED"),
                                 text(d, "message")};
        }
        if (rows.isEmpty())
            std::printf("no directories are configured (peek-server admin users directories set FILE)\n");
        else
            printTable({QStringLiteral("DIRECTORY"), QStringLiteral("URL"), QStringLiteral("RESULT"), QStringLiteral("DETAIL")}, rows);
        std::fflush(stdout);
        return ok ? 0 : 1;
    } else if (group == QLatin1String("users") && command == QLatin1String("directories")) {
        std::printf("%s", qPrintable(answer.value().toString()));
    } else if (group == QLatin1String("users")) {
        const QJsonObject u = out.toObject();
        std::printf("user %s: %s\n", qPrintable(text(u, "userName")),
                    qPrintable(command == QLatin1String("add") ? QStringLiteral("added")
                               : command == QLatin1String("passwd") ? QStringLiteral("password set")
                               : command == QLatin1String("roles") ? QStringLiteral("roles %1").arg(rolesText(u))
                               : command == QLatin1String("unlock") ? QStringLiteral("unlocked (failed logins forgotten)")
                               : text(u, "disabled") == QLatin1String("yes") ? QStringLiteral("disabled")
                                                                          : QStringLiteral("enabled")));
    } else if (command == QLatin1String("list")) {
        printDevices(out.toArray());
    } else if (command == QLatin1String("auto-approve")) {
        const QJsonObject o = out.toObject();
        std::printf("new field devices: %s\nnew office devices: %s\n",
                    o.value(QLatin1String("field")).toBool() ? "approved automatically" : "wait for an operator",
                    o.value(QLatin1String("office")).toBool() ? "approved automatically" : "wait for an operator");
    } else {
        const QJsonObject d = out.toObject();
        std::printf("%s %s (%s): %s\n", qPrintable(command == QLatin1String("remove") ? QStringLiteral("removed") : QStringLiteral("device")),
                    qPrintable(text(d, "description")), qPrintable(text(d, "deviceId")),
                    qPrintable(command == QLatin1String("remove") ? QStringLiteral("forgotten") : text(d, "state")));
    }
    std::fflush(stdout);
    return 0;
}

int package(const QStringList &arguments)
{
    QString directory;
    QString out = QDir::currentPath();
    for (int i = 0; i < arguments.size(); ++i) {
        if (arguments[i] == QLatin1String("--out") && i + 1 < arguments.size())
            out = arguments[++i];
        else if (!arguments[i].startsWith(QLatin1String("--")) && directory.isEmpty())
            directory = arguments[i];
        else {
            std::fprintf(stderr, "usage: peek-server package PLUGIN_DIR [--out DIR]\n");
            return 2;
        }
    }
    if (directory.isEmpty()) {
        std::fprintf(stderr, "usage: peek-server package PLUGIN_DIR [--out DIR]\n");
        return 2;
    }
    auto built = PluginPackage::build(directory);
    if (!built)
        return failed(built.error().message());
    auto checked = PluginPackage::read(built.value());
    if (!checked)
        return failed(checked.error().message());
    if (!QDir().mkpath(out))
        return failed(QStringLiteral("cannot create %1").arg(out));
    QFile file(QDir(out).absoluteFilePath(checked.value().fileName()));
    if (!file.open(QIODevice::WriteOnly) || file.write(built.value()) != built.value().size())
        return failed(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
    std::printf("%s: %s %s, %lld files, %lld bytes, for %s\n", qPrintable(file.fileName()),
                qPrintable(checked.value().name()), qPrintable(checked.value().version()),
                qlonglong(checked.value().files.size()), qlonglong(built.value().size()),
                qPrintable(checked.value().abi.toString()));
    return 0;
}

} // namespace peek::admin
