// ServiceConfig on real files in a temporary home: first start, filling missing keys, keeping the
// operator's values and unknown keys, never rewriting a complete file, refusing broken files.
#include "service/serviceconfig.h"
#include "tuple/decodelimits.h"

#include <QFile>

#include <algorithm>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace peek;

namespace {

QByteArray readBytes(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

void writeBytes(const QString &path, const QByteArray &data)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(data), data.size());
}

QJsonObject readObject(const QString &path)
{
    return QJsonDocument::fromJson(readBytes(path)).object();
}

} // namespace

class TestServiceConfig : public QObject {
    Q_OBJECT

private slots:
    void firstStartWritesDefaults();
    void limitsAreReadWithTheirDefaults();
    void missingKeysAreFilledAndWrittenBack();
    void completeFileIsNotRewritten();
    void brokenFileIsRefusedWithLineAndColumn_data();
    void brokenFileIsRefusedWithLineAndColumn();
    void topLevelArrayIsRefused();
    void knownKeyOfWrongTypeIsRefused();
    void gettersFollowDottedPaths();
    void setStringWritesASecretOwnerOnly();
};

void TestServiceConfig::firstStartWritesDefaults()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString home = tmp.filePath(QStringLiteral("home/peek")); // does not exist yet
    const QString path = home + QStringLiteral("/config.json");

    auto result = ServiceConfig::load(home);
    QVERIFY2(result.ok(), qPrintable(result.error().message()));
    const ServiceConfig &config = result.value();
    QVERIFY(config.created());
    QCOMPARE(config.filePath(), path);
    QVERIFY(config.unknownKeys().isEmpty());

    QVERIFY(QFileInfo::exists(path));
    QCOMPARE(readObject(path), ServiceConfig::defaults());
    QCOMPARE(config.object(), ServiceConfig::defaults());
    // May hold a database password: owner only.
    QCOMPARE(QFileInfo(path).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
             QFileDevice::Permissions());

    QCOMPARE(config.intValue(QStringLiteral("ports.field")), 8000);
    QCOMPARE(config.intValue(QStringLiteral("ports.office")), 8002);
    QCOMPARE(config.intValue(QStringLiteral("ports.logicAdmin")), 8010);
    QCOMPARE(config.intValue(QStringLiteral("ports.logicDataExchange")), 8011);
    QCOMPARE(
        config.stringList(QStringLiteral("roles")),
        (QStringList {QStringLiteral("logic"), QStringLiteral("field"), QStringLiteral("office"),
                      QStringLiteral("agent"), QStringLiteral("worker")}));
    QCOMPARE(config.stringValue(QStringLiteral("logic.url")),
             QStringLiteral("ws://127.0.0.1:8011"));
    QCOMPARE(config.stringValue(QStringLiteral("storage.url"), QStringLiteral("x")), QString());
    QVERIFY(config.value(QStringLiteral("plugin.enabled")).isArray());
    QCOMPARE(config.stringList(QStringLiteral("plugin.enabled")),
             (QStringList {QStringLiteral("peek_plugin_tutorial"), QStringLiteral("peek_plugin_noop"),
                          QStringLiteral("peek_plugin_positions")}));
    QCOMPARE(config.stringValue(QStringLiteral("logging.level")), QStringLiteral("info"));

    // The second start reads what the first wrote and changes nothing.
    const QByteArray bytes = readBytes(path);
    auto again = ServiceConfig::load(home);
    QVERIFY2(again.ok(), qPrintable(again.error().message()));
    QVERIFY(!again.value().created());
    QVERIFY(again.value().addedKeys().isEmpty());
    QCOMPARE(readBytes(path), bytes);
}

