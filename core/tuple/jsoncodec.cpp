#include "jsoncodec.h"

#include "decodelimits.h"
#include "tuple.h"
#include "tupleregistry.h"

#include <QLoggingCategory>
#include <QMutex>
#include <QSet>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

Q_LOGGING_CATEGORY(lcCodec, "peek.tuple.codec")

namespace peek {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void logUnknownTypeOnce(const QString &typeName)
{
    static QMutex mutex;
    static QSet<QString> seen;
    QMutexLocker locker(&mutex);
    if (seen.size() > 10000 || seen.contains(typeName))
        return; // bounded: a peer inventing names must not grow the set (or the log) for ever
    seen.insert(typeName);
    qCInfo(lcCodec).noquote() << "tuple type" << typeName
                              << "is not registered here; it is kept as a generic tuple";
}

void logUnknownFieldOnce(const QString &typeName, const QString &field)
{
    static QMutex mutex;
    static QSet<QString> seen;
    QMutexLocker locker(&mutex);
    const QString key = typeName + u'.' + field;
    if (seen.size() > 10000 || seen.contains(key))
        return;
    seen.insert(key);
    qCInfo(lcCodec).noquote() << "tuple type" << typeName << "has no field" << field
                              << "here; the field is left out";
}

} // namespace

namespace {
QBasicMutex limitsMutex;
DecodeLimits &limitsInForce()
{
    static DecodeLimits limits;
    return limits;
}
} // namespace

DecodeLimits DecodeLimits::current()
{
    QMutexLocker locker(&limitsMutex);
    return limitsInForce();
}

void DecodeLimits::setCurrent(const DecodeLimits &limits)
{
    QMutexLocker locker(&limitsMutex);
    limitsInForce() = limits;
}

// ---- writing --------------------------------------------------------------------------------

void JsonWriter::grow(size_t n)
{
    const size_t capacity = std::max({m_capacity * 2, m_size + n, size_t(256)});
    m_buffer.resize(qsizetype(capacity)); // keeps what is written; the rest is uninitialised
    m_data = m_buffer.data();
    m_capacity = capacity;
}

QByteArray JsonWriter::take()
{
    m_buffer.resize(qsizetype(m_size));
    m_buffer.squeeze(); // the spare room goes back (a shrinking realloc: no copy)
    QByteArray out = m_data ? std::move(m_buffer) : QByteArray("");
    m_buffer = QByteArray();
    m_data = nullptr;
    m_size = m_capacity = 0;
    return out;
}

void JsonWriter::writeString(QStringView s)
{
    put('"');
    const char16_t *p = s.utf16();
    const char16_t *end = p + s.size();
    while (p < end) {
        // Copy the longest run of plain printable ASCII in one go.
        const char16_t *run = p;
        while (p < end && *p >= 0x20 && *p <= 0x7e && *p != '"' && *p != '\\')
            ++p;
        if (p != run) {
            const size_t n = size_t(p - run);
            char *out = room(n);
            for (size_t i = 0; i < n; ++i)
                out[i] = char(run[i]);
            m_size += n;
        }
        if (p == end)
            break;
        const char16_t c = *p++;
        switch (c) {
        case '"': writeRaw("\\\"", 2); break;
        case '\\': writeRaw("\\\\", 2); break;
        case '\n': writeRaw("\\n", 2); break;
        case '\r': writeRaw("\\r", 2); break;
        case '\t': writeRaw("\\t", 2); break;
        case '\b': writeRaw("\\b", 2); break;
        case '\f': writeRaw("\\f", 2); break;
        default: {
            const char esc[6] = {'\\', 'u', kHex[(c >> 12) & 0xf], kHex[(c >> 8) & 0xf],
                                 kHex[(c >> 4) & 0xf], kHex[c & 0xf]};
            writeRaw(esc, 6);
        }
        }
    }
    put('"');
}

void JsonWriter::writeInt(qint64 v)
{
    if (m_sortKeys)
        writeRaw("{\"_fd\":");
    else
        writeRaw("{\"_ft\":\"int\",\"_fd\":");
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    writeRaw(buf, size_t(res.ptr - buf));
    writeRaw(m_sortKeys ? ",\"_ft\":\"int\"}" : "}");
}

