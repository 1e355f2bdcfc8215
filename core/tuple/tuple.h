#pragma once

#include "base/export.h"
#include "base/result.h"
#include "jsoncodec.h"
#include "value.h"

#include <QMetaType>

#include <functional>
#include <type_traits>

namespace peek {

class JsonWriter;

namespace detail {
struct TupleDecoding;
}

// A Vortex tuple: a named record of fields. Typed tuples are C++ structs declared with
// PEEK_TUPLE; tuples of unknown types (and those QML builds) are GenericTuple.
class PEEK_API Tuple
{
public:
    virtual ~Tuple() = default;

    virtual QString tupleType() const = 0;
    // Field names in encoding order (alphabetical, as the reference implementation sorts them).
    virtual QStringList fieldNames() const = 0;
    virtual Value field(const QString &name) const = 0;
    // Sets a field from a decoded value; an Error (naming the type and field) when the value
    // does not fit.
    virtual Result<void> setField(const QString &name, const Value &value) = 0;
    virtual TuplePtr clone() const = 0;
    virtual bool isGeneric() const { return false; }
    // Writes the fields (not the _ct/_c header) in encoding order.
    virtual void writeFields(JsonWriter &writer) const;

    bool equals(const Tuple &other) const;
    Dict fieldsAsDict() const;

private:
    friend struct detail::TupleDecoding;
    // setField() without the Error: what the decoder calls for every field of every tuple it
    // reads (a Result per field cost ~5% of decoding a typed payload). False where setField()
    // fails; the decoder then asks setField() why.
    virtual bool setFieldQuietly(const QString &name, const Value &value) { return setField(name, value).ok(); }
};

// A tuple of a type this process has no C++ declaration for: type name plus field map.
class PEEK_API GenericTuple final : public Tuple
{
public:
    explicit GenericTuple(QString type, Dict fields = {})
        : m_type(std::move(type)), m_fields(std::move(fields))
    {
    }
    QString tupleType() const override { return m_type; }
    QStringList fieldNames() const override;
    Value field(const QString &name) const override { return m_fields.value(name); }
    Result<void> setField(const QString &name, const Value &value) override;
    TuplePtr clone() const override { return std::make_shared<GenericTuple>(*this); }
    bool isGeneric() const override { return true; }
    void writeFields(JsonWriter &writer) const override;
    const Dict &fields() const { return m_fields; }

private:
    bool setFieldQuietly(const QString &name, const Value &value) override
    {
        m_fields.insert(name, value);
        return true;
    }

