#include "pluginpackage.h"

#include "uibundle.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSysInfo>

namespace peek {

namespace {

QString sha256(const QByteArray &data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

// What an installed plugin's folder holds: plugin.json, its library, and its data folders.
bool belongsInPackage(const QString &name, const QString &path)
{
    static const QStringList folders {QStringLiteral("migrations/"), QStringLiteral("qml/"), QStringLiteral("icons/"),
                                      QStringLiteral("translations/"), QStringLiteral("data/")};
    if (path == QLatin1String("plugin.json"))
        return true;
    for (const QString &library : {QStringLiteral("lib%1.so").arg(name), QStringLiteral("%1.so").arg(name),
                                   QStringLiteral("lib%1.dylib").arg(name), QStringLiteral("%1.dll").arg(name)})
        if (path == library)
            return true;
    return std::any_of(folders.begin(), folders.end(), [&path](const QString &f) { return path.startsWith(f); });
}

} // namespace

PluginAbi PluginAbi::current()
{
    return {QStringLiteral(PEEK_VERSION), QString::fromLatin1(qVersion()), QSysInfo::buildAbi()};
}

QString PluginAbi::toString() const
{
    return QStringLiteral("Peek %1, Qt %2, %3").arg(peek, qt, arch);
}

QString PluginPackage::fileName() const
{
    return QStringLiteral("%1-%2%3").arg(name(), version(), QLatin1String(kSuffix));
}

Result<QByteArray> PluginPackage::build(const QString &pluginDirectory, const PluginAbi &abi)
{
    const QDir root(pluginDirectory);
    auto metadata = PluginMetadata::fromFile(root.absoluteFilePath(QStringLiteral("plugin.json")), false);
    if (!metadata)
        return metadata.error().context(QStringLiteral("cannot package %1").arg(root.absolutePath()));
    const QString name = metadata.value().name;
    UiBundleFiles files;
    QJsonObject hashes;
    QDirIterator it(root.absolutePath(), QDir::Files | QDir::NoSymLinks, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = root.relativeFilePath(it.next());
        if (!belongsInPackage(name, path))
            continue; // a build's leftovers beside the plugin
        QFile file(it.filePath());
        if (!file.open(QIODevice::ReadOnly))
            return Error {QStringLiteral("cannot package %1: cannot read %2: %3").arg(name, path, file.errorString())};
        const QByteArray content = file.readAll();
        files.insert(name + u'/' + path, content);
        hashes.insert(name + u'/' + path, sha256(content));
    }
    const QJsonObject manifest {{QStringLiteral("format"), 1},
                                {QStringLiteral("name"), name},
                                {QStringLiteral("version"), metadata.value().version.toString()},
                                {QStringLiteral("abi"), QJsonObject {{QStringLiteral("peek"), abi.peek},
                                                                     {QStringLiteral("qt"), abi.qt},
                                                                     {QStringLiteral("arch"), abi.arch}}},
                                {QStringLiteral("files"), hashes}};
    files.insert(QString::fromLatin1(kManifest), QJsonDocument(manifest).toJson(QJsonDocument::Indented));
    return zipFiles(files);
}

Result<PluginPackage> PluginPackage::read(const QByteArray &data, const PluginAbi &here, const Limits &limits)
{
    const auto refuse = [](const QString &why) -> Result<PluginPackage> {
        return Error {QStringLiteral("not a usable plugin package: %1").arg(why)};
    };
    if (data.size() > limits.maxPackageBytes)
        return refuse(QStringLiteral("it is %1 bytes, more than the %2 a package may have").arg(data.size()).arg(limits.maxPackageBytes));
    auto unzipped = readZipFiles(data, limits.maxUnpackedBytes);
    if (!unzipped)
        return refuse(unzipped.error().message());
    const UiBundleFiles &zip = unzipped.value();
    if (zip.size() > limits.maxFiles + 1)
        return refuse(QStringLiteral("it holds %1 files, more than %2").arg(zip.size()).arg(limits.maxFiles));
    const QByteArray manifestBytes = zip.value(QString::fromLatin1(kManifest));
    if (manifestBytes.isEmpty())
        return refuse(QStringLiteral("it has no %1").arg(QLatin1String(kManifest)));
    QJsonParseError parseError;
    const QJsonObject manifest = QJsonDocument::fromJson(manifestBytes, &parseError).object();
    if (parseError.error != QJsonParseError::NoError)
        return refuse(QStringLiteral("%1 is not JSON: %2").arg(QLatin1String(kManifest), parseError.errorString()));
    if (manifest.value(QLatin1String("format")).toInt() != 1)
        return refuse(QStringLiteral("%1 has format %2; this Peek reads format 1")
                          .arg(QLatin1String(kManifest), manifest.value(QLatin1String("format")).toVariant().toString()));
    const QString name = manifest.value(QLatin1String("name")).toString();
    if (name.isEmpty())
        return refuse(QStringLiteral("%1 names no plugin").arg(QLatin1String(kManifest)));
    const QJsonObject abiJson = manifest.value(QLatin1String("abi")).toObject();
    PluginPackage package;
    package.abi = {abiJson.value(QLatin1String("peek")).toString(), abiJson.value(QLatin1String("qt")).toString(),
                   abiJson.value(QLatin1String("arch")).toString()};
    if (!here.peek.isEmpty() && !(package.abi == here))
        return refuse(QStringLiteral("%1 was built for %2; this is %3: build it against this Peek")
                          .arg(name, package.abi.toString(), here.toString()));
    const QJsonObject hashes = manifest.value(QLatin1String("files")).toObject();
    const QString prefix = name + u'/';
    for (auto it = zip.cbegin(); it != zip.cend(); ++it) {
        if (it.key() == QLatin1String(kManifest))
            continue;
        if (!it.key().startsWith(prefix))
            return refuse(QStringLiteral("%1 is outside the plugin's folder %2").arg(it.key(), prefix));
        const QJsonValue expected = hashes.value(it.key());
        if (!expected.isString())
            return refuse(QStringLiteral("%1 is not in the manifest").arg(it.key()));
        if (expected.toString() != sha256(it.value()))
            return refuse(QStringLiteral("%1 is damaged or altered: its SHA-256 is not the manifest's").arg(it.key()));
        package.files.insert(it.key().mid(prefix.size()), it.value());
    }
    for (auto it = hashes.constBegin(); it != hashes.constEnd(); ++it)
        if (!zip.contains(it.key()))
            return refuse(QStringLiteral("%1 is in the manifest but not in the package").arg(it.key()));
    if (!package.files.contains(QStringLiteral("plugin.json")))
        return refuse(QStringLiteral("it has no %1plugin.json").arg(prefix));
    auto metadata = PluginMetadata::fromJson(package.files.value(QStringLiteral("plugin.json")), prefix + QStringLiteral("plugin.json"));
    if (!metadata)
        return refuse(metadata.error().message());
    if (metadata.value().name != name || metadata.value().version.toString() != manifest.value(QLatin1String("version")).toString())
        return refuse(QStringLiteral("its plugin.json says %1 %2, the manifest %3 %4")
                          .arg(metadata.value().name, metadata.value().version.toString(), name,
                               manifest.value(QLatin1String("version")).toString()));
    package.metadata = std::move(metadata).value();
    return package;
}

Result<void> PluginPackage::unpackTo(const QString &directory) const
{
    QDir dir(directory);
    if (dir.exists() && !dir.isEmpty())
        return Error {QStringLiteral("cannot unpack %1 into %2: the folder is not empty").arg(fileName(), directory)};
    if (!QDir().mkpath(directory))
        return Error {QStringLiteral("cannot create %1").arg(directory)};
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        const QString path = dir.absoluteFilePath(it.key());
        if (!QDir().mkpath(QFileInfo(path).absolutePath()))
            return Error {QStringLiteral("cannot create the folder of %1").arg(path)};
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(it.value()) != it.value().size())
            return Error {QStringLiteral("cannot write %1: %2").arg(path, file.errorString())};
        if (path.endsWith(QLatin1String(".so")) || path.contains(QLatin1String(".so.")))
            file.setPermissions(file.permissions() | QFileDevice::ExeOwner | QFileDevice::ExeGroup | QFileDevice::ExeOther);
    }
    return {};
}

} // namespace peek
