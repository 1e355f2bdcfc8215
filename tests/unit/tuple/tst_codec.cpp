// The Jsonable codec against the reference implementation's golden vectors (tests/vectors).
#include "action/tupleactions.h"
#include "tuple/decodelimits.h"
#include "tuple/jsoncodec.h"
#include "tuple/tuple.h"
#include "tuple/tupleregistry.h"
#include "tuple/tupleselector.h"
#include "vortex/payload.h"
#include "vortex/payloadenvelope.h"

#include <QDir>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <zlib.h>

using namespace peek;

struct StringIntTuple : TypedTuple<StringIntTuple>
{
    PEEK_TUPLE(StringIntTuple, "peek_plugin_tutorial.StringIntTuple", id, int1, string1)
    qint64 id = 0;
    qint64 int1 = 0;
    QString string1;
};
PEEK_REGISTER_TUPLE(StringIntTuple)

struct ChildTuple : TypedTuple<ChildTuple>
{
    PEEK_TUPLE(ChildTuple, "vectors.Child", name)
    QString name;
};

// The decoded value, or null when the text does not decode (tests that care check the error).
static Value decoded(QByteArrayView text)
{
    Result<Value> result = json::decode(text);
    return result ? std::move(result).value() : Value();
}

class TestCodec : public QObject
{
    Q_OBJECT

private:
    QHash<QString, QJsonObject> m_vectors;

    QJsonObject vector(const QString &name) const { return m_vectors.value(name); }

private Q_SLOTS:
    void initTestCase()
    {
        QDir dir(QStringLiteral(PEEK_VECTORS_DIR));
        const auto files = dir.entryList({QStringLiteral("*.json")}, QDir::Files);
        QVERIFY2(files.size() >= 18, qPrintable(QStringLiteral("golden vectors missing in %1").arg(dir.absolutePath())));
        for (const auto &f : files) {
            QFile file(dir.filePath(f));
            QVERIFY(file.open(QIODevice::ReadOnly));
            const auto obj = QJsonDocument::fromJson(file.readAll()).object();
            QVERIFY2(!obj.value(QStringLiteral("name")).toString().isEmpty(), qPrintable(f));
            m_vectors.insert(obj.value(QStringLiteral("name")).toString(), obj);
        }
    }

    void everyVectorRoundTrips_data()
    {
        QTest::addColumn<QString>("name");
        for (auto it = m_vectors.cbegin(); it != m_vectors.cend(); ++it)
            QTest::newRow(qPrintable(it.key())) << it.key();
    }