// "limits": written with the defaults on first start, read into the transport settings and the
// decoding bounds; what the operator sets wins, nonsense keeps the default.
void TestServiceConfig::limitsAreReadWithTheirDefaults()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    auto created = ServiceConfig::load(tmp.path());
    QVERIFY(created.ok());
    VortexOptions vortex = ServiceConfig::devicePortOptions();
    DecodeLimits decode;
    created.value().readLimits(vortex, decode);
    QCOMPARE(vortex.budgets.maxConnectionsPerAddress, ServiceConfig::devicePortOptions().budgets.maxConnectionsPerAddress);
    QCOMPARE(vortex.budgets.maxOutputBufferBytes, ServiceConfig::devicePortOptions().budgets.maxOutputBufferBytes);
    QCOMPARE(decode.maxDepth, DecodeLimits().maxDepth);
    QCOMPARE(decode.maxInflatedBytes, DecodeLimits().maxInflatedBytes);
    QCOMPARE(readObject(tmp.filePath(QStringLiteral("config.json"))).value(QStringLiteral("limits")).toObject(),
             ServiceConfig::limitDefaults());

    writeBytes(tmp.filePath(QStringLiteral("config.json")), R"({"limits": {"maxJsonDepth": 12,
        "maxOutputBufferBytes": 4096, "messagesPerSecondPerConnection": 7.5, "maxTuplesPerPayload": -3}})");
    auto edited = ServiceConfig::load(tmp.path());
    QVERIFY(edited.ok());
    vortex = ServiceConfig::devicePortOptions();
    decode = DecodeLimits();
    edited.value().readLimits(vortex, decode);
    QCOMPARE(decode.maxDepth, 12);
    QCOMPARE(vortex.budgets.maxOutputBufferBytes, qint64(4096));
    QCOMPARE(vortex.budgets.messagesPerSecond, 7.5);
    QCOMPARE(decode.maxTuples, DecodeLimits().maxTuples);
    QCOMPARE(decode.maxInflatedBytes, DecodeLimits().maxInflatedBytes);
    // A limit of the wrong JSON type refuses the file, as any known key does.
    writeBytes(tmp.filePath(QStringLiteral("config.json")), R"({"limits": {"maxInflatedBytes": "lots"}})");
    QVERIFY(!ServiceConfig::load(tmp.path()).ok());
}

void TestServiceConfig::missingKeysAreFilledAndWrittenBack()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString path = tmp.filePath(QStringLiteral("config.json"));
    writeBytes(path, R"({
  "ports": { "field": 9000, "extraPort": 1234 },
  "logging": {},
  "plugin": { "enabled": ["peek_plugin_noop"] },
  "myTypo": { "nested": true }
})");

    auto result = ServiceConfig::load(tmp.path());
    QVERIFY2(result.ok(), qPrintable(result.error().message()));
    const ServiceConfig &config = result.value();
    QVERIFY(!config.created());

    QStringList added = config.addedKeys();
    added.sort();
    QCOMPARE(
        added,
        (QStringList {QStringLiteral("devices"), QStringLiteral("limits"), QStringLiteral("logging.level"),
                      QStringLiteral("logic"), QStringLiteral("network"),
                      QStringLiteral("ports.logicAdmin"), QStringLiteral("ports.logicDataExchange"),
                      QStringLiteral("ports.office"), QStringLiteral("roles"),
                      QStringLiteral("storage"), QStringLiteral("tasks"), QStringLiteral("worker")}));
    QStringList unknown = config.unknownKeys();
    unknown.sort();
    QCOMPARE(unknown, (QStringList {QStringLiteral("myTypo"), QStringLiteral("ports.extraPort")}));

    // In memory and on disk: existing values and unknown keys kept, missing keys from defaults.
    const QJsonObject onDisk = readObject(path);
    QCOMPARE(onDisk, config.object());
    const QJsonObject ports = onDisk.value(QStringLiteral("ports")).toObject();
    QCOMPARE(ports.value(QStringLiteral("field")).toInt(), 9000);
    QCOMPARE(ports.value(QStringLiteral("extraPort")).toInt(), 1234);
    QCOMPARE(ports.value(QStringLiteral("office")).toInt(), 8002);
    QCOMPARE(onDisk.value(QStringLiteral("myTypo")).toObject(),
             (QJsonObject {{QStringLiteral("nested"), true}}));
    QCOMPARE(onDisk.value(QStringLiteral("plugin")).toObject().value(QStringLiteral("enabled")),
             QJsonValue(QJsonArray {QStringLiteral("peek_plugin_noop")}));
    QCOMPARE(config.stringValue(QStringLiteral("logging.level")), QStringLiteral("info"));
    QCOMPARE(config.stringValue(QStringLiteral("logic.url")),
             QStringLiteral("ws://127.0.0.1:8011"));

    // Now complete: the next start adds nothing but still reports the unknown keys.
    const QByteArray bytes = readBytes(path);
    auto again = ServiceConfig::load(tmp.path());
    QVERIFY2(again.ok(), qPrintable(again.error().message()));
    QVERIFY(again.value().addedKeys().isEmpty());
    QCOMPARE(again.value().unknownKeys().size(), 2);
    QCOMPARE(readBytes(path), bytes);
}

