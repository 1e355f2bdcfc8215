// PluginMetadata read from real plugin.json fixtures (one directory per mistake, as KDE tests
// KPluginMetaData), version constraints, and the dependency order the plugin manager starts in;
// the UI bundle zip reader on the inputs the fuzzer keeps (tests/fuzz/corpus/ui_bundle).
#include "base/apiversion.h"
#include "plugin/pluginmetadata.h"
#include "plugin/uibundle.h"

#include <QDir>
#include <QTest>

using namespace peek;

namespace {

QString fixture(const QString &relativePath)
{
    return QDir(QStringLiteral(PEEK_PLUGIN_FIXTURES)).filePath(relativePath);
}

// A plugin as the order sees it; dependencies are "name" or "name constraint".
PluginMetadata plugin(const QString &name, const QString &version = QStringLiteral("1.0.0"),
                      const QStringList &dependencies = {})
{
    PluginMetadata metadata;
    metadata.name = name;
    metadata.title = name;
    metadata.version = QVersionNumber::fromString(version);
    metadata.compatVersion = metadata.version;
    metadata.peekApi = PluginApiVersion::current();
    metadata.roles = {Role::Logic};
    for (const QString &dependency : dependencies) {
        const QStringList parts = dependency.split(QLatin1Char(' '));
        metadata.dependencies.append({parts.at(0), parts.value(1)});
    }
    return metadata;
}

QStringList namesOf(const QList<PluginMetadata> &plugins)
{
    QStringList names;
    for (const PluginMetadata &metadata : plugins)
        names.append(metadata.name);
    return names;
}

} // namespace

class TestPluginMetadata : public QObject {
    Q_OBJECT

private slots:
    void readsEveryKey();
    void minimalFileGetsDefaults();
    void mistakeIsRefusedNamingFileAndKey_data();
    void mistakeIsRefusedNamingFileAndKey();
    void directoryNameCheckCanBeSkipped();
    void unreadableFileIsRefused();
    void fromJsonNamesItsSource();
    void misspeltKeyGetsASuggestion();
    void constraintIsSatisfied_data();
    void constraintIsSatisfied();
    void constraintIsSatisfiedWithinTheCompatibleRange_data();
    void constraintIsSatisfiedWithinTheCompatibleRange();
    void runsOnItsRoles();

    void unrelatedPluginsKeepInputOrder();
    void chainIsOrderedDependenciesFirst();
    void dependencyMovesJustBeforeItsFirstDependent();
    void missingDependencyFails();
    void versionMismatchFails();
    void cycleFails();
    void dependentsOfFailedPluginsFail();
    void duplicateNameFails();
    void pluginForAnotherApiFails_data();
    void pluginForAnotherApiFails();

    void uiBundleZipIsReadWithinItsLimit_data();
    void uiBundleZipIsReadWithinItsLimit();
};

void TestPluginMetadata::readsEveryKey()
{
    const QString path = fixture(QStringLiteral("valid_full/peek_plugin_full/plugin.json"));
    const auto result = PluginMetadata::fromFile(path);
    QVERIFY2(result.ok(), qPrintable(result.error().message()));
    const PluginMetadata &metadata = result.value();

    QCOMPARE(metadata.name, QStringLiteral("peek_plugin_full"));
    QCOMPARE(metadata.title, QStringLiteral("Full Plugin"));
    QCOMPARE(metadata.description, QStringLiteral("Uses every key of plugin.json"));
    QCOMPARE(metadata.version, QVersionNumber(1, 2, 3));
    QCOMPARE(metadata.compatVersion, QVersionNumber(1, 1));
    QCOMPARE(metadata.peekApi, QVersionNumber(1, 0));
    QCOMPARE(metadata.roles, QList<Role>({Role::Logic, Role::Field, Role::Office}));

    QCOMPARE(metadata.dependencies.size(), 2);
    QCOMPARE(metadata.dependencies[0].name, QStringLiteral("peek_plugin_base"));
    QCOMPARE(metadata.dependencies[0].constraint, QStringLiteral(">=1.0"));
    QCOMPARE(metadata.dependencies[1].name, QStringLiteral("peek_plugin_other"));
    QCOMPARE(metadata.dependencies[1].constraint, QString());

    QCOMPARE(metadata.ui.keys(), QStringList({QStringLiteral("admin"), QStringLiteral("field")}));
    const PluginUiEntry field = metadata.ui.value(QStringLiteral("field"));
    QCOMPARE(field.title, QStringLiteral("Full"));
    QCOMPARE(field.icon, QStringLiteral("icons/full.svg"));
    QCOMPARE(field.qml, QStringLiteral("qml/field/Main.qml"));
    QVERIFY(field.showHome);
    QCOMPARE(field.badgeTuple, QStringLiteral("peek_plugin_full.CountTuple"));
    QCOMPARE(field.badgeField, QStringLiteral("unread"));
    QCOMPARE(field.service, QStringLiteral("qml/field/Service.qml"));
    const PluginUiEntry admin = metadata.ui.value(QStringLiteral("admin"));
    QCOMPARE(admin.title, QStringLiteral("Full Admin"));
    QCOMPARE(metadata.capabilities.value(QStringLiteral("positionReports")),
             (QMap<QString, QString> {{QStringLiteral("processor"), QStringLiteral("peek_plugin_full")},
                                      {QStringLiteral("tuple"), QStringLiteral("peek_plugin_full.PositionTuple")}}));
    QCOMPARE(admin.icon, QString());
    QCOMPARE(admin.qml, QStringLiteral("qml/admin/Admin.qml"));
    QVERIFY(!admin.showHome);

    QCOMPARE(metadata.filePath, QDir::cleanPath(path));
    QCOMPARE(metadata.directory, fixture(QStringLiteral("valid_full/peek_plugin_full")));
}

