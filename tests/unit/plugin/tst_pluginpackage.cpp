// Plugin packages (.peekplugin): built from an installed plugin's folder (the tutorial as the build
// leaves it), read back, and refused, each with its reason, when damaged, altered, for another ABI,
// too big, or holding a path that leaves the package.
#include "plugin/pluginpackage.h"
#include "plugin/uibundle.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace peek;

namespace {

const QString kTutorialDir = QStringLiteral(PEEK_PLUGINS_DIR "/peek_plugin_tutorial");

UiBundleFiles unzip(const QByteArray &package)
{
    return readZipFiles(package, qint64(1) << 30).value();
}

// The package with `change` applied to its files (path -> content), zipped again.
QByteArray altered(const QByteArray &package, const std::function<void(UiBundleFiles &)> &change)
{
    UiBundleFiles files = unzip(package);
    change(files);
    return zipFiles(files).value();
}

QString refusal(const QByteArray &package, const PluginAbi &abi = PluginAbi::current(), const PluginPackageLimits &limits = {})
{
    auto read = PluginPackage::read(package, abi, limits);
    return read ? QString() : read.error().message();
}

} // namespace

class TestPluginPackage : public QObject
{
    Q_OBJECT

    QByteArray m_package;

private Q_SLOTS:
    void initTestCase()
    {
        auto built = PluginPackage::build(kTutorialDir);
        QVERIFY2(built, built ? "" : qPrintable(built.error().message()));
        m_package = built.value();
    }

    void aBuiltPackageReadsBackWithItsFilesAndManifest()
    {
        auto read = PluginPackage::read(m_package);
        QVERIFY2(read, read ? "" : qPrintable(read.error().message()));
        const PluginPackage &p = read.value();
        QCOMPARE(p.name(), QStringLiteral("peek_plugin_tutorial"));
        QCOMPARE(p.fileName(), QStringLiteral("peek_plugin_tutorial-%1.peekplugin").arg(p.version()));
        QVERIFY(p.abi == PluginAbi::current());
        QVERIFY(p.files.contains(QStringLiteral("plugin.json")));
        QVERIFY(p.files.contains(QStringLiteral("libpeek_plugin_tutorial.so")));
        QVERIFY(p.files.contains(QStringLiteral("migrations/0001_create_string_int.sql"))
                || std::any_of(p.files.keyBegin(), p.files.keyEnd(), [](const QString &k) { return k.startsWith(QLatin1String("migrations/")); }));
        QVERIFY(std::any_of(p.files.keyBegin(), p.files.keyEnd(), [](const QString &k) { return k.startsWith(QLatin1String("qml/")); }));
        QFile library(kTutorialDir + QStringLiteral("/libpeek_plugin_tutorial.so"));
        QVERIFY(library.open(QIODevice::ReadOnly));
        QCOMPARE(p.files.value(QStringLiteral("libpeek_plugin_tutorial.so")), library.readAll());
        // The same files make the same package.
        QCOMPARE(PluginPackage::build(kTutorialDir).value(), m_package);

        QTemporaryDir dir;
        const QString target = dir.filePath(QStringLiteral("peek_plugin_tutorial/%1").arg(p.version()));
        QVERIFY(p.unpackTo(target));
        QVERIFY(QFileInfo(target + QStringLiteral("/libpeek_plugin_tutorial.so")).isExecutable());
        QVERIFY(!p.unpackTo(target)); // not over what is there
    }

    void damagedOrAlteredPackagesAreRefusedWithTheReason()
    {
        QVERIFY(refusal("not a zip at all").contains(QLatin1String("not a zip")));
        const QString lib = QStringLiteral("peek_plugin_tutorial/libpeek_plugin_tutorial.so");
        QVERIFY(refusal(altered(m_package, [&](UiBundleFiles &f) { f[lib][100] = char(f[lib][100] ^ 0x5a); }))
                    .contains(QLatin1String("libpeek_plugin_tutorial.so is damaged or altered")));
        QVERIFY(refusal(altered(m_package, [](UiBundleFiles &f) { f.insert(QStringLiteral("peek_plugin_tutorial/extra.so"), "x"); }))
                    .contains(QLatin1String("extra.so is not in the manifest")));
        QVERIFY(refusal(altered(m_package, [](UiBundleFiles &f) { f.insert(QStringLiteral("other/x"), "x"); }))
                    .contains(QLatin1String("outside the plugin's folder")));
        QVERIFY(refusal(altered(m_package, [](UiBundleFiles &f) { f.insert(QStringLiteral("peek_plugin_tutorial/../../etc/x"), "x"); }))
                    .contains(QLatin1String("outside")));
        QVERIFY(refusal(altered(m_package, [&](UiBundleFiles &f) { f.remove(lib); }))
                    .contains(QLatin1String("in the manifest but not in the package")));
        QVERIFY(refusal(altered(m_package, [](UiBundleFiles &f) { f.remove(QStringLiteral("peek-package.json")); }))
                    .contains(QLatin1String("no peek-package.json")));
        // A manifest naming another version than plugin.json (its hashes otherwise right).
        QVERIFY(refusal(altered(m_package, [](UiBundleFiles &f) {
                    QJsonObject m = QJsonDocument::fromJson(f.value(QStringLiteral("peek-package.json"))).object();
                    m.insert(QStringLiteral("version"), QStringLiteral("9.9.9"));
                    f.insert(QStringLiteral("peek-package.json"), QJsonDocument(m).toJson());
                })).contains(QLatin1String("the manifest peek_plugin_tutorial 9.9.9")));
    }

    void aPackageForAnotherAbiOrTooBigIsRefused()
    {
        const PluginAbi other {QStringLiteral("9.0.0"), QString::fromLatin1(qVersion()), QSysInfo::buildAbi()};
        QVERIFY(refusal(m_package, other).contains(QLatin1String("was built for Peek")));
        QVERIFY(refusal(m_package, PluginAbi {}).isEmpty()); // not checked
        PluginPackageLimits small;
        small.maxPackageBytes = 1000;
        QVERIFY(refusal(m_package, PluginAbi::current(), small).contains(QLatin1String("more than the 1000")));
        PluginPackageLimits unpacked;
        unpacked.maxUnpackedBytes = 1000;
        QVERIFY(refusal(m_package, PluginAbi::current(), unpacked).contains(QLatin1String("more than 1000 bytes")));
    }
};

QTEST_GUILESS_MAIN(TestPluginPackage)
#include "tst_pluginpackage.moc"
