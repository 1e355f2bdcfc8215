// app_coldstart: cold start of the field app to the tutorial list on screen, with N cached
// StringInt tuples and no network (issue 6's benchmark; goal under 1 s for 10,000 tuples).
//
//   build/bench/app_coldstart [--tuples 10000] [--runs 10] [--keep DIR]
//
// Prepares a data directory the way a device has it after it was online: the tutorial's field
// bundle fetched by the app's own PluginBundles from an in-process field port (UiBundleServer),
// and an offline-cache entry of the tutorial's observable holding N tuples. Then starts
// `peek field --page tutorial --report-startup` against a closed port, `runs` times, offscreen
// with the software renderer, and reports the wall time from process start to the app's
// "ready" line (printed after the first frame that shows the view with its rows) and the app's
// own figure (from main()).
#include "base/role.h"
#include "observable/tupleofflinecache.h"
#include "plugin/pluginmetadata.h"
#include "plugin/uibundle.h"
#include "pluginbundles.h"
#include "tuple/tuple.h"
#include "tuple/tupleselector.h"
#include "vortex/httproutes.h"
#include "vortex/payload.h"
#include "vortex/vortex.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QHostAddress>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace peek;

namespace {

bool prepareBundle(const QString &dataDir)
{
    auto metadata = PluginMetadata::fromFile(QStringLiteral(PEEK_PLUGINS_DIR "/peek_plugin_tutorial/plugin.json"));
    if (!metadata) {
        std::fprintf(stderr, "app_coldstart: %s\n", qPrintable(metadata.error().message()));
        return false;
    }
    Vortex vortex(Role(Role::Field).vortexName());
    if (auto listening = vortex.listen(QHostAddress::LocalHost, 0); !listening) {
        std::fprintf(stderr, "app_coldstart: cannot listen: %s\n", qPrintable(listening.error().message()));
        return false;
    }
    HttpRoutes routes;
    UiBundleServer bundles(QStringLiteral("field"));
    if (auto added = bundles.add(metadata.value()); !added) {
        std::fprintf(stderr, "app_coldstart: %s\n", qPrintable(added.error().message()));
        return false;
    }
    bundles.serve(routes);
    routes.serve(&vortex);
    app::PluginBundles local(dataDir, QStringLiteral("field"));
    bool complete = false;
    QEventLoop loop;
    QObject::connect(&local, &app::PluginBundles::refreshed, &loop, [&](bool ok) {
        complete = ok;
        loop.quit();
    });
    QTimer::singleShot(30000, &loop, &QEventLoop::quit);
    local.refresh(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(vortex.serverPorts().value(0))));
    loop.exec();
    if (!complete)
        std::fprintf(stderr, "app_coldstart: fetching the bundle failed: %s\n", qPrintable(local.lastError()));
    return complete;
}

