#include "uibundle.h"

#include "vortex/httproutes.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QtEndian>

#include <algorithm>

#include <quazip.h>
#include <quazipfile.h>
#include <quazipfileinfo.h>
#include <quazipnewinfo.h>

namespace peek {

namespace {

Result<UiBundle> failed(const QString &message)
{
    return Error {message, {}, {}};
}

// A relative path with forward slashes that stays inside the bundle.
bool isSafeRelativePath(const QString &path)
{
    if (path.isEmpty() || path.startsWith(u'/') || path.contains(u'\\') || path.contains(u':'))
        return false;
    const QStringList parts = path.split(u'/');
    for (const QString &part : parts) {
        if (part.isEmpty() || part == QLatin1String(".") || part == QLatin1String(".."))
            return false;
    }
    return true;
}

} // namespace

QJsonObject UiBundle::indexEntry() const
{
    QJsonObject index {
        {QStringLiteral("plugin"), plugin},
        {QStringLiteral("title"), entry.title},
        {QStringLiteral("icon"), entry.icon},
        {QStringLiteral("qml"), entry.qml},
        {QStringLiteral("showHome"), entry.showHome},
        {QStringLiteral("version"), version},
        {QStringLiteral("hash"), hash},
        {QStringLiteral("size"), qint64(zip.size())},
        {QStringLiteral("url"), urlPath()},
    };
    if (!entry.service.isEmpty())
        index.insert(QStringLiteral("service"), entry.service);
    if (!entry.badgeTuple.isEmpty())
        index.insert(QStringLiteral("badge"), QJsonObject {{QStringLiteral("tuple"), entry.badgeTuple},
                                                           {QStringLiteral("field"), entry.badgeField}});
    return index;
}

QString UiBundle::urlPath() const
{
    return QStringLiteral("/peek/ui/%1/%2-%3.zip").arg(app, plugin, hash);
}

QString uiBundleHash(const UiBundleFiles &files)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        hash.addData(it.key().toUtf8());
        hash.addData(QByteArrayView("\0", 1));
        uchar size[8];
        qToBigEndian<quint64>(quint64(it.value().size()), size);
        hash.addData(QByteArrayView(reinterpret_cast<const char *>(size), 8));
        hash.addData(it.value());
    }
    return QString::fromLatin1(hash.result().toHex());
}

Result<UiBundle> buildUiBundle(const PluginMetadata &plugin, const QString &app)
{
    const auto entry = plugin.ui.constFind(app);
    if (entry == plugin.ui.cend())
        return failed(QStringLiteral("%1 has no \"ui.%2\" entry in plugin.json").arg(plugin.name, app));
    const QDir root(plugin.directory);
    UiBundleFiles files;
    const auto addFile = [&](const QString &relative) -> QString {
        QFile file(root.filePath(relative));
        if (!file.open(QIODevice::ReadOnly))
            return QStringLiteral("%1: cannot read %2 for its %3 UI bundle: %4")
                .arg(plugin.name, file.fileName(), app, file.errorString());
        files.insert(relative, file.readAll());
        return {};
    };
    QDirIterator it(root.filePath(QStringLiteral("qml")), QDir::Files | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        if (const QString error = addFile(root.relativeFilePath(it.next())); !error.isEmpty())
            return failed(error);
    }
    if (!entry->icon.isEmpty() && !files.contains(entry->icon)) {
        if (const QString error = addFile(entry->icon); !error.isEmpty())
            return failed(error);
    }
    if (!files.contains(entry->qml))
        return failed(QStringLiteral("%1: its %2 view %3 is not in the plugin's qml/ folder (%4)")
                          .arg(plugin.name, app, entry->qml, root.absolutePath()));

    UiBundle bundle;
    bundle.plugin = plugin.name;
    bundle.app = app;
    bundle.entry = *entry;
    bundle.version = plugin.version.toString();
    bundle.hash = uiBundleHash(files);

    auto zipped = zipFiles(files);
    if (!zipped)
        return failed(QStringLiteral("%1: cannot make its %2 UI bundle: %3").arg(plugin.name, app, zipped.error().message()));
    bundle.zip = std::move(zipped).value();
    return bundle;
}

Dict uiBundlesChangedFilt()
{
    return {{QStringLiteral("plugin"), Value(QStringLiteral("peek_ui"))},
            {QStringLiteral("key"), Value(QStringLiteral("bundles.changed"))}};
}

Result<QByteArray> zipFiles(const UiBundleFiles &files)
{
    QByteArray data;
    QBuffer buffer(&data);
    QuaZip zip(&buffer);
    if (!zip.open(QuaZip::mdCreate))
        return Error {QStringLiteral("cannot create a zip (zip error %1)").arg(zip.getZipError())};
    // A fixed time keeps the zip the same for the same files.
    const QDateTime fixedTime(QDate(2020, 1, 1), QTime(0, 0), Qt::UTC);
    for (auto f = files.cbegin(); f != files.cend(); ++f) {
        QuaZipFile out(&zip);
        QuaZipNewInfo info(f.key());
        info.dateTime = fixedTime;
        if (!out.open(QIODevice::WriteOnly, info) || out.write(f.value()) != f.value().size())
            return Error {QStringLiteral("cannot add %1 to the zip (zip error %2)").arg(f.key()).arg(out.getZipError())};
        out.close();
    }
    zip.close();
    if (zip.getZipError() != 0)
        return Error {QStringLiteral("cannot finish the zip (zip error %1)").arg(zip.getZipError())};
    return data;
}

