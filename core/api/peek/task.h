#pragma once
// Plugin API: tasks that logic queues and workers run.
#include "peek/api.h"

#include "task/task.h"
