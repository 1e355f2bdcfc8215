#include "pluginmetadata.h"

#include "base/apiversion.h"
#include "service/textposition.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <optional>
#include <utility>

namespace peek {

namespace {

const QString kName = QStringLiteral("name");
const QString kTitle = QStringLiteral("title");
const QString kDescription = QStringLiteral("description");
const QString kVersion = QStringLiteral("version");
const QString kCompatVersion = QStringLiteral("compatVersion");
const QString kPeekApi = QStringLiteral("peekApi");
const QString kRoles = QStringLiteral("roles");
// The old name of "roles", still read.
const QString kRequiresServices = QStringLiteral("requiresServices");
const QString kDependencies = QStringLiteral("dependencies");
const QString kUi = QStringLiteral("ui");
const QString kIcon = QStringLiteral("icon");
const QString kQml = QStringLiteral("qml");
const QString kShowHome = QStringLiteral("showHome");
const QString kBadge = QStringLiteral("badge");
const QString kService = QStringLiteral("service");

const QString kCapabilities = QStringLiteral("capabilities");
const QStringList kTopLevelKeys {
    kName, kTitle, kDescription, kVersion, kCompatVersion, kPeekApi, kRoles, kRequiresServices, kDependencies, kUi,
    kCapabilities};
const QStringList kDependencyKeys {kName, kVersion};
const QStringList kUiEntryKeys {kTitle, kIcon, kQml, kShowHome, kBadge, kService};
const QStringList kUiApps {QStringLiteral("field"), QStringLiteral("office"),
                           QStringLiteral("admin")};

QString quoted(const QString &text)
{
    return QLatin1Char('"') + text + QLatin1Char('"');
}

// How a JSON value reads in a sentence: "\"one\"", "the number 1.2", "an array", ...
QString describe(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return quoted(value.toString());
    case QJsonValue::Double: {
        // QJsonDocument holds only arrays and objects: wrap the number and strip the brackets.
        const QByteArray json = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
        return QStringLiteral("the number ") + QString::fromUtf8(json.sliced(1, json.size() - 2));
    }
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

int editDistance(const QString &a, const QString &b)
{
    QList<int> previous(b.size() + 1);
    QList<int> current(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        previous[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        current[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

// "; did you mean 'version'?" when `key` looks like a typo of a known key, else nothing.
QString didYouMean(const QString &key, const QStringList &known)
{
    QString best;
    int bestDistance = 3; // further than two edits is a different word, not a typo
    for (const QString &candidate : known) {
        const int distance = editDistance(key.toLower(), candidate.toLower());
        if (distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    return best.isEmpty() ? QString() : QStringLiteral("; did you mean '%1'?").arg(best);
}

bool isPluginName(const QString &text)
{
    static const QRegularExpression form(QStringLiteral("^[a-z][a-z0-9_]*$"));
    return form.match(text).hasMatch();
}

// "1", "1.2" or "1.2.3": nothing else (no suffix, no "v"), so versions compare as numbers.
std::optional<QVersionNumber> parseVersion(const QString &text)
{
    // Nine digits at most keep every part inside an int.
    static const QRegularExpression form(QStringLiteral("^[0-9]{1,9}(\\.[0-9]{1,9}){0,2}$"));
    if (!form.match(text).hasMatch())
        return std::nullopt;
    return QVersionNumber::fromString(text);
}

// Trailing zeros do not count: 1.0 and 1.0.0 are the same version (QVersionNumber says 1.0 <
// 1.0.0).
int compareVersions(const QVersionNumber &a, const QVersionNumber &b)
{
    return QVersionNumber::compare(a.normalized(), b.normalized());
}

struct VersionConstraint {
    QString op; // ">=", ">", "<=", "<", "==", or empty for any version
    QVersionNumber version;
    QString versionText; // as written, for messages ("1.0" stays "1.0")

    QString toString() const { return op + versionText; }

    // A plugin in version `installed` that stands in for every version down to `compatible`
    // (its compatVersion) satisfies the constraint when one version of that range does: ">=" and
    // ">" ask for the newest, "<=" and "<" for the oldest, "==" for one inside.
    bool satisfiedBy(const QVersionNumber &installed, const QVersionNumber &compatible) const
    {
        if (op.isEmpty())
            return true;
        if (op == QLatin1String("<=") || op == QLatin1String("<"))
            return satisfiedBy(compatible.isNull() ? installed : compatible);
        if (op == QLatin1String("==") && !compatible.isNull())
            return compareVersions(compatible, version) <= 0
                && compareVersions(version, installed) <= 0;
        return satisfiedBy(installed);
    }

    bool satisfiedBy(const QVersionNumber &installed) const
    {
        if (op.isEmpty())
            return true;
        const int order = compareVersions(installed, version);
        if (op == QLatin1String(">="))
            return order >= 0;
        if (op == QLatin1String(">"))
            return order > 0;
        if (op == QLatin1String("<="))
            return order <= 0;
        if (op == QLatin1String("<"))
            return order < 0;
        return order == 0;
    }
};

std::optional<VersionConstraint> parseConstraint(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return VersionConstraint {};
    static const QRegularExpression form(QStringLiteral("^(>=|<=|==|>|<)?\\s*(\\S+)$"));
    const QRegularExpressionMatch match = form.match(trimmed);
    if (!match.hasMatch())
        return std::nullopt;
    const QString versionText = match.captured(2);
    const std::optional<QVersionNumber> version = parseVersion(versionText);
    if (!version)
        return std::nullopt;
    // A bare version is a minimum: "1.2" asks for 1.2 or newer.
    const QString op = match.captured(1).isEmpty() ? QStringLiteral(">=") : match.captured(1);
    return VersionConstraint {op, *version, versionText};
}

// Reads one plugin.json object; every error starts with m_source and names the key at fault.
class MetadataReader {
public:
    MetadataReader(QString source, QString expectedName)
        : m_source(std::move(source)), m_expectedName(std::move(expectedName))
    {
    }

    Error error(const QString &text) const
    {
        return Error {QStringLiteral("%1: %2").arg(m_source, text), {}, {}};
    }

    Error keyError(const QString &key, const QString &text) const
    {
        return error(QStringLiteral("key '%1': %2").arg(key, text));
    }

    Result<PluginMetadata> read(const QJsonObject &object) const
    {
        PluginMetadata metadata;
        if (auto checked = checkKeys(object, {}, kTopLevelKeys, QStringLiteral("plugin.json"));
            !checked)
            return checked.error();

        auto name = requiredString(object, kName, kName,
                                   QStringLiteral("the plugin's name, e.g. peek_plugin_tutorial"));
        if (!name)
            return name.error();
        if (!isPluginName(name.value()))
            return keyError(kName,
                            QStringLiteral("%1 is not a plugin name: use lower-case letters, "
                                           "digits and '_', starting with a letter (e.g. "
                                           "peek_plugin_tutorial)")
                                .arg(quoted(name.value())));
        if (!m_expectedName.isEmpty() && name.value() != m_expectedName)
            return keyError(kName,
                            QStringLiteral("%1 differs from the name of the plugin's "
                                           "directory %2; rename one so they are equal")
                                .arg(quoted(name.value()), quoted(m_expectedName)));
        metadata.name = name.value();

        auto title = requiredString(object, kTitle, kTitle, QStringLiteral("the name people see"));
        if (!title)
            return title.error();
        metadata.title = title.value();

        if (object.contains(kDescription)) {
            const QJsonValue description = object.value(kDescription);
            if (!description.isString())
                return keyError(
                    kDescription,
                    QStringLiteral("expected a string, not %1").arg(describe(description)));
            metadata.description = description.toString();
        }

        auto version = readVersion(object, kVersion);
        if (!version)
            return version.error();
        metadata.version = version.value();
        metadata.compatVersion = metadata.version;
        if (object.contains(kCompatVersion)) {
            auto compatVersion = readVersion(object, kCompatVersion);
            if (!compatVersion)
                return compatVersion.error();
            if (compareVersions(compatVersion.value(), metadata.version) > 0)
                return keyError(
                    kCompatVersion,
                    QStringLiteral("%1 is newer than version %2; compatVersion names the "
                                   "oldest version this one can stand in for, so it "
                                   "cannot be newer than version")
                        .arg(compatVersion.value().toString(), metadata.version.toString()));
            metadata.compatVersion = compatVersion.value();
        }

        // The plugin API the plugin was written for; without the key, PluginMetadata's default
        // (1.0: plugins from before the key).
        if (object.contains(kPeekApi)) {
            auto peekApi = readVersion(object, kPeekApi);
            if (!peekApi)
                return peekApi.error();
            if (peekApi.value().segmentCount() > 2)
                return keyError(kPeekApi,
                                QStringLiteral("%1 has three numbers; the plugin API version is "
                                               "MAJOR.MINOR, e.g. \"%2\"")
                                    .arg(peekApi.value().toString(),
                                         PluginApiVersion::current().toString()));
            metadata.peekApi = peekApi.value();
        }

        auto roles = readRoles(object);
        if (!roles)
            return roles.error();
        metadata.roles = roles.value();

        auto dependencies = readDependencies(object, metadata.name);
        if (!dependencies)
            return dependencies.error();
        metadata.dependencies = dependencies.value();

        auto ui = readUi(object, metadata.name);
        if (!ui)
            return ui.error();
        metadata.ui = ui.value();

        const QJsonValue capabilities = object.value(kCapabilities);
        if (!capabilities.isUndefined() && !capabilities.isObject())
            return keyError(kCapabilities, QStringLiteral("expected an object of capabilities, not %1").arg(describe(capabilities)));
        const QJsonObject offered = capabilities.toObject();
        for (auto it = offered.begin(); it != offered.end(); ++it) {
            const QString key = kCapabilities + QLatin1Char('.') + it.key();
            if (!it.value().isObject())
                return keyError(key, QStringLiteral("expected an object of strings, not %1").arg(describe(it.value())));
            QMap<QString, QString> fields;
            const QJsonObject o = it.value().toObject();
            for (auto f = o.begin(); f != o.end(); ++f) {
                if (!f.value().isString())
                    return keyError(key + QLatin1Char('.') + f.key(), QStringLiteral("expected a string, not %1").arg(describe(f.value())));
                fields.insert(f.key(), f.value().toString());
            }
            metadata.capabilities.insert(it.key(), fields);
        }
        return metadata;
    }

private:
    // Unknown keys are errors: a misspelt optional key would otherwise be ignored silently.
    Result<void> checkKeys(const QJsonObject &object, const QString &prefix,
                                  const QStringList &known, const QString &what) const
    {
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (known.contains(it.key()))
                continue;
            return keyError(
                prefix + it.key(),
                QStringLiteral("not a key of %1%2 (known: %3)")
                    .arg(what, didYouMean(it.key(), known), known.join(QStringLiteral(", "))));
        }
        return {};
    }

    // A string that must be there and must not be blank; `purpose` explains a missing key.
    Result<QString> requiredString(const QJsonObject &object, const QString &key,
                                          const QString &path, const QString &purpose) const
    {
        if (!object.contains(key))
            return keyError(path, QStringLiteral("missing (%1)").arg(purpose));
        const QJsonValue value = object.value(key);
        if (!value.isString())
            return keyError(path, QStringLiteral("expected a string, not %1").arg(describe(value)));
        if (value.toString().trimmed().isEmpty())
            return keyError(path, QStringLiteral("empty; expected %1").arg(purpose));
        return value.toString();
    }

    Result<QVersionNumber> readVersion(const QJsonObject &object, const QString &key) const
    {
        if (!object.contains(key))
            return keyError(key, QStringLiteral("missing (the plugin's version, e.g. \"1.0.0\")"));
        const QJsonValue value = object.value(key);
        const std::optional<QVersionNumber> version
            = value.isString() ? parseVersion(value.toString()) : std::nullopt;
        if (!version && value.isDouble())
            return keyError(key,
                            QStringLiteral("expected a version like 1.2.3, not %1 (write "
                                           "it as a string: \"%2\")")
                                .arg(describe(value), value.toVariant().toString()));
        if (!version)
            return keyError(
                key, QStringLiteral("expected a version like 1.2.3, not %1").arg(describe(value)));
        return *version;
    }

    Result<QList<Role>> readRoles(const QJsonObject &object) const
    {
        const QString known = Role::names();
        if (object.contains(kRoles) && object.contains(kRequiresServices))
            return keyError(kRequiresServices,
                            QStringLiteral("given beside \"roles\", its new name; keep only "
                                           "\"roles\""));
        const QString key = object.contains(kRequiresServices) ? kRequiresServices : kRoles;
        if (!object.contains(key))
            return keyError(key,
                            QStringLiteral("missing (the roles the plugin runs on, e.g. "
                                           "[\"logic\", \"field\"]; known: %1)")
                                .arg(known));
        const QJsonValue value = object.value(key);
        if (!value.isArray())
            return keyError(key,
                            QStringLiteral("expected an array of roles, e.g. [\"logic\"], not "
                                           "%1")
                                .arg(describe(value)));
        const QJsonArray array = value.toArray();
        if (array.isEmpty())
            return keyError(key,
                            QStringLiteral("empty; a plugin runs on at least one role (known: "
                                           "%1)")
                                .arg(known));
        QList<Role> roles;
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QString path = QStringLiteral("%1[%2]").arg(key).arg(i);
            const QJsonValue item = array.at(i);
            const std::optional<Role> role = item.isString() ? Role::fromName(item.toString()) : std::nullopt;
            if (!role)
                return keyError(
                    path,
                    QStringLiteral("unknown role %1%2 (known: %3)")
                        .arg(describe(item),
                             didYouMean(item.toString(), known.split(QStringLiteral(", "))), known));
            if (roles.contains(*role))
                return keyError(path,
                                QStringLiteral("%1 is listed twice; list it once")
                                    .arg(quoted(item.toString())));
            roles.append(*role);
        }
        return roles;
    }

    Result<QList<PluginDependency>> readDependencies(const QJsonObject &object,
                                                            const QString &ownName) const
    {
        QList<PluginDependency> dependencies;
        if (!object.contains(kDependencies))
            return dependencies;
        const QJsonValue value = object.value(kDependencies);
        if (!value.isArray())
            return keyError(kDependencies,
                            QStringLiteral("expected an array like [{\"name\": "
                                           "\"peek_plugin_base\", \"version\": \">=1.0\"}], not %1")
                                .arg(describe(value)));
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QString path = QStringLiteral("%1[%2]").arg(kDependencies).arg(i);
            const QJsonValue item = array.at(i);
            if (!item.isObject())
                return keyError(path,
                                QStringLiteral("expected an object like {\"name\": "
                                               "\"peek_plugin_base\", \"version\": "
                                               "\">=1.0\"}, not %1")
                                    .arg(describe(item)));
            const QJsonObject entry = item.toObject();
            if (auto checked = checkKeys(entry, path + QLatin1Char('.'), kDependencyKeys,
                                         QStringLiteral("a dependency"));
                !checked)
                return checked.error();

            PluginDependency dependency;
            const QString namePath = path + QLatin1Char('.') + kName;
            auto name = requiredString(entry, kName, namePath,
                                       QStringLiteral("the name of the plugin needed"));
            if (!name)
                return name.error();
            if (!isPluginName(name.value()))
                return keyError(namePath,
                                QStringLiteral("%1 is not a plugin name (lower-case "
                                               "letters, digits and '_', starting with "
                                               "a letter)")
                                    .arg(quoted(name.value())));
            if (name.value() == ownName)
                return keyError(namePath, QStringLiteral("a plugin cannot depend on itself"));
            if (std::any_of(dependencies.cbegin(), dependencies.cend(),
                            [&](const PluginDependency &d) { return d.name == name.value(); }))
                return keyError(
                    namePath,
                    QStringLiteral("%1 is listed twice; list it once").arg(quoted(name.value())));
            dependency.name = name.value();

            if (entry.contains(kVersion)) {
                const QJsonValue constraint = entry.value(kVersion);
                if (!constraint.isString() || !parseConstraint(constraint.toString()))
                    return keyError(path + QLatin1Char('.') + kVersion,
                                    QStringLiteral("expected a version constraint like \">=1.2\", "
                                                   "\">1\", \"<2.0\", \"<=2\", \"==1.0.0\" or "
                                                   "\"1.2\" (meaning >=1.2), not %1")
                                        .arg(describe(constraint)));
                dependency.constraint = constraint.toString().trimmed();
            }
            dependencies.append(dependency);
        }
        return dependencies;
    }

    Result<QMap<QString, PluginUiEntry>> readUi(const QJsonObject &object, const QString &plugin) const
    {
        QMap<QString, PluginUiEntry> ui;
        if (!object.contains(kUi))
            return ui;
        const QJsonValue value = object.value(kUi);
        if (!value.isObject())
            return keyError(kUi,
                            QStringLiteral("expected an object with an entry per app (%1), "
                                           "not %2")
                                .arg(kUiApps.join(QStringLiteral(", ")), describe(value)));
        const QJsonObject apps = value.toObject();
        if (auto checked = checkKeys(apps, kUi + QLatin1Char('.'), kUiApps, QStringLiteral("ui"));
            !checked)
            return checked.error();
        for (auto it = apps.begin(); it != apps.end(); ++it) {
            auto entry = readUiEntry(it.key(), it.value(), plugin);
            if (!entry)
                return entry.error();
            ui.insert(it.key(), entry.value());
        }
        return ui;
    }

    Result<PluginUiEntry> readUiEntry(const QString &app, const QJsonValue &value, const QString &plugin) const
    {
        const QString path = kUi + QLatin1Char('.') + app;
        if (!value.isObject())
            return keyError(path,
                            QStringLiteral("expected an object like {\"title\": \"...\", "
                                           "\"qml\": \"qml/Main.qml\"}, not %1")
                                .arg(describe(value)));
        const QJsonObject object = value.toObject();
        const QString prefix = path + QLatin1Char('.');
        if (auto checked = checkKeys(object, prefix, kUiEntryKeys, QStringLiteral("a ui entry"));
            !checked)
            return checked.error();

        PluginUiEntry entry;
        auto title = requiredString(object, kTitle, prefix + kTitle,
                                    QStringLiteral("the title the %1 app shows").arg(app));
        if (!title)
            return title.error();
        entry.title = title.value();

        if (object.contains(kIcon)) {
            auto icon = readRelativePath(object.value(kIcon), prefix + kIcon);
            if (!icon)
                return icon.error();
            entry.icon = icon.value();
        }

        if (!object.contains(kQml))
            return keyError(prefix + kQml,
                            QStringLiteral("missing (the QML file the %1 app opens)").arg(app));
        auto qml = readRelativePath(object.value(kQml), prefix + kQml);
        if (!qml)
            return qml.error();
        if (!qml.value().endsWith(QLatin1String(".qml")))
            return keyError(prefix + kQml,
                            QStringLiteral("%1 is not a QML file (its name must "
                                           "end with .qml)")
                                .arg(quoted(qml.value())));
        entry.qml = qml.value();

        if (object.contains(kShowHome)) {
            const QJsonValue showHome = object.value(kShowHome);
            if (!showHome.isBool())
                return keyError(
                    prefix + kShowHome,
                    QStringLiteral("expected true or false, not %1").arg(describe(showHome)));
            entry.showHome = showHome.toBool();
        }
        if (object.contains(kBadge)) {
            // "badge": {"tuple": "<plugin>.CountTuple", "field": "unread"}
            const QJsonObject badge = object.value(kBadge).toObject();
            const QString tuple = badge.value(QLatin1String("tuple")).toString();
            const QString field = badge.value(QLatin1String("field")).toString();
            if (!object.value(kBadge).isObject() || badge.size() != 2 || !tuple.startsWith(plugin + u'.') || field.isEmpty())
                return keyError(prefix + kBadge,
                                QStringLiteral("expected {\"tuple\": \"%1.<Tuple>\", \"field\": \"<field>\"}, not %2")
                                    .arg(plugin, describe(object.value(kBadge))));
            entry.badgeTuple = tuple;
            entry.badgeField = field;
        }
        if (object.contains(kService)) {
            auto service = readRelativePath(object.value(kService), prefix + kService);
            if (!service)
                return service.error();
            if (!service.value().endsWith(QLatin1String(".qml")))
                return keyError(prefix + kService,
                                QStringLiteral("%1 is not a QML file (its name must end with .qml)").arg(quoted(service.value())));
            entry.service = service.value();
        }
        return entry;
    }

    // Files a plugin names must stay inside its directory: the services serve them to apps.
    Result<QString> readRelativePath(const QJsonValue &value, const QString &path) const
    {
        if (!value.isString() || value.toString().isEmpty())
            return keyError(path,
                            QStringLiteral("expected a path relative to the plugin "
                                           "directory, e.g. \"qml/Main.qml\", not %1")
                                .arg(describe(value)));
        const QString text = value.toString();
        // A ':' means a drive letter or a URL scheme ("qrc:", "file:"): neither is relative.
        if (QDir::isAbsolutePath(text) || text.startsWith(QLatin1Char('/'))
            || text.startsWith(QLatin1Char('\\')) || text.contains(QLatin1Char(':')))
            return keyError(path,
                            QStringLiteral("%1 is absolute; give a path relative to the "
                                           "plugin directory")
                                .arg(quoted(text)));
        static const QRegularExpression separators(QStringLiteral("[/\\\\]"));
        if (text.split(separators).contains(QStringLiteral("..")))
            return keyError(path,
                            QStringLiteral("%1 leaves the plugin directory (\"..\"); give a "
                                           "path inside it")
                                .arg(quoted(text)));
        return text;
    }

    QString m_source;
    QString m_expectedName; // the directory's name, or empty when the name is not checked
};

Result<PluginMetadata> readDocument(const QByteArray &json, const MetadataReader &reader)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const auto [line, column] = lineAndColumn(json, parseError.offset);
        return reader.error(QStringLiteral("line %1, column %2: %3")
                                .arg(line)
                                .arg(column)
                                .arg(parseError.errorString()));
    }
    // QJsonDocument refuses a bare value at the top, so anything but an object is an array.
    if (!document.isObject())
        return reader.error(QStringLiteral("the top level must be a JSON object ({ ... }), not "
                                           "an array"));
    return reader.read(document.object());
}

} // namespace

bool PluginDependency::satisfiedBy(const QVersionNumber &version,
                                   const QVersionNumber &compatVersion) const
{
    const std::optional<VersionConstraint> parsed = parseConstraint(constraint);
    return parsed && parsed->satisfiedBy(version, compatVersion);
}

bool PluginMetadata::runsOn(Role role) const
{
    return roles.contains(role);
}

Result<PluginMetadata> PluginMetadata::fromFile(const QString &path,
                                                       bool requireDirectoryName)
{
    const QString filePath = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    const QFileInfo info(filePath);
    QFile file(filePath);
    if (!file.open(QIODevice::ReadOnly))
        return Error {QStringLiteral("%1: cannot read the plugin's metadata: %2")
                                 .arg(filePath, file.errorString()),
                             {},
                             {}};
    const QByteArray json = file.readAll();
    file.close();

    auto metadata = readDocument(
        json, MetadataReader(filePath, requireDirectoryName ? info.dir().dirName() : QString()));
    if (!metadata)
        return metadata;
    metadata.value().filePath = filePath;
    metadata.value().directory = info.absolutePath();
    return metadata;
}

Result<PluginMetadata> PluginMetadata::fromJson(const QByteArray &json,
                                                       const QString &sourceName)
{
    return readDocument(json, MetadataReader(sourceName, QString()));
}

PluginOrder orderByDependencies(const QList<PluginMetadata> &plugins)
{
    PluginOrder order;
    QMap<QString, QString> &failed = order.failed;

    QHash<QString, QList<qsizetype>> indexesByName;
    for (qsizetype i = 0; i < plugins.size(); ++i)
        indexesByName[plugins[i].name].append(i);

    // Two plugins with one name: whichever we chose, the other's dependents might get the wrong
    // one, so neither starts.
    for (auto it = indexesByName.cbegin(); it != indexesByName.cend(); ++it) {
        if (it->size() < 2)
            continue;
        QStringList places;
        for (qsizetype index : *it)
            places.append(plugins[index].directory.isEmpty() ? QStringLiteral("?")
                                                             : plugins[index].directory);
        failed.insert(it.key(),
                      QStringLiteral("is installed %1 times (%2); keep one")
                          .arg(it->size())
                          .arg(places.join(QStringLiteral(", "))));
    }
    // The one plugin of that name, or -1 (none, or several).
    const auto indexOf = [&](const QString &name) -> qsizetype {
        const QList<qsizetype> indexes = indexesByName.value(name);
        return indexes.size() == 1 ? indexes.first() : -1;
    };

    // A plugin written for a plugin API this platform does not offer.
    for (const PluginMetadata &plugin : plugins) {
        const QString refusal = PluginApiVersion::refusal(plugin.peekApi);
        if (!refusal.isEmpty() && !failed.contains(plugin.name))
            failed.insert(plugin.name, refusal);
    }

    // A dependency that is missing or in the wrong version.
    for (const PluginMetadata &plugin : plugins) {
        if (failed.contains(plugin.name))
            continue;
        for (const PluginDependency &dependency : plugin.dependencies) {
            if (!indexesByName.contains(dependency.name)) {
                failed.insert(plugin.name,
                              QStringLiteral("needs %1, which is not installed or not enabled")
                                  .arg(dependency.name));
                break;
            }
            const qsizetype index = indexOf(dependency.name);
            if (index < 0)
                continue; // installed twice: failed above, its dependents fail below
            const std::optional<VersionConstraint> constraint
                = parseConstraint(dependency.constraint);
            if (!constraint) {
                failed.insert(plugin.name,
                              QStringLiteral("needs %1 in version %2, which is not a version "
                                             "constraint")
                                  .arg(dependency.name, quoted(dependency.constraint)));
                break;
            }
            const QVersionNumber &installed = plugins[index].version;
            const QVersionNumber &compatible = plugins[index].compatVersion;
            if (!constraint->satisfiedBy(installed, compatible)) {
                const bool range = !compatible.isNull() && compareVersions(compatible, installed) < 0;
                failed.insert(
                    plugin.name,
                    QStringLiteral("needs %1 %2, but %3 is installed")
                        .arg(dependency.name, constraint->toString(),
                             range ? QStringLiteral("%1 (compatible down to %2)")
                                         .arg(installed.toString(), compatible.toString())
                                   : installed.toString()));
                break;
            }
        }
    }

    // Plugins on a dependency cycle; the shortest cycle through each is in its message.
    for (qsizetype start = 0; start < plugins.size(); ++start) {
        if (failed.contains(plugins[start].name) || indexOf(plugins[start].name) != start)
            continue;
        // Breadth-first from `start` along "needs" until we are back at `start`.
        QHash<qsizetype, qsizetype> cameFrom; // plugin -> the plugin that needs it on the path
        QList<qsizetype> queue {start};
        bool cycle = false;
        for (qsizetype head = 0; head < queue.size() && !cycle; ++head) {
            for (const PluginDependency &dependency : plugins[queue[head]].dependencies) {
                const qsizetype next = indexOf(dependency.name);
                if (next < 0 || cameFrom.contains(next))
                    continue;
                cameFrom.insert(next, queue[head]);
                if (next == start) {
                    cycle = true;
                    break;
                }
                queue.append(next);
            }
        }
        if (!cycle)
            continue;
        QStringList path {plugins[start].name};
        for (qsizetype at = cameFrom.value(start); at != start; at = cameFrom.value(at))
            path.prepend(plugins[at].name);
        path.prepend(plugins[start].name);
        failed.insert(plugins[start].name,
                      QStringLiteral("dependency cycle: ") + path.join(QStringLiteral(" -> ")));
    }

    // Whoever needs a failed plugin fails too, until nothing changes.
    for (bool changed = true; changed;) {
        changed = false;
        for (const PluginMetadata &plugin : plugins) {
            if (failed.contains(plugin.name))
                continue;
            for (const PluginDependency &dependency : plugin.dependencies) {
                if (!failed.contains(dependency.name))
                    continue;
                failed.insert(plugin.name,
                              QStringLiteral("needs %1, which failed: %2")
                                  .arg(dependency.name, failed.value(dependency.name)));
                changed = true;
                break;
            }
        }
    }

    // What is left has every dependency present and no cycle. Each plugin keeps its place in
    // the input, with the plugins it needs (in input order) placed just before it, as Qt
    // Creator's plugin manager does: unrelated plugins stay in input order.
    QSet<qsizetype> placed;
    const auto place = [&](const auto &self, qsizetype index) -> void {
        if (placed.contains(index))
            return;
        placed.insert(index);
        QList<qsizetype> needed;
        for (const PluginDependency &dependency : plugins[index].dependencies)
            needed.append(indexOf(dependency.name));
        std::sort(needed.begin(), needed.end());
        for (qsizetype dependency : needed)
            self(self, dependency);
        order.ordered.append(plugins[index]);
    };
    for (qsizetype i = 0; i < plugins.size(); ++i) {
        if (!failed.contains(plugins[i].name))
            place(place, i);
    }
    return order;
}

} // namespace peek