namespace {

// Values with at most three decimals (whole numbers, halves, prices, most readings) are what
// payloads mostly carry, and they need no shortest-digits search (Ryu, in std::to_chars): when
// d * 1000 rounds to a whole n and n / 1000 is exactly d again, n's digits without its trailing
// zeros are the shortest text that reads back as d. Below 1e12 the doubles are closer together
// than 0.001, so no other text with as few decimals reads back as d. Writes d >= 0 into out;
// returns the length, or 0 when d is not such a value.
int writeShortDecimal(double d, char *out)
{
    if (!(d < 1e12))
        return 0;
    const long long n = std::llround(d * 1000.0);
    if (double(n) / 1000.0 != d)
        return 0;
    if (n == 0) {
        std::memcpy(out, "0.0", 3);
        return 3;
    }
    char digits[24] = {};
    int nd = int(std::to_chars(digits, digits + sizeof digits, n).ptr - digits);
    int decimals = 3;
    while (decimals > 0 && digits[nd - 1] == '0') {
        --nd;
        --decimals;
    }
    char *o = out;
    if (decimals == 0) {
        o = std::copy(digits, digits + nd, o);
        *o++ = '.';
        *o++ = '0';
    } else if (nd > decimals) {
        o = std::copy(digits, digits + nd - decimals, o);
        *o++ = '.';
        o = std::copy(digits + nd - decimals, digits + nd, o);
    } else {
        *o++ = '0';
        *o++ = '.';
        o = std::fill_n(o, decimals - nd, '0');
        o = std::copy(digits, digits + nd, o);
    }
    return int(o - out);
}

// Any other d >= 0: the shortest digits from std::to_chars, laid out as Python does.
int writeShortestDigits(double d, char *out)
{
    char sci[64];
    const auto res = std::to_chars(sci, sci + sizeof sci, d, std::chars_format::scientific);
    const char *p = sci;
    const char *end = res.ptr;
    char digits[32];
    int nd = 0;
    while (p < end && *p != 'e') {
        if (*p != '.')
            digits[nd++] = *p;
        ++p;
    }
    int exp10 = 0;
    if (p < end && *p == 'e')
        std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), end, exp10);
    const int decpt = exp10 + 1;
    char *o = out;
    if (decpt > -4 && decpt <= 16) {
        if (decpt <= 0) {
            *o++ = '0';
            *o++ = '.';
            o = std::fill_n(o, -decpt, '0');
            o = std::copy(digits, digits + nd, o);
        } else if (decpt >= nd) {
            o = std::copy(digits, digits + nd, o);
            o = std::fill_n(o, decpt - nd, '0');
            *o++ = '.';
            *o++ = '0';
        } else {
            o = std::copy(digits, digits + decpt, o);
            *o++ = '.';
            o = std::copy(digits + decpt, digits + nd, o);
        }
        return int(o - out);
    }
    *o++ = digits[0];
    if (nd > 1) {
        *o++ = '.';
        o = std::copy(digits + 1, digits + nd, o);
    }
    return int(o - out) + std::snprintf(o, 16, "e%c%02d", exp10 < 0 ? '-' : '+',
                                        exp10 < 0 ? -exp10 : exp10);
}

} // namespace

// Python's repr(float): the shortest text that reads back exactly, in fixed notation unless
// the decimal exponent is below -4 or above 15, always with a ".0" or an exponent.
void JsonWriter::writeDouble(double d)
{
    if (std::isnan(d)) {
        writeRaw("NaN");
        return;
    }
    if (std::isinf(d)) {
        writeRaw(d < 0 ? "-Infinity" : "Infinity");
        return;
    }
    char text[64];
    int n = 0;
    if (std::signbit(d)) {
        text[n++] = '-';
        d = -d;
    }
    const int shortLength = writeShortDecimal(d, text + n);
    n += shortLength ? shortLength : writeShortestDigits(d, text + n);
    writeRaw(text, size_t(n));
}

void JsonWriter::writeWrapped(const char *type, const Value &data)
{
    if (m_sortKeys) {
        writeRaw("{\"_fd\":");
        writeValue(data);
        writeRaw(",\"_ft\":\"");
        writeRaw(type);
        writeRaw("\"}");
    } else {
        writeRaw("{\"_ft\":\"");
        writeRaw(type);
        writeRaw("\",\"_fd\":");
        writeValue(data);
        put('}');
    }
}

void JsonWriter::writeDict(const Dict &dict)
{
    put('{');
    bool first = true;
    auto writeEntry = [&](const Dict::Entry &e) {
        if (!first)
            put(',');
        first = false;
        writeString(e.first);
        put(':');
        writeValue(e.second);
    };
    if (m_sortKeys) {
        std::vector<const Dict::Entry *> entries;
        entries.reserve(size_t(dict.size()));
        for (const auto &e : dict)
            entries.push_back(&e);
        std::sort(entries.begin(), entries.end(),
                  [](const Dict::Entry *a, const Dict::Entry *b) { return a->first < b->first; });
        for (const auto *e : entries)
            writeEntry(*e);
    } else {
        for (const auto &e : dict)
            writeEntry(e);
    }
    put('}');
}

