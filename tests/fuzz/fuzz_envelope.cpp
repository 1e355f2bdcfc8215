// PayloadEnvelope::fromVortexMsg on any bytes (JSON, or base64 of JSON): what reads must write
// back (toVortexMsg) as a message that reads to an equal envelope; the payload it carries is
// decoded as a receiver would.
#include "fuzzcheck.h"
#include "fuzztuples.h"

#include "vortex/payloadenvelope.h"

using namespace peek;

PEEK_FUZZ_CODEC_TARGET

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input = fuzz::viewOf(data, size);
    const Result<PayloadEnvelope> read = PayloadEnvelope::fromVortexMsg(input);
    if (!read)
        return 0;
    const PayloadEnvelope &envelope = read.value();
    (void)envelope.isSuccess();
    (void)envelope.errorText();

    auto hazards = fuzz::RoundTripHazards::of(envelope.filt);
    hazards.add(fuzz::RoundTripHazards::of(envelope.result));
    const QByteArray message = envelope.toVortexMsg();
    const Result<PayloadEnvelope> readAgain = PayloadEnvelope::fromVortexMsg(message);
    PEEK_FUZZ_CHECK(readAgain);
    const PayloadEnvelope &again = readAgain.value();
    if (hazards.valueComparable()) {
        PEEK_FUZZ_CHECK(again.filt == envelope.filt);
        PEEK_FUZZ_CHECK(again.result == envelope.result);
    }
    PEEK_FUZZ_CHECK(again.data == envelope.data);
    PEEK_FUZZ_CHECK(again.date == envelope.date);
    PEEK_FUZZ_CHECK(again.toVortexMsg() == message);

    (void)envelope.decodePayload();
    return 0;
}
