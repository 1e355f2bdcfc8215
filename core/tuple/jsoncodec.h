#pragma once

#include "base/export.h"
#include "base/result.h"
#include "value.h"

#include <QByteArrayView>

#include <cstring>

namespace peek {

class Tuple;
struct DecodeLimits;

// Writes Vortex "Jsonable" JSON exactly as the reference implementation does: compact
// separators, non-ASCII escaped as \uXXXX, ints and datetimes wrapped in _ft/_fd, tuple fields
// in alphabetical order, dicts in insertion order (or sorted, for canonical keys).
class PEEK_CORE_EXPORT JsonWriter
{
public:
    explicit JsonWriter(bool sortKeys = false) : m_sortKeys(sortKeys) {}
    Q_DISABLE_COPY_MOVE(JsonWriter)

    void writeValue(const Value &value);
    void writeTuple(const Tuple &tuple);
    // A tuple field: `,"name":value` (fields always follow the _ct/_c header).
    void writeField(const QString &name, const Value &value);
    void writeString(QStringView s);
    void writeDict(const Dict &dict);
    // What writeValue() writes for Value(v), without making the Value (typed tuples' fields).
    void writeInt(qint64 v);
    void writeDouble(double d);
    void writeBool(bool b) { writeRaw(b ? "true" : "false"); }
    void writeRaw(const char *text) { writeRaw(text, std::strlen(text)); }
    void writeRaw(const char *text, size_t n)
    {
        std::memcpy(room(n), text, n);
        m_size += n;
    }
    void writeRaw(const QByteArray &text) { writeRaw(text.constData(), size_t(text.size())); }

    bool sortKeys() const { return m_sortKeys; }
    void reserve(size_t n)
    {
        if (n > m_capacity)
            grow(n - m_size);
    }
    QByteArray toByteArray() const { return QByteArray(m_data ? m_data : "", qsizetype(m_size)); }
    // The text written so far, handed over without a copy; the writer is empty afterwards.
    QByteArray take();
    QByteArrayView text() const { return QByteArrayView(m_data, qsizetype(m_size)); }

private:
    // Room for n more bytes at the end of the output; the caller fills it and adds to m_size.
    // The buffer is kept larger than what is written, so most writes are a check and a copy.
    char *room(size_t n)
    {
        if (n > m_capacity - m_size)
            grow(n);
        return m_data + m_size;
    }
    void put(char c)
    {
        *room(1) = c;
        ++m_size;
    }
    void grow(size_t n);
    void writeWrapped(const char *type, const Value &data);

    QByteArray m_buffer; // m_capacity bytes, of which the first m_size are written
    char *m_data = nullptr;
    size_t m_size = 0;
    size_t m_capacity = 0;
    bool m_sortKeys;
};

namespace json {

// Decodes Vortex JSON: _ft wrappers unwrap, "rt" objects become tuples (typed when the registry
// knows the type name, generic otherwise). Payload and envelope objects ("rp", "rpe") stay dicts
// with their _ct key for the vortex layer. Returns an Error on malformed input, on input beyond
// the limits (depth, values, tuples, fields per tuple: DecodeLimits::current()), and on a tuple
// of a registered type whose fields do not fit the type (the error names the type and the
// field). A numeric "uuid" (vortexjs actions) is read as its text.
PEEK_CORE_EXPORT Result<Value> decode(QByteArrayView json);
PEEK_CORE_EXPORT Result<Value> decode(QByteArrayView json, const DecodeLimits &limits);

PEEK_CORE_EXPORT QByteArray encode(const Value &value);
PEEK_CORE_EXPORT QByteArray encodeTuple(const Tuple &tuple);
// Keys sorted recursively (also _fd/_ft): the canonical form used for selector keys.
PEEK_CORE_EXPORT QByteArray encodeSorted(const Value &value);

} // namespace json
} // namespace peek