void JsonWriter::writeValue(const Value &value)
{
    switch (value.type()) {
    case Value::Type::Null: writeRaw("null"); return;
    case Value::Type::Bool: writeRaw(value.toBool() ? "true" : "false"); return;
    case Value::Type::Int: writeInt(value.toInt()); return;
    case Value::Type::Float: writeDouble(value.toDouble()); return;
    case Value::Type::String: writeString(value.toStringView()); return;
    case Value::Type::Bytes:
        writeWrapped("bytes", QString::fromLatin1(value.toBytes().toBase64()));
        return;
    case Value::Type::Wkb:
        writeWrapped("wkb", QString::fromLatin1(value.toBytes().toBase64()));
        return;
    case Value::Type::DateTime:
        // An unset datetime travels as null, as Python's None would.
        if (value.toDateTime().isValid())
            writeWrapped("datetime", value.toDateTime().toString());
        else
            writeRaw("null");
        return;
    case Value::Type::List: {
        put('[');
        bool first = true;
        for (const auto &item : value.toList()) {
            if (!first)
                put(',');
            first = false;
            writeValue(item);
        }
        put(']');
        return;
    }
    case Value::Type::Dict: writeDict(value.toDict()); return;
    case Value::Type::Tuple: {
        const auto t = value.toTuple();
        if (t)
            writeTuple(*t);
        else
            writeRaw("null");
        return;
    }
    }
}

void JsonWriter::writeTuple(const Tuple &tuple)
{
    if (m_sortKeys) {
        // Canonical form: the header keys sort among the fields like any other key.
        Dict all = tuple.fieldsAsDict();
        all.insert(QStringLiteral("_c"), tuple.tupleType());
        all.insert(QStringLiteral("_ct"), QStringLiteral("rt"));
        writeDict(all);
        return;
    }
    writeRaw("{\"_ct\":\"rt\",\"_c\":");
    writeString(tuple.tupleType());
    tuple.writeFields(*this);
    put('}');
}

void JsonWriter::writeField(const QString &name, const Value &value)
{
    put(',');
    writeString(name);
    put(':');
    writeValue(value);
}

// ---- reading --------------------------------------------------------------------------------

namespace detail {

// The decoder's way to Tuple::setFieldQuietly() (private: plugins set fields with setField()).
struct TupleDecoding
{
    static bool setField(Tuple &tuple, const QString &name, const Value &value)
    {
        return tuple.setFieldQuietly(name, value);
    }
};

} // namespace detail

namespace {

constexpr uint32_t kNoName = std::numeric_limits<uint32_t>::max();

// Keys and type tags (the values of _ft, _ct and _c) repeat in every object of a payload. The
// table converts each distinct one to a QString once; the builder then refers to it by index,
// so collecting the fields of a tuple neither allocates nor reference-counts its keys.
class NameTable
{
public:
    NameTable() : m_buckets(64, kNoName) {}

    uint32_t intern(const char *s, rapidjson::SizeType len)
    {
        const uint32_t h = hash(s, len);
        const size_t mask = m_buckets.size() - 1;
        for (size_t b = h & mask;; b = (b + 1) & mask) {
            const uint32_t index = m_buckets[b];
            if (index == kNoName) {
                QString text = QString::fromUtf8(s, qsizetype(len));
                // Invalid UTF-8 (not validated, for speed) reads as U+FFFD: different bytes can
                // give the same text, and the same text must be the same name (or a key given
                // twice would not be seen as one). Rare: only then are the names searched.
                if (text.contains(QChar::ReplacementCharacter)) {
                    for (uint32_t i = 0; i < m_names.size(); ++i) {
                        if (m_names[i].text == text) {
                            m_buckets[b] = i;
                            m_aliases.push_back(Alias{std::string(s, len), h, i});
                            if ((m_names.size() + m_aliases.size()) * 2 > m_buckets.size())
                                rehash();
                            return i;
                        }
                    }
                }
                m_buckets[b] = uint32_t(m_names.size());
                m_names.push_back(Name{std::string(s, len), std::move(text), h, len > 0 && s[0] == '_'});
                if ((m_names.size() + m_aliases.size()) * 2 > m_buckets.size())
                    rehash();
                return uint32_t(m_names.size() - 1);
            }
            if (m_names[index].hash == h && m_names[index].is(s, len))
                return index;
            if (Q_UNLIKELY(!m_aliases.empty()) && isAlias(index, h, s, len))
                return index;
        }
    }

    // Whether the name at index is the given text: cheaper than intern() when a guess is right.
    bool is(uint32_t index, const char *s, rapidjson::SizeType len) const
    {
        return m_names[index].is(s, len);
    }

    const QString &text(uint32_t index) const { return m_names[index].text; }
    // Keys starting with "_" are protocol keys, not fields.
    bool isHidden(uint32_t index) const { return m_names[index].hidden; }

private:
    struct Name
    {
        std::string utf8;
        QString text;
        uint32_t hash;
        bool hidden;

