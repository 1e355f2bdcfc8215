#pragma once
// The tutorial's worker tasks, declared once for both sides: logic queues them
// (PluginContext::queueTask), the worker runs them (PluginContext::addTask).
#include "peek/task.h"

namespace tutorial::tasks {

// [max] -> a random int in [0, max) (the original tutorial's Celery task). Trivial: the
// benchmark's "empty" task is this one.
inline const peek::Task &pickRandomNumber()
{
    static const peek::Task task(QStringLiteral("peek_plugin_tutorial.pickRandomNumber"));
    return task;
}

// [below] -> how many primes are smaller than `below` (a sieve: CPU-heavy for large numbers, and
// its answer is easy to check: 78498 below 1,000,000).
inline const peek::Task &countPrimes()
{
    static const peek::Task task(QStringLiteral("peek_plugin_tutorial.countPrimes"));
    return task;
}

} // namespace tutorial::tasks
