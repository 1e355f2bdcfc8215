#include "tuple.h"

#include "jsoncodec.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace peek {

void Tuple::writeFields(JsonWriter &writer) const
{
    for (const auto &name : fieldNames())
        writer.writeField(name, field(name));
}

bool Tuple::equals(const Tuple &other) const
{
    return tupleType() == other.tupleType() && fieldsAsDict() == other.fieldsAsDict();
}

Dict Tuple::fieldsAsDict() const
{
    Dict out;
    const auto names = fieldNames();
    out.reserve(int(names.size()));
    for (const auto &name : names)
        out.append(name, field(name));
    return out;
}

QStringList GenericTuple::fieldNames() const
{
    QStringList names = m_fields.keys();
    names.sort();
    return names;
}

Result<void> GenericTuple::setField(const QString &name, const Value &value)
{
    setFieldQuietly(name, value); // a generic tuple takes any field
    return {};
}

void GenericTuple::writeFields(JsonWriter &writer) const
{
    // Fields go out sorted, as the reference implementation writes them. Decoded tuples
    // already have them in that order: no need to sort (and allocate) for every tuple.
    const bool sorted = std::is_sorted(m_fields.begin(), m_fields.end(),
                                       [](const Dict::Entry &a, const Dict::Entry &b) {
                                           return a.first < b.first;
                                       });
    if (sorted) {
        for (const auto &[name, value] : m_fields)
            writer.writeField(name, value);
        return;
    }
    std::vector<const Dict::Entry *> entries;
    entries.reserve(size_t(m_fields.size()));
    for (const auto &e : m_fields)
        entries.push_back(&e);
    // Stable: fields of the same name (a peer's duplicate) keep their order.
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Dict::Entry *a, const Dict::Entry *b) { return a->first < b->first; });
    for (const auto *e : entries)
        writer.writeField(e->first, e->second);
}

bool fieldFromValue(const Value &v, bool &out)
{
    if (v.type() != Value::Type::Bool && !v.isNumber())
        return v.isNull() ? (out = false, true) : false;
    out = v.toBool();
    return true;
}

namespace {

// A whole number in [min, max]: an int, or a float without a fraction (JavaScript peers send
// ints as plain JSON numbers, which decode as floats).
bool wholeNumber(const Value &v, qint64 min, qint64 max, qint64 &out)
{
    if (v.type() == Value::Type::Int) {
        out = v.toInt();
        return out >= min && out <= max;
    }
    if (v.type() != Value::Type::Float)
        return false;
    const double d = v.toDouble();
    // 2^63 is the first double past qint64; NaN fails every comparison.
    if (!(d >= double(min) && d < 9223372036854775808.0 && d <= double(max)) || d != std::trunc(d))
        return false;
    out = qint64(d);
    return true;
}

} // namespace

bool fieldFromValue(const Value &v, int &out)
{
    if (v.isNull()) {
        out = 0;
        return true;
    }
    qint64 n = 0;
    if (!wholeNumber(v, std::numeric_limits<int>::min(), std::numeric_limits<int>::max(), n))
        return false;
    out = int(n);
    return true;
}

bool fieldFromValue(const Value &v, qint64 &out)
{
    if (v.isNull()) {
        out = 0;
        return true;
    }
    return wholeNumber(v, std::numeric_limits<qint64>::min(), std::numeric_limits<qint64>::max(), out);
}

bool fieldFromValue(const Value &v, double &out)
{
    if (v.isNull()) {
        out = 0;
        return true;
    }
    if (!v.isNumber())
        return false;
    out = v.toDouble();
    return true;
}

bool fieldFromValue(const Value &v, QString &out)
{
    if (v.isNull()) {
        out.clear();
        return true;
    }
    if (v.type() != Value::Type::String)
        return false;
    out = v.toString();
    return true;
}

bool fieldFromValue(const Value &v, QByteArray &out)
{
    if (v.isNull()) {
        out.clear();
        return true;
    }
    if (v.type() != Value::Type::Bytes && v.type() != Value::Type::Wkb)
        return false;
    out = v.toBytes();
    return true;
}

bool fieldFromValue(const Value &v, Wkb &out)
{
    if (v.isNull()) {
        out = {};
        return true;
    }
    if (v.type() != Value::Type::Bytes && v.type() != Value::Type::Wkb)
        return false;
    out = v.toWkb();
    return true;
}

bool fieldFromValue(const Value &v, DateTime &out)
{
    if (v.isNull()) {
        out = {};
        return true;
    }
    out = v.toDateTime();
    return out.isValid();
}

bool fieldFromValue(const Value &v, ValueList &out)
{
    if (v.isNull()) {
        out.clear();
        return true;
    }
    if (v.type() != Value::Type::List)
        return false;
    out = v.toList();
    return true;
}

bool fieldFromValue(const Value &v, Dict &out)
{
    if (v.isNull()) {
        out = {};
        return true;
    }
    if (v.type() != Value::Type::Dict)
        return false;
    out = v.toDict();
    return true;
}

bool fieldFromValue(const Value &v, Value &out)
{
    out = v;
    return true;
}

bool fieldFromValue(const Value &v, TuplePtr &out)
{
    if (v.isNull()) {
        out.reset();
        return true;
    }
    if (v.type() != Value::Type::Tuple)
        return false;
    out = v.toTuple();
    return true;
}

namespace detail {

const FieldDescriptor *FieldTable::find(const QString &name) const
{
    for (const auto &f : fields)
        if (f.name == name)
            return &f;
    return nullptr;
}

FieldTable FieldTable::sorted(std::vector<FieldDescriptor> fields)
{
    std::sort(fields.begin(), fields.end(),
              [](const FieldDescriptor &a, const FieldDescriptor &b) { return a.name < b.name; });
    FieldTable t;
    for (auto &f : fields) {
        t.names.append(f.name);
        JsonWriter key;
        key.writeRaw(",", 1);
        key.writeString(f.name);
        key.writeRaw(":", 1);
        f.jsonKey = key.take();
    }
    t.fields = std::move(fields);
    return t;
}

} // namespace detail
} // namespace peek