        // Inline rather than memcmp(): the strings are a few bytes and a call costs more.
        bool is(const char *s, rapidjson::SizeType len) const
        {
            if (utf8.size() != len)
                return false;
            for (rapidjson::SizeType i = 0; i < len; ++i)
                if (utf8[i] != s[i])
                    return false;
            return true;
        }
    };

    // Eight bytes at a time: keys and tags are short, and this runs for every one of them.
    static uint32_t hash(const char *s, rapidjson::SizeType len)
    {
        uint64_t h = len;
        rapidjson::SizeType i = 0;
        for (; i + 8 <= len; i += 8) {
            uint64_t word;
            std::memcpy(&word, s + i, 8);
            h = (h ^ word) * 0x9e3779b97f4a7c15ull;
            h ^= h >> 32;
        }
        uint64_t tail = 0;
        for (int shift = 0; i < len; ++i, shift += 8)
            tail |= uint64_t(uint8_t(s[i])) << shift;
        h = (h ^ tail) * 0x9e3779b97f4a7c15ull;
        return uint32_t(h ^ (h >> 32));
    }

    // Other bytes for the same text as m_names[index] (invalid UTF-8).
    struct Alias
    {
        std::string utf8;
        uint32_t hash;
        uint32_t index;
    };

    bool isAlias(uint32_t index, uint32_t h, const char *s, rapidjson::SizeType len) const
    {
        for (const Alias &a : m_aliases)
            if (a.index == index && a.hash == h && a.utf8.size() == len && std::memcmp(a.utf8.data(), s, len) == 0)
                return true;
        return false;
    }

    void rehash()
    {
        std::vector<uint32_t> buckets(m_buckets.size() * 2, kNoName);
        const size_t mask = buckets.size() - 1;
        const auto place = [&buckets, mask](uint32_t hash, uint32_t index) {
            size_t b = hash & mask;
            while (buckets[b] != kNoName)
                b = (b + 1) & mask;
            buckets[b] = index;
        };
        for (uint32_t i = 0; i < m_names.size(); ++i)
            place(m_names[i].hash, i);
        for (const Alias &a : m_aliases)
            place(a.hash, a.index);
        m_buckets = std::move(buckets);
    }

    std::vector<Name> m_names;
    std::vector<Alias> m_aliases;
    std::vector<uint32_t> m_buckets; // open addressing, at most half full
};

enum class KeyRole { Field, Ft, Fd, Ct, C };

KeyRole roleOf(const char *s, rapidjson::SizeType len)
{
    if (len < 2 || len > 3 || s[0] != '_')
        return KeyRole::Field;
    if (len == 2)
        return s[1] == 'c' ? KeyRole::C : KeyRole::Field;
    if (s[1] == 'f' && s[2] == 't')
        return KeyRole::Ft;
    if (s[1] == 'f' && s[2] == 'd')
        return KeyRole::Fd;
    if (s[1] == 'c' && s[2] == 't')
        return KeyRole::Ct;
    return KeyRole::Field;
}

bool equals(const char *s, rapidjson::SizeType len, std::string_view text)
{
    return len == text.size() && std::memcmp(s, text.data(), len) == 0;
}

// What an _ft tag asks of its _fd: the types that need converting, or Plain for the tags whose
// data is plain JSON ("str", "bool", "dict", "list") and for tags this side does not know.
enum class Wrapped { Unread, Plain, Int, DateTime, Bytes, Wkb, Float };

Wrapped wrappedType(const char *s, rapidjson::SizeType len)
{
    if (equals(s, len, "int"))
        return Wrapped::Int;
    if (equals(s, len, "datetime"))
        return Wrapped::DateTime;
    if (equals(s, len, "bytes"))
        return Wrapped::Bytes;
    if (equals(s, len, "wkb"))
        return Wrapped::Wkb;
    if (equals(s, len, "float"))
        return Wrapped::Float;
    return Wrapped::Plain;
}

// Builds Values from RapidJSON's SAX events. An object is collected as key/value entries and
// turned into what it stands for when it ends: an _ft wrapper into its value, an "rt" object
// into a tuple (typed when the registry knows the type name, generic otherwise), anything else
// into a Dict. The tags (string values of _ft, _ct and _c) are read as they arrive and kept out
// of the entries; only a plain dict gets them back as values. One frame per nesting depth is
// kept and reused, so the many small objects of a payload (every tuple, every wrapped int) cost
// no allocation of their own.
class ValueBuilder
{
public:
    explicit ValueBuilder(const DecodeLimits &limits)
        : m_limits(limits), m_maxDepth(size_t(std::max(0, limits.maxDepth))), m_maxValues(limits.maxValues)
    {
    }

    // Why the builder stopped the parse (a limit, a tuple that does not fit its type), or empty.
    QString error;

