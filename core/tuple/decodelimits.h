#pragma once

#include "base/export.h"
#include <QtGlobal>

namespace peek {

// Bounds on what decoding one message may cost (docs/threats.md rule 2): every decoder of peer input
// checks them before it allocates for what it reads. The defaults fit every payload Peek makes
// (the 10,000-tuple benchmark payload uses a tenth of them) and stop a hostile message long
// before it costs the process its memory or its event loop. A service sets them once at start
// from config.json ("limits"); tests may set them around a case.
struct PEEK_CORE_EXPORT DecodeLimits
{
    int maxDepth = 100;                    // nesting of JSON arrays and objects
    qint64 maxValues = 2'000'000;          // JSON values (numbers, strings, objects...) in one text
    int maxTuples = 250'000;               // tuples in one payload (message)
    int maxFieldsPerTuple = 1'000;         // fields of one tuple
    qint64 maxInflatedBytes = 64ll << 20;  // what one encoded payload may inflate to
    int maxInflateRatio = 200;             // ... and at most this many times its compressed size,
    qint64 inflateRatioFloorBytes = 1 << 20; // once it is past this size

    // The limits in force in this process (thread-safe to read; set them before serving).
    static DecodeLimits current();
    static void setCurrent(const DecodeLimits &limits);

    // The most `compressedBytes` of zlib data may inflate to under these limits.
    qint64 inflateCap(qint64 compressedBytes) const
    {
        const qint64 byRatio = qMax(inflateRatioFloorBytes, compressedBytes * maxInflateRatio);
        return qMin(maxInflatedBytes, byRatio);
    }
};

} // namespace peek