void TestPluginMetadata::minimalFileGetsDefaults()
{
    const auto result = PluginMetadata::fromFile(
        fixture(QStringLiteral("valid_minimal/peek_plugin_minimal/plugin.json")));
    QVERIFY2(result.ok(), qPrintable(result.error().message()));
    const PluginMetadata &metadata = result.value();

    QCOMPARE(metadata.name, QStringLiteral("peek_plugin_minimal"));
    QCOMPARE(metadata.version, QVersionNumber(1));
    QCOMPARE(metadata.compatVersion, metadata.version);
    QCOMPARE(metadata.peekApi, QVersionNumber(1, 0)); // written before the key: API 1.0
    QCOMPARE(metadata.description, QString());
    // valid_minimal names its roles under the old key, "requiresServices".
    QCOMPARE(metadata.roles, QList<Role>({Role::Worker}));
    QVERIFY(metadata.dependencies.isEmpty());
    QVERIFY(metadata.ui.isEmpty());
}

void TestPluginMetadata::mistakeIsRefusedNamingFileAndKey_data()
{
    QTest::addColumn<QString>("fixturePath"); // <case>/<plugin directory>
    QTest::addColumn<QString>("key"); // the key the message must name
    QTest::addColumn<QString>("detail"); // another part the message must hold

    const auto row
        = [](const char *name, const char *directory, const char *key, const char *detail) {
              QTest::newRow(name) << QStringLiteral("%1/%2").arg(QLatin1String(name),
                                                                 QLatin1String(directory))
                                  << QString::fromUtf8(key) << QString::fromUtf8(detail);
          };
    const char *a = "peek_plugin_a";

    row("bad_json", a, "", "line 3, column 14: missing name separator");
    row("top_level_array", a, "", "the top level must be a JSON object");
    row("missing_name", a, "name", "missing");
    row("bad_name", a, "name", "\"Peek-Plugin\" is not a plugin name");
    row("name_not_directory", a, "name",
        "\"peek_plugin_b\" differs from the name of the plugin's "
        "directory \"peek_plugin_a\"");
    row("missing_title", a, "title", "missing");
    row("missing_version", a, "version", "missing");
    row("bad_version", a, "version", "expected a version like 1.2.3");
    row("version_not_string", a, "version", "not the number 1.2");
    row("compat_version_newer", a, "compatVersion", "2.0 is newer than version 1.0.0");
    row("peek_api_three_numbers", a, "peekApi", "1.0.0 has three numbers; the plugin API version is MAJOR.MINOR");
    row("peek_api_not_string", a, "peekApi", "write it as a string");
    row("roles_missing", a, "roles", "missing");
    row("roles_empty", a, "roles", "empty");
    row("roles_unknown", a, "roles[1]",
        "unknown role \"feild\"; did you mean 'field'? (known: logic, field, office, agent, "
        "worker)");
    row("roles_duplicate", a, "roles[2]", "\"logic\" is listed twice");
    row("roles_not_array", a, "roles", "expected an array");
    row("roles_both_keys", a, "requiresServices", "keep only \"roles\"");
    row("dependencies_not_array", a, "dependencies", "not an object");
    row("dependency_not_object", a, "dependencies[0]", "not \"peek_plugin_base\"");
    row("dependency_missing_name", a, "dependencies[0].name", "missing");
    row("dependency_bad_constraint", a, "dependencies[0].version", "not \"~1.2\"");
    row("dependency_self", a, "dependencies[0].name", "cannot depend on itself");
    row("dependency_duplicate", a, "dependencies[1].name", "listed twice");
    row("dependency_unknown_key", a, "dependencies[0].versoin", "did you mean 'version'?");
    row("capabilities_not_object", a, "capabilities", "expected an object of capabilities, not an array");
    row("capability_not_object", a, "capabilities.positionReports", "expected an object of strings");
    row("capability_field_not_string", a, "capabilities.positionReports.tuple", "expected a string, not an object");
    row("ui_not_object", a, "ui", "not an array");
    row("ui_unknown_app", a, "ui.feild", "did you mean 'field'? (known: field, office, admin)");
    row("ui_missing_title", a, "ui.field.title", "missing");
    row("ui_missing_qml", a, "ui.field.qml", "missing (the QML file the field app opens)");
    row("ui_qml_absolute", a, "ui.field.qml", "is absolute");
    row("ui_qml_parent", a, "ui.field.qml", "leaves the plugin directory");
    row("ui_qml_not_qml", a, "ui.field.qml", "must end with .qml");
    row("ui_icon_parent", a, "ui.office.icon", "leaves the plugin directory");
    row("ui_show_home_not_bool", a, "ui.field.showHome", "expected true or false, not \"yes\"");
    row("ui_badge_other_plugin", a, "ui.field.badge", "expected {\"tuple\": \"peek_plugin_a.<Tuple>\", \"field\": \"<field>\"}");
    row("ui_service_not_qml", a, "ui.field.service", "\"qml/Service.js\" is not a QML file");
    row("ui_badge_not_object", a, "ui.field.badge", "expected {\"tuple\": \"peek_plugin_a.<Tuple>\"");
    row("unknown_key", a, "verison", "did you mean 'version'?");
}