    QString m_type;
    Dict m_fields;
};

// How a C++ field type converts to and from Value. Specialise for your own field types.
template <typename T, typename = void>
struct FieldTraits
{
    static Value toValue(const T &v) { return Value(v); }
    static bool fromValue(const Value &v, T &out);
};

PEEK_API bool fieldFromValue(const Value &v, bool &out);
PEEK_API bool fieldFromValue(const Value &v, int &out);
PEEK_API bool fieldFromValue(const Value &v, qint64 &out);
PEEK_API bool fieldFromValue(const Value &v, double &out);
PEEK_API bool fieldFromValue(const Value &v, QString &out);
PEEK_API bool fieldFromValue(const Value &v, QByteArray &out);
PEEK_API bool fieldFromValue(const Value &v, Wkb &out);
PEEK_API bool fieldFromValue(const Value &v, DateTime &out);
PEEK_API bool fieldFromValue(const Value &v, ValueList &out);
PEEK_API bool fieldFromValue(const Value &v, Dict &out);
PEEK_API bool fieldFromValue(const Value &v, Value &out);
PEEK_API bool fieldFromValue(const Value &v, TuplePtr &out);

template <typename T, typename E>
bool FieldTraits<T, E>::fromValue(const Value &v, T &out)
{
    return fieldFromValue(v, out);
}

// Nested typed tuples held by shared pointer.
template <typename T>
struct FieldTraits<std::shared_ptr<T>, std::enable_if_t<std::is_base_of_v<Tuple, T>>>
{
    static Value toValue(const std::shared_ptr<T> &v) { return Value(TuplePtr(v)); }
    static bool fromValue(const Value &v, std::shared_ptr<T> &out)
    {
        if (v.isNull()) {
            out.reset();
            return true;
        }
        auto typed = std::dynamic_pointer_cast<T>(v.toTuple());
        if (!typed)
            return false;
        out = std::move(typed);
        return true;
    }
};

namespace detail {

// Writes a field straight from its C++ type where the writer has a form for it (the same text
// writeValue() gives the Value), else through FieldTraits.
template <typename T>
void writeFieldValue(JsonWriter &w, const T &v)
{
    w.writeValue(FieldTraits<T>::toValue(v));
}
inline void writeFieldValue(JsonWriter &w, bool v) { w.writeBool(v); }
inline void writeFieldValue(JsonWriter &w, int v) { w.writeInt(v); }
inline void writeFieldValue(JsonWriter &w, qint64 v) { w.writeInt(v); }
inline void writeFieldValue(JsonWriter &w, double v) { w.writeDouble(v); }
inline void writeFieldValue(JsonWriter &w, const QString &v) { w.writeString(v); }

struct PEEK_API FieldDescriptor
{
    QString name;
    std::function<Value(const Tuple &)> get;
    std::function<bool(Tuple &, const Value &)> set;
    std::function<void(const Tuple &, JsonWriter &)> write; // the value only
    QByteArray jsonKey; // `,"name":`, escaped once rather than for every tuple written
};

// The fields of one typed tuple class, sorted by name, built once per class.
struct PEEK_API FieldTable
{
    std::vector<FieldDescriptor> fields;
    QStringList names;
    const FieldDescriptor *find(const QString &name) const;
    static FieldTable sorted(std::vector<FieldDescriptor> fields);
};

} // namespace detail

// Base of typed tuples; Derived declares its fields with PEEK_TUPLE.
template <typename Derived>
class TypedTuple : public Tuple
{
public:
    QString tupleType() const override
    {
        static const QString type = QString::fromUtf8(Derived::kTupleType);
        return type;
    }
    QStringList fieldNames() const override { return table().names; }
    Value field(const QString &name) const override
    {
        const auto *f = table().find(name);
        return f ? f->get(*this) : Value();
    }
    Result<void> setField(const QString &name, const Value &value) override
    {
        if (setFieldQuietly(name, value))
            return {};
        if (!table().find(name))
            return Error {QStringLiteral("%1 has no field '%2'").arg(tupleType(), name)};
        return Error {QStringLiteral("%1.%2 cannot hold a value of type %3")
                          .arg(tupleType(), name, QString::fromUtf8(Value::typeName(value.type())))};
    }
    TuplePtr clone() const override
    {
        return std::make_shared<Derived>(static_cast<const Derived &>(*this));
    }
    void writeFields(JsonWriter &writer) const override
    {
        for (const auto &f : table().fields) {
            writer.writeRaw(f.jsonKey);
            f.write(*this, writer);
        }
    }
    static std::shared_ptr<Derived> create() { return std::make_shared<Derived>(); }

    static const detail::FieldTable &table()
    {
        static const detail::FieldTable t = [] {
            std::vector<detail::FieldDescriptor> fields;
            Derived::peekVisitMembers([&fields](const char *name, auto member) {
                using M = std::remove_reference_t<decltype(std::declval<Derived &>().*member)>;
                fields.push_back(detail::FieldDescriptor{
                    QString::fromUtf8(name),
                    [member](const Tuple &t) {
                        return FieldTraits<M>::toValue(static_cast<const Derived &>(t).*member);
                    },
                    [member](Tuple &t, const Value &v) {
                        return FieldTraits<M>::fromValue(v, static_cast<Derived &>(t).*member);
                    },
                    [member](const Tuple &t, JsonWriter &w) {
                        detail::writeFieldValue(w, static_cast<const Derived &>(t).*member);
                    },
                    {}});
            });
            return detail::FieldTable::sorted(std::move(fields));
        }();
        return t;
    }

private:
    bool setFieldQuietly(const QString &name, const Value &value) override
    {
        const auto *f = table().find(name);
        return f && f->set(*this, value);
    }
};

} // namespace peek

// --- Declaring typed tuples ----------------------------------------------------------------
//
//   struct StringIntTuple : peek::TypedTuple<StringIntTuple> {
//       PEEK_TUPLE(StringIntTuple, "peek_plugin_tutorial.StringIntTuple", id, int1, string1)
//       qint64 id = 0;
//       qint64 int1 = 0;
//       QString string1;
//   };
//   PEEK_REGISTER_TUPLE(StringIntTuple)   // in one .cpp file