    bool Null() { return add(Value()); }
    bool Bool(bool b) { return add(Value(b)); }
    bool Int(int i) { return add(Value(qint64(i))); }
    bool Uint(unsigned u) { return add(Value(qint64(u))); }
    bool Int64(int64_t i) { return add(Value(qint64(i))); }
    bool Uint64(uint64_t u)
    {
        if (u > uint64_t(std::numeric_limits<qint64>::max()))
            return add(Value(double(u)));
        return add(Value(qint64(u)));
    }
    bool Double(double d) { return add(Value(d)); }
    // Numbers arrive as text (kParseNumbersAsStringsFlag) and are converted here with
    // std::from_chars: exact, and it keeps RapidJSON's big-number path (undefined behaviour on
    // some inputs, found by fuzzing) out of the way. Whole numbers that fit are ints, the rest
    // doubles, as RapidJSON's own handlers gave them.
    bool RawNumber(const char *s, rapidjson::SizeType len, bool)
    {
        const char *end = s + len;
        qint64 i = 0;
        const auto [intEnd, intError] = std::from_chars(s, end, i);
        if (intEnd == end && intError == std::errc())
            return add(Value(i));
        double d = 0;
        const auto [ptr, ec] = std::from_chars(s, end, d);
        if (ptr != end || (ec != std::errc() && ec != std::errc::result_out_of_range))
            return fail(QStringLiteral("unreadable number %1").arg(QString::fromLatin1(s, qsizetype(std::min<size_t>(len, 40)))));
        if (ec == std::errc::result_out_of_range) // beyond double: its infinity or zero, as strtod
            d = (len > 0 && s[0] == '-') ? -HUGE_VAL : HUGE_VAL;
        return add(Value(d));
    }

    bool String(const char *s, rapidjson::SizeType len, bool)
    {
        if (m_depth > 0 && top().isObject) {
            Frame &f = top();
            switch (f.pendingRole) {
            case KeyRole::Field:
            case KeyRole::Fd: break;
            case KeyRole::Ft:
                f.ftType = wrappedType(s, len);
                f.pendingRole = KeyRole::Field;
                return true;
            case KeyRole::Ct:
                f.ctIsTuple = equals(s, len, "rt");
                if (!f.ctIsTuple)
                    f.tags.push_back(Tag{f.entries.size(), f.pendingKey, m_names.intern(s, len)});
                f.pendingRole = KeyRole::Field;
                return true;
            case KeyRole::C:
                f.cName = name(f.typeGuess, s, len);
                f.tags.push_back(Tag{f.entries.size(), f.pendingKey, f.cName});
                f.pendingRole = KeyRole::Field;
                return true;
            }
        }
        return add(Value(QString::fromUtf8(s, qsizetype(len))));
    }
    bool StartObject() { return push(true); }
    bool Key(const char *s, rapidjson::SizeType len, bool)
    {
        Frame &f = top();
        if (f.keyCount == f.keyGuesses.size())
            f.keyGuesses.push_back(kNoName);
        f.pendingKey = name(f.keyGuesses[f.keyCount++], s, len);
        f.pendingRole = roleOf(s, len);
        // Only the first occurrence of a protocol key counts, as a lookup by key would find it.
        if (f.pendingRole != KeyRole::Field) {
            const auto bit = uint8_t(1u << int(f.pendingRole));
            if (f.seen & bit)
                f.pendingRole = KeyRole::Field;
            f.seen |= bit;
        }
        return true;
    }
    bool EndObject(rapidjson::SizeType)
    {
        Frame &f = m_frames[--m_depth];
        std::optional<Value> v = finishObject(f);
        f.clear();
        return v && add(std::move(*v));
    }
    bool StartArray() { return push(false); }
    bool EndArray(rapidjson::SizeType)
    {
        Frame &f = m_frames[--m_depth];
        // Copied out at its exact size; the frame keeps its capacity for the next array.
        Value v(ValueList(std::make_move_iterator(f.items.begin()),
                          std::make_move_iterator(f.items.end())));
        f.clear();
        return add(std::move(v));
    }

    Value result;

private:
    struct Entry
    {
        uint32_t key; // in m_names
        Value value;
    };

    // A string _ct or _c kept out of the entries: it goes back before entries[position].
    struct Tag
    {
        size_t position;
        uint32_t key;
        uint32_t name;
    };

    struct Frame
    {
        bool isObject = false;
        uint32_t pendingKey = kNoName;
        // Set by Key() for the first _ft, _fd, _ct or _c of an object, reset by its value.
        KeyRole pendingRole = KeyRole::Field;
        uint8_t seen = 0; // the protocol keys met so far, by 1 << KeyRole
        size_t keyCount = 0;
        std::vector<Entry> entries; // an object's
        ValueList items;            // an array's
        std::vector<Tag> tags;
        // The names the objects at this depth had so far, by position (keys) and the type name:
        // consecutive objects (the tuples of a list) mostly repeat them.
        std::vector<uint32_t> keyGuesses;
        uint32_t typeGuess = kNoName;
        // What the tags said when they were strings.
        Wrapped ftType = Wrapped::Unread;
        bool ctIsTuple = false;
        uint32_t cName = kNoName;
        // Where the values of the protocol keys are in entries: -1 when absent, or when the
        // value was a string tag (_ft, _ct, _c) and went to the members above instead.
        int ft = -1, fd = -1, ct = -1, c = -1;