    void everyVectorRoundTrips()
    {
        QFETCH(QString, name);
        const QJsonObject v = vector(name);
        const QString kind = v.value(QStringLiteral("kind")).toString();
        const QByteArray text = v.value(QStringLiteral("text")).toString().toUtf8();

        if (kind == QLatin1String("tuple") || kind == QLatin1String("action") || kind == QLatin1String("rpc")) {
            const Result<Value> result = json::decode(text);
            QVERIFY2(result, qPrintable(result.error().message()));
            const Value &value = result.value();
            QCOMPARE(value.type(), Value::Type::Tuple);
            const QByteArray again = json::encode(value);
            QCOMPARE(again, text);
            QVERIFY(decoded(again) == value);
        } else if (kind == QLatin1String("payload")) {
            const Result<Payload> p = Payload::fromJson(text);
            QVERIFY2(p, qPrintable(p.error().message()));
            QCOMPARE(p.value().toJson(), text);
            const QByteArray encoded = v.value(QStringLiteral("encodedPayload")).toString().toLatin1();
            if (!encoded.isEmpty()) {
                const Result<QByteArray> inflated = Payload::decodeToJson(encoded);
                QVERIFY2(inflated, qPrintable(inflated.error().message()));
                QCOMPARE(inflated.value(), text);
                const Result<Payload> fromEncoded = Payload::decode(encoded);
                QVERIFY2(fromEncoded, qPrintable(fromEncoded.error().message()));
                QCOMPARE(fromEncoded.value().toJson(), text);
            }
            for (int level : {0, 1, 6, 9}) {
                const Result<QByteArray> inflated = Payload::decodeToJson(p.value().encode(level));
                QVERIFY2(inflated, qPrintable(inflated.error().message()));
                QCOMPARE(inflated.value(), text);
            }
        } else if (kind == QLatin1String("envelope")) {
            const Result<PayloadEnvelope> e = PayloadEnvelope::fromVortexMsg(text);
            QVERIFY2(e, qPrintable(e.error().message()));
            const QString sameAs = v.value(QStringLiteral("sameAs")).toString();
            const QByteArray expected = sameAs.isEmpty()
                ? text
                : vector(sameAs).value(QStringLiteral("text")).toString().toUtf8();
            QVERIFY2(!expected.isEmpty(), qPrintable(sameAs));
            QCOMPARE(e.value().toVortexMsg(), expected);
            const QString payloadName = v.value(QStringLiteral("payloadName")).toString();
            if (!payloadName.isEmpty()) {
                const Result<QByteArray> inflated = Payload::decodeToJson(e.value().data);
                QVERIFY2(inflated, qPrintable(inflated.error().message()));
                QCOMPARE(inflated.value(), vector(payloadName).value(QStringLiteral("text")).toString().toUtf8());
            }
        } else if (kind == QLatin1String("vortexmsg")) {
            const Result<PayloadEnvelope> e = PayloadEnvelope::fromVortexMsg(text);
            QVERIFY2(e, qPrintable(e.error().message()));
            const QString target = v.value(QStringLiteral("decodesTo")).toString();
            QCOMPARE(e.value().toVortexMsg(), vector(target).value(QStringLiteral("text")).toString().toUtf8());
        } else if (kind == QLatin1String("selector")) {
            const Result<Value> result = json::decode(text);
            QVERIFY2(result, qPrintable(result.error().message()));
            auto selector = std::dynamic_pointer_cast<TupleSelector>(result.value().toTuple());
            QVERIFY2(selector, "a vortex.TupleSelector decodes as the typed TupleSelector");
            QCOMPARE(selector->key(), v.value(QStringLiteral("selectorKey")).toString());
            QCOMPARE(json::encode(result.value()), text);
        } else {
            QFAIL(qPrintable(QStringLiteral("vector %1 has a kind this test does not check: %2").arg(name, kind)));
        }
    }

    void typedTupleDecodesAndEncodes()
    {
        const QByteArray text = vector(QStringLiteral("tuple-string-int")).value(QStringLiteral("text")).toString().toUtf8();
        const auto t = std::dynamic_pointer_cast<StringIntTuple>(decoded(text).toTuple());
        QVERIFY(t);
        QCOMPARE(t->id, 7);
        QCOMPARE(t->int1, 70);
        QCOMPARE(t->string1, QStringLiteral("string 7"));
        QCOMPARE(t->fieldNames(), (QStringList{"id", "int1", "string1"}));
        t->int1 = 71;
        QCOMPARE(json::encodeTuple(*t),
                 QByteArray(R"({"_ct":"rt","_c":"peek_plugin_tutorial.StringIntTuple","id":{"_ft":"int","_fd":7},"int1":{"_ft":"int","_fd":71},"string1":"string 7"})"));
    }

    void registeringANameTwiceIsAnError()
    {
        const Result<void> registered = TupleRegistry::instance().registerType<StringIntTuple>();
        QVERIFY(!registered);
        const QString error = registered.error().message();
        QVERIFY2(error.contains(QStringLiteral("peek_plugin_tutorial.StringIntTuple")), qPrintable(error));
        QVERIFY(error.contains(QStringLiteral("already registered")));
    }

