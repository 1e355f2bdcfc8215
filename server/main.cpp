// peek-server: the headless Peek server. For now it runs the logic role's vortex on one port.
#include "service/stopsignals.h"
#include "vortex/vortex.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTimer>

#include <csignal>
#include <cstdio>


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
                                  QStringLiteral("Port of the logic data exchange (default 8011)."),
                                  QStringLiteral("port"), QStringLiteral("8011"));
    QCommandLineOption listenOption(QStringLiteral("listen"),
                                    QStringLiteral("Address to listen on (default: all)."),
                                    QStringLiteral("address"), QStringLiteral("0.0.0.0"));
    parser.addOption(portOption);
    parser.addOption(listenOption);
    parser.process(app);

    bool portOk = false;
    const uint port = parser.value(portOption).toUInt(&portOk);
    if (!portOk || port > 65535) {
        std::fprintf(stderr, "peek-server: --port must be a number from 0 to 65535, not '%s'\n",
                     qPrintable(parser.value(portOption)));
        return 2;
    }
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
