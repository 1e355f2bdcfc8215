// peek: the field (and later office) app. Parses the command line, picks the server URL and the
// data directory, and hands over to AppWindow.
#include "adminwindow.h"
#include "appwindow.h"
#include "officewindow.h"
#include "screenshot.h"
#include "startupreport.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QQuickItem>
#include <QQuickWidget>
#include <QLocale>
#include <QTranslator>
#include <QApplication>
#include <QStandardPaths>
#include <QtQml/qqmlextensionplugin.h>

#include <cstdio>

Q_IMPORT_QML_PLUGIN(PeekPlugin)
Q_IMPORT_QML_PLUGIN(PeekAppPlugin)

namespace {

QSize parseSize(const QString &text)
{
    const QStringList parts = text.split(u'x');
    if (parts.size() != 2)
        return {};
    bool okW = false, okH = false;
    const QSize size(parts[0].toInt(&okW), parts[1].toInt(&okH));
    return okW && okH && size.width() > 0 && size.height() > 0 ? size : QSize();
}

} // namespace

int main(int argc, char *argv[])
{
    const qint64 startedAtMs = QDateTime::currentMSecsSinceEpoch();
    QApplication app(argc, argv); // the office window is Widgets; the field app works on it too
    QCoreApplication::setOrganizationName(QStringLiteral("Peek"));
    QCoreApplication::setApplicationName(QStringLiteral("peek"));
    // The app's texts in the user's language when it has them (English otherwise).
    QTranslator translator;
    if (translator.load(QLocale(), QStringLiteral("peek"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QCoreApplication::installTranslator(&translator);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Peek app"));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("mode"), QStringLiteral("field, office or admin"));
    const QCommandLineOption server(QStringLiteral("server"),
                                    QStringLiteral("Service URL (remembered), e.g. ws://host:8000."),
                                    QStringLiteral("url"));
    const QCommandLineOption data(QStringLiteral("data"),
                                  QStringLiteral("Data directory (offline cache, action queue)."),
                                  QStringLiteral("dir"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Render the first screen to a PNG and exit."),
                                        QStringLiteral("file"));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size WxH."),
                                  QStringLiteral("WxH"));
    const QCommandLineOption page(QStringLiteral("page"),
                                  QStringLiteral("Page to open first: home, or a plugin's name "
                                                 "(peek_plugin_tutorial or tutorial)."),
                                  QStringLiteral("page"));
    const QCommandLineOption theme(QStringLiteral("theme"),
                                   QStringLiteral("outdoor (high contrast) or standard; remembered."),
                                   QStringLiteral("theme"));
    const QCommandLineOption reportStartup(
        QStringLiteral("report-startup"),
        QStringLiteral("Print how long the start page took to show with its data, then exit."));
    const QCommandLineOption nmea(
        QStringLiteral("nmea"),
        QStringLiteral("Field: replay this NMEA recording as the position receiver (turns position "
                       "reports on for this run)."),
        QStringLiteral("file"));
    parser.addOptions({server, data, screenshot, size, page, theme, reportStartup, nmea});
    parser.process(app);

    const QStringList args = parser.positionalArguments();
    const QString mode = args.value(0);
    if (args.size() != 1
        || (mode != QLatin1String("field") && mode != QLatin1String("office") && mode != QLatin1String("admin"))) {
        std::fprintf(stderr, "peek: say the mode: peek field|office|admin [options] (see --help)\n");
        return 2;
    }
    // The window belongs to its desktop entry (packaging/desktop/io.peek.<mode>.desktop): its
    // icon and name in the task bar.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.peek.") + mode);
    if (mode == QLatin1String("admin")) {
        // The admin window on logic's admin port: --server wss://host:8010 (remembered).
        if (parser.isSet(data) || parser.isSet(theme) || parser.isSet(reportStartup) || parser.isSet(nmea)) {
            std::fprintf(stderr, "peek: --data, --theme, --report-startup and --nmea are not for the admin window\n");
            return 2;
        }
        peek::app::OfficeWindow::prepareApplication(); // the same desktop look as the office window
        peek::app::AdminWindow::Options admin;
        if (parser.isSet(server)) {
            admin.serverUrl = QUrl(parser.value(server).contains(QLatin1String("://")) ? parser.value(server)
                                                                                       : QStringLiteral("ws://") + parser.value(server));
            if (!admin.serverUrl.isValid() || admin.serverUrl.host().isEmpty()) {
                std::fprintf(stderr, "peek: --server %s is not logic's admin address; use wss://host:8010\n",
                             qPrintable(parser.value(server)));
                return 2;
            }
            if (admin.serverUrl.port() < 0)
                admin.serverUrl.setPort(8010);
        }
        admin.size = parseSize(parser.value(size));
        admin.startPage = parser.value(page);
        peek::app::AdminWindow window(admin);
        window.show();
        if (parser.isSet(screenshot)) {
            const QString file = parser.value(screenshot);
            peek::app::screenshotWhenSettled(
                &window, [&window] { return window.state() != QLatin1String("busy"); },
                [&window] { return window.grab().toImage(); }, file);
        }
        return QApplication::exec();
    }

    peek::app::AppWindow::Options options;
    options.mode = mode;
    if (parser.isSet(server)) {
        options.serverUrl = peek::app::serverUrlFromInput(parser.value(server));
        if (!options.serverUrl.isValid()) {
            std::fprintf(stderr, "peek: --server %s is not a service URL; use ws://host:port\n",
                         qPrintable(parser.value(server)));
            return 2;
        }
    }
    options.dataDir = parser.isSet(data)
                          ? parser.value(data)
                          : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
                                + u'/' + mode;
    if (parser.isSet(size)) {
        options.size = parseSize(parser.value(size));
        if (!options.size.isValid()) {
            std::fprintf(stderr, "peek: --size %s: use WxH, e.g. 480x800\n",
                         qPrintable(parser.value(size)));
            return 2;
        }
    }
    options.startPage = parser.value(page);
    options.theme = parser.value(theme);
    if (!options.theme.isEmpty() && options.theme != QLatin1String("outdoor")
        && options.theme != QLatin1String("standard")) {
        std::fprintf(stderr, "peek: --theme %s: use outdoor or standard\n", qPrintable(options.theme));
        return 2;
    }
    options.nmeaFile = parser.value(nmea);

    if (mode == QLatin1String("office")) {
        if (!options.theme.isEmpty() || parser.isSet(reportStartup) || !options.nmeaFile.isEmpty()) {
            std::fprintf(stderr, "peek: --theme, --report-startup and --nmea are for the field app\n");
            return 2;
        }
        peek::app::OfficeWindow::prepareApplication(); // before any QML engine exists
        peek::app::OfficeWindow::Options office;
        office.serverUrl = options.serverUrl; // empty: the remembered one
        office.dataDir = options.dataDir;
        office.size = options.size; // empty: the remembered geometry
        office.startPage = options.startPage;
        peek::app::OfficeWindow window(office);
        window.show();
        if (parser.isSet(screenshot)) {
            // Once the link has settled and the plugin's view (or the empty page) is there.
            peek::app::screenshotWhenSettled(
                &window,
                [&window] {
                    const peek::app::Session *session = window.session();
                    const QQuickItem *view = window.pluginView();
                    return (!session || session->connectionState() != QLatin1String("connecting"))
                           && (window.showsEmptyState() || (view && view->property("settled").toBool()));
                },
                [&window] {
                    if (QQuickWidget *quick = window.quickWidget(); quick && quick->isVisible())
                        (void)quick->grabFramebuffer(); // renders what changed since the last frame
                    return window.grab().toImage();
                },
                parser.value(screenshot));
        }
        return QApplication::exec();
    }

    peek::app::AppWindow window(options);
    // The hooks of a run that renders or times one screen, then quits.
    QObject::connect(&window, &peek::app::AppWindow::screenShown, &window, [&](bool main) {
        if (parser.isSet(reportStartup) && main) {
            peek::app::reportStartupWhenReady(
                window.window(), [&window] { return window.startPageShown(); },
                [&window] {
                    return QStringLiteral("%1, %2 rows, %3")
                        .arg(window.startPageName())
                        .arg(window.rowsShown())
                        .arg(window.session()->connectionState());
                },
                startedAtMs);
        } else if (parser.isSet(screenshot) && !parser.isSet(reportStartup)) {
            peek::app::screenshotWhenSettled(
                &window, [&window] { return window.settled(); },
                [&window] { return window.window() ? window.window()->grabWindow() : QImage(); }, parser.value(screenshot));
        }
    });
    if (!window.start())
        return 1;
    return QApplication::exec();
}
