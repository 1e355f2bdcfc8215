#pragma once
// Plugin API: the entry point of a plugin and what the platform gives its hooks.
#include "peek/api.h"

#include "base/role.h"
#include "base/secrethash.h"
#include "plugin/peekplugin.h"
#include "plugin/plugincontext.h"
#include "plugin/pluginmetadata.h"
