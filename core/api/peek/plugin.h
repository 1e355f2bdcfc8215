#pragma once
// Plugin API: the entry point of a plugin and what the platform gives its hooks, and the kit
// (plugin/pluginkit.h: PEEK_PLUGIN, role hooks, PEEK_PLUGIN_TUPLE/ACTION, provideTuples,
// onAction, write, PluginSql).
#include "peek/api.h"

#include "base/role.h"
#include "base/secrethash.h"
#include "plugin/peekplugin.h"
#include "plugin/plugincontext.h"
#include "plugin/pluginkit.h"
#include "plugin/pluginmetadata.h"