void TestPluginMetadata::mistakeIsRefusedNamingFileAndKey()
{
    QFETCH(QString, fixturePath);
    QFETCH(QString, key);
    QFETCH(QString, detail);

    const QString path = fixture(fixturePath + QStringLiteral("/plugin.json"));
    QVERIFY2(QFile::exists(path), qPrintable(path));
    const auto result = PluginMetadata::fromFile(path);
    QVERIFY(!result.ok());
    const QString message = result.error().message();

    QVERIFY2(message.startsWith(QDir::cleanPath(path) + QStringLiteral(": ")), qPrintable(message));
    if (!key.isEmpty())
        QVERIFY2(message.contains(QStringLiteral("key '%1': ").arg(key)), qPrintable(message));
    QVERIFY2(message.contains(detail), qPrintable(message));
}

void TestPluginMetadata::directoryNameCheckCanBeSkipped()
{
    const auto result = PluginMetadata::fromFile(
        fixture(QStringLiteral("name_not_directory/peek_plugin_a/plugin.json")), false);
    QVERIFY2(result.ok(), qPrintable(result.error().message()));
    QCOMPARE(result.value().name, QStringLiteral("peek_plugin_b"));
}

void TestPluginMetadata::unreadableFileIsRefused()
{
    const QString path = fixture(QStringLiteral("no_such_case/peek_plugin_a/plugin.json"));
    const auto result = PluginMetadata::fromFile(path);
    QVERIFY(!result.ok());
    QVERIFY2(result.error().message().startsWith(QDir::cleanPath(path) + QStringLiteral(": ")),
             qPrintable(result.error().message()));
}

void TestPluginMetadata::fromJsonNamesItsSource()
{
    const QByteArray valid = R"({"name": "peek_plugin_x", "title": "X", "version": "2.1",
                                 "roles": ["agent"]})";
    const auto result = PluginMetadata::fromJson(valid, QStringLiteral("bundle:x"));
    QVERIFY2(result.ok(), qPrintable(result.error().message()));
    QCOMPARE(result.value().version, QVersionNumber(2, 1));
    QCOMPARE(result.value().filePath, QString());

    const auto broken
        = PluginMetadata::fromJson(R"({"name": "peek_plugin_x",})", QStringLiteral("bundle:x"));
    QVERIFY(!broken.ok());
    QVERIFY2(broken.error().message().startsWith(QStringLiteral("bundle:x: line 1, column ")),
             qPrintable(broken.error().message()));
}