    void unknownTypeDecodesAsGeneric()
    {
        const QByteArray text = vector(QStringLiteral("tuple-all-types")).value(QStringLiteral("text")).toString().toUtf8();
        const auto t = decoded(text).toTuple();
        QVERIFY(t);
        QVERIFY(t->isGeneric());
        QCOMPARE(t->tupleType(), QStringLiteral("vectors.AllTypesTuple"));
        QCOMPARE(t->field(QStringLiteral("aBigInt")).type(), Value::Type::Int);
        QCOMPARE(t->field(QStringLiteral("aBigInt")).toInt(), Q_INT64_C(9007199254740993));
        QCOMPARE(t->field(QStringLiteral("aBytes")).toBytes(), QByteArray("\x00\x01\xfe\xff\x00", 5));
        QCOMPARE(t->field(QStringLiteral("aDate")).toDateTime().toString(), QStringLiteral("2023-01-02 03:04:05.006789+0000"));
        QVERIFY(t->field(QStringLiteral("aNaiveDate")).toDateTime().isNaive());
        QCOMPARE(t->field(QStringLiteral("aUnicode")).toString(), QString::fromUtf8("Ünïcødé ✓ 日本 🚀"));
        QCOMPARE(t->field(QStringLiteral("aChild")).toTuple()->tupleType(), QStringLiteral("vectors.Child"));
    }

    void nestedTypedTupleOnceRegistered()
    {
        QVERIFY(TupleRegistry::instance().registerType<ChildTuple>());
        const QByteArray text = vector(QStringLiteral("tuple-all-types")).value(QStringLiteral("text")).toString().toUtf8();
        const auto t = decoded(text).toTuple();
        const auto child = std::dynamic_pointer_cast<ChildTuple>(t->field(QStringLiteral("aChild")).toTuple());
        QVERIFY(child);
        QCOMPARE(child->name, QStringLiteral("child-0"));
        QCOMPARE(json::encode(Value(t)), text);
        TupleRegistry::instance().unregister(QString::fromUtf8(ChildTuple::kTupleType));
    }

