// peek-server: the headless Peek server. For now it runs the logic role's vortex on one port.
#include "service/serviceconfig.h"
#include "service/stopsignals.h"
#include "vortex/vortex.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QStandardPaths>
#include <QLoggingCategory>
#include <QTimer>

#include <csignal>
#include <cstdio>


namespace {

// logging.level of config.json: debug, info, warning or error, for Peek's own categories.
void applyLogLevel(const QString &level)
{
    QString rules;
    if (level == QLatin1String("debug"))
        rules = QStringLiteral("peek.*.debug=true");
    else if (level == QLatin1String("warning"))
        rules = QStringLiteral("peek.*.debug=false\npeek.*.info=false");
    else if (level == QLatin1String("error"))
        rules = QStringLiteral("peek.*.debug=false\npeek.*.info=false\npeek.*.warning=false");
    else
        rules = QStringLiteral("peek.*.debug=false\npeek.*.info=true");
    QLoggingCategory::setFilterRules(rules);
}

} // namespace

int main(int argc, char *argv[])
{
    // Qt's glib dispatcher slows down with many sockets; servers run on the UNIX dispatcher
    // whatever the environment says (this must happen before the application object exists).
    qputenv("QT_NO_GLIB", "1");
    qSetMessagePattern(QStringLiteral("%{time yyyy-MM-dd hh:mm:ss.zzz} %{if-debug}DEBUG%{endif}"
                                      "%{if-info}INFO %{endif}%{if-warning}WARN %{endif}"
                                      "%{if-critical}ERROR%{endif}%{if-fatal}FATAL%{endif} "
                                      "[%{category}] %{message}"));
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("peek-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PEEK_VERSION));
    QLoggingCategory::setFilterRules(QStringLiteral("peek.*.debug=false\npeek.*.info=true"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Peek's headless server. Runs the logic service's vortex, which the field, office, agent "
        "and worker services connect to."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption portOption(QStringLiteral("port"),
                                  QStringLiteral("Port of the logic data exchange (default: "
                                                 "ports.logicDataExchange of config.json, 8011)."),
                                  QStringLiteral("port"));
    QCommandLineOption homeOption(QStringLiteral("home"),
                                  QStringLiteral("The service home: config.json and data (default: %1).")
                                      .arg(QDir::toNativeSeparators(
                                          QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
                                          + QStringLiteral("/peek"))),
                                  QStringLiteral("dir"));
    QCommandLineOption listenOption(QStringLiteral("listen"),
                                    QStringLiteral("Address to listen on (default: all)."),
                                    QStringLiteral("address"), QStringLiteral("0.0.0.0"));
    parser.addOption(portOption);
    parser.addOption(homeOption);
    parser.addOption(listenOption);
    parser.process(app);

    bool portOk = true;
    uint port = parser.isSet(portOption) ? parser.value(portOption).toUInt(&portOk) : 0;
    if (!portOk || port > 65535) {
        std::fprintf(stderr, "peek-server: --port must be a number from 0 to 65535, not '%s'\n",
                     qPrintable(parser.value(portOption)));
        return 2;
    }
    const QString home = parser.isSet(homeOption)
        ? parser.value(homeOption)
        : QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/peek");
    auto config = peek::ServiceConfig::load(home);
    if (!config) {
        std::fprintf(stderr, "peek-server: %s\n", qPrintable(config.error().message()));
        return 2;
    }
    const peek::ServiceConfig &cfg = config.value();
    applyLogLevel(cfg.stringValue(QStringLiteral("logging.level"), QStringLiteral("info")));
    if (cfg.created())
        std::printf("peek-server: created %s with the defaults\n", qPrintable(cfg.filePath()));
    for (const QString &key : cfg.addedKeys())
        qInfo().noquote() << "config.json: added the default for" << key << "to" << cfg.filePath();
    for (const QString &key : cfg.unknownKeys())
        qWarning().noquote() << "config.json: unknown key" << key << "in" << cfg.filePath()
                             << "(kept as it is; check it for a typo)";
    if (!parser.isSet(portOption))
        port = uint(cfg.intValue(QStringLiteral("ports.logicDataExchange"), 8011));

    const QHostAddress address(parser.value(listenOption));
    if (address.isNull()) {
        std::fprintf(stderr, "peek-server: --listen must be an IP address, not '%s'\n",
                     qPrintable(parser.value(listenOption)));
        return 2;
    }

    peek::Vortex logic(QStringLiteral("peek-logic-service"));
    QString error;
    if (!logic.listen(address, quint16(port), &error)) {
        std::fprintf(stderr, "peek-server: %s\n(is another peek-server running? choose another "
                             "port with --port)\n", qPrintable(error));
        return 1;
    }
    std::printf("peek-server %s: logic service (vortex %s) listening on ws://%s:%u/vortexws\n",
                PEEK_VERSION, qPrintable(logic.name()), qPrintable(address.toString()),
                unsigned(logic.serverPort()));
    std::fflush(stdout);

    peek::installStopSignalHandler(&app, [&](int signal) {
        std::printf("peek-server: %s received, shutting down\n", signal == SIGINT ? "SIGINT" : "SIGTERM");
        std::fflush(stdout);
        logic.close();
        // Let the closing frames go out before the loop ends.
        QTimer::singleShot(100, &app, &QCoreApplication::quit);
    });
    const int rc = app.exec();
    std::printf("peek-server: stopped\n");
    return rc;
}