void TestPluginMetadata::misspeltKeyGetsASuggestion()
{
    const auto result = PluginMetadata::fromFile(
        fixture(QStringLiteral("unknown_key/peek_plugin_a/plugin.json")));
    QVERIFY(!result.ok());
    // The typo is reported, not the "missing version" it causes.
    QVERIFY2(!result.error().message().contains(QStringLiteral("missing")),
             qPrintable(result.error().message()));
    QVERIFY2(result.error().message().contains(QStringLiteral("not a key of plugin.json")),
             qPrintable(result.error().message()));
}

void TestPluginMetadata::constraintIsSatisfied_data()
{
    QTest::addColumn<QString>("constraint");
    QTest::addColumn<QString>("version");
    QTest::addColumn<bool>("satisfied");

    QTest::newRow("any") << QString() << QStringLiteral("0.1") << true;
    QTest::newRow(">= equal") << QStringLiteral(">=1.2") << QStringLiteral("1.2.0") << true;
    QTest::newRow(">= newer") << QStringLiteral(">=1.2") << QStringLiteral("1.10") << true;
    QTest::newRow(">= older") << QStringLiteral(">=1.2") << QStringLiteral("1.1.9") << false;
    QTest::newRow("bare means >=") << QStringLiteral("1.2") << QStringLiteral("3") << true;
    QTest::newRow("bare older") << QStringLiteral("1.2") << QStringLiteral("1.1") << false;
    QTest::newRow("== trailing zeros") << QStringLiteral("==1.0.0") << QStringLiteral("1") << true;
    QTest::newRow("== other") << QStringLiteral("==1.0.0") << QStringLiteral("1.0.1") << false;
    QTest::newRow("> equal") << QStringLiteral(">1") << QStringLiteral("1.0") << false;
    QTest::newRow("> newer") << QStringLiteral(">1") << QStringLiteral("1.0.1") << true;
    QTest::newRow("< below") << QStringLiteral("<2.0") << QStringLiteral("1.99") << true;
    QTest::newRow("< equal") << QStringLiteral("<2.0") << QStringLiteral("2") << false;
    QTest::newRow("<= equal") << QStringLiteral("<=2") << QStringLiteral("2.0.0") << true;
    QTest::newRow("<= above") << QStringLiteral("<=2") << QStringLiteral("2.0.1") << false;
    QTest::newRow("space after op") << QStringLiteral(">= 1.2") << QStringLiteral("1.2") << true;
    QTest::newRow("unknown op") << QStringLiteral("~1.2") << QStringLiteral("1.2") << false;
    QTest::newRow("lone =") << QStringLiteral("=1.2") << QStringLiteral("1.2") << false;
    QTest::newRow("suffix") << QStringLiteral(">=1.2-beta") << QStringLiteral("1.2") << false;
}

void TestPluginMetadata::constraintIsSatisfied()
{
    QFETCH(QString, constraint);
    QFETCH(QString, version);
    QFETCH(bool, satisfied);

    const PluginDependency dependency {QStringLiteral("peek_plugin_x"), constraint};
    QCOMPARE(dependency.satisfiedBy(QVersionNumber::fromString(version)), satisfied);
}

// A plugin in 2.0 that stands in for versions down to 1.5 (compatVersion).
void TestPluginMetadata::constraintIsSatisfiedWithinTheCompatibleRange_data()
{
    QTest::addColumn<QString>("constraint");
    QTest::addColumn<bool>("satisfied");

    QTest::newRow(">= the newest") << QStringLiteral(">=2.0") << true;
    QTest::newRow(">= beyond") << QStringLiteral(">=2.1") << false;
    QTest::newRow("< above the oldest") << QStringLiteral("<1.6") << true;
    QTest::newRow("< the oldest") << QStringLiteral("<1.5") << false;
    QTest::newRow("<= the oldest") << QStringLiteral("<=1.5") << true;
    QTest::newRow("== inside") << QStringLiteral("==1.7") << true;
    QTest::newRow("== the oldest") << QStringLiteral("==1.5.0") << true;
    QTest::newRow("== below") << QStringLiteral("==1.4") << false;
    QTest::newRow("== above") << QStringLiteral("==2.0.1") << false;
}

