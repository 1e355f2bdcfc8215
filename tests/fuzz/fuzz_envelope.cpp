// PayloadEnvelope::fromVortexMsg on any bytes (JSON, or base64 of JSON): what reads must write
// back (toVortexMsg) as a message that reads to an equal envelope; the payload it carries is
// decoded as a receiver would.
#include "fuzzcheck.h"
#include "fuzztuples.h"

#include "vortex/payloadenvelope.h"

#include <QRegularExpression>

using namespace peek;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::quietQt();
    fuzz::registerTuples();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input = fuzz::viewOf(data, size);
    if (fuzz::kSkipKnownFindings
        && (fuzz::hasLongNumber(input)
            || fuzz::hasLongNumber(QByteArray::fromBase64(input.toByteArray()))))
        return 0;
    PayloadEnvelope envelope;
    QString error;
    if (!PayloadEnvelope::fromVortexMsg(input, envelope, &error))
        return 0;
    (void)envelope.isSuccess();
    (void)envelope.errorText();

    auto hazards = fuzz::RoundTripHazards::of(envelope.filt);
    hazards.add(fuzz::RoundTripHazards::of(envelope.result));
#ifdef PEEK_FUZZ_SKIP_KNOWN_FINDINGS
    // tests/fuzz/findings/README.md: data that is not base64 text is written back unescaped.
    static const QRegularExpression base64Text(QStringLiteral("^[A-Za-z0-9+/=]*$"));
    if (!base64Text.match(QString::fromLatin1(envelope.data)).hasMatch())
        return 0;
#endif
    const QByteArray message = envelope.toVortexMsg();
    PayloadEnvelope again;
    QString againError;
    PEEK_FUZZ_CHECK(PayloadEnvelope::fromVortexMsg(message, again, &againError));
    if (hazards.valueComparable()) {
        PEEK_FUZZ_CHECK(again.filt == envelope.filt);
        PEEK_FUZZ_CHECK(again.result == envelope.result);
    }
    PEEK_FUZZ_CHECK(again.data == envelope.data);
    PEEK_FUZZ_CHECK(again.date == envelope.date);
    if (hazards.textComparable())
        PEEK_FUZZ_CHECK(again.toVortexMsg() == message);

    Payload payload;
    if (!(fuzz::kSkipKnownFindings && fuzz::hasLongNumber(Payload::decodeToJson(envelope.data))))
        (void)envelope.decodePayload(payload);
    return 0;
}
