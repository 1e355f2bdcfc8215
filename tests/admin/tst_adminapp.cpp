// The admin window (issue 16) against a real peek-server with logic and field: the login (a
// wrong password, a user without the admin role, then an admin), the live pages, a device
// approved from the Devices page, a package installed from the Plugins page onto every service,
// the session resumed at the next start and ended when logic ends it. Screenshots of every page.
#include "adminwindow.h"
#include "memorysecretstore.h"
#include "session.h"
#include "quickitems.h"
#include "serverprocess.h"

#include "../unit/vortex/rawpeer.h"

#include "action/tupleactions.h"
#include "tuple/tuple.h"
#include "vortex/payload.h"
#include "vortex/payloadenvelope.h"

#include <QAbstractItemModel>
#include <QApplication>
#include <QCheckBox>
#include <QGroupBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QQuickItem>
#include <QQuickWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QtQml/qqmlextensionplugin.h>

Q_IMPORT_QML_PLUGIN(PeekPlugin)

using namespace peek;
using peek::app::AdminWindow;
using peek::app::MemorySecretStore;
using peek::app::Session;
using testing::Ports;
using testing::ServerProcess;

namespace {

constexpr int kWaitMs = 20000;
const QByteArray kPassword = "correct horse battery";

// The text of `page`'s table, every row, for QVERIFY messages and checks.
QString tableText(AdminWindow &w, const QString &page)
{
    QStringList rows;
    auto *model = w.model(page);
    for (int r = 0; model && r < model->rowCount(); ++r) {
        QStringList cells;
        for (int c = 0; c < model->columnCount(); ++c)
            cells << model->data(model->index(r, c), Qt::DisplayRole).toString();
        rows << cells.join(u'|');
    }
    return rows.join(u'\n');
}

// The first visible item named `name` under `root`: a table editor has an input of that name in
// every row, shown only in the one being edited.
QQuickItem *visibleItem(QQuickItem *root, const QString &name)
{
    if (!root || !root->isVisible())
        return nullptr;
    if (root->objectName() == name)
        return root;
    for (QQuickItem *child : root->childItems())
        if (QQuickItem *found = visibleItem(child, name))
            return found;
    return nullptr;
}

// Clicks the middle of `item` in the admin view, as the mouse would.
void click(AdminWindow &w, QQuickItem *item)
{
    const QPointF middle = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
    QTest::mouseClick(w.adminView(), Qt::LeftButton, Qt::NoModifier, middle.toPoint());
}

// Row `i` of a table editor's rows (its TupleObserver), as fields.
QVariantMap editorRow(QQuickItem *editor, int i)
{
    QVariantMap row;
    QObject *model = editor->property("model").value<QObject *>();
    if (model)
        QMetaObject::invokeMethod(model, "get", Q_RETURN_ARG(QVariantMap, row), Q_ARG(int, i));
    return row;
}

// The id of the editor's row whose string1 is `string1`, or -1.
qint64 editorRowId(QQuickItem *editor, const QString &string1)
{
    for (int i = 0; i < editor->property("count").toInt(); ++i)
        if (const QVariantMap row = editorRow(editor, i); row.value(QStringLiteral("string1")).toString() == string1)
            return row.value(QStringLiteral("id")).toLongLong();
    return -1;
}

bool screenshot(AdminWindow &w, const QString &name)
{
    QApplication::processEvents();
    return testing::saveScreenshot(w.grab().toImage(), name);
}

} // namespace