void TestPluginMetadata::constraintIsSatisfiedWithinTheCompatibleRange()
{
    QFETCH(QString, constraint);
    QFETCH(bool, satisfied);

    const PluginDependency dependency {QStringLiteral("peek_plugin_x"), constraint};
    QCOMPARE(dependency.satisfiedBy(QVersionNumber(2, 0), QVersionNumber(1, 5)), satisfied);

    // The order uses the installed plugin's compatVersion the same way.
    PluginMetadata x = plugin(QStringLiteral("peek_plugin_x"), QStringLiteral("2.0"));
    x.compatVersion = QVersionNumber(1, 5);
    const PluginOrder order = orderByDependencies(
        {x, plugin(QStringLiteral("a"), QStringLiteral("1"),
                   {QStringLiteral("peek_plugin_x ") + constraint})});
    QCOMPARE(order.ordered.size(), satisfied ? 2 : 1);
    if (!satisfied)
        QCOMPARE(order.failed.value(QStringLiteral("a")),
                 QStringLiteral("needs peek_plugin_x %1, but 2.0 (compatible down to 1.5) is installed")
                     .arg(constraint));
}

void TestPluginMetadata::runsOnItsRoles()
{
    const auto result = PluginMetadata::fromFile(
        fixture(QStringLiteral("valid_full/peek_plugin_full/plugin.json")));
    QVERIFY2(result.ok(), qPrintable(result.error().message()));
    QVERIFY(result.value().runsOn(Role::Field));
    QVERIFY(!result.value().runsOn(Role::Worker));
    QCOMPARE(Role::names(), QStringLiteral("logic, field, office, agent, worker"));
}

void TestPluginMetadata::unrelatedPluginsKeepInputOrder()
{
    const PluginOrder order = orderByDependencies(
        {plugin(QStringLiteral("c")), plugin(QStringLiteral("a")), plugin(QStringLiteral("b"))});
    QCOMPARE(namesOf(order.ordered),
             QStringList({QStringLiteral("c"), QStringLiteral("a"), QStringLiteral("b")}));
    QVERIFY(order.failed.isEmpty());
}

void TestPluginMetadata::chainIsOrderedDependenciesFirst()
{
    // a needs b needs c, given in the worst order.
    const PluginOrder order = orderByDependencies(
        {plugin(QStringLiteral("a"), QStringLiteral("1"), {QStringLiteral("b >=1")}),
         plugin(QStringLiteral("b"), QStringLiteral("1"), {QStringLiteral("c")}),
         plugin(QStringLiteral("c"))});
    QCOMPARE(namesOf(order.ordered),
             QStringList({QStringLiteral("c"), QStringLiteral("b"), QStringLiteral("a")}));
    QVERIFY(order.failed.isEmpty());
}

void TestPluginMetadata::dependencyMovesJustBeforeItsFirstDependent()
{
    // x needs z and y (listed in that order): they come before x in input order; w, unrelated,
    // keeps its place before x.
    const PluginOrder order = orderByDependencies(
        {plugin(QStringLiteral("w")),
         plugin(QStringLiteral("x"), QStringLiteral("1"),
                {QStringLiteral("z"), QStringLiteral("y")}),
         plugin(QStringLiteral("v")), plugin(QStringLiteral("y")), plugin(QStringLiteral("z"))});
    QCOMPARE(namesOf(order.ordered),
             QStringList({QStringLiteral("w"), QStringLiteral("y"), QStringLiteral("z"),
                          QStringLiteral("x"), QStringLiteral("v")}));
}

void TestPluginMetadata::missingDependencyFails()
{
    const PluginOrder order = orderByDependencies(
        {plugin(QStringLiteral("a"), QStringLiteral("1"), {QStringLiteral("peek_plugin_x")}),
         plugin(QStringLiteral("b"))});
    QCOMPARE(namesOf(order.ordered), QStringList({QStringLiteral("b")}));
    QCOMPARE(order.failed.value(QStringLiteral("a")),
             QStringLiteral("needs peek_plugin_x, which is not installed or not enabled"));
}

