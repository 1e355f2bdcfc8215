// Tuples and TupleSelectors decoded from any bytes: typed (registered) and generic tuples
// encode and decode back to equal tuples, clones equal their original, and a TupleSelector's
// canonical key is JSON the codec reads and survives the round trip unchanged.
#include "fuzzcheck.h"
#include "fuzztuples.h"

#include "tuple/jsoncodec.h"
#include "tuple/tupleselector.h"

using namespace peek;

PEEK_FUZZ_CODEC_TARGET

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QString error;
    const Value decoded = json::decode(fuzz::viewOf(data, size), &error);
    if (!error.isEmpty() || decoded.type() != Value::Type::Tuple)
        return 0;
    const TuplePtr tuple = decoded.toTuple();
    PEEK_FUZZ_CHECK(tuple);
    const auto hazards = fuzz::RoundTripHazards::of(*tuple);
    if (hazards.valueComparable())
        PEEK_FUZZ_CHECK(tuple->clone()->equals(*tuple));
    (void)decoded.toVariant(); // what QML views get

    const QByteArray encoded = json::encodeTuple(*tuple);
    QString againError;
    const Value again = json::decode(encoded, &againError);
    PEEK_FUZZ_CHECK(againError.isEmpty());
    PEEK_FUZZ_CHECK(again.type() == Value::Type::Tuple);
    if (hazards.valueComparable())
        PEEK_FUZZ_CHECK(again.toTuple()->equals(*tuple));
    PEEK_FUZZ_CHECK(json::encodeTuple(*again.toTuple()) == encoded);

    if (const auto selector = std::dynamic_pointer_cast<TupleSelector>(tuple)) {
        const QString key = selector->key();
        const auto selectorAgain = std::dynamic_pointer_cast<TupleSelector>(again.toTuple());
        PEEK_FUZZ_CHECK(selectorAgain);
        PEEK_FUZZ_CHECK(selectorAgain->key() == key);
        QString keyError;
        (void)json::decode(key.toUtf8(), &keyError);
        PEEK_FUZZ_CHECK(keyError.isEmpty());
    }
    return 0;
}
