#pragma once
// Typed tuples the codec targets register, so decoding takes the typed path (a field that does
// not fit its C++ type) as well as the generic one (unknown type names).

#include "tuple/tuple.h"
#include "tuple/tupleregistry.h"

#include <QSet>

#include <cmath>

namespace peek::fuzz {

// The tutorial plugin's tuple, under its real name (the golden vectors use it).
struct StringIntTuple : TypedTuple<StringIntTuple> {
    PEEK_TUPLE(StringIntTuple, "peek_plugin_tutorial.StringIntTuple", id, int1, string1)
    qint64 id = 0;
    qint64 int1 = 0;
    QString string1;
};

// One field of every C++ type a typed tuple can hold.
struct AllFieldsTuple : TypedTuple<AllFieldsTuple> {
    PEEK_TUPLE(AllFieldsTuple, "fuzz.AllFields", aBool, aBytes, aChild, aDate, aDict, aFloat, anInt,
               anInt32, aList, aStr, aValue, aWkb)
    bool aBool = false;
    QByteArray aBytes;
    TuplePtr aChild;
    DateTime aDate;
    Dict aDict;
    double aFloat = 0;
    qint64 anInt = 0;
    int anInt32 = 0;
    ValueList aList;
    QString aStr;
    Value aValue;
    Wkb aWkb;
};

// Call once, from LLVMFuzzerInitialize.
inline void registerTuples()
{
    TupleRegistry::instance().registerType<StringIntTuple>();
    TupleRegistry::instance().registerType<AllFieldsTuple>();
}

// What keeps a decoded value from comparing equal to itself after a round trip, so the targets
// skip those comparisons (everything else still runs on the value):
// - NaN (the codec reads NaN and Infinity, as Python writes them; NaN != NaN): the re-encoded
//   text must still be the same;
// - only when built with PEEK_FUZZ_SKIP_KNOWN_FINDINGS (to fuzz past it while it is open): an
//   object with a key twice (tests/fuzz/findings/README.md).
struct RoundTripHazards {
    bool nan = false;
    bool duplicateKeys = false;

#ifdef PEEK_FUZZ_SKIP_KNOWN_FINDINGS
    bool valueComparable() const
    {
        return !nan && !duplicateKeys;
    }
    bool textComparable() const
    {
        return !duplicateKeys;
    }
#else
    bool valueComparable() const
    {
        return !nan;
    }
    bool textComparable() const
    {
        return true;
    }
#endif

    static RoundTripHazards of(const Value &value)
    {
        RoundTripHazards h;
        h.scan(value);
        return h;
    }
    static RoundTripHazards of(const Dict &dict)
    {
        RoundTripHazards h;
        h.scanDict(dict);
        return h;
    }
    static RoundTripHazards of(const Tuple &tuple)
    {
        RoundTripHazards h;
        h.scanTuple(tuple);
        return h;
    }
    void add(const RoundTripHazards &o)
    {
        nan |= o.nan;
        duplicateKeys |= o.duplicateKeys;
    }

private:
    void scan(const Value &v)
    {
        switch (v.type()) {
        case Value::Type::Float:
            nan |= std::isnan(v.toDouble());
            break;
        case Value::Type::List:
            for (const Value &item : v.toList())
                scan(item);
            break;
        case Value::Type::Dict:
            scanDict(v.toDict());
            break;
        case Value::Type::Tuple:
            if (v.toTuple())
                scanTuple(*v.toTuple());
            break;
        default:
            break;
        }
    }
    void scanDict(const Dict &dict)
    {
        QSet<QString> keys;
        for (const auto &[key, value] : dict) {
            if (keys.contains(key))
                duplicateKeys = true;
            keys.insert(key);
            scan(value);
        }
    }
    void scanTuple(const Tuple &tuple)
    {
        if (tuple.isGeneric())
            scanDict(static_cast<const GenericTuple &>(tuple).fields());
        else
            scanDict(tuple.fieldsAsDict());
    }
};

#ifdef PEEK_FUZZ_SKIP_KNOWN_FINDINGS
constexpr bool kSkipKnownFindings = true;
#else
constexpr bool kSkipKnownFindings = false;
#endif

// With kSkipKnownFindings, the codec targets skip JSON text the open RapidJSON finding
// (tests/fuzz/findings/README.md) stops on: a number of more than 17 digits, which RapidJSON
// 1.1.0 reads through its full-precision path.
inline bool hasLongNumber(QByteArrayView json)
{
    int digits = 0;
    for (const char c : json) {
        if (c >= '0' && c <= '9') {
            if (++digits > 17)
                return true;
        } else if (c != '.') {
            digits = 0;
        }
    }
    return false;
}

} // namespace peek::fuzz
