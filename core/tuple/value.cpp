#include "value.h"

#include <limits>

#include "tuple.h"

#include <QVariantList>
#include <QVariantMap>

#include <algorithm>

namespace peek {

namespace {
const ValueList kEmptyList;
const Dict kEmptyDict;
} // namespace

Value::Value(ValueList list) : m_data(std::make_shared<ValueList>(std::move(list))) {}
Value::Value(Dict dict) : m_data(std::make_shared<Dict>(std::move(dict))) {}

const char *Value::typeName(Type t)
{
    switch (t) {
    case Type::Null: return "null";
    case Type::Bool: return "bool";
    case Type::Int: return "int";
    case Type::Float: return "float";
    case Type::String: return "string";
    case Type::Bytes: return "bytes";
    case Type::Wkb: return "wkb";
    case Type::DateTime: return "datetime";
    case Type::List: return "list";
    case Type::Dict: return "dict";
    case Type::Tuple: return "tuple";
    }
    return "?";
}

bool Value::toBool() const
{
    switch (type()) {
    case Type::Bool: return std::get<bool>(m_data);
    case Type::Int: return std::get<qint64>(m_data) != 0;
    case Type::Float: return std::get<double>(m_data) != 0.0;
    default: return false;
    }
}

qint64 Value::toInt() const
{
    switch (type()) {
    case Type::Int: return std::get<qint64>(m_data);
    case Type::Float: {
        // Saturating: a float beyond qint64 (or NaN) must not be converted as it is (undefined).
        const double d = std::get<double>(m_data);
        if (!(d == d))
            return 0;
        if (d >= 9223372036854775808.0)
            return std::numeric_limits<qint64>::max();
        if (d <= -9223372036854775808.0)
            return std::numeric_limits<qint64>::min();
        return qint64(d);
    }
    case Type::Bool: return std::get<bool>(m_data) ? 1 : 0;
    default: return 0;
    }
}

double Value::toDouble() const
{
    switch (type()) {
    case Type::Int: return double(std::get<qint64>(m_data));
    case Type::Float: return std::get<double>(m_data);
    case Type::Bool: return std::get<bool>(m_data) ? 1.0 : 0.0;
    default: return 0.0;
    }
}

QString Value::toString() const
{
    switch (type()) {
    case Type::String: return std::get<QString>(m_data);
    case Type::Int: return QString::number(std::get<qint64>(m_data));
    case Type::Float: return QString::number(std::get<double>(m_data), 'g', 17);
    case Type::Bool: return std::get<bool>(m_data) ? QStringLiteral("true") : QStringLiteral("false");
    case Type::DateTime: return std::get<DateTime>(m_data).toString();
    default: return {};
    }
}

QByteArray Value::toBytes() const
{
    if (type() == Type::Bytes)
        return std::get<QByteArray>(m_data);
    if (type() == Type::Wkb)
        return std::get<Wkb>(m_data).data;
    return {};
}

Wkb Value::toWkb() const
{
    if (type() == Type::Wkb)
        return std::get<Wkb>(m_data);
    if (type() == Type::Bytes)
        return Wkb{std::get<QByteArray>(m_data)};
    return {};
}

DateTime Value::toDateTime() const
{
    if (type() == Type::DateTime)
        return std::get<DateTime>(m_data);
    if (type() == Type::String)
        return DateTime::parse(std::get<QString>(m_data));
    return {};
}

const ValueList &Value::toList() const
{
    if (type() == Type::List)
        return *std::get<ListPtr>(m_data);
    return kEmptyList;
}

const Dict &Value::toDict() const
{
    if (type() == Type::Dict)
        return *std::get<DictPtr>(m_data);
    return kEmptyDict;
}

TuplePtr Value::toTuple() const
{
    if (type() == Type::Tuple)
        return std::get<TuplePtr>(m_data);
    return {};
}

ValueList &Value::listRef()
{
    if (type() != Type::List)
        m_data = std::make_shared<ValueList>();
    auto &ptr = std::get<ListPtr>(m_data);
    if (ptr.use_count() > 1)
        ptr = std::make_shared<ValueList>(*ptr);
    return *ptr;
}

Dict &Value::dictRef()
{
    if (type() != Type::Dict)
        m_data = std::make_shared<Dict>();
    auto &ptr = std::get<DictPtr>(m_data);
    if (ptr.use_count() > 1)
        ptr = std::make_shared<Dict>(*ptr);
    return *ptr;
}

bool Value::operator==(const Value &other) const
{
    if (type() != other.type()) {
        // The JS side sends ints as plain numbers: compare numbers by value.
        if (isNumber() && other.isNumber())
            return toDouble() == other.toDouble();
        return false;
    }
    switch (type()) {
    case Type::List: return toList() == other.toList();
    case Type::Dict: return toDict() == other.toDict();
    case Type::Tuple: {
        const auto a = toTuple(), b = other.toTuple();
        if (!a || !b)
            return a == b;
        return a->equals(*b);
    }
    default: return m_data == other.m_data;
    }
}

QVariant Value::toVariant() const
{
    switch (type()) {
    case Type::Null: return {};
    case Type::Bool: return std::get<bool>(m_data);
    case Type::Int: return std::get<qint64>(m_data);
    case Type::Float: return std::get<double>(m_data);
    case Type::String: return std::get<QString>(m_data);
    case Type::Bytes: return std::get<QByteArray>(m_data);
    case Type::Wkb: return std::get<Wkb>(m_data).data;
    case Type::DateTime: return std::get<DateTime>(m_data).toQDateTime();
    case Type::List: {
        QVariantList out;
        out.reserve(qsizetype(toList().size()));
        for (const auto &v : toList())
            out.append(v.toVariant());
        return out;
    }
    case Type::Dict: {
        QVariantMap out;
        for (const auto &[k, v] : toDict())
            out.insert(k, v.toVariant());
        return out;
    }
    case Type::Tuple: {
        const auto t = toTuple();
        if (!t)
            return {};
        QVariantMap out = Value(t->fieldsAsDict()).toVariant().toMap();
        out.insert(QStringLiteral("_type"), t->tupleType());
        return out;
    }
    }
    return {};
}

Value Value::fromVariant(const QVariant &v)
{
    switch (v.typeId()) {
    case QMetaType::UnknownType:
    case QMetaType::Nullptr: return {};
    case QMetaType::Bool: return v.toBool();
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Long:
    case QMetaType::ULong:
    case QMetaType::Short:
    case QMetaType::UShort: return qint64(v.toLongLong());
    case QMetaType::Double:
    case QMetaType::Float: return v.toDouble();
    case QMetaType::QString: return v.toString();
    case QMetaType::QByteArray: return v.toByteArray();
    case QMetaType::QDateTime: return DateTime::fromQDateTime(v.toDateTime());
    case QMetaType::QVariantList:
    case QMetaType::QStringList: {
        ValueList out;
        for (const auto &item : v.toList())
            out.push_back(fromVariant(item));
        return out;
    }
    case QMetaType::QVariantMap: {
        Dict out;
        const auto map = v.toMap();
        for (auto it = map.begin(); it != map.end(); ++it)
            out.append(it.key(), fromVariant(it.value()));
        return out;
    }
    default: return v.toString();
    }
}

Dict::Dict(std::initializer_list<Entry> entries)
{
    m_entries.reserve(entries.size());
    for (const auto &e : entries)
        insert(e.first, e.second);
}

int Dict::indexOf(const QString &key) const
{
    for (size_t i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].first == key)
            return int(i);
    return -1;
}

