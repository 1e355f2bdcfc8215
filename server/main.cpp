// peek-server: the headless Peek server. Runs the roles of config.json (or --roles) in one
// process: logic, field, office, agent, worker, each with the plugins enabled for it.
#include "service/logging.h"
#include "host/servicehost.h"
#include "service/serviceconfig.h"
#include "tuple/decodelimits.h"
#include "service/stopsignals.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QRandomGenerator>
#include <QLoggingCategory>
#include <QStandardPaths>
#include <QTimer>

#include <csignal>
#include <cstdio>

namespace {

Q_LOGGING_CATEGORY(lcServer, "peek.server")

int fail(int code, const QString &message)
{
    std::fprintf(stderr, "peek-server: %s\n", qPrintable(message));
    return code;
}

// Where the bundled plugins are: $PEEK_PLUGIN_PATH (':'-separated), then beside the binary in
// the build tree (../plugins) and in an installation (../lib/peek/plugins).
QStringList bundledPluginDirectories()
{
    QStringList dirs;
    const QString env = qEnvironmentVariable("PEEK_PLUGIN_PATH");
    if (!env.isEmpty())
        dirs << env.split(u':', Qt::SkipEmptyParts);
    const QDir appDir(QCoreApplication::applicationDirPath());
    for (const QString &relative : {QStringLiteral("../plugins"), QStringLiteral("../lib/peek/plugins")}) {
        const QString dir = QDir::cleanPath(appDir.absoluteFilePath(relative));
        if (QFileInfo(dir).isDir())
            dirs << dir;
    }
    return dirs;
}

} // namespace