        void clear()
        {
            seen = 0;
            keyCount = 0;
            entries.clear();
            items.clear();
            tags.clear();
            ftType = Wrapped::Unread;
            ctIsTuple = false;
            cName = kNoName;
            ft = fd = ct = c = -1;
        }
    };

    Frame &top() { return m_frames[m_depth - 1]; }

    // The name of a key or tag: the guess (what the same place held last time) if it is right,
    // which is cheaper to check than a lookup; the guess is updated otherwise.
    uint32_t name(uint32_t &guess, const char *s, rapidjson::SizeType len)
    {
        if (guess == kNoName || !m_names.is(guess, s, len))
            guess = m_names.intern(s, len);
        return guess;
    }

    bool push(bool isObject)
    {
        if (Q_UNLIKELY(m_depth >= m_maxDepth))
            return tooDeep();
        if (Q_UNLIKELY(++m_values > m_maxValues))
            return tooManyValues();
        if (m_depth == m_frames.size())
            m_frames.emplace_back();
        Frame &f = m_frames[m_depth++];
        f.isObject = isObject;
        f.pendingRole = KeyRole::Field;
        return true;
    }

    // The failures are out of line and cold: the checks on the hot path stay a compare each.
    Q_DECL_COLD_FUNCTION Q_NEVER_INLINE bool fail(QString why)
    {
        error = std::move(why);
        return false;
    }

    Q_DECL_COLD_FUNCTION Q_NEVER_INLINE bool tooDeep()
    {
        return fail(QStringLiteral("the JSON nests deeper than %1 levels").arg(m_limits.maxDepth));
    }

    Q_DECL_COLD_FUNCTION Q_NEVER_INLINE bool tooManyValues()
    {
        return fail(QStringLiteral("the JSON holds more than %1 values").arg(m_limits.maxValues));
    }

    bool add(Value &&v)
    {
        // Objects and arrays were counted when they started; scalars are counted here.
        if (v.type() < Value::Type::List && Q_UNLIKELY(++m_values > m_maxValues))
            return tooManyValues();
        if (m_depth == 0) {
            result = std::move(v);
            return true;
        }
        Frame &f = top();
        if (!f.isObject) {
            f.items.push_back(std::move(v));
            return true;
        }
        const int at = int(f.entries.size());
        switch (f.pendingRole) {
        case KeyRole::Field: break;
        case KeyRole::Ft: f.ft = at; break;
        case KeyRole::Fd: f.fd = at; break;
        case KeyRole::Ct: f.ct = at; break;
        case KeyRole::C: f.c = at; break;
        }
        f.pendingRole = KeyRole::Field;
        f.entries.push_back(Entry{f.pendingKey, std::move(v)}); // (clang 14 has no parenthesised aggregate init)
        return true;
    }

    std::optional<Value> finishObject(Frame &f)
    {
        if (f.seen & (1u << int(KeyRole::Ft))) {
            Wrapped type = f.ftType;
            if (type == Wrapped::Unread) { // the tag was not a string: go by its text
                const QByteArray text = f.entries[size_t(f.ft)].value.toString().toUtf8();
                type = wrappedType(text.constData(), rapidjson::SizeType(text.size()));
            }
            return unwrap(type, f.fd >= 0 ? std::move(f.entries[size_t(f.fd)].value) : Value());
        }
        if (f.ctIsTuple || (f.ct >= 0 && f.entries[size_t(f.ct)].value.toStringView() == u"rt"))
            return makeTuple(f);
        // A plain dict (a payload, an envelope, a filt): its tags go back in their places.
        dropDuplicateKeys(f);
        Dict dict;
        dict.reserve(int(f.entries.size() + f.tags.size()));
        auto tag = f.tags.cbegin();
        for (size_t i = 0; i <= f.entries.size(); ++i) {
            for (; tag != f.tags.cend() && tag->position == i; ++tag)
                dict.append(m_names.text(tag->key), m_names.text(tag->name));
            if (i < f.entries.size())
                dict.append(m_names.text(f.entries[i].key), std::move(f.entries[i].value));
        }
        return Value(std::move(dict));
    }

