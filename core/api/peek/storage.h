#pragma once
// Plugin API: the plugin's database schema, SQL helpers, settings, results and errors.
#include "peek/api.h"

#include "storage/database.h"
#include "storage/settings.h"
#include "storage/sql.h"
#include "storage/storageresult.h"