int main(int argc, char *argv[])
{
    // Qt's glib dispatcher slows down with many sockets; servers run on the UNIX dispatcher
    // whatever the environment says (this must happen before the application object exists).
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("peek-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PEEK_VERSION));

    const QString defaultHome =
        QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/peek");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Peek's headless server: runs the logic, field, office, agent and worker services (all in "
        "one process by default) and the plugins enabled in config.json."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption rolesOption(QStringLiteral("roles"),
                                   QStringLiteral("Roles to run, comma-separated, from logic, field, office, agent, "
                                                  "worker (default: \"roles\" of config.json, all)."),
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
    parser.addOptions({rolesOption, logicUrlOption, portOption, homeOption, listenOption});
    parser.process(app);

    bool portOk = true;
    const uint port = parser.isSet(portOption) ? parser.value(portOption).toUInt(&portOk) : 0;
    if (!portOk || port > 65535)
        return fail(2, QStringLiteral("--port must be a number from 0 to 65535, not '%1'").arg(parser.value(portOption)));
    const QHostAddress address(parser.value(listenOption));
    if (address.isNull())
        return fail(2, QStringLiteral("--listen must be an IP address, not '%1'").arg(parser.value(listenOption)));

    const QString home = QDir(parser.isSet(homeOption) ? parser.value(homeOption) : defaultHome).absolutePath();
    auto config = peek::ServiceConfig::load(home);
    if (!config)
        return fail(2, config.error().message());
    peek::ServiceConfig &cfg = config.value();

    peek::ServiceHostOptions options;
    options.home = home;
    options.roles = parser.isSet(rolesOption) ? parser.value(rolesOption).split(u',', Qt::SkipEmptyParts)
                                              : cfg.stringList(QStringLiteral("roles"));
    for (QString &role : options.roles)
        role = role.trimmed();
    if (const QString wrong = peek::ServiceHost::checkRoles(options.roles); !wrong.isEmpty())
        return fail(2, (parser.isSet(rolesOption) ? QStringLiteral("--roles: ") : QStringLiteral("config.json roles: ")) + wrong);
    options.logicUrl = QUrl(parser.isSet(logicUrlOption) ? parser.value(logicUrlOption)
                                                         : cfg.stringValue(QStringLiteral("logic.url")));
    if (!options.roles.contains(QStringLiteral("logic"))
        && (!options.logicUrl.isValid() || !QStringList {QStringLiteral("ws"), QStringLiteral("wss")}.contains(options.logicUrl.scheme())))
        return fail(2, QStringLiteral("--logic-url must be ws://host:port or wss://host:port, not '%1'")
                           .arg(options.logicUrl.toString()));
    options.listenAddress = address;
    options.fieldPort = cfg.intValue(QStringLiteral("ports.field"), 8000);
    options.officePort = cfg.intValue(QStringLiteral("ports.office"), 8002);
    options.logicAdminPort = cfg.intValue(QStringLiteral("ports.logicAdmin"), 8010);
    options.logicDataExchangePort = parser.isSet(portOption) ? int(port)
                                                             : cfg.intValue(QStringLiteral("ports.logicDataExchange"), 8011);
    options.storageUrl = cfg.stringValue(QStringLiteral("storage.url"));
    options.enabledPlugins = cfg.stringList(QStringLiteral("plugin.enabled"));
    options.pluginDirectories = bundledPluginDirectories();
    const auto seconds = [&cfg](const char *key, int fallback) {
        return int(std::min<qint64>(INT_MAX, qint64(cfg.intValue(QLatin1String(key), fallback)) * 1000));
    };
    options.tasks.leaseMs = std::max(1000, seconds("tasks.leaseSeconds", 30));
    options.tasks.maxAttempts = std::max(1, cfg.intValue(QStringLiteral("tasks.maxAttempts"), 3));
    options.tasks.retryBackoffMs = std::max(0, seconds("tasks.retryBackoffSeconds", 2));
    options.tasks.timeoutMs = std::max(1000, seconds("tasks.timeoutSeconds", 600));
    options.tasks.resultExpiryMs = std::max(1000, seconds("tasks.resultExpirySeconds", 3600));
    options.tasks.workerThreads = std::max(0, cfg.intValue(QStringLiteral("worker.threads"), 0));
    options.workerName = cfg.stringValue(QStringLiteral("worker.name"));
    options.vortexOptions = peek::ServiceConfig::devicePortOptions();
    peek::DecodeLimits decodeLimits;
    cfg.readLimits(options.vortexOptions, decodeLimits);
    peek::DecodeLimits::setCurrent(decodeLimits);

    // The join token: logic makes one on first start; the other services must be given it.
    QString joinToken = cfg.stringValue(QStringLiteral("logic.joinToken"));
    bool madeJoinToken = false;
    if (options.roles.contains(QStringLiteral("logic")) && joinToken.isEmpty()) {
        quint32 secret[8]; // 256 bits from the operating system's secure source
        QRandomGenerator::system()->fillRange(secret);
        joinToken = QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(secret), sizeof secret)
                                            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        if (auto saved = cfg.setString(QStringLiteral("logic.joinToken"), joinToken); !saved)
            return fail(2, saved.error().message());
        madeJoinToken = true;
    } else if (!options.roles.contains(QStringLiteral("logic")) && joinToken.isEmpty()) {
        return fail(2, QStringLiteral("logic.joinToken is empty in %1: these roles dial logic at %2, which refuses "
                                      "services without its join token; copy logic.joinToken from the logic "
                                      "service's config.json")
                           .arg(cfg.filePath(), options.logicUrl.toString()));
    }
    options.joinToken = joinToken.toUtf8();

    peek::logging::Options logOptions;
    logOptions.filePath = QDir(home).absoluteFilePath(QStringLiteral("peek-server.log"));
    logOptions.level = cfg.stringValue(QStringLiteral("logging.level"), QStringLiteral("info"));
    logOptions.defaultRole = options.roles.size() == peek::ServiceHost::allRoles().size()
        ? QStringLiteral("all") : options.roles.join(u',');
    QString logError;
    if (!peek::logging::setLevel(logOptions.level, &logError))
        return fail(2, QStringLiteral("config.json logging.level: ") + logError);
    if (!peek::logging::install(logOptions, &logError))
        return fail(2, logError);

    if (cfg.created())
        qCInfo(lcServer).noquote() << "created" << cfg.filePath() << "with the defaults";
    for (const QString &key : cfg.addedKeys())
        qCInfo(lcServer).noquote() << "config.json: added the default for" << key << "to" << cfg.filePath();
    if (madeJoinToken)
        qCInfo(lcServer).noquote() << "made the installation's join token (logic.joinToken in" << cfg.filePath()
                                   << "); services on other machines need the same value in their config.json";
    for (const QString &key : cfg.unknownKeys())
        qCWarning(lcServer).noquote() << "config.json: unknown key" << key << "in" << cfg.filePath()
                                      << "(kept as it is; check it for a typo)";

    peek::ServiceHost host(options);
    QString error;
    if (!host.start(&error)) {
        qCCritical(lcServer).noquote() << error;
        peek::logging::uninstall();
        if (error.contains(QLatin1String("cannot listen")))
            error += QStringLiteral("\n(is another peek-server running? choose other ports in config.json or with --port)");
        return fail(1, error);
    }
    std::printf("peek-server %s: home %s\n", PEEK_VERSION, qPrintable(home));
    for (const QString &line : host.describe()) {
        std::printf("peek-server: %s\n", qPrintable(line));
        qCInfo(lcServer).noquote() << line;
    }
    std::printf("peek-server: ready\n");
    std::fflush(stdout);

    peek::installStopSignalHandler(&app, [&](int signal) {
        std::printf("peek-server: %s received, shutting down\n", signal == SIGINT ? "SIGINT" : "SIGTERM");
        std::fflush(stdout);
        qCInfo(lcServer).noquote() << (signal == SIGINT ? "SIGINT" : "SIGTERM") << "received, shutting down";
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