    void floatsAreWrittenAsPythonRepr_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("zero") << 0.0 << QByteArray("0.0");
        QTest::newRow("negzero") << -0.0 << QByteArray("-0.0");
        QTest::newRow("tenth") << 0.1 << QByteArray("0.1");
        QTest::newRow("third") << 1.0 / 3 << QByteArray("0.3333333333333333");
        QTest::newRow("1e15") << 1e15 << QByteArray("1000000000000000.0");
        QTest::newRow("1e16") << 1e16 << QByteArray("1e+16");
        QTest::newRow("1.5e16") << 1.5e16 << QByteArray("1.5e+16");
        QTest::newRow("1e-4") << 1e-4 << QByteArray("0.0001");
        QTest::newRow("1e-5") << 1e-5 << QByteArray("1e-05");
        QTest::newRow("max") << 1.7976931348623157e308 << QByteArray("1.7976931348623157e+308");
        QTest::newRow("denorm") << 5e-324 << QByteArray("5e-324");
        QTest::newRow("big") << 123456789.125 << QByteArray("123456789.125");
        QTest::newRow("neg") << -2.5 << QByteArray("-2.5");
    }

    void floatsAreWrittenAsPythonRepr()
    {
        QFETCH(double, value);
        QFETCH(QByteArray, text);
        QCOMPARE(json::encode(Value(value)), text);
        QCOMPARE(decoded(text).toDouble(), value);
    }

    void datetimesKeepOffsetAndMicroseconds()
    {
        const QString aware = QStringLiteral("2024-02-29 23:59:59.000001+0530");
        const DateTime dt = DateTime::parse(aware);
        QVERIFY(dt.isValid());
        QVERIFY(!dt.isNaive());
        QCOMPARE(dt.offsetSeconds(), 5 * 3600 + 30 * 60);
        QCOMPARE(dt.toString(), aware);
        QCOMPARE(dt.toQDateTime().toUTC(), QDateTime(QDate(2024, 2, 29), QTime(18, 29, 59), Qt::UTC));
        const DateTime naive = DateTime::parse(QStringLiteral("1969-12-31 23:59:59.500000"));
        QVERIFY(naive.isNaive());
        QCOMPARE(naive.toString(), QStringLiteral("1969-12-31 23:59:59.500000"));
        QVERIFY(!DateTime::parse(QStringLiteral("2024-13-01 00:00:00")).isValid());
        QVERIFY(!DateTime::parse(QStringLiteral("yesterday")).isValid());
    }

    void jsSideNumbersDecode()
    {
        // vortexjs sends ints as plain numbers: they decode as numbers equal to the wrapped int.
        const Value js = decoded(R"({"_ct":"rt","_c":"peek_plugin_tutorial.StringIntTuple","id":3,"int1":4.0,"string1":"s"})");
        const auto t = std::dynamic_pointer_cast<StringIntTuple>(js.toTuple());
        QVERIFY(t);
        QCOMPARE(t->id, 3);
        QCOMPARE(t->int1, 4);
    }

    void malformedInputIsAnErrorNotACrash_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("truncated") << QByteArray(R"({"_ct":"rt","_c":"x","a":)");
        QTest::newRow("garbage") << QByteArray("not json at all");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("trailing") << QByteArray(R"({"a":1} x)");
        QTest::newRow("nul") << QByteArray("{\"a\":\0}", 7);
    }

    void malformedInputIsAnErrorNotACrash()
    {
        QFETCH(QByteArray, text);
        const Result<Value> v = json::decode(text);
        QVERIFY(!v);
        QVERIFY(!v.error().message().isEmpty());
        const Result<PayloadEnvelope> e = PayloadEnvelope::fromVortexMsg(text);
        QVERIFY(!e);
        QVERIFY(!e.error().message().isEmpty());
    }

    // A tuple of a registered type that does not fit it is refused where it is decoded: plugin
    // code never receives a generic tuple under a typed name (it used to, and a plugin's cast
    // read a heap address as the row id).
    void typeMismatchIsRefusedNamingTypeAndField_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("field");
        QTest::newRow("string for int") << QByteArray(R"({"_ct":"rt","_c":"peek_plugin_tutorial.StringIntTuple","id":"seven"})") << "id";
        QTest::newRow("int for string") << QByteArray(R"({"_ct":"rt","_c":"peek_plugin_tutorial.StringIntTuple","string1":{"_ft":"int","_fd":5}})") << "string1";
        QTest::newRow("fraction for int") << QByteArray(R"({"_ct":"rt","_c":"peek_plugin_tutorial.StringIntTuple","int1":2.5})") << "int1";
        QTest::newRow("too big for int") << QByteArray(R"({"_ct":"rt","_c":"peek_plugin_tutorial.StringIntTuple","int1":1e300})") << "int1";
        QTest::newRow("NaN for int") << QByteArray(R"({"_ct":"rt","_c":"peek_plugin_tutorial.StringIntTuple","int1":NaN})") << "int1";
        QTest::newRow("list for int") << QByteArray(R"({"_ct":"rt","_c":"peek_plugin_tutorial.StringIntTuple","id":[1]})") << "id";
        QTest::newRow("dict for string") << QByteArray(R"({"_ct":"rt","_c":"peek_plugin_tutorial.StringIntTuple","string1":{"a":1}})") << "string1";
        QTest::newRow("nested in a payload") << QByteArray(R"({"_ct":"rp","filt":{},"tuples":[{"_ct":"rt","_c":"peek_plugin_tutorial.StringIntTuple","id":"x"}]})") << "id";
    }

    void typeMismatchIsRefusedNamingTypeAndField()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, field);
        const Result<Value> v = json::decode(text);
        QVERIFY(!v);
        const QString error = v.error().message();
        QVERIFY2(error.contains(QStringLiteral("peek_plugin_tutorial.StringIntTuple.") + field), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("cannot hold")), qPrintable(error));
        QVERIFY2(!error.contains(QStringLiteral("0x")), qPrintable(error));
    }

    void wholeFloatsFitIntFieldsAndUnknownFieldsAreLeftOut()
    {
        // vortexjs sends ints as plain JSON numbers; a newer peer may send a field we lack.
        const Result<Value> v = json::decode(R"({"_ct":"rt","_c":"peek_plugin_tutorial.StringIntTuple","id":7.0,"int1":-3,"string1":"s","addedLater":true})");
        QVERIFY2(v, qPrintable(v.error().message()));
        const auto t = std::dynamic_pointer_cast<StringIntTuple>(v.value().toTuple());
        QVERIFY(t);
        QCOMPARE(t->id, 7);
        QCOMPARE(t->int1, -3);
        QVERIFY(!t->fieldNames().contains(QStringLiteral("addedLater")));
    }

    // Nesting far past the limit is refused without recursing into it (70,000 deep crashed the
    // server): the builder refuses level 101 before the parser goes down into it.
    void deepNestingIsRefusedNotACrash_data()
    {
        QTest::addColumn<QByteArray>("text");
        const int deep = 200000;
        QTest::newRow("arrays") << QByteArray(deep, '[') + QByteArray(deep, ']');
        QTest::newRow("objects") << QByteArray("{\"a\":").repeated(deep) + "1" + QByteArray(deep, '}');
        QTest::newRow("unterminated") << QByteArray(deep, '[');
        QTest::newRow("wrappers") << QByteArray("{\"_ft\":\"int\",\"_fd\":").repeated(deep) + "1" + QByteArray(deep, '}');
    }

    void deepNestingIsRefusedNotACrash()
    {
        QFETCH(QByteArray, text);
        const Result<Value> v = json::decode(text);
        QVERIFY(!v);
        QVERIFY2(v.error().message().contains(QStringLiteral("deeper than 100")), qPrintable(v.error().message()));
        QVERIFY(!PayloadEnvelope::fromVortexMsg(text));
    }

    void nestingUpToTheLimitDecodes()
    {
        DecodeLimits limits;
        limits.maxDepth = 10;
        const Result<Value> ok = json::decode(QByteArray(10, '[') + QByteArray(10, ']'), limits);
        QVERIFY2(ok, qPrintable(ok.error().message()));
        QCOMPARE(ok.value().type(), Value::Type::List);
        const Result<Value> deeper = json::decode(QByteArray(11, '[') + QByteArray(11, ']'), limits);
        QVERIFY(!deeper);
        QVERIFY(deeper.error().message().contains(QStringLiteral("deeper than 10")));
    }

    // A limit deeper than the recursive parser is trusted with parses iteratively: the nesting
    // it allows decodes, and far deeper input is still refused, not a crash.
    void aDeepLimitParsesIterativelyAndStillRefusesDeeper()
    {
        DecodeLimits limits;
        limits.maxDepth = 50000;
        const Result<Value> ok = json::decode(QByteArray(40000, '[') + QByteArray(40000, ']'), limits);
        QVERIFY2(ok, qPrintable(ok.error().message()));
        QCOMPARE(ok.value().type(), Value::Type::List);
        const Result<Value> deeper = json::decode(QByteArray(200000, '[') + QByteArray(200000, ']'), limits);
        QVERIFY(!deeper);
        QVERIFY2(deeper.error().message().contains(QStringLiteral("deeper than 50000")), qPrintable(deeper.error().message()));
    }

    void valueTupleAndFieldCountsAreBounded()
    {
        DecodeLimits limits;
        limits.maxValues = 1000;
        limits.maxTuples = 3;
        limits.maxFieldsPerTuple = 5;
        QByteArray numbers = "[0";
        for (int i = 0; i < 1000; ++i)
            numbers += ",0";
        numbers += "]";
        Result<Value> v = json::decode(numbers, limits);
        QVERIFY(!v);
        QVERIFY2(v.error().message().contains(QStringLiteral("more than 1000 values")), qPrintable(v.error().message()));

        const QByteArray tuple = R"({"_ct":"rt","_c":"x.T","a":1})";
        v = json::decode("[" + tuple + "," + tuple + "," + tuple + "]", limits);
        QVERIFY2(v && !v.value().isNull(), qPrintable(v.error().message()));
        v = json::decode("[" + tuple + "," + tuple + "," + tuple + "," + tuple + "]", limits);
        QVERIFY(!v);
        QVERIFY2(v.error().message().contains(QStringLiteral("more than 3 tuples")), qPrintable(v.error().message()));

        QByteArray wide = R"({"_ct":"rt","_c":"x.T")";
        for (int i = 0; i < 10; ++i)
            wide += ",\"f" + QByteArray::number(i) + "\":1";
        wide += "}";
        v = json::decode(wide, limits);
        QVERIFY(!v);
        QVERIFY2(v.error().message().contains(QStringLiteral("more than 5 fields")), qPrintable(v.error().message()));
    }

    // The streams are zlib's, whoever makes them: what the system zlib (as vortexpy's) deflates at
    // any level, ours inflates; what ours deflates, zlib inflates; a broken or truncated stream
    // is refused as such (not as a bomb).
    void zlibStreamsBothWays()
    {
        QByteArray text;
        for (int i = 0; i < 2000; ++i)
            text += "{\"_ct\":\"t\",\"_c\":\"bench.Item\",\"id\":" + QByteArray::number(i) + ",\"name\":\"item " + QByteArray::number(i * 7) + "\"},";
        for (int level : {1, 6, 9}) {
            uLongf size = compressBound(uLong(text.size()));
            QByteArray theirs(qsizetype(size), Qt::Uninitialized);
            QCOMPARE(compress2(reinterpret_cast<Bytef *>(theirs.data()), &size, reinterpret_cast<const Bytef *>(text.constData()),
                               uLong(text.size()), level),
                     Z_OK);
            theirs.resize(qsizetype(size));
            const Result<QByteArray> inflated = zlib::uncompress(theirs);
            QVERIFY2(inflated, qPrintable(inflated.error().message()));
            QCOMPARE(inflated.value(), text);

            const QByteArray ours = zlib::compress(text.constData(), text.size(), level);
            QVERIFY(!ours.isEmpty());
            uLongf back = uLongf(text.size());
            QByteArray plain(text.size(), Qt::Uninitialized);
            QCOMPARE(::uncompress(reinterpret_cast<Bytef *>(plain.data()), &back, reinterpret_cast<const Bytef *>(ours.constData()),
                                  uLong(ours.size())),
                     Z_OK);
            QCOMPARE(plain, text);
        }
        const QByteArray whole = zlib::compress(text.constData(), text.size(), 6);
        const Result<QByteArray> truncated = zlib::uncompress(QByteArrayView(whole).first(whole.size() / 2));
        QVERIFY(!truncated);
        QVERIFY2(truncated.error().message().contains(QStringLiteral("not a valid zlib stream")), qPrintable(truncated.error().message()));
        QByteArray corrupt = whole;
        corrupt[corrupt.size() / 2] = char(corrupt[corrupt.size() / 2] ^ 0x5a);
        const Result<QByteArray> broken = zlib::uncompress(corrupt);
        QVERIFY(!broken || broken.value() != text);
        QVERIFY(!zlib::uncompress(QByteArray("not zlib at all")));
    }

    // The inflate is capped before anything is allocated for it: per message and by ratio.
    void inflateBombsAreRefused()
    {
        const QByteArray zeros(100 << 20, ' '); // 100 MiB of spaces deflates to ~100 KB
        const QByteArray bomb = zlib::compress(zeros.constData(), zeros.size(), 9).toBase64();
        QVERIFY(bomb.size() < 1 << 20);
        const Result<Payload> p = Payload::decode(bomb);
        QVERIFY(!p);
        QVERIFY2(p.error().message().contains(QStringLiteral("inflates to more than")), qPrintable(p.error().message()));

        const DecodeLimits saved = DecodeLimits::current();
        DecodeLimits small = saved;
        small.maxInflateRatio = 10;
        small.inflateRatioFloorBytes = 1024;
        DecodeLimits::setCurrent(small);
        const QByteArray text(64 << 10, ' ');
        const QByteArray squeezed = zlib::compress(text.constData(), text.size(), 9).toBase64();
        const Result<QByteArray> refused = Payload::decodeToJson(squeezed);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message().contains(QStringLiteral("inflates to more than")),
                 qPrintable(refused.error().message()));
        DecodeLimits::setCurrent(saved);
        const Result<QByteArray> inflated = Payload::decodeToJson(squeezed);
        QVERIFY2(inflated, qPrintable(inflated.error().message()));
        QCOMPARE(inflated.value().size(), text.size());
    }

    // Found by fuzzing: numbers beyond qint64 and double, read exactly and without undefined
    // behaviour (RapidJSON's big-number path is not used; a float beyond qint64 is not cast).
    void numbersOutOfRangeAreReadSafely()
    {
        const Result<Value> big = json::decode("184467440737095516158");
        QVERIFY2(big, qPrintable(big.error().message()));
        Value v = big.value();
        QCOMPARE(v.type(), Value::Type::Float);
        QCOMPARE(v.toDouble(), 184467440737095516158.0);
        QCOMPARE(v.toInt(), std::numeric_limits<qint64>::max());
        v = decoded(R"({"_ft":"int","_fd":9931997199254740993})");
        QCOMPARE(v.type(), Value::Type::Float);
        QCOMPARE(v.toDouble(), 9931997199254740993.0);
        QCOMPARE(decoded("-9223372036854775808").toInt(), std::numeric_limits<qint64>::min());
        QCOMPARE(decoded("9223372036854775807").toInt(), std::numeric_limits<qint64>::max());
        QCOMPARE(decoded("9223372036854775808").type(), Value::Type::Float);
        const Result<Value> tooBig = json::decode("1e400"); // RapidJSON: "Number too big to be stored in double"
        QVERIFY(!tooBig);
        QVERIFY(!tooBig.error().message().isEmpty());
        QVERIFY(std::isnan(decoded("NaN").toDouble()));
        QCOMPARE(decoded("-Infinity").toDouble(), -std::numeric_limits<double>::infinity());
        // A 63-digit number with an exponent: RapidJSON 1.1.0's full-precision path read out of
        // bounds (kCachedPowers) on it; std::from_chars reads it exactly.
        const QByteArray longNumber = QByteArray(63, '7') + "e-20";
        QCOMPARE(decoded(longNumber).toDouble(), std::strtod(longNumber.constData(), nullptr));
        QCOMPARE(decoded("0.1").toDouble(), 0.1);
        QCOMPARE(decoded("2.5e-3").toDouble(), 0.0025);
        QCOMPARE(decoded("-0").type(), Value::Type::Int);
        QCOMPARE(Value(std::numeric_limits<double>::quiet_NaN()).toInt(), qint64(0));
        QVERIFY(!json::decode("01"));
        QVERIFY(!json::decode("1."));
    }

    // Found by fuzzing: a repeated key keeps its first place and its last value (as Python and
    // JavaScript read it), so a router and a peer agree and a re-encoded message says the same.
    void repeatedKeysKeepTheLastValue()
    {
        const Result<Value> result = json::decode(R"({"te":[],"x":1,"te":{"a":2}})");
        QVERIFY2(result, qPrintable(result.error().message()));
        const Value &v = result.value();
        QCOMPARE(v.toDict().size(), 2);
        QCOMPARE(v.toDict().keys(), (QStringList {QStringLiteral("te"), QStringLiteral("x")}));
        QCOMPARE(v.toDict().value(QStringLiteral("te")).toDict().value(QStringLiteral("a")).toInt(), 2);
        QCOMPARE(decoded(json::encode(v)), v);
        const Value t = decoded(R"({"_ct":"rt","_c":"x.T","aList":null,"aList":[1]})");
        QCOMPARE(t.toTuple()->field(QStringLiteral("aList")).toList().size(), size_t(1));
        QCOMPARE(t.toTuple()->fieldNames(), QStringList {QStringLiteral("aList")});
        // A key that repeats a protocol tag is dropped: the tag's first occurrence counts.
        const Value d = decoded(R"({"_ct":"rp","filt":{},"_ct":"x"})");
        QCOMPARE(d.toDict().value(QStringLiteral("_ct")).toString(), QStringLiteral("rp"));
        QCOMPARE(d.toDict().size(), 2);
    }

    // Found by fuzzing: two keys of different invalid UTF-8 read as the same text (U+FFFD) and
    // so are one key given twice.
    void invalidUtf8KeysThatReadAlikeAreOneKey()
    {
        const Result<Value> result = json::decode(QByteArray("{\"\xff\":1,\"\xfe\":2}"));
        QVERIFY2(result, qPrintable(result.error().message()));
        const Value &v = result.value();
        QCOMPARE(v.toDict().size(), 1);
        QCOMPARE(v.toDict().value(QString(QChar::ReplacementCharacter)).toInt(), 2);
        QCOMPARE(decoded(json::encode(v)), v);
    }

    void aNulByteEndsNothing()
    {
        const Result<Value> v = json::decode(QByteArray("{\"a\":1}\0{\"b\":2}", 15));
        QVERIFY(!v);
        QVERIFY2(v.error().message().contains(QStringLiteral("NUL")), qPrintable(v.error().message()));
        QVERIFY(!json::decode(QByteArray("\0", 1)));
        QCOMPARE(decoded(R"({"s":"a\u0000b"})").toDict().value(QStringLiteral("s")).toString().size(), 3);
    }

    // Found by fuzzing: an envelope's data is written back raw when forwarded, so only base64
    // text is accepted there (a quote would inject JSON into the forwarded envelope).
    void envelopeDataMustBeBase64()
    {
        Result<PayloadEnvelope> e = PayloadEnvelope::fromVortexMsg("{\"_ct\":\"rpe\",\"filt\":{},\"data\":\"x\\\",\\\"result\\\":\\\"injected\"}");
        QVERIFY(!e);
        QVERIFY2(e.error().message().contains(QStringLiteral("base64")), qPrintable(e.error().message()));
        QVERIFY(!PayloadEnvelope::fromVortexMsg(QByteArray(R"({"_ct":"rpe","filt":{},"data":")") + "\xc3\x97" + "\"}"));
        QVERIFY(!PayloadEnvelope::fromVortexMsg(R"({"_ct":"rpe","filt":{},"data":5})"));
        e = PayloadEnvelope::fromVortexMsg(R"({"_ct":"rpe","filt":{},"data":"eJyrrgUAAXUA+Q=="})");
        QVERIFY2(e, qPrintable(e.error().message()));
        QCOMPARE(e.value().data, QByteArray("eJyrrgUAAXUA+Q=="));
        e = PayloadEnvelope::fromVortexMsg(R"({"_ct":"rpe","filt":{},"data":null})");
        QVERIFY2(e, qPrintable(e.error().message()));
        QVERIFY(e.value().data.isEmpty());
    }

    void numericActionUuidsAreReadAsText()
    {
        // vortexjs: uuid = Date.now() + Math.random()
        const Result<Value> v = json::decode(R"({"_ct":"rt","_c":"vortex.TupleGenericAction","key":"k","uuid":1733300000000.4567,"dateTime":null})");
        QVERIFY2(v, qPrintable(v.error().message()));
        const auto action = std::dynamic_pointer_cast<TupleGenericAction>(v.value().toTuple());
        QVERIFY(action);
        // The shortest text that reads back as the same double, as JavaScript's String() gives it.
        QCOMPARE(action->uuid, QStringLiteral("1733300000000.4568"));
        const Value i = decoded(R"({"_ct":"rt","_c":"vortex.TupleGenericAction","uuid":42})");
        QCOMPARE(std::dynamic_pointer_cast<TupleGenericAction>(i.toTuple())->uuid, QStringLiteral("42"));
    }

    void brokenEncodedPayloadsAreErrors()
    {
        Result<Payload> p = Payload::decode("!!!not base64");
        QVERIFY(!p);
        QVERIFY(!p.error().message().isEmpty());
        p = Payload::decode(QByteArray("hello world").toBase64());
        QVERIFY(!p);
        QVERIFY(p.error().message().contains(QStringLiteral("zlib")));
    }

    void selectorKeyIgnoresInsertionOrder()
    {
        TupleSelector a(QStringLiteral("t.T"), Dict{{QStringLiteral("b"), 1}, {QStringLiteral("a"), QStringLiteral("x")}});
        TupleSelector b(QStringLiteral("t.T"), Dict{{QStringLiteral("a"), QStringLiteral("x")}, {QStringLiteral("b"), 1}});
        QCOMPARE(a.key(), b.key());
        QCOMPARE(a.key(), QStringLiteral(R"({"name":"t.T","selector":{"a":"x","b":{"_fd":1,"_ft":"int"}}})"));
    }
};

QTEST_GUILESS_MAIN(TestCodec)
#include "tst_codec.moc"
