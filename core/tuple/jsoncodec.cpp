#include "jsoncodec.h"

#include "tuple.h"
#include "tupleregistry.h"

#include <QLoggingCategory>
#include <QMutex>
#include <QSet>

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

Q_LOGGING_CATEGORY(lcCodec, "peek.tuple.codec")

namespace peek {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void logUnknownTypeOnce(const QString &typeName)
{
    static QMutex mutex;
    static QSet<QString> seen;
    QMutexLocker locker(&mutex);
    if (seen.contains(typeName))
        return;
    seen.insert(typeName);
    qCInfo(lcCodec).noquote() << "tuple type" << typeName
                              << "is not registered here; it is kept as a generic tuple";
}

} // namespace

// ---- writing --------------------------------------------------------------------------------

void JsonWriter::writeString(QStringView s)
{
    m_out.push_back('"');
    const char16_t *p = s.utf16();
    const char16_t *end = p + s.size();
    while (p < end) {
        // Copy the longest run of plain printable ASCII in one go.
        const char16_t *run = p;
        while (p < end && *p >= 0x20 && *p <= 0x7e && *p != '"' && *p != '\\')
            ++p;
        if (p != run) {
            const size_t n = size_t(p - run);
            const size_t at = m_out.size();
            m_out.resize(at + n);
            for (size_t i = 0; i < n; ++i)
                m_out[at + i] = char(run[i]);
        }
        if (p == end)
            break;
        const char16_t c = *p++;
        switch (c) {
        case '"': m_out.append("\\\""); break;
        case '\\': m_out.append("\\\\"); break;
        case '\n': m_out.append("\\n"); break;
        case '\r': m_out.append("\\r"); break;
        case '\t': m_out.append("\\t"); break;
        case '\b': m_out.append("\\b"); break;
        case '\f': m_out.append("\\f"); break;
        default: {
            const char esc[6] = {'\\', 'u', kHex[(c >> 12) & 0xf], kHex[(c >> 8) & 0xf],
                                 kHex[(c >> 4) & 0xf], kHex[c & 0xf]};
            m_out.append(esc, 6);
        }
        }
    }
    m_out.push_back('"');
}

// Python's repr(float): the shortest text that reads back exactly, in fixed notation unless
// the decimal exponent is below -4 or above 15, always with a ".0" or an exponent.
void JsonWriter::writeDouble(double d)
{
    if (std::isnan(d)) {
        m_out.append("NaN");
        return;
    }
    if (std::isinf(d)) {
        m_out.append(d < 0 ? "-Infinity" : "Infinity");
        return;
    }
    char sci[64];
    const auto res = std::to_chars(sci, sci + sizeof sci, d, std::chars_format::scientific);
    const char *p = sci;
    const char *end = res.ptr;
    if (*p == '-') {
        m_out.push_back('-');
        ++p;
    }
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
    if (decpt > -4 && decpt <= 16) {
        if (decpt <= 0) {
            m_out.append("0.");
            m_out.append(size_t(-decpt), '0');
            m_out.append(digits, size_t(nd));
        } else if (decpt >= nd) {
            m_out.append(digits, size_t(nd));
            m_out.append(size_t(decpt - nd), '0');
            m_out.append(".0");
        } else {
            m_out.append(digits, size_t(decpt));
            m_out.push_back('.');
            m_out.append(digits + decpt, size_t(nd - decpt));
        }
        return;
    }
    m_out.push_back(digits[0]);
    if (nd > 1) {
        m_out.push_back('.');
        m_out.append(digits + 1, size_t(nd - 1));
    }
    char expText[16];
    const int n = std::snprintf(expText, sizeof expText, "e%c%02d", exp10 < 0 ? '-' : '+',
                                exp10 < 0 ? -exp10 : exp10);
    m_out.append(expText, size_t(n));
}

