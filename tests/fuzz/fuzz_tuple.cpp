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
    const Result<Value> read = json::decode(fuzz::viewOf(data, size));
    if (!read || read.value().type() != Value::Type::Tuple)
        return 0;
    const Value &decoded = read.value();
    const TuplePtr tuple = decoded.toTuple();
    PEEK_FUZZ_CHECK(tuple);
    const auto hazards = fuzz::RoundTripHazards::of(*tuple);
    if (hazards.valueComparable())
        PEEK_FUZZ_CHECK(tuple->clone()->equals(*tuple));
    (void)decoded.toVariant(); // what QML views get

    const QByteArray encoded = json::encodeTuple(*tuple);
    const Result<Value> readAgain = json::decode(encoded);
    PEEK_FUZZ_CHECK(readAgain);
    const Value &again = readAgain.value();
    PEEK_FUZZ_CHECK(again.type() == Value::Type::Tuple);
    if (hazards.valueComparable())
        PEEK_FUZZ_CHECK(again.toTuple()->equals(*tuple));
    PEEK_FUZZ_CHECK(json::encodeTuple(*again.toTuple()) == encoded);

    if (const auto selector = std::dynamic_pointer_cast<TupleSelector>(tuple)) {
        const QString key = selector->key();
        const auto selectorAgain = std::dynamic_pointer_cast<TupleSelector>(again.toTuple());
        PEEK_FUZZ_CHECK(selectorAgain);
        PEEK_FUZZ_CHECK(selectorAgain->key() == key);
        PEEK_FUZZ_CHECK(json::decode(key.toUtf8()));
    }
    return 0;
}
