#pragma once

#include <QtGlobal>

#include <algorithm>

namespace peek {

// The wait before retry number `failures` (0: the first retry) of something that keeps failing
// (a dial, a queued action, a task): doubles from minMs, never below minMs and never above maxMs.
// `jitter` (a fraction of the wait, drawn by `random01` in [0, 1]) spreads a crowd of clients that
// lost the same server; it never lifts the wait past maxMs.
inline qint64 backoffDelayMs(int failures, qint64 minMs, qint64 maxMs, double random01 = 0, double jitter = 0)
{
    minMs = std::max<qint64>(0, minMs);
    maxMs = std::max(minMs, maxMs);
    qint64 base = minMs;
    for (int i = 0; i < failures && base < maxMs; ++i)
        base = std::max<qint64>(1, base) * 2; // no shift past 63 bits, however many failures
    base = std::min(base, maxMs);
    const double spread = std::clamp(random01, 0.0, 1.0) * std::max(0.0, jitter);
    return std::clamp<qint64>(base + qint64(double(base) * spread), minMs, maxMs);
}

} // namespace peek
