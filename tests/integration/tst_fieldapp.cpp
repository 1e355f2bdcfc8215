// The field app end to end: real peek-server processes with the tutorial plugin, and the app's
// own windows (AppWindow, the same code as `peek field`) rendered offscreen in this process,
// driven by mouse clicks. Writes the screenshots of the field app into PEEK_SCREENSHOT_DIR.
#include "appwindow.h"
#include "positionreporter.h"
#include "quickitems.h"
#include "serverprocess.h"
#include "quickvortex.h"

#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QtQml/qqmlextensionplugin.h>

Q_IMPORT_QML_PLUGIN(PeekPlugin)
Q_IMPORT_QML_PLUGIN(PeekAppPlugin)

using peek::app::AppWindow;
using testing::Ports;
using testing::ServerProcess;

namespace {

using testing::findItem;

constexpr int kWaitMs = 20000;

// One field app: its data directory and its window over a session to the field service.
struct FieldApp
{
    FieldApp(const QString &dataDir, quint16 fieldPort, const QString &startPage = QStringLiteral("tutorial"),
             const std::function<void(AppWindow::Options &)> &tweak = {})
    {
        AppWindow::Options options;
        options.mode = QStringLiteral("field");
        options.serverUrl = QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(fieldPort));
        options.dataDir = dataDir;
        options.size = QSize(1280, 800);
        options.startPage = startPage;
        options.session.vortex = testing::quickReconnect();
        options.session.actionRetryMinMs = 50;
        options.session.actionRetryMaxMs = 200;
        if (tweak)
            tweak(options);
        window = std::make_unique<AppWindow>(options);
        started = window->start();
    }

    QQuickItem *root() const { return window->window() ? window->window()->contentItem() : nullptr; }
    QQuickItem *item(const QString &name) const { return findItem(root(), name); }
    // The plugin page on top of the stack (else the first one found).
    QQuickItem *pluginPage() const
    {
        if (auto *stack = window->window()->property("stack").value<QObject *>()) {
            auto *top = stack->property("currentItem").value<QQuickItem *>();
            if (top && top->objectName() == QLatin1String("pluginPage"))
                return top;
        }
        return item(QStringLiteral("pluginPage"));
    }
    // The StringInt rows the tutorial view holds (its TupleObserver).
    int rowCount() const
    {
        QQuickItem *page = pluginPage();
        auto *view = page ? page->property("pluginView").value<QObject *>() : nullptr;
        auto *content = view ? view->property("view").value<QObject *>() : nullptr;
        auto *rows = content ? content->property("stringInts").value<QObject *>() : nullptr;
        return rows ? rows->property("count").toInt() : -1;
    }
    QQuickItem *inRow(int row, const QString &name) const
    {
        return findItem(findItem(pluginPage(), QStringLiteral("row%1").arg(row)), name);
    }
    QString intText(int row) const
    {
        QQuickItem *label = inRow(row, QStringLiteral("int"));
        return label ? label->property("text").toString() : QString();
    }
    QString stringText(int row) const
    {
        QQuickItem *toggle = inRow(row, QStringLiteral("toggle"));
        return toggle ? toggle->property("text").toString() : QString();
    }
    // The page stack is still (StackView ignores input while a transition runs).
    bool settled() const
    {
        auto *stack = window->window()->property("stack").value<QObject *>();
        return stack && !stack->property("busy").toBool();
    }
    bool click(QQuickItem *target) const
    {
        if (!target || !target->isVisible() || !QTest::qWaitFor([this] { return settled(); }, kWaitMs))
            return false;
        const QPointF centre = target->mapToScene(QPointF(target->width() / 2, target->height() / 2));
        QTest::mouseClick(window->window(), Qt::LeftButton, {}, centre.toPoint());
        return true;
    }
    QString state() const { return window->session()->connectionState(); }
    int queued() const { return window->session()->queuedActions(); }
    // Writes the window to <PEEK_SCREENSHOT_DIR>/<name>.png after the next rendered frame.
    bool screenshot(const QString &name) const
    {
        QQuickWindow *w = window->window();
        if (!QTest::qWaitFor([this] { return settled(); }, kWaitMs))
            return false;
        const QImage image = w->grabWindow();
        return testing::saveScreenshot(image, name);
    }

    std::unique_ptr<AppWindow> window;
    bool started = false;
};


// `peek-server admin ARGS` for the server home `home`: its standard output, empty when it failed.
QByteArray runAdmin(const QString &home, const QStringList &args, const QByteArray &input = {})
{
    const testing::AdminRun run = testing::runAdmin(home, args, input);
    return run.code == 0 ? run.out : QByteArray();
}

