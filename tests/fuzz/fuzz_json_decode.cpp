// peek::json::decode on any bytes: never crashes, and what decodes encodes to JSON that decodes
// to an equal value and encodes to the same text again (the codec's round trip).
#include "fuzzcheck.h"
#include "fuzztuples.h"

#include "tuple/jsoncodec.h"

using namespace peek;

PEEK_FUZZ_CODEC_TARGET

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QString error;
    const Value decoded = json::decode(fuzz::viewOf(data, size), &error);
    if (!error.isEmpty())
        return 0;

    const QByteArray encoded = json::encode(decoded);
    QString againError;
    const Value again = json::decode(encoded, &againError);
    PEEK_FUZZ_CHECK(againError.isEmpty());
    const auto hazards = fuzz::RoundTripHazards::of(decoded);
    if (hazards.valueComparable())
        PEEK_FUZZ_CHECK(again == decoded);
    PEEK_FUZZ_CHECK(json::encode(again) == encoded);

    // The canonical (sorted) form is JSON the codec reads as well.
    const QByteArray sorted = json::encodeSorted(decoded);
    QString sortedError;
    (void)json::decode(sorted, &sortedError);
    PEEK_FUZZ_CHECK(sortedError.isEmpty());
    return 0;
}