    // A key given twice keeps its first place and its last value, as Python's and JavaScript's
    // JSON readers have it; a key that repeats a protocol tag (_ct, _c) is dropped (the tag's
    // first occurrence counts). Otherwise what a router reads (the first entry) and what a peer
    // reads (the last) could differ, and a re-encoded message would say something else.
    void dropDuplicateKeys(Frame &f)
    {
        const size_t n = f.entries.size();
        if (n + f.tags.size() < 2)
            return;
        bool any = false;
        if (n + f.tags.size() <= 24) {
            for (size_t i = 0; i < n && !any; ++i) {
                for (size_t j = i + 1; j < n && !any; ++j)
                    any = f.entries[i].key == f.entries[j].key;
                for (const Tag &t : f.tags)
                    any = any || t.key == f.entries[i].key;
            }
        } else {
            std::vector<uint32_t> keys;
            keys.reserve(n + f.tags.size());
            for (const Entry &e : f.entries)
                keys.push_back(e.key);
            for (const Tag &t : f.tags)
                keys.push_back(t.key);
            std::sort(keys.begin(), keys.end());
            any = std::adjacent_find(keys.begin(), keys.end()) != keys.end();
        }
        if (!any)
            return;
        std::vector<Entry> kept;
        kept.reserve(n);
        std::vector<size_t> newPosition(n + 1, 0);
        for (size_t i = 0; i < n; ++i) {
            newPosition[i] = kept.size();
            Entry &e = f.entries[i];
            const bool isTag = std::any_of(f.tags.begin(), f.tags.end(), [&e](const Tag &t) { return t.key == e.key; });
            if (isTag)
                continue;
            auto earlier = std::find_if(kept.begin(), kept.end(), [&e](const Entry &k) { return k.key == e.key; });
            if (earlier != kept.end())
                earlier->value = std::move(e.value);
            else
                kept.push_back(std::move(e));
        }
        newPosition[n] = kept.size();
        for (Tag &t : f.tags)
            t.position = newPosition[std::min(t.position, n)];
        f.entries = std::move(kept);
    }

    static Value unwrap(Wrapped type, Value &&data)
    {
        switch (type) {
        case Wrapped::Int:
            if (data.type() == Value::Type::String)
                return Value(data.toString().toLongLong());
            if (data.type() == Value::Type::Float) {
                // A Python int beyond qint64 arrives as a float: kept as one, not wrapped around.
                const double d = data.toDouble();
                if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
                    return std::move(data);
            }
            return Value(data.toInt());
        case Wrapped::DateTime: {
            const DateTime dt = DateTime::parse(data.toString());
            if (dt.isValid())
                return Value(dt);
            qCWarning(lcCodec).noquote() << "unreadable datetime" << data.toString()
                                         << "kept as text";
            return std::move(data);
        }
        case Wrapped::Bytes: return Value(QByteArray::fromBase64(data.toString().toLatin1()));
        case Wrapped::Wkb: return Value(Wkb{QByteArray::fromBase64(data.toString().toLatin1())});
        case Wrapped::Float: return Value(data.toDouble());
        case Wrapped::Unread:
        case Wrapped::Plain: break;
        }
        return std::move(data); // plain JSON
    }

    const TupleRegistry::Factory &factoryFor(const QString &typeName)
    {
        // Payloads mostly hold one type: the last one found answers most lookups.
        if (m_lastFactory < m_factories.size() && m_factories[m_lastFactory].first == typeName)
            return m_factories[m_lastFactory].second;
        for (size_t i = 0; i < m_factories.size(); ++i) {
            if (m_factories[i].first == typeName) {
                m_lastFactory = i;
                return m_factories[i].second;
            }
        }
        m_factories.emplace_back(typeName, TupleRegistry::instance().factory(typeName));
        m_lastFactory = m_factories.size() - 1;
        return m_factories.back().second;
    }