// The user taps Enrol with `name`; the operator approves it (logic's home); the login form shows.
void enrolAndApprove(FieldApp &app, const QString &name, const QString &logicHome, bool screenshots = false)
{
    QTRY_VERIFY_WITH_TIMEOUT(app.item(QStringLiteral("enrolDevice")) && app.item(QStringLiteral("enrolDevice"))->isVisible(),
                             kWaitMs);
    app.item(QStringLiteral("deviceName"))->setProperty("text", name);
    QTRY_VERIFY_WITH_TIMEOUT(app.item(QStringLiteral("enrolDevice"))->isEnabled(), kWaitMs);
    if (screenshots)
        QVERIFY(testing::saveScreenshot(app.window->window()->grabWindow(), QStringLiteral("field-enrol")));
    QVERIFY(app.click(app.item(QStringLiteral("enrolDevice"))));
    QTRY_COMPARE_WITH_TIMEOUT(app.window->session()->deviceState(), QStringLiteral("pending"), kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(app.item(QStringLiteral("deviceGateTitle"))->property("text").toString(),
                              QStringLiteral("Waiting for approval"), kWaitMs);
    if (screenshots)
        QVERIFY(testing::saveScreenshot(app.window->window()->grabWindow(), QStringLiteral("field-waiting-for-approval")));
    QVERIFY(app.rowCount() <= 0); // nothing of the plugins while not approved (the service refuses it)
    QVERIFY(!runAdmin(logicHome, {QStringLiteral("devices"), QStringLiteral("approve"), name}).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(app.window->session()->deviceState(), QStringLiteral("approved"), kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(app.item(QStringLiteral("loginForm")) && app.item(QStringLiteral("loginForm"))->isVisible(),
                             kWaitMs);
}

// Types the user's name and password into the login form and taps Log in.
void logIn(FieldApp &app, const QString &user)
{
    app.item(QStringLiteral("userName"))->setProperty("text", user);
    app.item(QStringLiteral("password"))->setProperty("text", QStringLiteral("correct horse battery"));
    QTRY_VERIFY_WITH_TIMEOUT(app.item(QStringLiteral("logIn"))->isEnabled(), kWaitMs);
    QVERIFY(app.click(app.item(QStringLiteral("logIn"))));
}

bool linkPlugin(const QString &home, const QString &plugin)
{
    const QString plugins = home + QStringLiteral("/plugins");
    return QDir().mkpath(plugins)
           && QFile::link(QStringLiteral(PEEK_TEST_PLUGINS_DIR "/") + plugin, plugins + u'/' + plugin);
}

} // namespace

class TestFieldApp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // the apps' QSettings stay out of the user's
        QCoreApplication::setOrganizationName(QStringLiteral("PeekTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_fieldapp"));
        QSettings().clear(); // what an earlier run remembered (outdoor theme, server address)
    }

    // Two field apps on one service: both list the rows; a click in one changes a value (an
    // action through logic) and both show the change.
    void actionInOneAppShowsInEveryApp()
    {
        QTemporaryDir serverHome, appA, appB;
        const Ports ports;
        QVERIFY(testing::writeConfig(serverHome.path(), ports, {QStringLiteral("logic"), QStringLiteral("field")},
                                     {QStringLiteral("peek_plugin_tutorial")}));
        ServerProcess server(serverHome.path());
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());

        FieldApp a(appA.path(), ports.field), b(appB.path(), ports.field);
        QVERIFY(a.started && b.started);
        QTRY_COMPARE_WITH_TIMEOUT(a.state(), QStringLiteral("online"), kWaitMs);
        // The view comes from the bundle each app fetched; its rows from the service.
        QTRY_VERIFY_WITH_TIMEOUT(a.rowCount() >= 2, kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(b.rowCount() >= 2, kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(!a.intText(0).isEmpty(), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(b.intText(0), a.intText(0), kWaitMs);
        QVERIFY(a.screenshot(QStringLiteral("field-tutorial")));

        const int before = a.intText(0).toInt();
        QVERIFY(a.click(a.inRow(0, QStringLiteral("add"))));
        QTRY_COMPARE_WITH_TIMEOUT(a.intText(0), QString::number(before + 1), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(b.intText(0), QString::number(before + 1), kWaitMs);

        const QString text = b.stringText(1);
        QVERIFY(!text.isEmpty());
        QVERIFY(b.click(b.inRow(1, QStringLiteral("toggle"))));
        QTRY_VERIFY_WITH_TIMEOUT(a.stringText(1) != text && a.stringText(1).compare(text, Qt::CaseInsensitive) == 0,
                                 kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(b.stringText(1), a.stringText(1), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(a.queued(), 0, kWaitMs);
        QCOMPARE(a.window->session()->failedActions(), 0);

        // An action logic refuses (no such row) counts as failed; tapping the count lists it with
        // its error, and Discard removes it.
        QQuickItem *page = a.pluginPage();
        auto *view = page->property("pluginView").value<QObject *>()->property("view").value<QObject *>();
        QVERIFY(QMetaObject::invokeMethod(view, "addToInt", Q_ARG(QVariant, 999999), Q_ARG(QVariant, 1)));
        QTRY_COMPARE_WITH_TIMEOUT(a.window->session()->failedActions(), 1, kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(a.item(QStringLiteral("failedActions"))->isEnabled(), kWaitMs);
        QVERIFY(a.click(a.item(QStringLiteral("failedActions"))));
        QTRY_VERIFY_WITH_TIMEOUT(a.item(QStringLiteral("failedError")), kWaitMs);
        const QString failure = a.item(QStringLiteral("failedError"))->property("text").toString();
        QVERIFY2(failure.contains(QLatin1String("999999")), qPrintable(failure));
        auto *dialog = a.window->window()->findChild<QObject *>(QStringLiteral("failedActionsDialog"));
        QVERIFY(dialog);
        QTRY_VERIFY_WITH_TIMEOUT(dialog->property("opened").toBool(), kWaitMs); // its opening transition is over
        QVERIFY(a.screenshot(QStringLiteral("field-failed-actions")));
        QVERIFY(a.click(a.item(QStringLiteral("discardFailed"))));
        QTRY_COMPARE_WITH_TIMEOUT(a.window->session()->failedActions(), 0, kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(!a.item(QStringLiteral("failedError")), kWaitMs);

        // Home: the tutorial's tile, from its bundle.
        FieldApp home(appA.path() + QStringLiteral("-home"), ports.field, QString());
        QTRY_VERIFY_WITH_TIMEOUT(home.item(QStringLiteral("tile_peek_plugin_tutorial")), kWaitMs);
        QVERIFY(home.screenshot(QStringLiteral("field-home")));
    }

    // Enrolment and login required (the product's default): a new field app shows the enrolment
    // screen, the user names the device and enrols it, the app waits for approval and moves on by
    // itself once the operator approves it with `peek-server admin`; a user logs in, sees the
    // tutorial's rows and pushes an action. The same user logging in on a second field app is
    // asked first, then the first app is logged out and says why. Revoking a device closes its
    // connection and the app says access was revoked.
    void aNewFieldAppEnrolsLogsInAndIsRevoked()
    {
        QTemporaryDir serverHome, appDir, secondDir;
        const Ports ports;
        QVERIFY(testing::writeConfig(serverHome.path(), ports, {QStringLiteral("logic"), QStringLiteral("field")},
                                     {QStringLiteral("peek_plugin_tutorial"), QStringLiteral("peek_plugin_inbox")},
                                     testing::devicesMustEnrol()));
        ServerProcess server(serverHome.path());
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());
        const auto admin = [&serverHome](const QStringList &args, const QByteArray &input = {}) {
            return runAdmin(serverHome.path(), args, input);
        };
        QVERIFY(!admin({QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("crew7"), QStringLiteral("--roles"),
                        QStringLiteral("field"), QStringLiteral("--display-name"), QStringLiteral("Crew Seven")},
                       "correct horse battery\n")
                     .isEmpty());

        FieldApp app(appDir.path(), ports.field);
        QVERIFY(app.started);
        enrolAndApprove(app, QStringLiteral("Truck 7 laptop"), serverHome.path(), true);
        QVERIFY(testing::saveScreenshot(app.window->window()->grabWindow(), QStringLiteral("field-login")));
        logIn(app, QStringLiteral("crew7"));
        QTRY_COMPARE_WITH_TIMEOUT(app.window->session()->userState(), QStringLiteral("loggedIn"), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(!app.item(QStringLiteral("deviceGate"))->isVisible(), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(app.rowCount() >= 2, kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(!app.intText(0).isEmpty(), kWaitMs);
        const int before = app.intText(0).toInt();
        QVERIFY(app.click(app.inRow(0, QStringLiteral("add"))));
        QTRY_COMPARE_WITH_TIMEOUT(app.intText(0), QString::number(before + 1), kWaitMs);
        QCOMPARE(app.window->session()->failedActions(), 0);
        // Logic recorded who did it and from which device (the field service vouched for both),
        // and the row says so.
        QTRY_COMPARE_WITH_TIMEOUT(app.inRow(0, QStringLiteral("changed")) ? app.inRow(0, QStringLiteral("changed"))->property("text").toString()
                                                                           : QString(),
                                  QStringLiteral("crew7 on Truck 7 laptop"), kWaitMs);
        QVERIFY(testing::saveScreenshot(app.window->window()->grabWindow(), QStringLiteral("field-tutorial-changed-by")));

        // Someone else (an operator, with the console) changes crew7's row: crew7's inbox gets a
        // task, which the app announces with a banner (the inbox's background QML); the home tile
        // shows the number, the inbox lists it unread, a tap opens the tutorial (the task's route)
        // and reads it. Done, tapped while the service is down, waits in the queue and completes
        // the task once it is back (the tutorial's tasks then delete themselves).
        qint64 crewRow = -1;
        for (const QJsonValue &row : QJsonDocument::fromJson(admin({QStringLiteral("observe"),
                                                                   QStringLiteral("peek_plugin_tutorial.StringIntTuple")}))
                                         .array()) {
            if (row[QLatin1String("changedBy")].toString() == QLatin1String("crew7"))
                crewRow = row[QLatin1String("id")].toInteger();
        }
        QVERIFY(crewRow > 0);
        QVERIFY(admin({QStringLiteral("action"), QStringLiteral("peek_plugin_tutorial.AddIntValueActionTuple"),
                       QStringLiteral("{\"stringIntId\": %1, \"offset\": 1}").arg(crewRow)})
                    .startsWith("applied"));
        QTRY_VERIFY_WITH_TIMEOUT(app.item(QStringLiteral("notificationBanner"))
                                     && app.item(QStringLiteral("notificationBanner"))->isVisible(),
                                 kWaitMs);
        const QString announced = app.item(QStringLiteral("notificationTitle"))->property("text").toString();
        QVERIFY2(announced.startsWith(QStringLiteral("An operator changed \"")), qPrintable(announced));
        QVERIFY(testing::saveScreenshot(app.window->window()->grabWindow(), QStringLiteral("field-inbox-notification")));
        QVERIFY(app.click(app.item(QStringLiteral("back"))));
        QTRY_VERIFY_WITH_TIMEOUT(app.item(QStringLiteral("tile_peek_plugin_inbox")) && app.settled(), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(app.item(QStringLiteral("tile_peek_plugin_inbox"))->property("badge").toInt(), 1, kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(app.item(QStringLiteral("statusBadge_peek_plugin_inbox"))
                                     && app.item(QStringLiteral("statusBadge_peek_plugin_inbox"))->isVisible(),
                                 kWaitMs);
        QCOMPARE(app.item(QStringLiteral("statusBadge_peek_plugin_inbox"))->property("text").toString(), QStringLiteral("Inbox 1"));
        QVERIFY(testing::saveScreenshot(app.window->window()->grabWindow(), QStringLiteral("field-home-inbox-unread")));
        QVERIFY(app.click(app.item(QStringLiteral("tile_peek_plugin_inbox"))));
        QTRY_VERIFY_WITH_TIMEOUT(app.settled() && app.item(QStringLiteral("task0")) && app.item(QStringLiteral("unreadDot"))
                                     && app.item(QStringLiteral("unreadDot"))->isVisible(),
                                 kWaitMs);
        QVERIFY(testing::saveScreenshot(app.window->window()->grabWindow(), QStringLiteral("field-inbox")));
        QVERIFY(app.click(app.item(QStringLiteral("task0"))));
        QTRY_VERIFY_WITH_TIMEOUT(app.settled() && app.rowCount() >= 2, kWaitMs); // the tutorial's view, opened by the route
        QVERIFY(app.click(app.pluginPage()->findChild<QQuickItem *>(QStringLiteral("back"))));
        QTRY_VERIFY_WITH_TIMEOUT(app.settled() && app.item(QStringLiteral("unreadDot")) && !app.item(QStringLiteral("unreadDot"))->isVisible(),
                                 kWaitMs);
        server.terminate();
        QVERIFY(server.process().waitForFinished(20000));
        QTRY_COMPARE_WITH_TIMEOUT(app.state(), QStringLiteral("offline"), kWaitMs);
        QVERIFY(app.click(app.item(QStringLiteral("complete"))));
        QTRY_COMPARE_WITH_TIMEOUT(app.queued(), 1, kWaitMs);
        QVERIFY(testing::saveScreenshot(app.window->window()->grabWindow(), QStringLiteral("field-inbox-offline-done")));
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());
        QTRY_COMPARE_WITH_TIMEOUT(app.queued(), 0, kWaitMs);
        QCOMPARE(app.window->session()->failedActions(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(!app.item(QStringLiteral("task0")), kWaitMs);
        QVERIFY(app.click(app.pluginPage()->findChild<QQuickItem *>(QStringLiteral("back"))));
        QTRY_VERIFY_WITH_TIMEOUT(app.settled(), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(app.item(QStringLiteral("tile_peek_plugin_inbox"))->property("badge").toInt(), 0, kWaitMs);
        QVERIFY(!app.item(QStringLiteral("statusBadge_peek_plugin_inbox"))->isVisible());
        const QByteArray listed = admin({QStringLiteral("devices"), QStringLiteral("list")});
        QVERIFY2(listed.contains("Truck 7 laptop") && listed.contains("online via peek-field-service"), listed.constData());

        // The same user on a second field app: asked first, then the first app is logged out.
        FieldApp second(secondDir.path(), ports.field);
        QVERIFY(second.started);
        enrolAndApprove(second, QStringLiteral("Truck 8 laptop"), serverHome.path());
        logIn(second, QStringLiteral("crew7"));
        QTRY_VERIFY_WITH_TIMEOUT(second.item(QStringLiteral("loginWarning")), kWaitMs);
        const QString warning = second.item(QStringLiteral("loginWarning"))->property("text").toString();
        QVERIFY2(warning.contains(QLatin1String("Truck 7 laptop")), qPrintable(warning));
        QCOMPARE(second.item(QStringLiteral("logIn"))->property("text").toString(), QStringLiteral("Log in anyway"));
        QVERIFY(testing::saveScreenshot(second.window->window()->grabWindow(), QStringLiteral("field-login-elsewhere")));
        QCOMPARE(app.window->session()->userState(), QStringLiteral("loggedIn"));
        QVERIFY(second.click(second.item(QStringLiteral("logIn"))));

        QTRY_COMPARE_WITH_TIMEOUT(second.window->session()->userState(), QStringLiteral("loggedIn"), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(app.window->session()->userState(), QStringLiteral("loggedOut"), kWaitMs);
        QVERIFY2(app.window->session()->userMessage().contains(QLatin1String("Truck 8 laptop")),
                 qPrintable(app.window->session()->userMessage()));
        QTRY_VERIFY_WITH_TIMEOUT(app.item(QStringLiteral("loginForm"))->isVisible(), kWaitMs);
        QVERIFY(testing::saveScreenshot(app.window->window()->grabWindow(), QStringLiteral("field-logged-out-elsewhere")));

        QVERIFY(!admin({QStringLiteral("devices"), QStringLiteral("revoke"), QStringLiteral("Truck 8 laptop")}).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(second.window->session()->deviceState(), QStringLiteral("revoked"), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(second.item(QStringLiteral("deviceGate"))->isVisible(), kWaitMs);
        QCOMPARE(second.item(QStringLiteral("deviceGateTitle"))->property("text").toString(), QStringLiteral("Access revoked"));
        QVERIFY(testing::saveScreenshot(second.window->window()->grabWindow(), QStringLiteral("field-access-revoked")));
    }

    // An action queued offline is applied as the user who queued it once the field service is back
    // (their session is presented again); queued while that user was disabled, it lands in the
    // failed list with the reason and the app asks for a login. Logic and field run as separate
    // processes so the field service can go away while logic (and the operator) stay.
    void offlineActionsAreAppliedAsTheUserWhoQueuedThem()
    {
        QTemporaryDir logicHome, fieldHome, appDir;
        const Ports ports;
        const QStringList plugins {QStringLiteral("peek_plugin_tutorial")};
        QVERIFY(testing::writeConfig(logicHome.path(), ports, {QStringLiteral("logic")}, plugins, testing::devicesMustEnrol()));
        QVERIFY(testing::writeConfig(fieldHome.path(), ports, {QStringLiteral("field")}, plugins, testing::devicesMustEnrol()));
        ServerProcess logic(logicHome.path());
        QVERIFY2(logic.start(), (logic.output() + logic.errors()).constData());
        const QStringList toLogic {QStringLiteral("--logic-url"), QStringLiteral("ws://127.0.0.1:%1").arg(ports.logicDataExchange)};
        auto field = std::make_unique<ServerProcess>(fieldHome.path(), toLogic);
        QVERIFY2(field->start(), (field->output() + field->errors()).constData());
        QVERIFY(!runAdmin(logicHome.path(), {QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("crew9")},
                          "correct horse battery\n")
                     .isEmpty());

        FieldApp app(appDir.path(), ports.field);
        QVERIFY(app.started);
        enrolAndApprove(app, QStringLiteral("Truck 9 laptop"), logicHome.path());
        logIn(app, QStringLiteral("crew9"));
        QTRY_COMPARE_WITH_TIMEOUT(app.window->session()->userState(), QStringLiteral("loggedIn"), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(app.rowCount() >= 2, kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(!app.intText(1).isEmpty(), kWaitMs);
        const int before = app.intText(1).toInt();
        auto *view = app.pluginPage()->property("pluginView").value<QObject *>()->property("view").value<QObject *>();
        QVERIFY(view);

        // Offline: the field service goes; the action waits in the queue.
        field.reset();
        QTRY_COMPARE_WITH_TIMEOUT(app.state(), QStringLiteral("offline"), kWaitMs);
        QVERIFY(QMetaObject::invokeMethod(view, "addToInt", Q_ARG(QVariant, 2), Q_ARG(QVariant, 5)));
        QTRY_COMPARE_WITH_TIMEOUT(app.queued(), 1, kWaitMs);
        field = std::make_unique<ServerProcess>(fieldHome.path(), toLogic);
        QVERIFY2(field->start(), (field->output() + field->errors()).constData());
        QTRY_COMPARE_WITH_TIMEOUT(app.queued(), 0, kWaitMs);
        QCOMPARE(app.window->session()->failedActions(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(app.intText(1), QString::number(before + 5), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(app.inRow(1, QStringLiteral("changed"))->property("text").toString(),
                                  QStringLiteral("crew9 on Truck 9 laptop"), kWaitMs);

        // Offline again, and the user is disabled meanwhile: not applied, failed with the reason.
        field.reset();
        QTRY_COMPARE_WITH_TIMEOUT(app.state(), QStringLiteral("offline"), kWaitMs);
        QVERIFY(QMetaObject::invokeMethod(view, "addToInt", Q_ARG(QVariant, 2), Q_ARG(QVariant, 5)));
        QTRY_COMPARE_WITH_TIMEOUT(app.queued(), 1, kWaitMs);
        QVERIFY(!runAdmin(logicHome.path(), {QStringLiteral("users"), QStringLiteral("disable"), QStringLiteral("crew9")}).isEmpty());
        field = std::make_unique<ServerProcess>(fieldHome.path(), toLogic);
        QVERIFY2(field->start(), (field->output() + field->errors()).constData());
        QTRY_COMPARE_WITH_TIMEOUT(app.window->session()->failedActions(), 1, kWaitMs);
        QCOMPARE(app.queued(), 0);
        const auto failed = app.window->session()->actionQueue()->failedActions();
        QCOMPARE(failed.size(), 1);
        QVERIFY2(failed.first().error.contains(QLatin1String("disabled")), qPrintable(failed.first().error));
        QCOMPARE(app.window->session()->userState(), QStringLiteral("loggedOut"));
        QTRY_VERIFY_WITH_TIMEOUT(app.item(QStringLiteral("loginForm"))->isVisible(), kWaitMs);
        QCOMPARE(app.intText(1), QString::number(before + 5)); // logic never applied it
    }

    // Offline: with the server stopped, a restarted app shows the cached rows in the plugin view
    // from its local bundle, says offline, and counts the actions it queues; once the server is
    // back the queue drains, the counts return to zero and the values are logic's.
    void offlineRestartShowsCacheAndQueueDrains()
    {
        QTemporaryDir serverHome, appDir;
        const Ports ports;
        QVERIFY(testing::writeConfig(serverHome.path(), ports, {QStringLiteral("logic"), QStringLiteral("field")},
                                     {QStringLiteral("peek_plugin_tutorial")}));
        ServerProcess server(serverHome.path());
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());

        int rows = 0;
        int before = 0;
        {
            FieldApp online(appDir.path(), ports.field);
            QTRY_VERIFY_WITH_TIMEOUT(online.rowCount() >= 2, kWaitMs);
            QTRY_VERIFY_WITH_TIMEOUT(!online.intText(0).isEmpty(), kWaitMs);
            rows = online.rowCount();
            before = online.intText(0).toInt();
        }
        server.terminate();
        QVERIFY(server.process().waitForFinished(15000));

        FieldApp offline(appDir.path(), ports.field);
        QVERIFY(offline.started);
        QTRY_COMPARE_WITH_TIMEOUT(offline.state(), QStringLiteral("offline"), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(offline.rowCount(), rows, kWaitMs); // from the offline cache
        QCOMPARE(offline.intText(0), QString::number(before));
        QVERIFY(offline.click(offline.inRow(0, QStringLiteral("add"))));
        QVERIFY(offline.click(offline.inRow(0, QStringLiteral("add"))));
        QTRY_COMPARE_WITH_TIMEOUT(offline.queued(), 2, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(offline.item(QStringLiteral("queuedActions"))->property("text").toString(),
                                  QStringLiteral("2 waiting to send"), kWaitMs);
        QVERIFY(offline.screenshot(QStringLiteral("field-offline-queued-landscape")));
        offline.window->window()->resize(800, 1280);
        QTRY_COMPARE_WITH_TIMEOUT(offline.root()->width(), 800.0, kWaitMs);
        QVERIFY(offline.screenshot(QStringLiteral("field-offline-queued-portrait")));

        QVERIFY2(server.start(), (server.output() + server.errors()).constData());
        QTRY_COMPARE_WITH_TIMEOUT(offline.state(), QStringLiteral("online"), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(offline.queued(), 0, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(offline.intText(0), QString::number(before + 2), kWaitMs);
        QCOMPARE(offline.window->session()->failedActions(), 0);
    }

    // --nmea: the replay's throttled fixes go through the action queue and logic takes them
    // (the queue drains with nothing failed). Also the home in the outdoor theme on a laptop.
    void nmeaReplayReachesLogicAndOutdoorHome()
    {
        qunsetenv("QT_QTESTLIB_RUNNING"); // Qt Positioning misbehaves under Qt Test otherwise
        QTemporaryDir serverHome, appDir;
        const Ports ports;
        QVERIFY(testing::writeConfig(serverHome.path(), ports, {QStringLiteral("logic"), QStringLiteral("field")},
                                     {QStringLiteral("peek_plugin_tutorial"), QStringLiteral("peek_plugin_positions")}));
        ServerProcess server(serverHome.path());
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());

        FieldApp app(appDir.path(), ports.field, QString(), [](AppWindow::Options &options) {
            options.nmeaFile = QStringLiteral(PEEK_NMEA_FILE);
            options.size = QSize(1366, 768);
        });
        // A first start: the reports start once the service listed the plugin that takes them
        // (the positions plugin's capability positionReports).
        QTRY_VERIFY_WITH_TIMEOUT(app.window->positionReporter(), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(app.window->window()->property("positionSharing").toBool(), true, kWaitMs);
        QCOMPARE(app.window->window()->property("positionError").toString(), QString());
        // walk.nmea: six fixes a second apart; the first, third and fifth move more than 100 m.
        QTRY_COMPARE_WITH_TIMEOUT(app.window->positionReporter()->sentCount(), 3, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(app.queued(), 0, kWaitMs);
        QCOMPARE(app.window->session()->failedActions(), 0);

        app.window->window()->setProperty("outdoor", true);
        QTRY_VERIFY_WITH_TIMEOUT(app.item(QStringLiteral("tile_peek_plugin_tutorial")), kWaitMs);
        QVERIFY(app.item(QStringLiteral("outdoorSwitch"))->property("checked").toBool());
        QVERIFY(app.screenshot(QStringLiteral("field-home-outdoor-1366x768")));
    }

    // First start: the typed address is checked with the service before it is remembered.
    void firstStartChecksTheAddress()
    {
        QTemporaryDir serverHome, appDir;
        const Ports ports;
        QVERIFY(testing::writeConfig(serverHome.path(), ports, {QStringLiteral("logic"), QStringLiteral("field"),
                                                                QStringLiteral("office")},
                                     {QStringLiteral("peek_plugin_tutorial")}));
        ServerProcess server(serverHome.path());
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());
        QSettings().remove(QStringLiteral("field/serverUrl"));

        FieldApp app(appDir.path(), 0, QString(), [](AppWindow::Options &options) { options.serverUrl.clear(); });
        QVERIFY(app.started);
        QVERIFY(app.item(QStringLiteral("address")));
        QVERIFY(!app.window->session());
        const auto submit = [&](const QString &address) {
            return QMetaObject::invokeMethod(app.window->window(), "connectRequested", Q_ARG(QString, address));
        };
        const auto error = [&] { return app.window->window()->property("error").toString(); };

        QVERIFY(submit(QStringLiteral("not an address://")));
        QVERIFY2(error().contains(QLatin1String("is not a server address")), qPrintable(error()));
        QVERIFY(submit(QStringLiteral("127.0.0.1:1")));
        QTRY_VERIFY2_WITH_TIMEOUT(error().contains(QLatin1String("Cannot reach")), qPrintable(error()), kWaitMs);
        QVERIFY(submit(QStringLiteral("127.0.0.1:%1").arg(ports.office))); // an office service
        QTRY_VERIFY2_WITH_TIMEOUT(error().contains(QLatin1String("not a Peek field service")), qPrintable(error()),
                                  kWaitMs);
        QVERIFY(!QSettings().contains(QStringLiteral("field/serverUrl")));

        QVERIFY(submit(QStringLiteral("127.0.0.1:%1").arg(ports.field)));
        QTRY_VERIFY_WITH_TIMEOUT(app.window->session() && app.item(QStringLiteral("home")), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(app.state(), QStringLiteral("online"), kWaitMs);
        QCOMPARE(QSettings().value(QStringLiteral("field/serverUrl")).toUrl(),
                 QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(ports.field)));
    }

    // A plugin whose view does not load gets an error card; the others keep working.
    void brokenViewShowsAnErrorCard()
    {
        QTemporaryDir serverHome, appDir;
        const Ports ports;
        QVERIFY(linkPlugin(serverHome.path(), QStringLiteral("peek_test_badview")));
        QVERIFY(testing::writeConfig(serverHome.path(), ports, {QStringLiteral("logic"), QStringLiteral("field")},
                                     {QStringLiteral("peek_plugin_tutorial"), QStringLiteral("peek_test_badview")}));
        ServerProcess server(serverHome.path());
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());

        FieldApp app(appDir.path(), ports.field, QString());
        QTRY_VERIFY_WITH_TIMEOUT(app.item(QStringLiteral("tile_peek_test_badview")), kWaitMs);
        QVERIFY(app.item(QStringLiteral("tile_peek_plugin_tutorial")));
        QVERIFY(app.click(app.item(QStringLiteral("tile_peek_test_badview"))));
        QTRY_VERIFY_WITH_TIMEOUT(app.item(QStringLiteral("pluginErrorCard"))
                                     && app.item(QStringLiteral("pluginErrorCard"))->isVisible(), kWaitMs);
        const QString error = app.item(QStringLiteral("pluginErrorText"))->property("text").toString();
        QVERIFY2(error.contains(QLatin1String("NoSuchType")), qPrintable(error));
        QVERIFY(app.screenshot(QStringLiteral("field-error-card")));

        QVERIFY(app.click(app.item(QStringLiteral("back"))));
        QTRY_VERIFY_WITH_TIMEOUT(!app.pluginPage(), kWaitMs);
        QVERIFY(app.click(app.item(QStringLiteral("tile_peek_plugin_tutorial"))));
        QTRY_VERIFY_WITH_TIMEOUT(app.rowCount() >= 2, kWaitMs);
    }

    // An admin disables a plugin: the field service tells its apps that its views changed, and
    // the app's home loses the tile at once (its own check comes every 5 minutes); enabled
    // again, the tile comes back.
    void theAppsFollowAPluginAnAdminDisablesAtOnce()
    {
        QTemporaryDir serverHome, appDir;
        const Ports ports;
        QVERIFY(testing::writeConfig(serverHome.path(), ports, {QStringLiteral("logic"), QStringLiteral("field")},
                                     {QStringLiteral("peek_plugin_tutorial")}));
        ServerProcess server(serverHome.path());
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());
        FieldApp app(appDir.path(), ports.field, QString());
        QVERIFY(app.started);
        QTRY_VERIFY_WITH_TIMEOUT(app.item(QStringLiteral("tile_peek_plugin_tutorial")), kWaitMs);

        QVERIFY(!runAdmin(serverHome.path(), {QStringLiteral("plugins"), QStringLiteral("disable"),
                                              QStringLiteral("peek_plugin_tutorial")})
                     .isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!app.item(QStringLiteral("tile_peek_plugin_tutorial")), kWaitMs);
        QVERIFY(!runAdmin(serverHome.path(), {QStringLiteral("plugins"), QStringLiteral("enable"),
                                              QStringLiteral("peek_plugin_tutorial")})
                     .isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(app.item(QStringLiteral("tile_peek_plugin_tutorial")), kWaitMs);
    }

    // A plugin the server does not run comes as a package through the console: the server runs
    // it without a restart, and a field app that is open shows its tile at once, and its view.
    void aPluginInstalledFromAPackageShowsInTheOpenApp()
    {
        QTemporaryDir serverHome, appDir;
        const Ports ports;
        QVERIFY(testing::writeConfig(serverHome.path(), ports,
                                     {QStringLiteral("logic"), QStringLiteral("field"), QStringLiteral("agent")}, {}));
        ServerProcess server(serverHome.path());
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());
        const qint64 pid = server.process().processId();
        FieldApp app(appDir.path(), ports.field, QString());
        QVERIFY(app.started);
        QTRY_COMPARE_WITH_TIMEOUT(app.state(), QStringLiteral("online"), kWaitMs);
        QVERIFY(!app.item(QStringLiteral("tile_peek_plugin_tutorial")));

        const QByteArray installed = runAdmin(serverHome.path(), {QStringLiteral("plugins"), QStringLiteral("install"),
                                                                  QStringLiteral(PEEK_PACKAGES_DIR "/peek_plugin_tutorial-1.0.0.peekplugin")});
        QVERIFY2(installed.startsWith("installed peek_plugin_tutorial 1.0.0"), installed.constData());
        QTRY_VERIFY_WITH_TIMEOUT(app.item(QStringLiteral("tile_peek_plugin_tutorial")), kWaitMs);
        QVERIFY(app.click(app.item(QStringLiteral("tile_peek_plugin_tutorial"))));
        QTRY_VERIFY_WITH_TIMEOUT(app.rowCount() >= 1, kWaitMs); // the view, with the rows the agent made
        QCOMPARE(server.process().processId(), pid);
        QVERIFY(app.screenshot(QStringLiteral("field-plugin-installed-from-package")));
    }
};

QTEST_MAIN(TestFieldApp)
#include "tst_fieldapp.moc"
