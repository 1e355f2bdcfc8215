#include "serviceconfig.h"

#include "base/role.h"

#include "service/textposition.h"
#include "tuple/decodelimits.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSaveFile>

#include <algorithm>
#include <climits>

namespace peek {

namespace {

const QString kFixHint
    = QStringLiteral("Fix the file, or delete it to have the defaults written again.");

Error configError(const QString &text)
{
    return Error {text, {}, {}};
}

QString describeType(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("true or false");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("a list");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

QString compactJson(const QJsonValue &value)
{
    // QJsonDocument holds only arrays and objects: wrap the value and strip the brackets.
    const QByteArray json = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(json.sliced(1, json.size() - 2));
}

// Adds the keys of `defaults` missing from `object`, recursively; records the added keys and the
// keys `defaults` does not know as dotted paths. Returns an error text for a known key of the
// wrong JSON type (an object where a number belongs cannot be filled or used).
QString complete(QJsonObject &object, const QJsonObject &defaults, const QString &prefix,
                 QStringList &added, QStringList &unknown)
{
    for (auto it = defaults.begin(); it != defaults.end(); ++it) {
        const QString path = prefix + it.key();
        const QJsonValue defaultValue = it.value();
        const auto found = object.find(it.key());
        if (found == object.end()) {
            object.insert(it.key(), defaultValue);
            added << path;
            continue;
        }
        const QJsonValue value = found.value();
        if (!defaultValue.isNull() && value.type() != defaultValue.type())
            return QStringLiteral("key \"%1\" must be %2 (default: %3), found %4")
                .arg(path, describeType(defaultValue), compactJson(defaultValue),
                     describeType(value));
        if (defaultValue.isObject()) {
            QJsonObject child = value.toObject();
            const QString error
                = complete(child, defaultValue.toObject(), path + QLatin1Char('.'), added, unknown);
            if (!error.isEmpty())
                return error;
            object.insert(it.key(), child);
        }
    }
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!defaults.contains(it.key()))
            unknown << prefix + it.key();
    }
    return {};
}

Result<void> writeAtomically(const QString &filePath, const QJsonObject &object,
                                    bool newFile)
{
    QSaveFile file(filePath);
    if (!file.open(QIODevice::WriteOnly))
        return configError(
            QStringLiteral("Cannot write config file %1: %2").arg(filePath, file.errorString()));
    // A storage URL may carry a password: a new file is readable by its owner only. An existing
    // file keeps the permissions the operator gave it (QSaveFile copies them).
    if (newFile)
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(QJsonDocument(object).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return configError(
            QStringLiteral("Cannot write config file %1: %2").arg(filePath, file.errorString()));
    return {};
}

} // namespace

QJsonObject ServiceConfig::defaults()
{
    return QJsonObject {
        {QStringLiteral("roles"), QJsonArray::fromStringList(Role::names().split(QStringLiteral(", ")))},
        {QStringLiteral("ports"),
         QJsonObject {{QStringLiteral("field"), Role(Role::Field).defaultPort()},
                      {QStringLiteral("office"), Role(Role::Office).defaultPort()},
                      {QStringLiteral("logicAdmin"), Role::kLogicAdminPort},
                      {QStringLiteral("logicDataExchange"), Role(Role::Logic).defaultPort()}}},
        {QStringLiteral("logic"),
         QJsonObject {{QStringLiteral("url"), QStringLiteral("ws://127.0.0.1:8011")},
                      {QStringLiteral("joinToken"), QString()}}},
        {QStringLiteral("storage"), QJsonObject {{QStringLiteral("url"), QString()}}},
        // The bundled plugins, so a first start shows the platform working; operators list theirs.
        {QStringLiteral("plugin"),
         QJsonObject {{QStringLiteral("enabled"),
                       QJsonArray {QStringLiteral("peek_plugin_tutorial"), QStringLiteral("peek_plugin_noop"),
                                   QStringLiteral("peek_plugin_positions")}}}},
        // Devices are served only once enrolled and approved (peek_core_device, docs/identity.md).
        {QStringLiteral("devices"), QJsonObject {{QStringLiteral("requireEnrolment"), true}}},
        {QStringLiteral("logging"),
         QJsonObject {{QStringLiteral("level"), QStringLiteral("info")}}},
        {QStringLiteral("worker"),
         QJsonObject {{QStringLiteral("threads"), 0}, {QStringLiteral("name"), QString()}}},
        // Threads that serve the devices' connections (reading, writing, heartbeats): -1 one per
        // core, 0 none (the role's own thread does it all), n that many. serviceThreads: field
        // and office each on a thread of their own beside logic in one process.
        {QStringLiteral("network"), QJsonObject {{QStringLiteral("ioThreads"), VortexOptions::kIoThreadsPerCore},
                                                 {QStringLiteral("serviceThreads"), true}}},
        {QStringLiteral("tasks"),
         QJsonObject {{QStringLiteral("leaseSeconds"), 30},
                      {QStringLiteral("maxAttempts"), 3},
                      {QStringLiteral("retryBackoffSeconds"), 2},
                      {QStringLiteral("timeoutSeconds"), 600},
                      {QStringLiteral("resultExpirySeconds"), 3600}}},
        {QStringLiteral("limits"), limitDefaults()},
    };
}

QJsonObject ServiceConfig::limitDefaults()
{
    const DecodeLimits decode;
    const VortexOptions vortex = ServiceConfig::devicePortOptions();
    return QJsonObject {
        {QStringLiteral("maxMessageBytes"), double(vortex.maxMessageBytes)},
        {QStringLiteral("maxJsonDepth"), decode.maxDepth},
        {QStringLiteral("maxJsonValues"), double(decode.maxValues)},
        {QStringLiteral("maxTuplesPerPayload"), decode.maxTuples},
        {QStringLiteral("maxFieldsPerTuple"), decode.maxFieldsPerTuple},
        {QStringLiteral("maxInflatedBytes"), double(decode.maxInflatedBytes)},
        {QStringLiteral("maxInflateRatio"), decode.maxInflateRatio},
        {QStringLiteral("newConnectionsPerSecond"), vortex.acceptRatePerSecond},
        {QStringLiteral("newConnectionBurst"), vortex.acceptBurst},
        {QStringLiteral("maxConnectionsPerAddress"), vortex.budgets.maxConnectionsPerAddress},
        {QStringLiteral("newConnectionsPerSecondPerAddress"), vortex.budgets.acceptRatePerAddress},
        {QStringLiteral("newConnectionBurstPerAddress"), vortex.budgets.acceptBurstPerAddress},
        {QStringLiteral("maxSubscriptionsPerConnection"), vortex.budgets.maxSubscriptionsPerConnection},
        {QStringLiteral("messagesPerSecondPerConnection"), vortex.budgets.messagesPerSecond},
        {QStringLiteral("messageBurstPerConnection"), vortex.budgets.messageBurst},
        {QStringLiteral("bytesPerSecondPerConnection"), vortex.budgets.bytesPerSecond},
        {QStringLiteral("byteBurstPerConnection"), double(vortex.budgets.byteBurst)},
        {QStringLiteral("maxOutputBufferBytes"), double(vortex.budgets.maxOutputBufferBytes)},
    };
}

VortexOptions ServiceConfig::devicePortOptions()
{
    VortexOptions o;
    o.budgets.maxConnectionsPerAddress = 1000;
    o.budgets.acceptRatePerAddress = 50;
    o.budgets.acceptBurstPerAddress = 200;
    o.budgets.maxSubscriptionsPerConnection = 1000;
    o.budgets.messagesPerSecond = 500;
    o.budgets.messageBurst = 2000;
    o.budgets.bytesPerSecond = 16 << 20;
    o.budgets.byteBurst = 64 << 20;
    o.budgets.maxOutputBufferBytes = 32 << 20;
    return o;
}

void ServiceConfig::readLimits(VortexOptions &vortex, DecodeLimits &decode) const
{
    const auto number = [this](const char *key, double fallback) {
        const QJsonValue v = value(QStringLiteral("limits.") + QLatin1String(key));
        return v.isDouble() && v.toDouble() >= 0 ? v.toDouble() : fallback;
    };
    const auto whole = [&number](const char *key, qint64 fallback) {
        return qint64(std::min(number(key, double(fallback)), 9.0e15));
    };
    const auto positive = [&whole](const char *key, qint64 fallback) {
        return std::max<qint64>(1, whole(key, fallback));
    };
    vortex.maxMessageBytes = positive("maxMessageBytes", vortex.maxMessageBytes);
    decode.maxDepth = int(std::clamp<qint64>(whole("maxJsonDepth", decode.maxDepth), 2, 10000));
    decode.maxValues = positive("maxJsonValues", decode.maxValues);
    decode.maxTuples = int(std::min<qint64>(INT_MAX, positive("maxTuplesPerPayload", decode.maxTuples)));
    decode.maxFieldsPerTuple = int(std::min<qint64>(INT_MAX, positive("maxFieldsPerTuple", decode.maxFieldsPerTuple)));
    decode.maxInflatedBytes = positive("maxInflatedBytes", decode.maxInflatedBytes);
    decode.maxInflateRatio = int(std::min<qint64>(INT_MAX, positive("maxInflateRatio", decode.maxInflateRatio)));
    vortex.acceptRatePerSecond = std::max(0.001, number("newConnectionsPerSecond", vortex.acceptRatePerSecond));
    vortex.acceptBurst = int(std::min<qint64>(INT_MAX, positive("newConnectionBurst", vortex.acceptBurst)));
    vortex.budgets.maxConnectionsPerAddress = int(std::min<qint64>(INT_MAX, whole("maxConnectionsPerAddress", vortex.budgets.maxConnectionsPerAddress)));
    vortex.budgets.acceptRatePerAddress = number("newConnectionsPerSecondPerAddress", vortex.budgets.acceptRatePerAddress);
    vortex.budgets.acceptBurstPerAddress = int(std::min<qint64>(INT_MAX, whole("newConnectionBurstPerAddress", vortex.budgets.acceptBurstPerAddress)));
    vortex.budgets.maxSubscriptionsPerConnection = int(std::min<qint64>(INT_MAX, whole("maxSubscriptionsPerConnection", vortex.budgets.maxSubscriptionsPerConnection)));
    vortex.budgets.messagesPerSecond = number("messagesPerSecondPerConnection", vortex.budgets.messagesPerSecond);
    vortex.budgets.messageBurst = int(std::min<qint64>(INT_MAX, whole("messageBurstPerConnection", vortex.budgets.messageBurst)));
    vortex.budgets.bytesPerSecond = number("bytesPerSecondPerConnection", vortex.budgets.bytesPerSecond);
    vortex.budgets.byteBurst = whole("byteBurstPerConnection", vortex.budgets.byteBurst);
    vortex.budgets.maxOutputBufferBytes = whole("maxOutputBufferBytes", vortex.budgets.maxOutputBufferBytes);
}

Result<ServiceConfig> ServiceConfig::load(const QString &homeDir,
                                                 const QJsonObject &defaults)
{
    ServiceConfig config;
    config.m_filePath = QDir(homeDir).absoluteFilePath(fileName());

    if (!QFileInfo::exists(config.m_filePath)) {
        if (!QDir().mkpath(homeDir))
            return configError(QStringLiteral("Cannot create the home directory %1 for %2")
                                   .arg(homeDir, fileName()));
        if (auto written = writeAtomically(config.m_filePath, defaults, true); !written)
            return written.error();
        config.m_object = defaults;
        config.m_created = true;
        return config;
    }

    QFile file(config.m_filePath);
    if (!file.open(QIODevice::ReadOnly))
        return configError(QStringLiteral("Cannot read config file %1: %2")
                               .arg(config.m_filePath, file.errorString()));
    const QByteArray data = file.readAll();
    file.close();

    auto parsed = parse(data, config.m_filePath, defaults);
    if (parsed && !parsed.value().m_addedKeys.isEmpty()) {
        if (auto written = writeAtomically(config.m_filePath, parsed.value().m_object, false);
            !written)
            return written.error();
    }
    return parsed;
}

Result<ServiceConfig> ServiceConfig::parse(const QByteArray &data, const QString &filePath,
                                                  const QJsonObject &defaults)
{
    ServiceConfig config;
    config.m_filePath = filePath;
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(data, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const auto [line, column] = lineAndColumn(data, parseError.offset);
        return configError(QStringLiteral("Broken config file %1, line %2, column %3: %4. %5")
                               .arg(config.m_filePath)
                               .arg(line)
                               .arg(column)
                               .arg(parseError.errorString(), kFixHint));
    }
    if (!document.isObject())
        return configError(
            QStringLiteral("Broken config file %1: the top level must be a JSON object ({ ... }), "
                           "found %2. %3")
                .arg(config.m_filePath,
                     document.isArray() ? QStringLiteral("a list") : QStringLiteral("a value"),
                     kFixHint));

    config.m_object = document.object();
    const QString typeError
        = complete(config.m_object, defaults, QString(), config.m_addedKeys, config.m_unknownKeys);
    if (!typeError.isEmpty())
        return configError(QStringLiteral("Broken config file %1: %2. %3")
                               .arg(config.m_filePath, typeError, kFixHint));
    return config;
}

QJsonValue ServiceConfig::value(const QString &path) const
{
    const QStringList parts = path.split(QLatin1Char('.'));
    QJsonValue current = m_object;
    for (const QString &part : parts) {
        if (!current.isObject())
            return QJsonValue(QJsonValue::Undefined);
        current = current.toObject().value(part);
    }
    return current;
}

int ServiceConfig::intValue(const QString &path, int fallback) const
{
    const QJsonValue v = value(path);
    return v.isDouble() ? v.toInt(fallback) : fallback;
}

QString ServiceConfig::stringValue(const QString &path, const QString &fallback) const
{
    const QJsonValue v = value(path);
    return v.isString() ? v.toString() : fallback;
}

namespace {
QJsonObject withValue(QJsonObject object, QStringList path, const QJsonValue &value)
{
    const QString key = path.takeFirst();
    object.insert(key, path.isEmpty() ? value : QJsonValue(withValue(object.value(key).toObject(), path, value)));
    return object;
}
} // namespace

Result<void> ServiceConfig::setString(const QString &path, const QString &value)
{
    return setValue(path, value);
}

Result<void> ServiceConfig::setValue(const QString &path, const QJsonValue &value)
{
    QJsonObject updated = withValue(m_object, path.split(QLatin1Char('.')), value);
    if (auto written = writeAtomically(m_filePath, updated, true); !written)
        return written.error();
    m_object = updated;
    return {};
}

QStringList ServiceConfig::stringList(const QString &path) const
{
    QStringList list;
    const QJsonArray array = value(path).toArray();
    for (const QJsonValue &element : array) {
        if (element.isString())
            list << element.toString();
    }
    return list;
}

} // namespace peek
