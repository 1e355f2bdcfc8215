#pragma once

#include "value.h"

#include <QByteArrayView>

#include <string>

namespace peek {

class Tuple;

// Writes Vortex "Jsonable" JSON exactly as the reference implementation does: compact
// separators, non-ASCII escaped as \uXXXX, ints and datetimes wrapped in _ft/_fd, tuple fields
// in alphabetical order, dicts in insertion order (or sorted, for canonical keys).
class JsonWriter
{
public:
    explicit JsonWriter(bool sortKeys = false) : m_sortKeys(sortKeys) {}

    void writeValue(const Value &value);
    void writeTuple(const Tuple &tuple);
    // A tuple field: `,"name":value` (fields always follow the _ct/_c header).
    void writeField(const QString &name, const Value &value);
    void writeString(QStringView s);
    void writeDict(const Dict &dict);
    void writeRaw(const char *text) { m_out.append(text); }
    void writeRaw(const char *text, size_t n) { m_out.append(text, n); }

    bool sortKeys() const { return m_sortKeys; }
    void reserve(size_t n) { m_out.reserve(n); }
    QByteArray toByteArray() const { return QByteArray(m_out.data(), qsizetype(m_out.size())); }
    const std::string &text() const { return m_out; }

private:
    void writeDouble(double d);
    void writeWrapped(const char *type, const Value &data);
    std::string m_out;
    bool m_sortKeys;
};

namespace json {

// Decodes Vortex JSON: _ft wrappers unwrap, "rt" objects become tuples (typed when the registry
// knows the type name, generic otherwise). Payload and envelope objects ("rp", "rpe") stay dicts
// with their _ct key for the vortex layer. On malformed input returns null and sets error.
Value decode(QByteArrayView json, QString *error = nullptr);

QByteArray encode(const Value &value);
QByteArray encodeTuple(const Tuple &tuple);
// Keys sorted recursively (also _fd/_ft): the canonical form used for selector keys.
QByteArray encodeSorted(const Value &value);

} // namespace json
} // namespace peek