bool prepareCache(const QString &dataDir, int tuples)
{
    TupleOfflineCache cache(QDir(dataDir).filePath(QStringLiteral("offline-cache.sqlite")));
    if (!cache.isOpen()) {
        std::fprintf(stderr, "app_coldstart: %s\n", qPrintable(cache.errorString()));
        return false;
    }
    std::vector<TuplePtr> rows;
    rows.reserve(size_t(tuples));
    for (int i = 0; i < tuples; ++i) {
        Dict fields;
        fields.insert(QStringLiteral("id"), Value(qint64(i)));
        fields.insert(QStringLiteral("string1"), Value(QStringLiteral("Cached row %1").arg(i)));
        fields.insert(QStringLiteral("int1"), Value(qint64(i * 7 % 1000)));
        rows.push_back(std::make_shared<GenericTuple>(QStringLiteral("peek_plugin_tutorial.StringIntTuple"), fields));
    }
    const TupleSelector selector(QStringLiteral("peek_plugin_tutorial.StringIntTuple"), Dict {});
    const QByteArray encoded = Payload(Dict {}, std::move(rows)).encode();
    std::fprintf(stdout, "cache: %d tuples, %lld bytes encoded\n", tuples, static_cast<long long>(encoded.size()));
    return cache.store(selector.key(), DateTime::currentUtc(), encoded);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption tuplesOption(QStringLiteral("tuples"), QStringLiteral("Cached tuples."),
                                          QStringLiteral("n"), QStringLiteral("10000"));
    const QCommandLineOption runsOption(QStringLiteral("runs"), QStringLiteral("Starts to time."),
                                        QStringLiteral("n"), QStringLiteral("10"));
    const QCommandLineOption keepOption(QStringLiteral("keep"), QStringLiteral("Use (and keep) this data directory."),
                                        QStringLiteral("dir"));
    parser.addOptions({tuplesOption, runsOption, keepOption});
    parser.process(app);
    const int tuples = parser.value(tuplesOption).toInt();
    const int runs = std::max(1, parser.value(runsOption).toInt());

    QTemporaryDir scratch;
    const QString dataDir = parser.isSet(keepOption) ? parser.value(keepOption)
                                                     : scratch.filePath(QStringLiteral("data"));
    QDir().mkpath(dataDir);
    if (!prepareBundle(dataDir) || !prepareCache(dataDir, tuples))
        return 1;

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("QT_QUICK_BACKEND"), QStringLiteral("software"));
    env.insert(QStringLiteral("QT_NO_GLIB"), QStringLiteral("1"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), scratch.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), scratch.filePath(QStringLiteral("share")));
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=false"));
    const QRegularExpression ready(QStringLiteral("ready in (\\d+) ms \\(([^,]+), (\\d+) rows, (\\w+)\\)"));

    QList<qint64> wall, inApp;
    for (int run = 0; run < runs; ++run) {
        QProcess peek;
        peek.setProcessEnvironment(env);
        QElapsedTimer clock;
        clock.start();
        // Port 1 on loopback: nothing listens, the app is offline from the start.
        peek.start(QStringLiteral(PEEK_APP_BIN),
                   {QStringLiteral("field"), QStringLiteral("--server"), QStringLiteral("ws://127.0.0.1:1"),
                    QStringLiteral("--data"), dataDir, QStringLiteral("--page"), QStringLiteral("tutorial"),
                    QStringLiteral("--size"), QStringLiteral("1280x800"), QStringLiteral("--report-startup")});
        QByteArray out;
        QRegularExpressionMatch match;
        while (peek.waitForReadyRead(30000)) {
            out += peek.readAllStandardOutput();
            match = ready.match(QString::fromUtf8(out));
            if (match.hasMatch())
                break;
        }
        const qint64 elapsed = clock.elapsed();
        peek.waitForFinished(10000);
        if (!match.hasMatch()) {
            std::fprintf(stderr, "app_coldstart: run %d: no ready line; output:\n%s\n%s\n", run + 1, out.constData(),
                         peek.readAllStandardError().constData());
            return 1;
        }
        if (match.captured(3).toInt() != tuples) {
            std::fprintf(stderr, "app_coldstart: run %d showed %s rows, expected %d\n", run + 1,
                         qPrintable(match.captured(3)), tuples);
            return 1;
        }
        wall << elapsed;
        inApp << match.captured(1).toLongLong();
        std::fprintf(stdout, "run %2d: %4lld ms to the list on screen (app's own figure %lld ms, %s rows, %s)\n",
                     run + 1, static_cast<long long>(elapsed), match.captured(1).toLongLong(),
                     qPrintable(match.captured(3)), qPrintable(match.captured(4)));
    }
    std::sort(wall.begin(), wall.end());
    std::sort(inApp.begin(), inApp.end());
    std::fprintf(stdout, "cold start to the tutorial list, %d cached tuples, no network, %d runs: "
                         "min %lld / median %lld / max %lld ms (app's own: median %lld ms)\n",
                 tuples, runs, static_cast<long long>(wall.first()), static_cast<long long>(wall[wall.size() / 2]),
                 static_cast<long long>(wall.last()), static_cast<long long>(inApp[inApp.size() / 2]));
    return 0;
}
