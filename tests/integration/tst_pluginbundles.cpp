// Plugin UI bundles between a field port (UiBundleServer on a real Vortex port) and the app's
// copy (PluginBundles in a data directory): first fetch, a changed plugin fetched again and the
// old version removed, nothing fetched when nothing changed, a damaged download keeping the
// version the device had, a removed plugin removed, the local copy read with no network, and
// the zip reader refusing paths outside the bundle.
#include "plugin/pluginmetadata.h"
#include "plugin/uibundle.h"
#include "pluginbundles.h"
#include "vortex/httproutes.h"
#include "vortex/vortex.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <quazip.h>
#include <quazipfile.h>
#include <quazipnewinfo.h>

using namespace peek;
using peek::app::PluginBundles;

namespace {

bool writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

// A plugin folder with a field view whose text is `view`.
PluginMetadata makePlugin(const QString &root, const QString &name, const QByteArray &view)
{
    const QString dir = root + u'/' + name;
    writeFile(dir + QStringLiteral("/plugin.json"),
              QStringLiteral(R"({"name": "%1", "title": "T %1", "version": "1.0.0", "roles": ["field"],
                  "ui": {"field": {"title": "T %1", "icon": "icons/i.svg", "qml": "qml/field/View.qml", "showHome": true}}})")
                  .arg(name)
                  .toUtf8());
    writeFile(dir + QStringLiteral("/qml/field/View.qml"), view);
    writeFile(dir + QStringLiteral("/qml/common/Part.qml"), "import QtQuick\nItem {}\n");
    writeFile(dir + QStringLiteral("/icons/i.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
    auto metadata = PluginMetadata::fromFile(dir + QStringLiteral("/plugin.json"));
    return metadata ? metadata.value() : PluginMetadata {};
}

QByteArray zipOf(const QMap<QString, QByteArray> &files)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    QuaZip zip(&buffer);
    zip.open(QuaZip::mdCreate);
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        QuaZipFile out(&zip);
        out.open(QIODevice::WriteOnly, QuaZipNewInfo(it.key()));
        out.write(it.value());
        out.close();
    }
    zip.close();
    return bytes;
}

// A field port serving the bundles of `plugins`; `tamper` replaces every zip's bytes.
struct FieldPort
{
    Vortex vortex {QStringLiteral("peek-field-service")};
    HttpRoutes routes;
    QUrl url;

    bool serve(const QList<PluginMetadata> &plugins, const QByteArray &tamper = {})
    {
        routes = HttpRoutes();
        UiBundleServer server(QStringLiteral("field"));
        for (const PluginMetadata &plugin : plugins) {
            if (!server.add(plugin))
                return false;
        }
        server.serve(routes);
        if (!tamper.isEmpty()) {
            for (const UiBundle &bundle : server.bundles())
                routes.add(bundle.urlPath(), [tamper](const HttpRequest &) {
                    HttpResponse response;
                    response.body = tamper;
                    return response;
                });
        }
        if (url.isEmpty()) {
            if (!vortex.listen(QHostAddress::LocalHost, 0))
                return false;
            url = QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(vortex.serverPorts().value(0)));
        }
        routes.serve(&vortex);
        return true;
    }
};

bool refresh(PluginBundles &bundles, const QUrl &url, bool *complete)
{
    QSignalSpy done(&bundles, &PluginBundles::refreshed);
    bundles.refresh(url);
    if (!done.wait(10000))
        return false;
    *complete = done.first().first().toBool();
    return true;
}

QStringList versionsOnDisk(const QString &dataDir, const QString &plugin)
{
    return QDir(dataDir + QStringLiteral("/ui-bundles/") + plugin)
        .entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden);
}

} // namespace