void TestServiceConfig::completeFileIsNotRewritten()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString path = tmp.filePath(QStringLiteral("config.json"));
    // The operator's own layout and key order, which a rewrite would not reproduce.
    const char *bytesTemplate = R"({"logging":{"level":"debug"},   "roles":["logic"],
"ports":{"office":1,"field":2,"logicAdmin":3,"logicDataExchange":4},
"logic":{"url":"wss://logic.example:8011","joinToken":"secret"},"storage":{"url":"postgresql://peek@db/peek"},
"plugin":{"enabled":["peek_plugin_tutorial"]}, "comment": "mine", "devices":{"requireEnrolment":true},
"worker":{"threads":4,"name":"w1"},"network":{"ioThreads":2,"serviceThreads":true},"tasks":{"leaseSeconds":10,"maxAttempts":5,"retryBackoffSeconds":1,
"timeoutSeconds":60,"resultExpirySeconds":600},
"limits":LIMITS}
)";
    // Every limit, in the operator's own order (the defaults' keys, reversed).
    QJsonObject limitDefaults = ServiceConfig::limitDefaults();
    QByteArray limitsText = "{";
    QStringList keys = limitDefaults.keys();
    std::reverse(keys.begin(), keys.end());
    for (const QString &key : keys)
        limitsText += "\"" + key.toLatin1() + "\": " + QByteArray::number(limitDefaults.value(key).toDouble(), 'g', 17) + (key == keys.last() ? "" : ",");
    limitsText += "}";
    const QByteArray bytes = QByteArray(bytesTemplate).replace("LIMITS", limitsText);
    writeBytes(path, bytes);
    const QDateTime modified = QFileInfo(path).lastModified();

    auto result = ServiceConfig::load(tmp.path());
    QVERIFY2(result.ok(), qPrintable(result.error().message()));
    QVERIFY(result.value().addedKeys().isEmpty());
    QCOMPARE(result.value().unknownKeys(), QStringList {QStringLiteral("comment")});
    QCOMPARE(readBytes(path), bytes);
    QCOMPARE(QFileInfo(path).lastModified(), modified);
    QCOMPARE(result.value().stringValue(QStringLiteral("logging.level")), QStringLiteral("debug"));
    QCOMPARE(result.value().intValue(QStringLiteral("ports.field")), 2);
}

void TestServiceConfig::brokenFileIsRefusedWithLineAndColumn_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");

    // Qt's parser reports where it noticed the error: just past the offending character.
    QTest::newRow("missing comma") << QByteArray("{\n  \"a\": 1\n  \"b\": 2\n}\n") << 3 << 4;
    QTest::newRow("trailing comma")
        << QByteArray("{\n  \"a\": {\n    \"b\": 1,\n  }\n}\n") << 4 << 4;
    // The column counts characters, not UTF-8 bytes.
    QTest::newRow("non-ascii before error") << QByteArray("{\n  \"\xc3\xa9\": x\n}") << 2 << 8;
    QTest::newRow("garbage after object") << QByteArray("{\"a\": 1} x") << 1 << 10;
    QTest::newRow("empty file") << QByteArray() << 1 << 1;
}

void TestServiceConfig::brokenFileIsRefusedWithLineAndColumn()
{
    QFETCH(QByteArray, content);
    QFETCH(int, line);
    QFETCH(int, column);

    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString path = tmp.filePath(QStringLiteral("config.json"));
    writeBytes(path, content);

    QJsonParseError parseError;
    QJsonDocument::fromJson(content, &parseError);
    QVERIFY(parseError.error != QJsonParseError::NoError);

    auto result = ServiceConfig::load(tmp.path());
    QVERIFY(!result.ok());
    const QString message = result.error().message();
    QVERIFY2(message.contains(path), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("line %1, column %2").arg(line).arg(column)),
             qPrintable(message));
    QVERIFY2(message.contains(parseError.errorString()), qPrintable(message));

    QVERIFY(QFileInfo::exists(path));
    QCOMPARE(readBytes(path), content);
}

