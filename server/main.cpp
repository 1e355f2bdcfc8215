// peek-server: the headless Peek server. Runs the roles of config.json (or --roles) in one
// process: logic, field, office, agent, worker, each with the plugins enabled for it.
#include "admin/admincommand.h"
#include "admin/backup.h"
#include "admin/newplugin.h"
#include "base/eventdispatcher.h"
#include "host/hostsetup.h"
#include "host/servicehost.h"
#include "service/logging.h"
#include "service/servicemanager.h"
#include "service/stopsignals.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QLoggingCategory>
#include <QStandardPaths>
#include <QStringList>
#include <QTimer>

#include <algorithm>

#include <csignal>
#include <cstdio>

namespace {

Q_LOGGING_CATEGORY(lcServer, "peek.server")

int fail(int code, const QString &message)
{
    std::fprintf(stderr, "peek-server: %s\n", qPrintable(message));
    return code;
}

// Reads the command line into `overrides`; 0 when fine, else the exit code (the message printed).
int readCommandLine(peek::HostOverrides &overrides)
{
    const QString defaultHome =
        QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/peek");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Peek's headless server: runs the logic, field, office, agent and worker services (all in "
        "one process by default) and the plugins enabled in config.json."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption rolesOption(QStringLiteral("roles"),
                                   QStringLiteral("Roles to run, comma-separated, from %1 (default: \"roles\" of "
                                                  "config.json, all).").arg(peek::Role::names()),
                                   QStringLiteral("roles"));
    QCommandLineOption logicUrlOption(QStringLiteral("logic-url"),
                                      QStringLiteral("Where roles reach logic when it runs in another process, "
                                                     "ws://host:8011 or wss://host:8011 (default: logic.url of "
                                                     "config.json)."),
                                      QStringLiteral("url"));
    QCommandLineOption portOption(QStringLiteral("port"),
                                  QStringLiteral("Port of the logic data exchange (default: "
                                                 "ports.logicDataExchange of config.json, 8011)."),
                                  QStringLiteral("port"));
    QCommandLineOption homeOption(QStringLiteral("home"),
                                  QStringLiteral("The service home: config.json, database, log, TLS bundle, "
                                                 "plugins (default: %1).").arg(QDir::toNativeSeparators(defaultHome)),
                                  QStringLiteral("dir"));
    QCommandLineOption listenOption(QStringLiteral("listen"),
                                    QStringLiteral("Address to listen on (default: all)."),
                                    QStringLiteral("address"), QStringLiteral("0.0.0.0"));
    QCommandLineOption enablePluginOption(QStringLiteral("enable-plugin"),
                                          QStringLiteral("Also run this plugin (repeat, or separate names with commas), for "
                                                         "this run only: config.json is not changed."),
                                          QStringLiteral("name"));
    QCommandLineOption pluginDirOption(QStringLiteral("plugin-dir"),
                                       QStringLiteral("Look for plugins in this folder first (repeatable): a plugin's "
                                                      "build folder, e.g. build/plugins."),
                                       QStringLiteral("dir"));
    QCommandLineOption noEnrolmentOption(QStringLiteral("no-enrolment"),
                                         QStringLiteral("For a developer's machine: serve this machine's apps without device "
                                                        "enrolment or login, for this run only (needs --listen 127.0.0.1)."));
    parser.addOptions({rolesOption, logicUrlOption, portOption, homeOption, listenOption, enablePluginOption, pluginDirOption,
                       noEnrolmentOption});
    parser.process(QCoreApplication::arguments());

    bool portOk = true;
    const uint port = parser.isSet(portOption) ? parser.value(portOption).toUInt(&portOk) : 0;
    if (!portOk || port > 65535)
        return fail(2, QStringLiteral("--port must be a number from 0 to 65535, not '%1'").arg(parser.value(portOption)));
    const QHostAddress address(parser.value(listenOption));
    if (address.isNull())
        return fail(2, QStringLiteral("--listen must be an IP address, not '%1'").arg(parser.value(listenOption)));

    overrides.home = QDir(parser.isSet(homeOption) ? parser.value(homeOption) : defaultHome).absolutePath();
    if (parser.isSet(rolesOption))
        overrides.roles = parser.value(rolesOption).split(u',', Qt::SkipEmptyParts);
    if (parser.isSet(logicUrlOption))
        overrides.logicUrl = parser.value(logicUrlOption);
    if (parser.isSet(portOption))
        overrides.port = quint16(port);
    overrides.listenAddress = address;
    static const QRegularExpression pluginName(QStringLiteral("^[a-z][a-z0-9_]*$"));
    for (const QString &names : parser.values(enablePluginOption)) {
        for (const QString &name : names.split(u',', Qt::SkipEmptyParts)) {
            if (!pluginName.match(name.trimmed()).hasMatch())
                return fail(2, QStringLiteral("--enable-plugin takes plugin names (lower case letters, digits and '_'), not '%1'").arg(name));
            overrides.enablePlugins << name.trimmed();
        }
    }
    if (parser.isSet(noEnrolmentOption)) {
        if (!address.isLoopback())
            return fail(2, QStringLiteral("--no-enrolment serves every device without enrolment or login: it runs only with "
                                          "--listen 127.0.0.1 (this machine's own apps), not on %1").arg(address.toString()));
        overrides.noEnrolment = true;
    }
    for (const QString &dir : parser.values(pluginDirOption)) {
        if (!QFileInfo(dir).isDir())
            return fail(2, QStringLiteral("--plugin-dir %1 is not a folder").arg(dir));
        overrides.pluginDirectories << QDir(dir).absolutePath();
    }

    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    // Qt's dispatchers poll every socket on every loop iteration (glib's slowest of all): the
    // server runs on epoll whatever the environment says, or on Qt's UNIX dispatcher when
    // PEEK_EVENT_DISPATCHER=qt asks for it (both must be chosen before the application exists).
    qputenv("QT_NO_GLIB", "1");
    const char *dispatcher = peek::installEventDispatcher();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("peek-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PEEK_VERSION));

    // Packs an installed plugin: peek-server package PLUGIN_DIR [--out DIR].
    if (const QStringList args = QCoreApplication::arguments(); args.size() > 1 && args[1] == QLatin1String("package"))
        return peek::admin::package(args.mid(2));

    // A new plugin from the template: peek-server new-plugin NAME [--dir DIR].
    if (const QStringList args = QCoreApplication::arguments(); args.size() > 1 && args[1] == QLatin1String("new-plugin"))
        return peek::admin::newPlugin(args.mid(2));

    // Backup and restore of a home: peek-server backup --to FILE / restore FILE --home DIR.
    if (const QStringList args = QCoreApplication::arguments(); args.size() > 1 && args[1] == QLatin1String("backup"))
        return peek::admin::backup(args.mid(2));
    if (const QStringList args = QCoreApplication::arguments(); args.size() > 1 && args[1] == QLatin1String("restore"))
        return peek::admin::restore(args.mid(2));

    // The operator's console: peek-server admin ... (talks to the running logic).
    if (const QStringList args = QCoreApplication::arguments(); args.size() > 1 && args[1] == QLatin1String("admin"))
        return peek::admin::run(args.mid(2));

    peek::HostOverrides overrides;
    if (const int rc = readCommandLine(overrides))
        return rc;

    auto prepared = peek::HostSetup::prepare(overrides);
    if (!prepared)
        return fail(2, prepared.error().message());
    peek::HostSetup &setup = prepared.value();
    if (auto logging = setup.installLog(); !logging)
        return fail(2, logging.error().message());

    // One process per home and set of roles (a restore waits for none to run).
    QStringList roleNames;
    for (const peek::Role &role : setup.options.roles)
        roleNames << role.name();
    QString lockRefused;
    const auto homeLock = peek::admin::lockHome(overrides.home, roleNames, &lockRefused);
    if (!homeLock)
        return fail(1, lockRefused);

    peek::ServiceHost host(setup.options);
    if (auto started = host.start(); !started) {
        QString error = started.error().message();
        qCCritical(lcServer).noquote() << error;
        peek::logging::uninstall();
        if (error.contains(QLatin1String("cannot listen")))
            error += QStringLiteral("\n(is another peek-server running? choose other ports in config.json or with --port)");
        return fail(1, error);
    }
    std::printf("peek-server %s: home %s\n", PEEK_VERSION, qPrintable(overrides.home));
    qCInfo(lcServer).noquote() << "event loop on the" << dispatcher << "dispatcher";
    for (const QString &line : host.describe()) {
        std::printf("peek-server: %s\n", qPrintable(line));
        qCInfo(lcServer).noquote() << line;
    }
    std::printf("peek-server: ready\n");
    std::fflush(stdout);
    // systemd (Type=notify): started now; alive as long as the event loop turns (WatchdogSec=).
    peek::servicemanager::ready(QStringLiteral("serving %1 from %2").arg(peek::Role::namesOf(setup.options.roles).join(u','),
                                                                           overrides.home));
    QTimer watchdog;
    if (const qint64 interval = peek::servicemanager::watchdogIntervalMs(); interval > 0) {
        // The main loop turns (this runs) and so do the service threads.
        QObject::connect(&watchdog, &QTimer::timeout, &app, [&host, interval] {
            if (host.servicesTurning(interval))
                peek::servicemanager::watchdog();
        });
        watchdog.start(int(std::max<qint64>(1, interval / 2)));
    }

    peek::installStopSignalHandler(&app, [&](int signal) {
        std::printf("peek-server: %s received, shutting down\n", signal == SIGINT ? "SIGINT" : "SIGTERM");
        std::fflush(stdout);
        qCInfo(lcServer).noquote() << (signal == SIGINT ? "SIGINT" : "SIGTERM") << "received, shutting down";
        peek::servicemanager::stopping();
        host.stop();
        // Let the closing frames go out before the loop ends.
        QTimer::singleShot(100, &app, &QCoreApplication::quit);
    });
    const int rc = app.exec();
    qCInfo(lcServer) << "stopped";
    peek::logging::uninstall();
    std::printf("peek-server: stopped\n");
    return rc;
}
