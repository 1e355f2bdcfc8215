#pragma once
// Plugin API: actions and their processor (typed delegates, applied exactly once in a
// transaction: docs/plugins.md "Actions").
#include "peek/api.h"

#include "action/tupleactionprocessor.h"
#include "action/tupleactions.h"
#include "action/tupletableedits.h"