void TestPluginMetadata::versionMismatchFails()
{
    const PluginOrder order = orderByDependencies(
        {plugin(QStringLiteral("a"), QStringLiteral("1"), {QStringLiteral("peek_plugin_x >=2.0")}),
         plugin(QStringLiteral("b"), QStringLiteral("1"), {QStringLiteral("peek_plugin_x 1")}),
         plugin(QStringLiteral("peek_plugin_x"), QStringLiteral("1.0.0"))});
    QCOMPARE(namesOf(order.ordered),
             QStringList({QStringLiteral("peek_plugin_x"), QStringLiteral("b")}));
    QCOMPARE(order.failed.size(), 1);
    QCOMPARE(order.failed.value(QStringLiteral("a")),
             QStringLiteral("needs peek_plugin_x >=2.0, but 1.0.0 is installed"));
}

void TestPluginMetadata::cycleFails()
{
    const PluginOrder order = orderByDependencies(
        {plugin(QStringLiteral("a"), QStringLiteral("1"), {QStringLiteral("b")}),
         plugin(QStringLiteral("b"), QStringLiteral("1"), {QStringLiteral("c")}),
         plugin(QStringLiteral("c"), QStringLiteral("1"), {QStringLiteral("a")}),
         plugin(QStringLiteral("d"))});
    QCOMPARE(namesOf(order.ordered), QStringList({QStringLiteral("d")}));
    QCOMPARE(order.failed.value(QStringLiteral("a")),
             QStringLiteral("dependency cycle: a -> b -> c -> a"));
    QCOMPARE(order.failed.value(QStringLiteral("b")),
             QStringLiteral("dependency cycle: b -> c -> a -> b"));
    QCOMPARE(order.failed.value(QStringLiteral("c")),
             QStringLiteral("dependency cycle: c -> a -> b -> c"));
}

void TestPluginMetadata::dependentsOfFailedPluginsFail()
{
    // top needs mid needs low, which needs a plugin that is not there; side needs the cycle.
    const PluginOrder order = orderByDependencies(
        {plugin(QStringLiteral("top"), QStringLiteral("1"), {QStringLiteral("mid")}),
         plugin(QStringLiteral("mid"), QStringLiteral("1"), {QStringLiteral("low")}),
         plugin(QStringLiteral("low"), QStringLiteral("1"), {QStringLiteral("gone")}),
         plugin(QStringLiteral("side"), QStringLiteral("1"), {QStringLiteral("p")}),
         plugin(QStringLiteral("p"), QStringLiteral("1"), {QStringLiteral("q")}),
         plugin(QStringLiteral("q"), QStringLiteral("1"), {QStringLiteral("p")}),
         plugin(QStringLiteral("fine"))});
    QCOMPARE(namesOf(order.ordered), QStringList({QStringLiteral("fine")}));
    const QString lowReason = QStringLiteral("needs gone, which is not installed or not enabled");
    QCOMPARE(order.failed.value(QStringLiteral("low")), lowReason);
    QCOMPARE(order.failed.value(QStringLiteral("mid")),
             QStringLiteral("needs low, which failed: ") + lowReason);
    QCOMPARE(order.failed.value(QStringLiteral("top")),
             QStringLiteral("needs mid, which failed: needs low, which failed: ") + lowReason);
    QCOMPARE(order.failed.value(QStringLiteral("side")),
             QStringLiteral("needs p, which failed: dependency cycle: p -> q -> p"));
}

void TestPluginMetadata::duplicateNameFails()
{
    PluginMetadata first = plugin(QStringLiteral("dup"));
    first.directory = QStringLiteral("/one/dup");
    PluginMetadata second = plugin(QStringLiteral("dup"));
    second.directory = QStringLiteral("/two/dup");
    const PluginOrder order = orderByDependencies(
        {first, second,
         plugin(QStringLiteral("user"), QStringLiteral("1"), {QStringLiteral("dup")})});
    QVERIFY(order.ordered.isEmpty());
    QCOMPARE(order.failed.value(QStringLiteral("dup")),
             QStringLiteral("is installed 2 times (/one/dup, /two/dup); keep one"));
    QVERIFY(order.failed.value(QStringLiteral("user"))
                .startsWith(QStringLiteral("needs dup, which failed")));
}

