#include "host/hostsetup.h"

#include "base/secrethash.h"

#include "service/logging.h"
#include "service/serviceconfig.h"
#include "tuple/decodelimits.h"

#include <QCoreApplication>
#include <QDir>
#include <QLoggingCategory>

#include <algorithm>
#include <climits>

namespace peek {

namespace {

Q_LOGGING_CATEGORY(lcSetup, "peek.server")

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

void readTaskSettings(const ServiceConfig &cfg, TaskSettings &tasks)
{
    const auto seconds = [&cfg](const char *key, int fallback) {
        return int(std::min<qint64>(INT_MAX, qint64(cfg.intValue(QLatin1String(key), fallback)) * 1000));
    };
    tasks.leaseMs = std::max(1000, seconds("tasks.leaseSeconds", 30));
    tasks.maxAttempts = std::max(1, cfg.intValue(QStringLiteral("tasks.maxAttempts"), 3));
    tasks.retryBackoffMs = std::max(0, seconds("tasks.retryBackoffSeconds", 2));
    tasks.timeoutMs = std::max(1000, seconds("tasks.timeoutSeconds", 600));
    tasks.resultExpiryMs = std::max(1000, seconds("tasks.resultExpirySeconds", 3600));
    tasks.workerThreads = std::max(0, cfg.intValue(QStringLiteral("worker.threads"), 0));
}

} // namespace

Result<HostSetup> HostSetup::prepare(const HostOverrides &overrides)
{
    auto config = ServiceConfig::load(overrides.home);
    if (!config)
        return config.error();
    HostSetup setup;
    ServiceConfig &cfg = config.value();
    setup.configPath = cfg.filePath();
    ServiceHostOptions &options = setup.options;
    options.home = overrides.home;

    QStringList roleNames = overrides.roles ? *overrides.roles : cfg.stringList(QStringLiteral("roles"));
    for (QString &name : roleNames)
        name = name.trimmed();
    auto roles = Role::parseList(roleNames);
    if (!roles)
        return Error {(overrides.roles ? QStringLiteral("--roles: ") : QStringLiteral("config.json roles: "))
                      + roles.error().message()};
    options.roles = roles.value();
    const bool logic = options.roles.contains(Role::Logic);
    options.logicUrl = QUrl(overrides.logicUrl ? *overrides.logicUrl : cfg.stringValue(QStringLiteral("logic.url")));
    if (!logic
        && (!options.logicUrl.isValid()
            || !QStringList {QStringLiteral("ws"), QStringLiteral("wss")}.contains(options.logicUrl.scheme()))) {
        return Error {QStringLiteral("--logic-url must be ws://host:port or wss://host:port, not '%1'")
                          .arg(options.logicUrl.toString())};
    }
    options.listenAddress = overrides.listenAddress;
    options.fieldPort = cfg.intValue(QStringLiteral("ports.field"), Role(Role::Field).defaultPort());
    options.officePort = cfg.intValue(QStringLiteral("ports.office"), Role(Role::Office).defaultPort());
    options.logicAdminPort = cfg.intValue(QStringLiteral("ports.logicAdmin"), Role::kLogicAdminPort);
    options.logicDataExchangePort = overrides.port
        ? int(*overrides.port)
        : cfg.intValue(QStringLiteral("ports.logicDataExchange"), Role(Role::Logic).defaultPort());
    options.storageUrl = cfg.stringValue(QStringLiteral("storage.url"));
    options.enabledPlugins = cfg.stringList(QStringLiteral("plugin.enabled"));
    for (const QString &name : overrides.enablePlugins) {
        if (!options.enabledPlugins.contains(name)) {
            options.enabledPlugins << name;
            qCInfo(lcSetup).noquote() << "plugin" << name << "is enabled for this run (--enable-plugin; config.json is unchanged)";
        }
    }
    options.requireDeviceEnrolment = cfg.value(QStringLiteral("devices.requireEnrolment")).toBool(true);
    if (overrides.noEnrolment) {
        options.requireDeviceEnrolment = false;
        qCWarning(lcSetup).noquote() << "devices are served without enrolment or login for this run (--no-enrolment, on"
                                     << overrides.listenAddress.toString() << "only; config.json is unchanged)";
    }
    options.metricsToken = cfg.stringValue(QStringLiteral("metrics.token"));
    options.pluginDirectories = overrides.pluginDirectories + bundledPluginDirectories();
    readTaskSettings(cfg, options.tasks);
    options.workerName = cfg.stringValue(QStringLiteral("worker.name"));
    options.vortexOptions = ServiceConfig::devicePortOptions();
    DecodeLimits decodeLimits;
    cfg.readLimits(options.vortexOptions, decodeLimits);
    options.vortexOptions.ioThreads = std::max(VortexOptions::kIoThreadsPerCore,
                                               cfg.intValue(QStringLiteral("network.ioThreads"), VortexOptions::kIoThreadsPerCore));
    options.serviceThreads = cfg.value(QStringLiteral("network.serviceThreads")).toBool(true);
    DecodeLimits::setCurrent(decodeLimits);

    // The join token: logic makes one on first start; the other services must be given it.
    QString joinToken = cfg.stringValue(QStringLiteral("logic.joinToken"));
    const bool madeJoinToken = logic && joinToken.isEmpty();
    if (madeJoinToken) {
        joinToken = QString::fromLatin1(randomSecret());
        if (auto saved = cfg.setString(QStringLiteral("logic.joinToken"), joinToken); !saved)
            return saved.error();
    } else if (!logic && joinToken.isEmpty()) {
        return Error {QStringLiteral("logic.joinToken is empty in %1: these roles dial logic at %2, which refuses "
                                     "services without its join token; copy logic.joinToken from the logic "
                                     "service's config.json")
                          .arg(cfg.filePath(), options.logicUrl.toString())};
    }
    options.joinToken = joinToken.toUtf8();

    setup.m_logLevel = cfg.stringValue(QStringLiteral("logging.level"), QStringLiteral("info"));
    // logging.journal: "auto" (the default: when systemd connected stderr to the journal, it
    // says so in JOURNAL_STREAM), true or false.
    const QJsonValue journal = cfg.value(QStringLiteral("logging.journal"));
    setup.m_journal = journal.isBool() ? journal.toBool() : qEnvironmentVariableIsSet("JOURNAL_STREAM");
    if (cfg.created())
        setup.m_notes << QStringLiteral("created %1 with the defaults").arg(cfg.filePath());
    for (const QString &key : cfg.addedKeys())
        setup.m_notes << QStringLiteral("config.json: added the default for %1 to %2").arg(key, cfg.filePath());
    if (madeJoinToken)
        setup.m_notes << QStringLiteral("made the installation's join token (logic.joinToken in %1); services on "
                                        "other machines need the same value in their config.json")
                             .arg(cfg.filePath());
    for (const QString &key : cfg.unknownKeys())
        setup.m_warnings << QStringLiteral("config.json: unknown key %1 in %2 (kept as it is; check it for a typo)")
                                .arg(key, cfg.filePath());
    return setup;
}

Result<void> HostSetup::installLog()
{
    logging::Options logOptions;
    logOptions.filePath = logging::filePathIn(options.home);
    logOptions.level = m_logLevel;
    logOptions.journal = m_journal;
    logOptions.defaultRole = options.roles.size() == Role::all().size() ? QStringLiteral("all")
                                                                          : Role::namesOf(options.roles).join(u',');
    if (auto set = logging::setLevel(logOptions.level); !set)
        return set.error().context(QStringLiteral("config.json logging.level"));
    if (auto installed = logging::install(logOptions); !installed)
        return installed;
    for (const QString &note : std::as_const(m_notes))
        qCInfo(lcSetup).noquote() << note;
    for (const QString &warning : std::as_const(m_warnings))
        qCWarning(lcSetup).noquote() << warning;
    return {};
}

} // namespace peek