void JsonWriter::writeWrapped(const char *type, const Value &data)
{
    if (m_sortKeys) {
        m_out.append("{\"_fd\":");
        writeValue(data);
        m_out.append(",\"_ft\":\"");
        m_out.append(type);
        m_out.append("\"}");
    } else {
        m_out.append("{\"_ft\":\"");
        m_out.append(type);
        m_out.append("\",\"_fd\":");
        writeValue(data);
        m_out.push_back('}');
    }
}

void JsonWriter::writeDict(const Dict &dict)
{
    m_out.push_back('{');
    bool first = true;
    auto writeEntry = [&](const Dict::Entry &e) {
        if (!first)
            m_out.push_back(',');
        first = false;
        writeString(e.first);
        m_out.push_back(':');
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
    m_out.push_back('}');
}

void JsonWriter::writeValue(const Value &value)
{
    switch (value.type()) {
    case Value::Type::Null: m_out.append("null"); return;
    case Value::Type::Bool: m_out.append(value.toBool() ? "true" : "false"); return;
    case Value::Type::Int: {
        if (m_sortKeys)
            m_out.append("{\"_fd\":");
        else
            m_out.append("{\"_ft\":\"int\",\"_fd\":");
        char buf[24];
        const auto res = std::to_chars(buf, buf + sizeof buf, value.toInt());
        m_out.append(buf, size_t(res.ptr - buf));
        m_out.append(m_sortKeys ? ",\"_ft\":\"int\"}" : "}");
        return;
    }
    case Value::Type::Float: writeDouble(value.toDouble()); return;
    case Value::Type::String: writeString(value.toStringView()); return;
    case Value::Type::Bytes:
        writeWrapped("bytes", QString::fromLatin1(value.toBytes().toBase64()));
        return;
    case Value::Type::Wkb:
        writeWrapped("wkb", QString::fromLatin1(value.toBytes().toBase64()));
        return;
    case Value::Type::DateTime: writeWrapped("datetime", value.toDateTime().toString()); return;
    case Value::Type::List: {
        m_out.push_back('[');
        bool first = true;
        for (const auto &item : value.toList()) {
            if (!first)
                m_out.push_back(',');
            first = false;
            writeValue(item);
        }
        m_out.push_back(']');
        return;
    }
    case Value::Type::Dict: writeDict(value.toDict()); return;
    case Value::Type::Tuple: {
        const auto t = value.toTuple();
        if (t)
            writeTuple(*t);
        else
            m_out.append("null");
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
    m_out.append("{\"_ct\":\"rt\",\"_c\":");
    writeString(tuple.tupleType());
    tuple.writeFields(*this);
    m_out.push_back('}');
}

void JsonWriter::writeField(const QString &name, const Value &value)
{
    m_out.push_back(',');
    writeString(name);
    m_out.push_back(':');
    writeValue(value);
}

// ---- reading --------------------------------------------------------------------------------

namespace {

bool isKey(const char *s, rapidjson::SizeType len, const char (&key)[4])
{
    return len == 3 && s[0] == key[0] && s[1] == key[1] && s[2] == key[2];
}

bool isKey(const char *s, rapidjson::SizeType len, const char (&key)[3])
{
    return len == 2 && s[0] == key[0] && s[1] == key[1];
}

// Keys, type tags and tuple type names repeat in every tuple of a payload: a small
// direct-mapped cache turns each repeat into a hash, a compare and a reference count instead
// of an allocation and a UTF-8 conversion.
class StringCache
{
public:
    QString get(const char *s, rapidjson::SizeType len)
    {
        if (len == 0 || len > kMaxLength)
            return QString::fromUtf8(s, qsizetype(len));
        // Length and three bytes tell the few distinct keys and tags of a payload apart well
        // enough, and cost far less than hashing every byte.
        const uint32_t h = (len * 0x9e3779b1u) ^ uint8_t(s[0]) ^ (uint32_t(uint8_t(s[len / 2])) << 8)
            ^ (uint32_t(uint8_t(s[len - 1])) << 16);
        Slot &slot = m_slots[(h * 2654435761u) >> (32 - kSlotBits)];
        if (!slot.holds(s, len)) {
            slot.utf8.assign(s, len);
            slot.text = QString::fromUtf8(s, qsizetype(len));
        }
        return slot.text;
    }

private:
    static constexpr rapidjson::SizeType kMaxLength = 64;
    static constexpr int kSlotBits = 6;
    struct Slot
    {
        std::string utf8;
        QString text;
        bool holds(const char *s, rapidjson::SizeType len) const
        {
            if (utf8.size() != len)
                return false;
            for (rapidjson::SizeType i = 0; i < len; ++i)
                if (utf8[i] != s[i])
                    return false;
            return true;
        }
    };
    std::array<Slot, 1 << kSlotBits> m_slots;
};

// Builds Values from RapidJSON's SAX events. Objects are collected as key/value entries and
// turned into what they stand for when they end: an _ft wrapper into its value, an "rt" object
// into a tuple (typed when the registry knows the type name, generic otherwise), anything else
// into a Dict. One frame per nesting depth is kept and reused, so the many small objects of a
// payload (every tuple, every wrapped int) cost no allocation of their own.
class ValueBuilder
{
public:
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
    bool RawNumber(const char *, rapidjson::SizeType, bool) { return false; }
    bool String(const char *s, rapidjson::SizeType len, bool)
    {
        const bool tag = m_depth > 0 && top().isObject && top().pendingIsTag;
        return add(Value(tag ? m_strings.get(s, len) : QString::fromUtf8(s, qsizetype(len))));
    }
    bool StartObject()
    {
        push(true);
        return true;
    }
    bool Key(const char *s, rapidjson::SizeType len, bool)
    {
        Frame &f = top();
        f.pendingKey = m_strings.get(s, len);
        // The values of _ft, _ct and _c are type tags and names: worth sharing. _fd is data.
        f.pendingIsTag = len > 0 && s[0] == '_' && !isKey(s, len, "_fd");
        // Where the protocol's keys are, so the object is recognised without searching it.
        // The first occurrence wins, as a lookup by key would find it.
        const int at = int(f.entries.size());
        if (isKey(s, len, "_ft") && f.ft < 0)
            f.ft = at;
        else if (isKey(s, len, "_fd") && f.fd < 0)
            f.fd = at;
        else if (isKey(s, len, "_ct") && f.ct < 0)
            f.ct = at;
        else if (isKey(s, len, "_c") && f.c < 0)
            f.c = at;
        return true;
    }
    bool EndObject(rapidjson::SizeType)
    {
        Frame &f = m_frames[--m_depth];
        Value v = finishObject(f);
        f.clear();
        return add(std::move(v));
    }
    bool StartArray()
    {
        push(false);
        return true;
    }
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
    struct Frame
    {
        bool isObject = false;
        bool pendingIsTag = false;
        QString pendingKey;
        std::vector<Dict::Entry> entries; // an object's
        ValueList items;                  // an array's
        // Indexes in entries of the _ft, _fd, _ct and _c keys, or -1.
        int ft = -1, fd = -1, ct = -1, c = -1;

        void clear()
        {
            entries.clear();
            items.clear();
            ft = fd = ct = c = -1;
        }
    };

    Frame &top() { return m_frames[m_depth - 1]; }

    void push(bool isObject)
    {
        if (m_depth == m_frames.size())
            m_frames.emplace_back();
        m_frames[m_depth++].isObject = isObject;
    }

    bool add(Value v)
    {
        if (m_depth == 0) {
            result = std::move(v);
            return true;
        }
        Frame &f = top();
        if (f.isObject)
            f.entries.emplace_back(std::move(f.pendingKey), std::move(v));
        else
            f.items.push_back(std::move(v));
        return true;
    }

    Value finishObject(Frame &f)
    {
        if (f.ft >= 0)
            return unwrap(f.entries[size_t(f.ft)].second.toStringView(),
                          f.fd >= 0 ? std::move(f.entries[size_t(f.fd)].second) : Value());
        if (f.ct >= 0 && f.entries[size_t(f.ct)].second.toStringView() == u"rt")
            return makeTuple(f);
        Dict dict;
        dict.reserve(int(f.entries.size()));
        for (auto &[key, value] : f.entries)
            dict.append(std::move(key), std::move(value));
        return Value(std::move(dict));
    }

    static Value unwrap(QStringView type, Value data)
    {
        if (type == u"int") {
            if (data.type() == Value::Type::String)
                return Value(data.toString().toLongLong());
            return Value(data.toInt());
        }
        if (type == u"datetime") {
            const DateTime dt = DateTime::parse(data.toString());
            if (dt.isValid())
                return Value(dt);
            qCWarning(lcCodec).noquote() << "unreadable datetime" << data.toString()
                                         << "kept as text";
            return data;
        }
        if (type == u"bytes")
            return Value(QByteArray::fromBase64(data.toString().toLatin1()));
        if (type == u"wkb")
            return Value(Wkb{QByteArray::fromBase64(data.toString().toLatin1())});
        if (type == u"float")
            return Value(data.toDouble());
        return data; // "str", "bool", "dict", "list" and unknown tags carry plain JSON
    }

    const TupleRegistry::Factory &factoryFor(const QString &typeName)
    {
        // Payloads mostly hold one type: the last one found answers most lookups.
        if (m_lastFactory && m_factories[*m_lastFactory].first == typeName)
            return m_factories[*m_lastFactory].second;
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

    Value makeTuple(Frame &f)
    {
        const QString typeName = f.c >= 0 ? f.entries[size_t(f.c)].second.toString() : QString();
        const TupleRegistry::Factory &factory = factoryFor(typeName);
        if (factory) {
            TuplePtr tuple = factory();
            bool ok = true;
            QString why;
            for (const auto &[key, value] : f.entries) {
                if (key.startsWith(u'_'))
                    continue;
                if (!tuple->setField(key, value, &why)) {
                    ok = false;
                    break;
                }
            }
            if (ok)
                return Value(std::move(tuple));
            qCWarning(lcCodec).noquote() << "a" << typeName << "tuple did not fit its declaration ("
                                         << why << "); it is kept as a generic tuple";
        } else {
            logUnknownTypeOnce(typeName);
        }
        Dict fields;
        fields.reserve(int(f.entries.size()));
        for (auto &[key, value] : f.entries)
            if (!key.startsWith(u'_'))
                fields.append(std::move(key), std::move(value));
        return Value(TuplePtr(std::make_shared<GenericTuple>(typeName, std::move(fields))));
    }

    std::vector<Frame> m_frames;
    size_t m_depth = 0;
    StringCache m_strings;
    std::vector<std::pair<QString, TupleRegistry::Factory>> m_factories;
    std::optional<size_t> m_lastFactory;
};

} // namespace

namespace json {

Value decode(QByteArrayView text, QString *error)
{
    ValueBuilder builder;
    rapidjson::Reader reader;
    rapidjson::MemoryStream stream(text.data(), size_t(text.size()));
    constexpr unsigned flags = rapidjson::kParseFullPrecisionFlag | rapidjson::kParseNanAndInfFlag;
    const rapidjson::ParseResult ok = reader.Parse<flags>(stream, builder);
    if (!ok) {
        if (error)
            *error = QStringLiteral("invalid JSON at offset %1: %2")
                         .arg(ok.Offset())
                         .arg(QString::fromUtf8(rapidjson::GetParseError_En(ok.Code())));
        return {};
    }
    if (error)
        error->clear();
    return std::move(builder.result);
}

QByteArray encode(const Value &value)
{
    JsonWriter w;
    w.writeValue(value);
    return w.toByteArray();
}

QByteArray encodeTuple(const Tuple &tuple)
{
    JsonWriter w;
    w.writeTuple(tuple);
    return w.toByteArray();
}

QByteArray encodeSorted(const Value &value)
{
    JsonWriter w(true);
    w.writeValue(value);
    return w.toByteArray();
}

} // namespace json
} // namespace peek
