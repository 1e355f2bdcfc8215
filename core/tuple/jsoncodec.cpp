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
#include <charconv>
#include <cmath>
#include <cstring>

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
    case Value::Type::String: writeString(value.toString()); return;
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

// Builds Values from RapidJSON's SAX events, converting _ft wrappers and tuples as objects end.
class ValueBuilder
{
public:
    struct Frame
    {
        bool isObject;
        Dict dict;
        ValueList list;
        QString pendingKey;
    };

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
        const bool tag = !m_stack.empty() && m_stack.back().isObject
            && m_stack.back().pendingKey.startsWith(u'_');
        return add(Value(tag ? intern(s, len) : QString::fromUtf8(s, qsizetype(len))));
    }
    bool StartObject()
    {
        m_stack.push_back(Frame{true, {}, {}, {}});
        return true;
    }
    bool Key(const char *s, rapidjson::SizeType len, bool)
    {
        m_stack.back().pendingKey = intern(s, len);
        return true;
    }
    bool EndObject(rapidjson::SizeType)
    {
        Frame frame = std::move(m_stack.back());
        m_stack.pop_back();
        return add(finishObject(std::move(frame.dict)));
    }
    bool StartArray()
    {
        m_stack.push_back(Frame{false, {}, {}, {}});
        return true;
    }
    bool EndArray(rapidjson::SizeType)
    {
        Frame frame = std::move(m_stack.back());
        m_stack.pop_back();
        return add(Value(std::move(frame.list)));
    }

    Value result;
    QString error;

private:
    bool add(Value v)
    {
        if (m_stack.empty()) {
            result = std::move(v);
            return true;
        }
        Frame &top = m_stack.back();
        if (top.isObject)
            top.dict.append(std::move(top.pendingKey), std::move(v));
        else
            top.list.push_back(std::move(v));
        return true;
    }

    // Short, repeated strings (keys, type tags, type names) are shared rather than re-made.
    QString intern(const char *s, rapidjson::SizeType len)
    {
        if (len > 64)
            return QString::fromUtf8(s, qsizetype(len));
        for (auto &entry : m_interned) {
            if (entry.first.size() == len && std::memcmp(entry.first.data(), s, len) == 0)
                return entry.second;
        }
        QString str = QString::fromUtf8(s, qsizetype(len));
        if (m_interned.size() < 128)
            m_interned.emplace_back(std::string(s, len), str);
        return str;
    }

    Value finishObject(Dict dict)
    {
        if (dict.isEmpty())
            return Value(std::move(dict));
        const Value *ft = dict.find(QStringLiteral("_ft"));
        if (ft)
            return unwrap(ft->toString(), dict.value(QStringLiteral("_fd")));
        const Value *ct = dict.find(QStringLiteral("_ct"));
        if (ct && ct->toString() == QLatin1String("rt"))
            return makeTuple(std::move(dict));
        return Value(std::move(dict));
    }

    static Value unwrap(const QString &type, const Value &data)
    {
        if (type == QLatin1String("int")) {
            if (data.type() == Value::Type::String)
                return Value(data.toString().toLongLong());
            return Value(data.toInt());
        }
        if (type == QLatin1String("datetime")) {
            const DateTime dt = DateTime::parse(data.toString());
            if (dt.isValid())
                return Value(dt);
            qCWarning(lcCodec).noquote() << "unreadable datetime" << data.toString()
                                         << "kept as text";
            return data;
        }
        if (type == QLatin1String("bytes"))
            return Value(QByteArray::fromBase64(data.toString().toLatin1()));
        if (type == QLatin1String("wkb"))
            return Value(Wkb{QByteArray::fromBase64(data.toString().toLatin1())});
        if (type == QLatin1String("float"))
            return Value(data.toDouble());
        return data; // "str", "bool", "dict", "list" and unknown tags carry plain JSON
    }

    Value makeTuple(Dict dict)
    {
        const QString typeName = dict.value(QStringLiteral("_c")).toString();
        TupleRegistry::Factory *factory = nullptr;
        for (auto &cached : m_factories) {
            if (cached.first == typeName) {
                factory = &cached.second;
                break;
            }
        }
        if (!factory) {
            m_factories.emplace_back(typeName, TupleRegistry::instance().factory(typeName));
            factory = &m_factories.back().second;
        }
        if (*factory) {
            TuplePtr tuple = (*factory)();
            bool ok = true;
            QString why;
            for (const auto &[key, value] : dict) {
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
        fields.reserve(dict.size());
        for (const auto &[key, value] : dict)
            if (!key.startsWith(u'_'))
                fields.append(key, value);
        return Value(TuplePtr(std::make_shared<GenericTuple>(typeName, std::move(fields))));
    }

    std::vector<Frame> m_stack;
    std::vector<std::pair<std::string, QString>> m_interned;
    std::vector<std::pair<QString, TupleRegistry::Factory>> m_factories;
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