void TestPluginMetadata::pluginForAnotherApiFails_data()
{
    QTest::addColumn<QVersionNumber>("api");
    QTest::addColumn<QString>("refusal"); // empty: it runs

    const QVersionNumber current = PluginApiVersion::current();
    QCOMPARE(current, QVersionNumber(PEEK_API_VERSION_MAJOR, PEEK_API_VERSION_MINOR));
    QTest::newRow("this API") << current << QString();
    QTest::newRow("an older minor")
        << QVersionNumber(current.majorVersion(), 0) << QString();
    QTest::newRow("a newer minor")
        << QVersionNumber(current.majorVersion(), current.minorVersion() + 1)
        << QStringLiteral("needs plugin API %1.%2, this platform offers %3 (update Peek, or use a "
                          "plugin written for API %3)")
               .arg(current.majorVersion()).arg(current.minorVersion() + 1).arg(current.toString());
    QTest::newRow("the next major")
        << QVersionNumber(current.majorVersion() + 1, 0)
        << QStringLiteral("needs plugin API %1.0, this platform offers %2 (a plugin for API %3.x "
                          "is needed)")
               .arg(current.majorVersion() + 1).arg(current.toString()).arg(current.majorVersion());
    QTest::newRow("an older major")
        << QVersionNumber(0, 9)
        << QStringLiteral("needs plugin API 0.9, this platform offers %1 (a plugin for API %2.x "
                          "is needed)")
               .arg(current.toString()).arg(current.majorVersion());
}

// A plugin written for an API this platform does not offer does not start, and neither do the
// plugins that need it; the rest start.
void TestPluginMetadata::pluginForAnotherApiFails()
{
    QFETCH(QVersionNumber, api);
    QFETCH(QString, refusal);

    PluginMetadata x = plugin(QStringLiteral("peek_plugin_x"));
    x.peekApi = api;
    const PluginOrder order = orderByDependencies(
        {x, plugin(QStringLiteral("a"), QStringLiteral("1"), {QStringLiteral("peek_plugin_x")}),
         plugin(QStringLiteral("b"))});
    QCOMPARE(PluginApiVersion::refusal(api), refusal);
    if (refusal.isEmpty()) {
        QCOMPARE(namesOf(order.ordered),
                 QStringList({QStringLiteral("peek_plugin_x"), QStringLiteral("a"),
                              QStringLiteral("b")}));
        QVERIFY(order.failed.isEmpty());
        return;
    }
    QCOMPARE(namesOf(order.ordered), QStringList({QStringLiteral("b")}));
    QCOMPARE(order.failed.value(QStringLiteral("peek_plugin_x")), refusal);
    QCOMPARE(order.failed.value(QStringLiteral("a")),
             QStringLiteral("needs peek_plugin_x, which failed: ") + refusal);
}

void TestPluginMetadata::uiBundleZipIsReadWithinItsLimit_data()
{
    QTest::addColumn<QString>("file"); // in tests/fuzz/corpus/ui_bundle
    QTest::addColumn<QString>("error"); // part of the error; empty: read
    QTest::newRow("files and a folder entry") << "stored-with-folder.zip" << "";
    QTest::newRow("path outside the bundle") << "path-outside.zip" << "outside the bundle";
    // Found by review for the fuzz target: a declared size past INT64_MAX wrapped the running
    // total below the limit, so the entry was inflated (2 MiB from 2 KB here) before the reader
    // saw it was damaged.
    QTest::newRow("declared size beyond int64")
        << "declared-size-beyond-int64.zip" << "unpacks to more than 1048576 bytes";
}

void TestPluginMetadata::uiBundleZipIsReadWithinItsLimit()
{
    QFETCH(QString, file);
    QFETCH(QString, error);
    // tests/fuzz/corpus/ui_bundle, beside tests/unit/plugin/fixtures.
    QFile zip(QStringLiteral(PEEK_PLUGIN_FIXTURES "/../../../fuzz/corpus/ui_bundle/") + file);
    QVERIFY2(zip.open(QIODevice::ReadOnly), qPrintable(zip.fileName()));
    const auto files = readUiBundleZip(zip.readAll(), 1 << 20);
    if (error.isEmpty()) {
        QVERIFY2(files, qPrintable(files.error().message()));
        QVERIFY(!files.value().isEmpty());
    } else {
        QVERIFY(!files);
        QVERIFY2(files.error().message().contains(error), qPrintable(files.error().message()));
    }
}

QTEST_GUILESS_MAIN(TestPluginMetadata)
#include "tst_pluginmetadata.moc"