Value Dict::value(const QString &key, const Value &fallback) const
{
    const int i = indexOf(key);
    return i < 0 ? fallback : m_entries[size_t(i)].second;
}

const Value *Dict::find(const QString &key) const
{
    const int i = indexOf(key);
    return i < 0 ? nullptr : &m_entries[size_t(i)].second;
}

QString Dict::string(const QString &key) const
{
    const Value *v = find(key);
    return v && v->type() == Value::Type::String ? v->toString() : QString();
}

void Dict::insert(const QString &key, Value value)
{
    const int i = indexOf(key);
    if (i >= 0)
        m_entries[size_t(i)].second = std::move(value);
    else
        m_entries.emplace_back(key, std::move(value));
}

bool Dict::remove(const QString &key)
{
    const int i = indexOf(key);
    if (i < 0)
        return false;
    m_entries.erase(m_entries.begin() + i);
    return true;
}

QStringList Dict::keys() const
{
    QStringList out;
    out.reserve(qsizetype(m_entries.size()));
    for (const auto &e : m_entries)
        out.append(e.first);
    return out;
}

namespace {
bool listsEqualAsSets(const ValueList &a, const ValueList &b)
{
    for (const auto &x : a)
        if (std::find(b.begin(), b.end(), x) == b.end())
            return false;
    for (const auto &x : b)
        if (std::find(a.begin(), a.end(), x) == a.end())
            return false;
    return true;
}
} // namespace

bool Dict::isSubsetOf(const Dict &other) const
{
    for (const auto &[key, value] : m_entries) {
        const Value *theirs = other.find(key);
        if (!theirs)
            return false;
        if (value.type() == Value::Type::List && theirs->type() == Value::Type::List) {
            if (!listsEqualAsSets(value.toList(), theirs->toList()))
                return false;
        } else if (value != *theirs) {
            return false;
        }
    }
    return true;
}

bool Dict::operator==(const Dict &other) const
{
    if (m_entries.size() != other.m_entries.size())
        return false;
    for (const auto &[key, value] : m_entries) {
        const Value *theirs = other.find(key);
        if (!theirs || *theirs != value)
            return false;
    }
    return true;
}

} // namespace peek