class TestPluginBundles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fetchUpdateKeepAndRemove()
    {
        QTemporaryDir plugins, data;
        const PluginMetadata a = makePlugin(plugins.path(), QStringLiteral("peek_plugin_a"), "import QtQuick\nItem { }\n");
        const PluginMetadata b = makePlugin(plugins.path(), QStringLiteral("peek_plugin_b"), "import QtQuick\nRectangle { }\n");
        QVERIFY(!a.name.isEmpty() && !b.name.isEmpty());
        FieldPort port;
        QVERIFY(port.serve({a, b}));

        // First fetch: both bundles on disk, their views readable, their hashes checked.
        PluginBundles bundles(data.path(), QStringLiteral("field"));
        bundles.load();
        QCOMPARE(bundles.count(), 0);
        bool complete = false;
        QVERIFY(refresh(bundles, port.url, &complete));
        QVERIFY2(complete, qPrintable(bundles.lastError()));
        QCOMPARE(bundles.count(), 2);
        const QVariantMap rowA = bundles.find(QStringLiteral("peek_plugin_a"));
        QCOMPARE(rowA.value(QStringLiteral("title")).toString(), QStringLiteral("T peek_plugin_a"));
        QVERIFY(rowA.value(QStringLiteral("showHome")).toBool());
        QFile viewA(rowA.value(QStringLiteral("viewUrl")).toUrl().toLocalFile());
        QVERIFY(viewA.open(QIODevice::ReadOnly));
        QCOMPARE(viewA.readAll(), QByteArray("import QtQuick\nItem { }\n"));
        QVERIFY(QFile::exists(rowA.value(QStringLiteral("iconUrl")).toUrl().toLocalFile()));
        const QString hashA1 = rowA.value(QStringLiteral("hash")).toString();
        const QString hashB = bundles.find(QStringLiteral("peek_plugin_b")).value(QStringLiteral("hash")).toString();

        // Nothing changed: nothing is downloaded again (the folders stay as they are).
        const QString sentinel = data.path() + QStringLiteral("/ui-bundles/peek_plugin_a/") + hashA1 + QStringLiteral("/sentinel");
        QVERIFY(writeFile(sentinel, "still here"));
        QVERIFY(refresh(bundles, port.url, &complete));
        QVERIFY(complete);
        QCOMPARE(bundles.find(QStringLiteral("peek_plugin_a")).value(QStringLiteral("hash")).toString(), hashA1);
        QVERIFY(QFile::exists(sentinel));

        // plugin a changes: the new version replaces the old one on disk.
        const PluginMetadata a2 = makePlugin(plugins.path(), QStringLiteral("peek_plugin_a"), "import QtQuick\nItem { width: 2 }\n");
        QVERIFY(port.serve({a2, b}));
        QVERIFY(refresh(bundles, port.url, &complete));
        QVERIFY2(complete, qPrintable(bundles.lastError()));
        const QString hashA2 = bundles.find(QStringLiteral("peek_plugin_a")).value(QStringLiteral("hash")).toString();
        QVERIFY(hashA2 != hashA1);
        QCOMPARE(versionsOnDisk(data.path(), QStringLiteral("peek_plugin_a")), QStringList {hashA2});
        QCOMPARE(bundles.find(QStringLiteral("peek_plugin_b")).value(QStringLiteral("hash")).toString(), hashB);

        // A damaged download of a changed plugin: the device keeps the version it had.
        const PluginMetadata a3 = makePlugin(plugins.path(), QStringLiteral("peek_plugin_a"), "import QtQuick\nItem { width: 3 }\n");
        QVERIFY(port.serve({a3, b}, zipOf({{QStringLiteral("qml/field/View.qml"), "import QtQuick\nItem { width: 666 }\n"}})));
        QVERIFY(refresh(bundles, port.url, &complete));
        QVERIFY(!complete);
        QVERIFY2(bundles.lastError().contains(QLatin1String("does not match its hash")), qPrintable(bundles.lastError()));
        QCOMPARE(bundles.find(QStringLiteral("peek_plugin_a")).value(QStringLiteral("hash")).toString(), hashA2);
        QCOMPARE(versionsOnDisk(data.path(), QStringLiteral("peek_plugin_a")), QStringList {hashA2});

        // No network: a new PluginBundles on the same directory has the list at once.
        PluginBundles offline(data.path(), QStringLiteral("field"));
        offline.load();
        QCOMPARE(offline.count(), 2);
        QCOMPARE(offline.find(QStringLiteral("peek_plugin_a")).value(QStringLiteral("hash")).toString(), hashA2);
        QCOMPARE(offline.find(QStringLiteral("peek_plugin_a")).value(QStringLiteral("error")).toString(), QString());

        // The service no longer has plugin b: the device drops it.
        QVERIFY(port.serve({a3}));
        QVERIFY(refresh(bundles, port.url, &complete));
        QVERIFY(complete);
        QCOMPARE(bundles.count(), 1);
        QVERIFY(!QDir(data.path() + QStringLiteral("/ui-bundles/peek_plugin_b")).exists());
    }

    void unreachableServiceKeepsTheLocalCopy()
    {
        QTemporaryDir plugins, data;
        const PluginMetadata a = makePlugin(plugins.path(), QStringLiteral("peek_plugin_a"), "import QtQuick\nItem { }\n");
        bool complete = false;
        {
            FieldPort port;
            QVERIFY(port.serve({a}));
            PluginBundles bundles(data.path(), QStringLiteral("field"));
            QVERIFY(refresh(bundles, port.url, &complete));
            QVERIFY(complete);
        }
        PluginBundles bundles(data.path(), QStringLiteral("field"));
        bundles.load();
        QVERIFY(refresh(bundles, QUrl(QStringLiteral("ws://127.0.0.1:1")), &complete));
        QVERIFY(!complete);
        QVERIFY(bundles.lastError().contains(QLatin1String("Cannot get the plugin list")));
        QCOMPARE(bundles.count(), 1);
        QVERIFY(QFile::exists(bundles.find(QStringLiteral("peek_plugin_a")).value(QStringLiteral("viewUrl")).toUrl().toLocalFile()));
    }

    void zipReaderRefusesPathsOutsideTheBundle()
    {
        for (const QString &path : {QStringLiteral("../evil.qml"), QStringLiteral("/etc/evil"), QStringLiteral("qml/../../x")}) {
            const auto files = readUiBundleZip(zipOf({{path, "x"}}));
            QVERIFY2(!files, qPrintable(path));
            QVERIFY(files.error().message().contains(QLatin1String("outside the bundle")));
        }
        QVERIFY(!readUiBundleZip("not a zip"));
        const auto ok = readUiBundleZip(zipOf({{QStringLiteral("qml/a.qml"), "a"}}));
        QVERIFY(ok);
        QCOMPARE(ok.value().value(QStringLiteral("qml/a.qml")), QByteArray("a"));
    }
};

QTEST_GUILESS_MAIN(TestPluginBundles)
#include "tst_pluginbundles.moc"