    // A tuple of a registered type is built as that type or refused: plugin code must never
    // receive a tuple under a type name whose declaration it does not fit (docs/threats.md rule 3).
    std::optional<Value> makeTuple(Frame &f)
    {
        if (Q_UNLIKELY(++m_tuples > m_limits.maxTuples)) {
            fail(QStringLiteral("the message holds more than %1 tuples").arg(m_limits.maxTuples));
            return std::nullopt;
        }
        if (Q_UNLIKELY(f.entries.size() > size_t(m_limits.maxFieldsPerTuple) + 4)) { // + _ct, _c and spares
            fail(QStringLiteral("a tuple has more than %1 fields").arg(m_limits.maxFieldsPerTuple));
            return std::nullopt;
        }
        // A _c that is not a string still names the type by its text, as Value::toString() has it.
        QString otherName;
        if (f.cName == kNoName && f.c >= 0)
            otherName = f.entries[size_t(f.c)].value.toString();
        const QString &typeName = f.cName != kNoName ? m_names.text(f.cName) : otherName;
        const TupleRegistry::Factory &factory = factoryFor(typeName);
        if (factory) {
            TuplePtr tuple = factory();
            for (const auto &e : f.entries) {
                if (m_names.isHidden(e.key))
                    continue;
                const QString &field = m_names.text(e.key);
                if (detail::TupleDecoding::setField(*tuple, field, e.value))
                    continue;
                // A field this side does not declare (a newer peer's) is left out, not refused:
                // the plugin still gets a tuple of its own declaration.
                if (!tuple->fieldNames().contains(field)) {
                    logUnknownFieldOnce(typeName, field);
                    continue;
                }
                // vortexjs sends action uuids as numbers (Date.now() + Math.random()).
                if (field == QLatin1String("uuid") && e.value.isNumber()
                    && detail::TupleDecoding::setField(*tuple, field, numberAsText(e.value)))
                    continue;
                // setField() fails as setFieldQuietly() did, and says why:
                fail(tuple->setField(field, e.value).error().what); // "<type>.<field> cannot hold a value of type <type>"
                return std::nullopt;
            }
            return Value(std::move(tuple));
        }
        logUnknownTypeOnce(typeName);
        dropDuplicateKeys(f);
        Dict fields;
        fields.reserve(int(f.entries.size()));
        for (auto &e : f.entries)
            if (!m_names.isHidden(e.key))
                fields.append(m_names.text(e.key), std::move(e.value));
        return Value(TuplePtr(std::make_shared<GenericTuple>(typeName, std::move(fields))));
    }

    static Value numberAsText(const Value &number)
    {
        if (number.type() == Value::Type::Int)
            return QString::number(number.toInt());
        JsonWriter w;
        w.writeDouble(number.toDouble());
        return QString::fromLatin1(w.take());
    }

    const DecodeLimits &m_limits;
    const size_t m_maxDepth;
    const qint64 m_maxValues;
    qint64 m_values = 0;
    int m_tuples = 0;
    std::vector<Frame> m_frames;
    size_t m_depth = 0;
    NameTable m_names;
    std::vector<std::pair<QString, TupleRegistry::Factory>> m_factories;
    size_t m_lastFactory = 0;
};

} // namespace

namespace json {

namespace {
// A nesting a thread's stack holds with room to spare: a level of RapidJSON's recursive parser
// is two frames of about a hundred bytes each.
constexpr int kRecursiveDepthLimit = 1000;
}

Result<Value> decode(QByteArrayView text)
{
    return decode(text, DecodeLimits::current());
}

Result<Value> decode(QByteArrayView text, const DecodeLimits &limits)
{
    ValueBuilder builder(limits);
    rapidjson::Reader reader;
    // Parsed in place, in a copy: strings and numbers are read where they stand instead of being
    // copied to RapidJSON's stack first. A NUL in the text ends it (and the JSON is refused).
    thread_local std::vector<char> buffer;
    buffer.assign(text.begin(), text.end());
    buffer.push_back('\0');
    rapidjson::InsituStringStream stream(buffer.data());
    // Numbers arrive as text and are converted with std::from_chars (RapidJSON 1.1.0's
    // full-precision path reads out of bounds and has undefined behaviour on long numbers).
    // Recursive parsing is the faster one; its depth is the builder's, which refuses level
    // maxDepth + 1 before RapidJSON goes down into it. A limit deeper than
    // kRecursiveDepthLimit parses iteratively (RapidJSON's own stack, on the heap), so no
    // setting can overflow ours.
    constexpr unsigned flags = rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag
                             | rapidjson::kParseNanAndInfFlag;
    const rapidjson::ParseResult ok = limits.maxDepth <= kRecursiveDepthLimit
        ? reader.Parse<flags>(stream, builder)
        : reader.Parse<flags | rapidjson::kParseIterativeFlag>(stream, builder);
    const size_t consumed = stream.Tell();
    if (buffer.capacity() > (8u << 20)) { // a large message's copy is not kept for the next one
        buffer.clear();
        buffer.shrink_to_fit();
    }
    if (ok && consumed != size_t(text.size()))
        return Error {QStringLiteral("invalid JSON at offset %1: a NUL byte").arg(consumed)};
    if (!ok) {
        if (!builder.error.isEmpty())
            return Error {QStringLiteral("refused at offset %1: %2").arg(ok.Offset()).arg(builder.error)};
        return Error {QStringLiteral("invalid JSON at offset %1: %2")
                          .arg(ok.Offset())
                          .arg(QString::fromUtf8(rapidjson::GetParseError_En(ok.Code())))};
    }
    return std::move(builder.result);
}

QByteArray encode(const Value &value)
{
    JsonWriter w;
    w.writeValue(value);
    return w.take();
}

QByteArray encodeTuple(const Tuple &tuple)
{
    JsonWriter w;
    w.writeTuple(tuple);
    return w.take();
}

QByteArray encodeSorted(const Value &value)
{
    JsonWriter w(true);
    w.writeValue(value);
    return w.take();
}

} // namespace json
} // namespace peek