class TestAdminApp : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home, m_data;
    Ports m_ports;
    std::unique_ptr<ServerProcess> m_server;
    MemorySecretStore m_secrets; // the keychain of the admin's desktop
    std::unique_ptr<AdminWindow> m_window;

    testing::AdminRun admin(const QStringList &args, const QByteArray &input = {})
    {
        return testing::runAdmin(m_home.path(), args, input);
    }
    AdminWindow::Options options() const
    {
        AdminWindow::Options o;
        o.serverUrl = QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_ports.logicAdmin));
        o.size = QSize(1280, 800);
        o.confirm = false;
        o.dataDir = m_data.path();
        return o;
    }
    // Types into the login form and presses Enter (or clicks Log In).
    void logIn(AdminWindow &w, const QString &user, const QString &password, bool click)
    {
        w.userEdit()->clear();
        QTest::keyClicks(w.userEdit(), user);
        w.passwordEdit()->clear();
        QTest::keyClicks(w.passwordEdit(), password);
        if (click)
            QTest::mouseClick(w.loginButton(), Qt::LeftButton);
        else
            QTest::keyClick(w.passwordEdit(), Qt::Key_Return);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // the window's QSettings stay out of the user's
        QCoreApplication::setOrganizationName(QStringLiteral("PeekTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_adminapp"));
        QSettings().clear();
        QVERIFY(testing::writeConfig(m_home.path(), m_ports, {QStringLiteral("logic"), QStringLiteral("field")},
                                     {QStringLiteral("peek_plugin_tutorial")},
                                     QJsonObject {{QStringLiteral("devices"), QJsonObject {{QStringLiteral("requireEnrolment"), true}}}}));
        m_server = std::make_unique<ServerProcess>(m_home.path());
        QVERIFY2(m_server->start(), (m_server->output() + m_server->errors()).constData());
        for (const auto &[user, roles] : {std::pair {"root", "admin"}, std::pair {"jo", "field"}}) {
            const auto added = admin({QStringLiteral("users"), QStringLiteral("add"), QLatin1String(user), QStringLiteral("--roles"),
                                      QLatin1String(roles)},
                                     kPassword + "\n");
            QVERIFY2(added.code == 0, added.err.constData());
        }
    }

    // A wrong password and a user without the admin role are refused with the reason; the
    // admin logs in and the dashboard fills with the services, devices, users and tasks.
    void theAdminLogsInAfterAWrongPassword()
    {
        m_window = std::make_unique<AdminWindow>(options(), &m_secrets);
        AdminWindow &w = *m_window;
        w.show();
        QTRY_COMPARE_WITH_TIMEOUT(w.state(), QStringLiteral("login"), kWaitMs);
        logIn(w, QStringLiteral("root"), QStringLiteral("not the password"), true);
        QTRY_VERIFY_WITH_TIMEOUT(w.loginMessage()->text().contains(QLatin1String("wrong user name or password")), kWaitMs);
        QCOMPARE(w.state(), QStringLiteral("login"));
        QVERIFY(screenshot(w, QStringLiteral("admin-login-failed")));

        logIn(w, QStringLiteral("jo"), QString::fromLatin1(kPassword), true);
        QTRY_VERIFY_WITH_TIMEOUT(w.loginMessage()->text().contains(QLatin1String("admin role")), kWaitMs);
        QCOMPARE(w.state(), QStringLiteral("login"));

        logIn(w, QStringLiteral("root"), QString::fromLatin1(kPassword), false);
        QTRY_COMPARE_WITH_TIMEOUT(w.state(), QStringLiteral("ready"), kWaitMs);
        QCOMPARE(w.currentPage(), QStringLiteral("dashboard"));
        QTRY_VERIFY_WITH_TIMEOUT(w.dashboardText()->text().contains(QLatin1String("Services (2)")), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(w.dashboardText()->text().contains(QLatin1String("logged in of 2")), kWaitMs);
        QVERIFY(screenshot(w, QStringLiteral("admin-dashboard")));
        QTRY_VERIFY_WITH_TIMEOUT(tableText(w, QStringLiteral("plugins")).contains(QLatin1String("peek_plugin_tutorial|1.0.0|logic")),
                                 kWaitMs);
    }

    // A device enrols on the field port (a raw client): it shows as pending at once; the admin
    // selects it and clicks Approve; logic has it approved.
    void aPendingDeviceIsApprovedFromTheDevicesPage()
    {
        AdminWindow &w = *m_window;
        QVERIFY(w.showPage(QStringLiteral("devices")));
        RawPeer device;
        QVERIFY(device.open(m_ports.field));
        const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        auto enrol = std::make_shared<GenericTuple>(
            QStringLiteral("peek_core_device.EnrolDeviceAction"),
            Dict {{QStringLiteral("description"), Value(QStringLiteral("crew-tablet-1"))},
                  {QStringLiteral("deviceId"), Value(id)},
                  {QStringLiteral("deviceType"), Value(QStringLiteral("field"))},
                  {QStringLiteral("appVersion"), Value(QStringLiteral("1.0-test"))},
                  {QStringLiteral("deviceToken"), Value(QUuid::createUuid().toString(QUuid::Id128).repeated(2))},
                  {QStringLiteral("platform"), Value(QStringLiteral("linux"))},
                  {QStringLiteral("uuid"), Value(QUuid::createUuid().toString(QUuid::WithoutBraces))}});
        device.send(PayloadEnvelope::fromPayload(
            Payload(action::processorFilt(QStringLiteral("peek_core_device"), QStringLiteral("peek_core_device")), {enrol})));
        QTRY_VERIFY_WITH_TIMEOUT(tableText(w, QStringLiteral("devices")).contains(QLatin1String("crew-tablet-1|field|pending")),
                                 kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(w.dashboardText()->text().contains(QLatin1String("1 waiting for approval")), kWaitMs);
        QVERIFY(w.selectRow(QStringLiteral("devices"), QStringLiteral("description"), QStringLiteral("crew-tablet-1")));
        auto *approve = w.findChild<QPushButton *>(QStringLiteral("approveDevice"));
        QVERIFY(approve && approve->isEnabled());
        QTest::mouseClick(approve, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(tableText(w, QStringLiteral("devices")).contains(QLatin1String("crew-tablet-1|field|approved")),
                                 kWaitMs);
        const QByteArray listed = admin({QStringLiteral("--json"), QStringLiteral("devices"), QStringLiteral("list")}).out;
        bool approved = false;
        for (const QJsonValue &d : QJsonDocument::fromJson(listed).array())
            approved = approved || (d[QLatin1String("deviceId")].toString() == id && d[QLatin1String("state")].toString() == QLatin1String("approved"));
        QVERIFY2(approved, listed.constData());
        QVERIFY(screenshot(w, QStringLiteral("admin-devices")));
    }

    // A package none of the services had, installed from the Plugins page: the progress ends
    // with it running on logic and field, each listed.
    void aPackageInstalledFromThePluginsPageRunsEverywhere()
    {
        AdminWindow &w = *m_window;
        QSignalSpy finished(&w, &AdminWindow::installFinished);
        w.installPackage(QStringLiteral(PEEK_PACKAGES_DIR "/peek_test_tasks-0.1.0.peekplugin"));
        QCOMPARE(w.currentPage(), QStringLiteral("plugins"));
        QVERIFY(finished.wait(60000));
        QVERIFY2(finished.front().front().toBool(), qPrintable(w.installStatus()->text()));
        QCOMPARE(w.installProgress()->value(), 100);
        QVERIFY2(w.installStatus()->text().contains(QLatin1String("runs on every service")), qPrintable(w.installStatus()->text()));
        QVERIFY2(w.installStatus()->text().contains(QLatin1String("logic: 0.1.0 started")), qPrintable(w.installStatus()->text()));
        QTRY_VERIFY_WITH_TIMEOUT(tableText(w, QStringLiteral("plugins")).contains(QLatin1String("peek_test_tasks|0.1.0|logic")), kWaitMs);
        QVERIFY(screenshot(w, QStringLiteral("admin-plugins")));
    }

    // The tutorial's settings as a form of their types: a changed greeting reaches the plugin
    // on logic (what the console reads from the same store).
    void aSettingChangedInTheFormReachesThePlugin()
    {
        AdminWindow &w = *m_window;
        QVERIFY(w.showPage(QStringLiteral("plugins")));
        QVERIFY(w.selectRow(QStringLiteral("plugins"), QStringLiteral("name"), QStringLiteral("peek_plugin_tutorial")));
        QLineEdit *greeting = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((greeting = w.settingsForm()->findChild<QLineEdit *>(QStringLiteral("setting_greeting"))), kWaitMs);
        QVERIFY(w.settingsForm()->findChild<QCheckBox *>(QStringLiteral("setting_subIntsOnAgentLink")));
        QCOMPARE(greeting->text(), QStringLiteral("Hello from the Peek tutorial"));
        greeting->selectAll();
        QTest::keyClicks(greeting, QStringLiteral("Hello from the admin window"));
        QVERIFY(screenshot(w, QStringLiteral("admin-plugin-settings")));
        QTest::mouseClick(w.settingsForm()->findChild<QPushButton *>(QStringLiteral("saveSettings")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(admin({QStringLiteral("--json"), QStringLiteral("plugins"), QStringLiteral("settings"),
                                        QStringLiteral("peek_plugin_tutorial")})
                                     .out.contains("Hello from the admin window"),
                                 kWaitMs);
        QVERIFY(!w.settingsForm()->findChild<QLabel *>(QStringLiteral("settingError_greeting"))->isVisible());

        // The tutorial's own admin view (ui.admin, from the bundle logic serves) is hosted below,
        // with the settings; what it asks to set reaches logic too.
        QTRY_VERIFY_WITH_TIMEOUT(w.adminViewItem() && w.adminView()->isVisible(), kWaitMs);
        const auto settingsRows = [&w] {
            auto *model = w.adminViewItem()->property("settings").value<QAbstractItemModel *>();
            return model ? model->rowCount() : -1;
        };
        QTRY_COMPARE_WITH_TIMEOUT(settingsRows(), 2, kWaitMs);
        QVERIFY(QMetaObject::invokeMethod(w.adminViewItem(), "setRequested", Q_ARG(QString, QStringLiteral("greeting")),
                                          Q_ARG(QVariant, QStringLiteral("Hello from the tutorial's admin view"))));
        QTRY_VERIFY_WITH_TIMEOUT(admin({QStringLiteral("--json"), QStringLiteral("plugins"), QStringLiteral("settings"),
                                        QStringLiteral("peek_plugin_tutorial")})
                                     .out.contains("Hello from the tutorial's admin view"),
                                 kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(w.settingsForm()->findChild<QLineEdit *>(QStringLiteral("setting_greeting"))->text(),
                                  QStringLiteral("Hello from the tutorial's admin view"), kWaitMs);
        QVERIFY(screenshot(w, QStringLiteral("admin-plugin-view")));
    }

    // The tutorial's admin view lists StringInt in the Peek module's table editor: the admin adds
    // a row and edits it with the mouse and keyboard, and a field app (logged in on an approved
    // device, watching the rows through the field service) shows both at once; an edit logic
    // refuses (a string another row has) says why on the editor.
    void theTableEditorAddsAndEditsARowThatAFieldAppShows()
    {
        AdminWindow &w = *m_window;
        // The field app: a device enrolled, approved by the operator, a user logged in on it.
        QTemporaryDir fieldData;
        Session::Options fieldOptions;
        fieldOptions.presentDevice = true;
        Session field(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_ports.field)), QStringLiteral("field"), fieldData.path(),
                      fieldOptions);
        QVERIFY2(field.isReady(), qPrintable(field.errorString()));
        field.presentDevice(QUuid::createUuid().toString(QUuid::WithoutBraces), QUuid::createUuid().toString(QUuid::Id128).repeated(2));
        QTRY_COMPARE_WITH_TIMEOUT(field.connectionState(), QStringLiteral("online"), kWaitMs);
        field.enrolDevice(QStringLiteral("crew-tablet-2"));
        QTRY_COMPARE_WITH_TIMEOUT(field.deviceState(), QStringLiteral("pending"), kWaitMs);
        const auto approved = admin({QStringLiteral("devices"), QStringLiteral("approve"), QStringLiteral("crew-tablet-2")});
        QVERIFY2(approved.code == 0, approved.err.constData());
        QTRY_COMPARE_WITH_TIMEOUT(field.deviceState(), QStringLiteral("approved"), kWaitMs);
        field.login(QStringLiteral("jo"), QString::fromUtf8(kPassword));
        QTRY_COMPARE_WITH_TIMEOUT(field.userState(), QStringLiteral("loggedIn"), kWaitMs);
        TupleSubscription *shown = field.subscribe(QStringLiteral("peek_plugin_tutorial"), QStringLiteral("peek_plugin_tutorial"),
                                                   TupleSelector(QStringLiteral("peek_plugin_tutorial.StringIntTuple")), &field);
        QVERIFY(shown);
        const auto fieldShows = [shown](const QString &string1, qint64 int1) {
            for (const TuplePtr &t : shown->tuples())
                if (t->field(QStringLiteral("string1")).toString() == string1 && t->field(QStringLiteral("int1")).toInt() == int1)
                    return true;
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(fieldShows(QStringLiteral("Peek"), 1), kWaitMs);

        // The admin view's table editor, filled from logic.
        QVERIFY(w.showPage(QStringLiteral("plugins")));
        QVERIFY(w.selectRow(QStringLiteral("plugins"), QStringLiteral("name"), QStringLiteral("peek_plugin_tutorial")));
        QTRY_VERIFY_WITH_TIMEOUT(w.adminViewItem() && w.adminView()->isVisible(), kWaitMs);
        QQuickItem *editor = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((editor = testing::findItem(w.adminViewItem(), QStringLiteral("stringIntEditor"))), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(editorRowId(editor, QStringLiteral("Peek")) == 1, kWaitMs);

        // Add: the button, the string typed, the int typed, Return saves.
        click(w, visibleItem(editor, QStringLiteral("addRow")));
        QQuickItem *string1 = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((string1 = visibleItem(editor, QStringLiteral("edit_string1"))), kWaitMs);
        click(w, string1);
        QTest::keyClicks(w.adminView(), QStringLiteral("Made in the admin window"));
        click(w, visibleItem(editor, QStringLiteral("edit_int1")));
        QTest::keyClicks(w.adminView(), QStringLiteral("42"));
        QTest::keyClick(w.adminView(), Qt::Key_Return);
        QTRY_VERIFY2_WITH_TIMEOUT(editorRowId(editor, QStringLiteral("Made in the admin window")) > 0,
                                  qPrintable(editor->property("error").toString()), kWaitMs);
        const qint64 id = editorRowId(editor, QStringLiteral("Made in the admin window"));
        QTRY_VERIFY_WITH_TIMEOUT(fieldShows(QStringLiteral("Made in the admin window"), 42), kWaitMs);

        // Edit: the row's Edit button, the int replaced, Return saves.
        click(w, visibleItem(editor, QStringLiteral("editRow_%1").arg(id)));
        QQuickItem *int1 = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((int1 = visibleItem(editor, QStringLiteral("edit_int1"))), kWaitMs);
        click(w, int1);
        QTest::keyClick(w.adminView(), Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(w.adminView(), QStringLiteral("43"));
        QTest::keyClick(w.adminView(), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(fieldShows(QStringLiteral("Made in the admin window"), 43), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(!visibleItem(editor, QStringLiteral("edit_int1")), kWaitMs); // saved: shown, not edited
        QVERIFY(screenshot(w, QStringLiteral("admin-table-editor")));

        // Refused by logic: a string row 1 has. The editor says so and stays open.
        click(w, visibleItem(editor, QStringLiteral("addRow")));
        QTRY_VERIFY_WITH_TIMEOUT((string1 = visibleItem(editor, QStringLiteral("edit_string1"))), kWaitMs);
        click(w, string1);
        QTest::keyClicks(w.adminView(), QStringLiteral("Peek"));
        QTest::keyClick(w.adminView(), Qt::Key_Return);
        QTRY_VERIFY2_WITH_TIMEOUT(editor->property("error").toString().contains(QLatin1String("row 1 already has the string \"Peek\"")),
                                  qPrintable(editor->property("error").toString()), kWaitMs);
        QVERIFY(visibleItem(editor, QStringLiteral("editError")));
        QVERIFY(screenshot(w, QStringLiteral("admin-table-editor-refused")));
        click(w, visibleItem(editor, QStringLiteral("cancelRow")));
        QTRY_VERIFY_WITH_TIMEOUT(!visibleItem(editor, QStringLiteral("edit_string1")), kWaitMs);
        QVERIFY(fieldShows(QStringLiteral("Peek"), 1));
    }

    // Logic's admin port serves the plugins' admin views (ui.admin), as the field and office
    // services serve theirs: the tutorial's is there.
    void theAdminViewsAreServedOnTheAdminPort()
    {
        const testing::HttpAnswer index = testing::httpGet(m_ports.logicAdmin, "/peek/ui/admin/index.json");
        QCOMPARE(index.json().value(QLatin1String("app")).toString(), QStringLiteral("admin"));
        QStringList plugins;
        for (const QJsonValue &b : index.json().value(QLatin1String("bundles")).toArray())
            plugins << b[QLatin1String("plugin")].toString() + u' ' + b[QLatin1String("qml")].toString();
        QVERIFY2(plugins.join(u',').contains(QLatin1String("peek_plugin_tutorial")), qPrintable(plugins.join(u',')));
    }

    // The other pages fill with what logic has: users, tasks, a service's log, the audit.
    void everyPageShowsLogicsData()
    {
        AdminWindow &w = *m_window;
        QVERIFY(w.showPage(QStringLiteral("users")));
        QTRY_VERIFY_WITH_TIMEOUT(tableText(w, QStringLiteral("users")).contains(QLatin1String("root||admin")), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(w.directoriesText()->text().startsWith(QLatin1String("No directories")), kWaitMs);
        QTest::mouseClick(w.findChild<QPushButton *>(QStringLiteral("testDirectories")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(w.directoryTestResult()->text(), QStringLiteral("No directories are configured."), kWaitMs);
        QVERIFY(screenshot(w, QStringLiteral("admin-users")));
        QVERIFY(w.showPage(QStringLiteral("tasks")));
        QVERIFY(screenshot(w, QStringLiteral("admin-tasks")));
        QVERIFY(w.showPage(QStringLiteral("logs")));
        QTRY_VERIFY_WITH_TIMEOUT(tableText(w, QStringLiteral("logs")).contains(QLatin1String("started peek_plugin_tutorial")), kWaitMs);
        QVERIFY(screenshot(w, QStringLiteral("admin-logs")));
        QVERIFY(w.showPage(QStringLiteral("audit")));
        QTRY_VERIFY_WITH_TIMEOUT(tableText(w, QStringLiteral("audit")).contains(QLatin1String("approved")), kWaitMs);
        QTest::keyClicks(w.filter(QStringLiteral("audit")), QStringLiteral("plugin installed"));
        QVERIFY(screenshot(w, QStringLiteral("admin-audit")));
    }

    // The next start resumes the session from the keychain; when logic ends it (the password
    // changed), the window returns to the login page and says why.
    void theSessionIsResumedAndEndsWithTheReason()
    {
        m_window.reset();
        m_window = std::make_unique<AdminWindow>(options(), &m_secrets);
        AdminWindow &w = *m_window;
        w.show();
        QTRY_COMPARE_WITH_TIMEOUT(w.state(), QStringLiteral("ready"), kWaitMs);
        const auto changed = admin({QStringLiteral("users"), QStringLiteral("passwd"), QStringLiteral("root")}, kPassword + "\n");
        QVERIFY2(changed.code == 0, changed.err.constData());
        QTRY_COMPARE_WITH_TIMEOUT(w.state(), QStringLiteral("login"), kWaitMs);
        QVERIFY2(w.loginMessage()->text().startsWith(QLatin1String("Your session ended")), qPrintable(w.loginMessage()->text()));
        QCOMPARE(w.userEdit()->text(), QStringLiteral("root")); // remembered
    }

    void cleanupTestCase()
    {
        m_window.reset();
        if (m_server)
            m_server->terminate();
    }
};

QTEST_MAIN(TestAdminApp)
#include "tst_adminapp.moc"
