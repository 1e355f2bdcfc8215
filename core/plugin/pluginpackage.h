#pragma once
// A plugin package, a ".peekplugin" file (docs/administration.md, "Plugin packages"): a zip of an
// installed plugin's directory — plugin.json, its library (lib<name>.so), and its folders
// migrations/, qml/, icons/, translations/, data/ — under "<name>/", and a manifest
// "peek-package.json":
//
//   {"format": 1, "name": "peek_plugin_tutorial", "version": "1.2.0",
//    "abi": {"peek": "0.1.0", "qt": "6.4.2", "arch": "x86_64-little_endian-lp64"},
//    "files": {"peek_plugin_tutorial/plugin.json": "<SHA-256 hex>", ...}}
//
// The build makes one per plugin (CMake target <plugin>_package); logic verifies one before it
// keeps it, and every service verifies it again before it unpacks it.
#include "base/export.h"
#include "base/result.h"
#include "plugin/pluginmetadata.h"

#include <QByteArray>
#include <QMap>
#include <QString>

namespace peek {

// What a plugin's library was built for: it loads only into the same Peek, Qt and architecture.
struct PEEK_CORE_EXPORT PluginAbi
{
    QString peek;
    QString qt;
    QString arch;

    // This build's.
    static PluginAbi current();
    QString toString() const; // "Peek 0.1.0, Qt 6.4.2, x86_64-little_endian-lp64"
    friend bool operator==(const PluginAbi &a, const PluginAbi &b)
    {
        return a.peek == b.peek && a.qt == b.qt && a.arch == b.arch;
    }
};

// How big a package may be.
struct PEEK_CORE_EXPORT PluginPackageLimits
{
    qint64 maxPackageBytes = qint64(256) << 20;  // the file
    qint64 maxUnpackedBytes = qint64(512) << 20; // what it unpacks to
    int maxFiles = 2000;
};

struct PEEK_CORE_EXPORT PluginPackage
{
    static constexpr const char *kManifest = "peek-package.json";
    static constexpr const char *kSuffix = ".peekplugin";

    using Limits = PluginPackageLimits;

    PluginMetadata metadata;          // its plugin.json
    PluginAbi abi;
    QMap<QString, QByteArray> files; // path in the plugin's directory -> content

    QString name() const { return metadata.name; }
    QString version() const { return metadata.version.toString(); }
    // "<name>-<version>.peekplugin"
    QString fileName() const;

    // Packs the installed plugin in `pluginDirectory` (its plugin.json names it) for `abi`.
    static Result<QByteArray> build(const QString &pluginDirectory, const PluginAbi &abi = PluginAbi::current());
    // Reads and checks a package: a zip within the limits, the manifest, no path leaving the
    // package, every file listed with its SHA-256 and no other, plugin.json valid and naming the
    // manifest's name and version, and the ABI `here` (empty: not checked). Each refusal says what
    // is wrong, naming the file.
    static Result<PluginPackage> read(const QByteArray &data, const PluginAbi &here = PluginAbi::current(),
                                      const Limits &limits = {});
    // Writes the files into `directory` (created; must not exist yet, or be empty); the library
    // is made executable.
    Result<void> unpackTo(const QString &directory) const;
};

} // namespace peek
