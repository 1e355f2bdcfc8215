#pragma once

#include "base/export.h"
#include "base/role.h"
#include "base/result.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVersionNumber>

namespace peek {

// One app's entry for a plugin (the "ui" object of plugin.json maps "field", "office" or "admin"
// to one of these): what the app shows for the plugin and which QML file it opens.
struct PEEK_API PluginUiEntry {
    QString title; // required, non-empty
    QString icon; // optional; relative path inside the plugin directory
    QString qml; // required; relative path inside the plugin directory, ending in .qml
    bool showHome = false; // whether the app's home screen offers this entry
    // Optional: a number the app shows on the plugin's home tile and in its status bar (unread
    // items, say), read from the plugin's observable: the field `badgeField` of the one tuple
    // of type `badgeTuple` (of the plugin's own types). Empty: no badge.
    QString badgeTuple;
    QString badgeField;
    // Optional: a QML file (relative path, .qml) the app runs in the background for the whole
    // session, from the plugin's UI bundle: it watches the plugin's data and asks the app for
    // notifications (Peek.notify). Empty: none.
    QString service;
};

// "This plugin needs plugin `name`, in a version matching `constraint`."
struct PEEK_API PluginDependency {
    QString name;
    // ">=1.2", ">1", "<=2", "<2.0", "==1.0.0", a bare "1.2" (meaning >=1.2), or "" for any
    // version. Versions compare with trailing zeros ignored: 1.0 == 1.0.0.
    QString constraint;

    // Whether a plugin in `version` that stands in for every version down to `compatVersion`
    // (its plugin.json compatVersion; null: only `version`) meets the constraint: ">=1.2" asks
    // the newest, "<2" the oldest, "==1.1" one in between. False when the constraint is not one
    // of the forms above (fromJson refuses those).
    bool satisfiedBy(const QVersionNumber &version, const QVersionNumber &compatVersion = {}) const;
};

// What a plugin is, read from its plugin.json without loading any of its code (like KDE's
// KPluginMetaData or Qt Creator's PluginSpec): name, version, the roles it runs on, the
// plugins it needs and the entries it offers to the apps. Reading validates everything, so a
// PluginMetadata in hand is well-formed; a mistake comes back as an error naming the file and
// the key, e.g.
//   /x/peek_plugin_a/plugin.json: key 'roles[1]': unknown role "feild" (known: ...)
//
//   {
//     "name": "peek_plugin_tutorial",      lower-case letters, digits, '_'; starts with a letter
//     "title": "Tutorial",
//     "description": "How a plugin is built",                                   (optional)
//     "version": "1.2.0",                  one to three numbers
//     "compatVersion": "1.0",              oldest version this one stands in for (optional;
//                                          dependencies match any version in between)
//     "peekApi": "1.0",                    the plugin API it was written for (optional, 1.0)
//     "roles": ["logic", "field"],         (read under its old name "requiresServices" too)
//     "dependencies": [{"name": "peek_plugin_base", "version": ">=1.0"}],       (optional)
//     "ui": {"field": {"title": "Tutorial", "icon": "icons/t.svg",              (optional)
//                      "qml": "qml/Main.qml", "showHome": true}}
//   }
struct PEEK_API PluginMetadata {
    QString name;
    QString title;
    QString description;
    QVersionNumber version;
    QVersionNumber compatVersion; // equals version when plugin.json leaves it out
    QVersionNumber peekApi {1, 0}; // MAJOR.MINOR; 1.0 when plugin.json leaves it out (base/apiversion.h)
    QList<Role> roles; // in the file's order, no duplicates
    QList<PluginDependency> dependencies; // in the file's order, unique names
    QMap<QString, PluginUiEntry> ui; // keyed by app: "field", "office", "admin"
    // What the plugin offers the apps, by capability: e.g. "positionReports": {"processor":
    // "peek_plugin_positions", "tuple": "peek_plugin_positions.DevicePositionTuple"} (each an
    // object of strings). The services list them in their bundle index (docs/apps.md).
    QMap<QString, QMap<QString, QString>> capabilities;
    QString filePath; // absolute path of plugin.json (empty when read by fromJson)
    QString directory; // the plugin's directory (empty when read by fromJson)

    bool runsOn(Role role) const;
    // The platform's own plugins (peek_core_device, peek_core_user): named peek_core_*, always
    // enabled when installed, and the only ones that may guard devices.
    static bool isCorePlugin(const QString &name) { return name.startsWith(QLatin1String("peek_core_")); }

    // Reads and validates `path` (a plugin.json). With `requireDirectoryName`, the plugin's name
    // must equal the name of the directory holding the file, so a plugin is found by its name.
    static Result<PluginMetadata> fromFile(const QString &path,
                                                  bool requireDirectoryName = true);
    // Validates `json`; `sourceName` (usually a path) starts every error message.
    static Result<PluginMetadata> fromJson(const QByteArray &json,
                                                  const QString &sourceName);
};

// The result of orderByDependencies: the plugins that can start, each after the plugins it
// needs, and the ones that cannot, by name, with a sentence saying why.
struct PEEK_CORE_EXPORT PluginOrder {
    QList<PluginMetadata> ordered;
    QMap<QString, QString> failed;
};

// Orders `plugins` so each comes after its dependencies. The order is stable, as in Qt Creator's
// plugin manager: each plugin keeps its place in the input, and the plugins it needs that come
// later in the input move to just before it (in input order). A plugin fails (is left out of
// `ordered` and reported in `failed`) when a dependency is missing, has a version outside the
// constraint, or is part of a dependency cycle, when its name is given twice, and when a plugin it
// needs, directly or not, failed, and when it was written for a plugin API this platform does not
// offer (base/apiversion.h):
//   "needs plugin API 2.0, this platform offers 1.1 (a plugin for API 1.x is needed)"
//   "needs peek_plugin_x >=2.0, but 1.0.0 is installed"
//   "needs peek_plugin_x, which is not installed or not enabled"
//   "dependency cycle: peek_plugin_a -> peek_plugin_b -> peek_plugin_a"
//   "needs peek_plugin_x, which failed: <why peek_plugin_x failed>"
PEEK_CORE_EXPORT PluginOrder orderByDependencies(const QList<PluginMetadata> &plugins);

} // namespace peek
