#pragma once
// Plugin API: observables that logic owns and devices subscribe to, and their field/office proxies.
#include "peek/api.h"

#include "observable/tupledataobservablehandler.h"
#include "observable/tupledataobservableproxyhandler.h"