void TestServiceConfig::topLevelArrayIsRefused()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString path = tmp.filePath(QStringLiteral("config.json"));
    const QByteArray content = "[{\"logging\": {\"level\": \"info\"}}]\n";
    writeBytes(path, content);

    auto result = ServiceConfig::load(tmp.path());
    QVERIFY(!result.ok());
    const QString message = result.error().message();
    QVERIFY2(message.contains(path), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("object")), qPrintable(message));
    QCOMPARE(readBytes(path), content);
}

void TestServiceConfig::knownKeyOfWrongTypeIsRefused()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString path = tmp.filePath(QStringLiteral("config.json"));
    // "ports" must be an object, "logging.level" a string: neither can be filled nor used.
    for (const QByteArray &content :
         {QByteArray("{\"ports\": 8000}"), QByteArray("{\"logging\": {\"level\": 3}}")}) {
        writeBytes(path, content);
        auto result = ServiceConfig::load(tmp.path());
        QVERIFY(!result.ok());
        const QString message = result.error().message();
        QVERIFY2(message.contains(path), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("\"ports\""))
                     || message.contains(QStringLiteral("\"logging.level\"")),
                 qPrintable(message));
        QCOMPARE(readBytes(path), content);
    }
}

void TestServiceConfig::gettersFollowDottedPaths()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QJsonObject defaults {
        {QStringLiteral("a"),
         QJsonObject {
             {QStringLiteral("b"), QJsonObject {{QStringLiteral("c"), 7}}},
             {QStringLiteral("list"), QJsonArray {QStringLiteral("x"), 1, QStringLiteral("y")}},
             {QStringLiteral("s"), QStringLiteral("text")}}}};
    auto result = ServiceConfig::load(tmp.path(), defaults);
    QVERIFY2(result.ok(), qPrintable(result.error().message()));
    const ServiceConfig &config = result.value();

    QCOMPARE(config.intValue(QStringLiteral("a.b.c")), 7);
    QCOMPARE(config.value(QStringLiteral("a.b")).toObject().size(), 1);
    QVERIFY(config.value(QStringLiteral("a.b.c.d")).isUndefined());
    QVERIFY(config.value(QStringLiteral("nope")).isUndefined());
    QCOMPARE(config.intValue(QStringLiteral("a.s"), -1), -1); // wrong type: fallback
    QCOMPARE(config.stringValue(QStringLiteral("a.b.c"), QStringLiteral("f")), QStringLiteral("f"));
    QCOMPARE(config.stringValue(QStringLiteral("a.s")), QStringLiteral("text"));
    QCOMPARE(config.stringList(QStringLiteral("a.list")),
             (QStringList {QStringLiteral("x"), QStringLiteral("y")}));
}

// logic.joinToken is made on first start and written back: the file then holds a secret, so it
// becomes readable by its owner only, and the other keys stay as they were.
void TestServiceConfig::setStringWritesASecretOwnerOnly()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString path = tmp.filePath(QStringLiteral("config.json"));
    writeBytes(path, R"({"ports": {"field": 9000}, "mine": 1})");
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther);
    auto result = ServiceConfig::load(tmp.path());
    QVERIFY2(result.ok(), qPrintable(result.error().message()));
    QVERIFY(result.value().setString(QStringLiteral("logic.joinToken"), QStringLiteral("s3cret")).ok());
    QCOMPARE(result.value().stringValue(QStringLiteral("logic.joinToken")), QStringLiteral("s3cret"));
    const QJsonObject onDisk = readObject(path);
    QCOMPARE(onDisk.value(QStringLiteral("logic")).toObject().value(QStringLiteral("joinToken")).toString(), QStringLiteral("s3cret"));
    QCOMPARE(onDisk.value(QStringLiteral("logic")).toObject().value(QStringLiteral("url")).toString(), QStringLiteral("ws://127.0.0.1:8011"));
    QCOMPARE(onDisk.value(QStringLiteral("ports")).toObject().value(QStringLiteral("field")).toInt(), 9000);
    QCOMPARE(onDisk.value(QStringLiteral("mine")).toInt(), 1);
    QCOMPARE(QFileInfo(path).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup), QFileDevice::Permissions());
}

QTEST_GUILESS_MAIN(TestServiceConfig)
#include "tst_serviceconfig.moc"
