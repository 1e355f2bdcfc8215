#pragma once

#include "base/export.h"
#include "datetime.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <memory>
#include <utility>
#include <variant>
#include <vector>

namespace peek {

class Tuple;
class Value;
class Dict;
using TuplePtr = std::shared_ptr<Tuple>;
using ValueList = std::vector<Value>;

// Well-known-binary geometry: bytes that travel with the "wkb" type tag.
struct PEEK_API Wkb
{
    QByteArray data;
    bool operator==(const Wkb &o) const { return data == o.data; }
};

// One field value of the Vortex protocol: null, bool, 64-bit int, float, string, bytes, wkb,
// datetime, list, ordered dict or a nested tuple. Lists, dicts and tuples are shared on copy
// (cheap to pass around) and detached on write.
class PEEK_API Value
{
public:
    enum class Type { Null, Bool, Int, Float, String, Bytes, Wkb, DateTime, List, Dict, Tuple };

    Value() = default;
    Value(std::nullptr_t) {}
    Value(bool v) : m_data(v) {}
    Value(int v) : m_data(qint64(v)) {}
    Value(qint64 v) : m_data(v) {}
    Value(long v) : m_data(qint64(v)) {}
    Value(double v) : m_data(v) {}
    Value(const char *v) : m_data(QString::fromUtf8(v)) {}
    Value(const QString &v) : m_data(v) {}
    Value(QString &&v) : m_data(std::move(v)) {}
    Value(const QByteArray &bytes) : m_data(bytes) {}
    Value(const Wkb &wkb) : m_data(wkb) {}
    Value(const DateTime &dt) : m_data(dt) {}
    Value(ValueList list);
    Value(Dict dict);
    Value(TuplePtr tuple) : m_data(std::move(tuple)) {}

    Type type() const { return Type(m_data.index()); }
    bool isNull() const { return type() == Type::Null; }
    bool isNumber() const { return type() == Type::Int || type() == Type::Float; }

    bool toBool() const;
    qint64 toInt() const;      // floats truncate; others 0
    double toDouble() const;   // ints convert; others 0
    QString toString() const;  // strings as they are; numbers and dates as text
    // A string's text without copying it (empty for other types): for code that only reads.
    QStringView toStringView() const
    {
        const QString *s = std::get_if<QString>(&m_data);
        return s ? QStringView(*s) : QStringView();
    }
    QByteArray toBytes() const;
    Wkb toWkb() const;
    DateTime toDateTime() const;
    const ValueList &toList() const;
    const Dict &toDict() const;
    TuplePtr toTuple() const;

    ValueList &listRef(); // converts to an empty list if not a list; detaches
    Dict &dictRef();      // converts to an empty dict if not a dict; detaches

    // Deep equality; lists compare in order, dicts by key/value regardless of order.
    bool operator==(const Value &other) const;
    bool operator!=(const Value &other) const { return !(*this == other); }

    // For QML and logging: a plain QVariant (lists → QVariantList, dicts → QVariantMap,
    // tuples → QVariantMap with "_type").
    QVariant toVariant() const;
    static Value fromVariant(const QVariant &v);

    static const char *typeName(Type t);

private:
    using ListPtr = std::shared_ptr<ValueList>;
    using DictPtr = std::shared_ptr<Dict>;
    std::variant<std::monostate, bool, qint64, double, QString, QByteArray, Wkb, DateTime, ListPtr,
                 DictPtr, TuplePtr>
        m_data;
};

// A dict that keeps insertion order (as Python's dict does), so values encode back unchanged.
class PEEK_API Dict
{
public:
    using Entry = std::pair<QString, Value>;
    Dict() = default;
    Dict(std::initializer_list<Entry> entries);

    bool contains(const QString &key) const { return indexOf(key) >= 0; }
    Value value(const QString &key, const Value &fallback = {}) const;
    const Value *find(const QString &key) const;
    // The string at `key`; empty when there is none or it is not a string (never converted: a
    // peer's 1 is not "1").
    QString string(const QString &key) const;
    void insert(const QString &key, Value value); // replaces in place or appends
    bool remove(const QString &key);
    int size() const { return int(m_entries.size()); }
    bool isEmpty() const { return m_entries.empty(); }
    QStringList keys() const;
    void reserve(int n) { m_entries.reserve(size_t(n)); }
    void append(QString key, Value value) { m_entries.emplace_back(std::move(key), std::move(value)); }

    auto begin() const { return m_entries.begin(); }
    auto end() const { return m_entries.end(); }

    // True when every key of this dict is in other with an equal value (lists as sets).
    bool isSubsetOf(const Dict &other) const;

    bool operator==(const Dict &other) const;
    bool operator!=(const Dict &other) const { return !(*this == other); }

private:
    int indexOf(const QString &key) const;
    std::vector<Entry> m_entries;
};

} // namespace peek
