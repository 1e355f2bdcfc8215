// peek::json::decode on any bytes: never crashes, and what decodes encodes to JSON that decodes
// to an equal value and encodes to the same text again (the codec's round trip).
#include "fuzzcheck.h"
#include "fuzztuples.h"

#include "tuple/jsoncodec.h"

using namespace peek;

PEEK_FUZZ_CODEC_TARGET

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const Result<Value> read = json::decode(fuzz::viewOf(data, size));
    if (!read)
        return 0;
    const Value &decoded = read.value();

    const QByteArray encoded = json::encode(decoded);
    const Result<Value> readAgain = json::decode(encoded);
    PEEK_FUZZ_CHECK(readAgain);
    const Value &again = readAgain.value();
    const auto hazards = fuzz::RoundTripHazards::of(decoded);
    if (hazards.valueComparable())
        PEEK_FUZZ_CHECK(again == decoded);
    PEEK_FUZZ_CHECK(json::encode(again) == encoded);

    // The canonical (sorted) form is JSON the codec reads as well.
    const QByteArray sorted = json::encodeSorted(decoded);
    PEEK_FUZZ_CHECK(json::decode(sorted));
    return 0;
}
