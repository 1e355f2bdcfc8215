#pragma once
// Typed tuples the codec targets register, so decoding takes the typed path (a field that does
// not fit its C++ type) as well as the generic one (unknown type names).

#include "tuple/tuple.h"
#include "tuple/tupleregistry.h"


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

// Call once, from LLVMFuzzerInitialize (PEEK_FUZZ_CODEC_TARGET does).
inline void registerTuples()
{
    (void)TupleRegistry::instance().registerType<StringIntTuple>();
    (void)TupleRegistry::instance().registerType<AllFieldsTuple>();
}

// What keeps a decoded value from comparing equal to itself after a round trip, so the targets
// skip that comparison (everything else still runs on the value): a NaN (the codec reads NaN and
// Infinity, as Python writes them; NaN != NaN). The re-encoded text must still be the same.
struct RoundTripHazards {
    bool nan = false;

    bool valueComparable() const
    {
        return !nan;
    }

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
        for (const auto &entry : dict)
            scan(entry.second);
    }
    void scanTuple(const Tuple &tuple)
    {
        if (tuple.isGeneric())
            scanDict(static_cast<const GenericTuple &>(tuple).fields());
        else
            scanDict(tuple.fieldsAsDict());
    }
};

} // namespace peek::fuzz

// The LLVMFuzzerInitialize of every codec target: Qt's log lines silenced, the test tuple types
// registered. Use it once, at file scope.
#define PEEK_FUZZ_CODEC_TARGET                                                                      \
    extern "C" int LLVMFuzzerInitialize(int *, char ***)                                           \
    {                                                                                              \
        peek::fuzz::quietQt();                                                                     \
        peek::fuzz::registerTuples();                                                              \
        return 0;                                                                                  \
    }
