#pragma once
// The version of the plugin API (core/api/peek/): MAJOR.MINOR.
//
// A plugin says in plugin.json which API it was written for ("peekApi": "1.0"). The platform
// loads it when the major versions are equal and the plugin's minor is not newer than the
// platform's: a minor version only adds (and marks what it replaces PEEK_DEPRECATED); a major
// version may remove what was deprecated, and changes PeekPlugin_iid with it.

#include "base/export.h"

#include <QString>
#include <QVersionNumber>

#define PEEK_API_VERSION_MAJOR 1
// 1.1: peek::Result/peek::Error (base/result.h) for every library; StorageResult/StorageError deprecated.
// 1.2: the plugin kit (plugin/pluginkit.h): PEEK_PLUGIN, role hooks, PEEK_PLUGIN_TUPLE/ACTION,
//      provideTuples, onAction, write, PluginSql; `{schema}` in migrations.
#define PEEK_API_VERSION_MINOR 2

namespace peek {

struct PEEK_API PluginApiVersion
{
    // The API this platform offers.
    static QVersionNumber current();
    // Empty when a plugin written for `required` runs on this platform; otherwise why not, e.g.
    // "needs plugin API 2.0, this platform offers 1.0 (a plugin for API 1.x is needed)".
    static QString refusal(const QVersionNumber &required);
};

} // namespace peek
