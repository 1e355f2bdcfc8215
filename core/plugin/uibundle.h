#pragma once

#include "base/export.h"
#include "pluginmetadata.h"
#include "base/result.h"
#include "tuple/value.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

namespace peek {

class HttpRoutes;

// A plugin's UI bundle for one app ("field", "office" or "admin"): the files its views need,
// zipped, named by a hash of their content so an app fetches a bundle only when it changed.
//
// What a bundle holds: every file under the plugin's qml/ folder and the entry's icon, with their
// paths relative to the plugin's directory (the entry's "qml" and "icon" paths work unchanged
// inside the unpacked bundle).
//
// The hash is the SHA-256 (hex) of the files in path order, each as
//   <path, UTF-8> NUL <size, 8 bytes big-endian> <content>
// so it depends on the content only (not on zip timestamps); an app checks what it unpacked
// against it with uiBundleHash().
struct PEEK_CORE_EXPORT UiBundle
{
    QString plugin;
    QString app;
    PluginUiEntry entry;
    QString version;
    QString hash;
    QByteArray zip;

    // The index entry apps read: {plugin, title, icon, qml, showHome, version, hash, size, url}.
    QJsonObject indexEntry() const;
    // Where it is served: /peek/ui/<app>/<plugin>-<hash>.zip
    QString urlPath() const;
};

using UiBundleFiles = QMap<QString, QByteArray>; // relative path -> content

PEEK_CORE_EXPORT QString uiBundleHash(const UiBundleFiles &files);

// Reads a plugin's files for `app` and zips them; an error names the plugin and the file.
PEEK_CORE_EXPORT Result<UiBundle> buildUiBundle(const PluginMetadata &plugin, const QString &app);

// The files of a bundle's zip, refusing absolute paths, "..", and more than `maxBytes` unpacked.
PEEK_CORE_EXPORT Result<UiBundleFiles> readUiBundleZip(const QByteArray &zip, qint64 maxBytes = 64 << 20);
// The same for any zip of files (plugin packages too): path -> content.
PEEK_CORE_EXPORT Result<UiBundleFiles> readZipFiles(const QByteArray &zip, qint64 maxBytes);
// Zips files (path -> content) with a fixed time, so the same files make the same zip.
PEEK_CORE_EXPORT Result<QByteArray> zipFiles(const UiBundleFiles &files);

// What a field or office service tells its connected apps when its bundles changed after start
// (filt {plugin: peek_ui, key: bundles.changed}, no payload): they read index.json at once.
PEEK_CORE_EXPORT Dict uiBundlesChangedFilt();

// The bundles of one app's service, served on its port:
//   GET /peek/ui/<app>/index.json      {"app": "field", "bundles": [indexEntry, ...]}
//   GET /peek/ui/<app>/<plugin>-<hash>.zip  the bundle (immutable; a stale hash gets 404)
class PEEK_CORE_EXPORT UiBundleServer
{
public:
    explicit UiBundleServer(QString app) : m_app(std::move(app)) {}

    // Builds the bundle of `plugin` when it has an entry for this app; fails when its files
    // cannot be read (the plugin then has no bundle: apps show an error card for it).
    Result<void> add(const PluginMetadata &plugin);
    // Adds the routes of the index and the bundles; their ids (to remove them when the plugins
    // change and the bundles are served anew).
    QList<quint64> serve(HttpRoutes &routes) const;

    const QList<UiBundle> &bundles() const { return m_bundles; }
    QString indexPath() const { return QStringLiteral("/peek/ui/%1/index.json").arg(m_app); }

private:
    QString m_app;
    QList<UiBundle> m_bundles;
    QJsonObject m_failed; // plugin -> why it has no bundle
    QJsonObject m_capabilities; // capability -> {plugin, its fields} (the first plugin offering it)
};

} // namespace peek