#define PEEK_TUPLE_EXPAND(x) x
#define PEEK_TUPLE_FE_1(F, C, x) F(C, x)
#define PEEK_TUPLE_FE_2(F, C, x, ...) F(C, x) PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_1(F, C, __VA_ARGS__))
#define PEEK_TUPLE_FE_3(F, C, x, ...) F(C, x) PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_2(F, C, __VA_ARGS__))
#define PEEK_TUPLE_FE_4(F, C, x, ...) F(C, x) PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_3(F, C, __VA_ARGS__))
#define PEEK_TUPLE_FE_5(F, C, x, ...) F(C, x) PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_4(F, C, __VA_ARGS__))
#define PEEK_TUPLE_FE_6(F, C, x, ...) F(C, x) PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_5(F, C, __VA_ARGS__))
#define PEEK_TUPLE_FE_7(F, C, x, ...) F(C, x) PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_6(F, C, __VA_ARGS__))
#define PEEK_TUPLE_FE_8(F, C, x, ...) F(C, x) PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_7(F, C, __VA_ARGS__))
#define PEEK_TUPLE_FE_9(F, C, x, ...) F(C, x) PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_8(F, C, __VA_ARGS__))
#define PEEK_TUPLE_FE_10(F, C, x, ...) F(C, x) PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_9(F, C, __VA_ARGS__))
#define PEEK_TUPLE_FE_11(F, C, x, ...) F(C, x) PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_10(F, C, __VA_ARGS__))
#define PEEK_TUPLE_FE_12(F, C, x, ...) F(C, x) PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_11(F, C, __VA_ARGS__))
#define PEEK_TUPLE_FE_13(F, C, x, ...) F(C, x) PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_12(F, C, __VA_ARGS__))
#define PEEK_TUPLE_FE_14(F, C, x, ...) F(C, x) PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_13(F, C, __VA_ARGS__))
#define PEEK_TUPLE_FE_15(F, C, x, ...) F(C, x) PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_14(F, C, __VA_ARGS__))
#define PEEK_TUPLE_FE_16(F, C, x, ...) F(C, x) PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_15(F, C, __VA_ARGS__))
#define PEEK_TUPLE_FE_17(F, C, x, ...) F(C, x) PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_16(F, C, __VA_ARGS__))
#define PEEK_TUPLE_FE_18(F, C, x, ...) F(C, x) PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_17(F, C, __VA_ARGS__))
#define PEEK_TUPLE_FE_19(F, C, x, ...) F(C, x) PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_18(F, C, __VA_ARGS__))
#define PEEK_TUPLE_FE_20(F, C, x, ...) F(C, x) PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_19(F, C, __VA_ARGS__))
#define PEEK_TUPLE_FE_PICK(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16,  \
                           _17, _18, _19, _20, NAME, ...)                                          \
    NAME
#define PEEK_TUPLE_FOR_EACH(F, C, ...)                                                             \
    PEEK_TUPLE_EXPAND(PEEK_TUPLE_FE_PICK(                                                          \
        __VA_ARGS__, PEEK_TUPLE_FE_20, PEEK_TUPLE_FE_19, PEEK_TUPLE_FE_18, PEEK_TUPLE_FE_17,       \
        PEEK_TUPLE_FE_16, PEEK_TUPLE_FE_15, PEEK_TUPLE_FE_14, PEEK_TUPLE_FE_13, PEEK_TUPLE_FE_12,  \
        PEEK_TUPLE_FE_11, PEEK_TUPLE_FE_10, PEEK_TUPLE_FE_9, PEEK_TUPLE_FE_8, PEEK_TUPLE_FE_7,     \
        PEEK_TUPLE_FE_6, PEEK_TUPLE_FE_5, PEEK_TUPLE_FE_4, PEEK_TUPLE_FE_3, PEEK_TUPLE_FE_2,       \
        PEEK_TUPLE_FE_1)(F, C, __VA_ARGS__))
#define PEEK_TUPLE_VISIT_ONE(C, field) visit(#field, &C::field);

// Declares a typed tuple: its class, its Vortex type name, then up to 20 member fields.
#define PEEK_TUPLE(Class, TypeName, ...)                                                          \
public:                                                                                            \
    static constexpr const char *kTupleType = TypeName;                                            \
    template <typename Visitor>                                                                    \
    static void peekVisitMembers(Visitor &&visit)                                                  \
    {                                                                                              \
        PEEK_TUPLE_FOR_EACH(PEEK_TUPLE_VISIT_ONE, Class, __VA_ARGS__)                              \
    }

// Registers a typed tuple with the process-wide registry at library load time.
#define PEEK_REGISTER_TUPLE(Class)                                                                 \
    static const bool peekTupleRegistered_##Class = ::peek::TupleRegistry::instance().registerType<Class>().ok();
