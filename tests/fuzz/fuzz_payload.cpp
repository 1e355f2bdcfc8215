// Payload::fromJson (the JSON text) and Payload::decode (base64 of zlib of it) on any bytes;
// raw zlib input (first byte 0x78) is also base64'd and decoded, so the fuzzer can mutate the
// compressed stream itself. What decodes must encode (as JSON and as an encoded payload) and
// decode again to an equal payload.
#include "fuzzcheck.h"
#include "fuzztuples.h"

#include "vortex/payload.h"

using namespace peek;

namespace {

fuzz::RoundTripHazards hazardsOf(const Payload &payload)
{
    auto hazards = fuzz::RoundTripHazards::of(payload.filt);
    for (const TuplePtr &tuple : payload.tuples) {
        if (tuple)
            hazards.add(fuzz::RoundTripHazards::of(*tuple));
    }
    return hazards;
}

bool samePayload(const Payload &a, const Payload &b)
{
    if (!(a.filt == b.filt) || !(a.date == b.date) || a.tuples.size() != b.tuples.size())
        return false;
    for (size_t i = 0; i < a.tuples.size(); ++i) {
        if (bool(a.tuples[i]) != bool(b.tuples[i]))
            return false;
        if (a.tuples[i] && !a.tuples[i]->equals(*b.tuples[i]))
            return false;
    }
    return true;
}

void roundTrip(const Payload &payload)
{
    const auto hazards = hazardsOf(payload);
    const QByteArray json = payload.toJson();
    const Result<Payload> fromJson = Payload::fromJson(json);
    PEEK_FUZZ_CHECK(fromJson);
    if (hazards.valueComparable())
        PEEK_FUZZ_CHECK(samePayload(payload, fromJson.value()));
    PEEK_FUZZ_CHECK(fromJson.value().toJson() == json);

    const Result<Payload> decoded = Payload::decode(payload.encode(1));
    PEEK_FUZZ_CHECK(decoded);
    if (hazards.valueComparable())
        PEEK_FUZZ_CHECK(samePayload(payload, decoded.value()));
}

void decodeAndRoundTrip(QByteArrayView encoded)
{
    const Result<Payload> decoded = Payload::decode(encoded);
    if (decoded)
        roundTrip(decoded.value());
}

} // namespace

PEEK_FUZZ_CODEC_TARGET

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input = fuzz::viewOf(data, size);
    const Result<Payload> payload = Payload::fromJson(input);
    if (payload)
        roundTrip(payload.value());
    decodeAndRoundTrip(input);
    if (size >= 2 && data[0] == 0x78)
        decodeAndRoundTrip(fuzz::bytesOf(data, size).toBase64());
    return 0;
}