Result<UiBundleFiles> readUiBundleZip(const QByteArray &data, qint64 maxBytes)
{
    return readZipFiles(data, maxBytes);
}

Result<UiBundleFiles> readZipFiles(const QByteArray &data, qint64 maxBytes)
{
    const auto fail = [](const QString &message) -> Result<UiBundleFiles> {
        return Error {message, {}, {}};
    };
    QByteArray copy = data;
    QBuffer buffer(&copy);
    QuaZip zip(&buffer);
    if (!zip.open(QuaZip::mdUnzip))
        return fail(QStringLiteral("not a zip file (%1 bytes, zip error %2)").arg(data.size()).arg(zip.getZipError()));
    UiBundleFiles files;
    qint64 total = 0;
    for (bool more = zip.goToFirstFile(); more; more = zip.goToNextFile()) {
        QuaZipFileInfo64 info;
        if (!zip.getCurrentFileInfo(&info))
            return fail(QStringLiteral("cannot read the zip's table of contents (zip error %1)").arg(zip.getZipError()));
        if (info.name.endsWith(u'/'))
            continue; // a folder entry
        if (!isSafeRelativePath(info.name))
            return fail(QStringLiteral("the zip holds a path outside the bundle: \"%1\"").arg(info.name));
        // Compared unsigned: a declared size past INT64_MAX must not wrap below the limit (the
        // entry would then be inflated, up to ~1000 times the zip's size, before being refused).
        if (info.uncompressedSize > quint64(std::max<qint64>(0, maxBytes - total)))
            return fail(QStringLiteral("the zip unpacks to more than %1 bytes").arg(maxBytes));
        total += qint64(info.uncompressedSize);
        QuaZipFile in(&zip);
        if (!in.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("cannot open %1 in the zip (zip error %2)").arg(info.name).arg(in.getZipError()));
        const QByteArray content = in.readAll();
        in.close();
        if (in.getZipError() != 0 || content.size() != qint64(info.uncompressedSize))
            return fail(QStringLiteral("%1 in the zip is damaged (zip error %2)").arg(info.name).arg(in.getZipError()));
        files.insert(info.name, content);
    }
    if (zip.getZipError() != 0)
        return fail(QStringLiteral("the zip is damaged (zip error %1)").arg(zip.getZipError()));
    return files;
}

Result<void> UiBundleServer::add(const PluginMetadata &plugin)
{
    for (auto it = plugin.capabilities.cbegin(); it != plugin.capabilities.cend(); ++it) {
        if (m_capabilities.contains(it.key()))
            continue;
        QJsonObject offered {{QStringLiteral("plugin"), plugin.name}};
        for (auto f = it.value().cbegin(); f != it.value().cend(); ++f)
            offered.insert(f.key(), f.value());
        m_capabilities.insert(it.key(), offered);
    }
    if (!plugin.ui.contains(m_app))
        return {};
    auto bundle = buildUiBundle(plugin, m_app);
    if (!bundle) {
        m_failed.insert(plugin.name, QJsonObject {{QStringLiteral("plugin"), plugin.name},
                                                  {QStringLiteral("title"), plugin.ui.value(m_app).title},
                                                  {QStringLiteral("error"), bundle.error().message()}});
        return bundle.error();
    }
    m_bundles.append(std::move(bundle).value());
    return {};
}

QList<quint64> UiBundleServer::serve(HttpRoutes &routes) const
{
    QList<quint64> ids;
    QJsonArray entries;
    for (const UiBundle &bundle : m_bundles)
        entries.append(bundle.indexEntry());
    for (const QJsonValue &failure : m_failed)
        entries.append(failure);
    const QJsonDocument index(QJsonObject {{QStringLiteral("app"), m_app}, {QStringLiteral("bundles"), entries},
                                           {QStringLiteral("capabilities"), m_capabilities}});
    const QString indexPath = this->indexPath();
    ids << routes.add(indexPath, [index, indexPath](const HttpRequest &request) {
        if (request.url.path() != indexPath)
            return HttpResponse::text(404, "No such file: " + request.url.path().toUtf8() + "\n");
        HttpResponse response = HttpResponse::json(index);
        response.extraHeaders = "Cache-Control: no-cache\r\n";
        return response;
    });
    QMap<QString, QByteArray> zips;
    for (const UiBundle &bundle : m_bundles)
        zips.insert(bundle.urlPath(), bundle.zip);
    const QString prefix = QStringLiteral("/peek/ui/%1/").arg(m_app);
    ids << routes.add(prefix, [zips](const HttpRequest &request) {
        const auto zip = zips.constFind(request.url.path());
        if (zip == zips.cend())
            return HttpResponse::text(404, "No such bundle: " + request.url.path().toUtf8()
                                               + " (it may have changed: read index.json again)\n");
        HttpResponse response;
        response.contentType = "application/zip";
        response.body = *zip;
        response.extraHeaders = "Cache-Control: public, max-age=31536000, immutable\r\n";
        return response;
    });
    return ids;
}

} // namespace peek
