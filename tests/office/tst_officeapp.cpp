// The office app end to end: real peek-server processes with the tutorial plugin, and the
// office main window (OfficeWindow, the same code as `peek office`) rendered offscreen in this
// process, driven by mouse clicks on its widgets and inside its QML view. Writes the office
// screenshots into PEEK_SCREENSHOT_DIR.
#include "failedactionsdialog.h"
#include "officewindow.h"
#include "pluginlistmodel.h"
#include "quickvortex.h"
#include "quickitems.h"
#include "serverprocess.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStatusBar>
#include <QLabel>
#include <QListView>
#include <QPointer>
#include <QProcess>
#include <QQuickItem>
#include <QQuickWidget>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QtQml/qqmlextensionplugin.h>

Q_IMPORT_QML_PLUGIN(PeekPlugin)
Q_IMPORT_QML_PLUGIN(PeekAppPlugin)

using peek::app::OfficeWindow;
using testing::Ports;
using testing::ServerProcess;

namespace {

using testing::findItem;

constexpr int kWaitMs = 20000;
const QString kTutorial = QStringLiteral("peek_plugin_tutorial");

QUrl serviceUrl(quint16 port)
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port));
}

// One office app: its data directory and its main window over a session to the office service.
struct OfficeApp {
    explicit OfficeApp(const QString &dataDir, const QUrl &server, QSize size = QSize(1280, 800),
                       const QString &startPage = {})
    {
        OfficeWindow::Options options;
        options.serverUrl = server;
        options.dataDir = dataDir;
        options.size = size;
        options.startPage = startPage;
        options.session.vortex = testing::quickReconnect();
        options.session.actionRetryMinMs = 50;
        options.session.actionRetryMaxMs = 200;
        window = std::make_unique<OfficeWindow>(options);
    }

    bool show() const
    {
        window->show();
        return QTest::qWaitForWindowExposed(window.get());
    }
    // The sidebar's row showing `title`; -1 when not listed.
    int sidebarRow(const QString &title) const
    {
        const QAbstractItemModel *model = window->sidebar()->model();
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->index(row, 0).data(Qt::DisplayRole).toString() == title)
                return row;
        }
        return -1;
    }
    bool clickSidebar(int row) const
    {
        QListView *list = window->sidebar();
        const QRect rect = list->visualRect(list->model()->index(row, 0));
        if (!rect.isValid())
            return false;
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, rect.center());
        return true;
    }
    // The plugin's own view item (inside PluginView).
    QObject *content() const
    {
        QQuickItem *view = window->pluginView();
        return view ? view->property("view").value<QObject *>() : nullptr;
    }
    int rowCount() const
    {
        QObject *view = content();
        auto *rows = view ? view->property("stringInts").value<QObject *>() : nullptr;
        return rows ? rows->property("count").toInt() : -1;
    }
    QQuickItem *inRow(int row, const QString &name) const
    {
        return findItem(
            findItem(qobject_cast<QQuickItem *>(content()), QStringLiteral("row%1").arg(row)),
            name);
    }
    QString intText(int row) const
    {
        QQuickItem *label = inRow(row, QStringLiteral("int"));
        return label ? label->property("text").toString() : QString();
    }
    // A click in the QML view, at the middle of `target` (scene = widget coordinates).
    bool click(QQuickItem *target) const
    {
        if (!target || !target->isVisible())
            return false;
        const QPointF centre
            = target->mapToScene(QPointF(target->width() / 2, target->height() / 2));
        QTest::mouseClick(window->quickWidget(), Qt::LeftButton, {}, centre.toPoint());
        return true;
    }
    QString connection() const { return window->connectionLabel()->text(); }
    QString queuedText() const { return window->queuedLabel()->text(); }
    QString failedText() const { return window->failedButton()->text(); }

    // Writes the window to <PEEK_SCREENSHOT_DIR>/<name>.png.
    bool screenshot(const QString &name) const
    {
        QCoreApplication::processEvents();
        QQuickWidget *quick = window->quickWidget();
        if (quick && quick->isVisible()) {
            // Renders what changed since the last frame; items polished by that render (a view
            // just swapped in lays itself out then) are drawn by the second.
            (void)quick->grabFramebuffer();
            QCoreApplication::processEvents();
            (void)quick->grabFramebuffer();
        }
        const QImage image = window->grab().toImage();
        return testing::saveScreenshot(image, name);
    }

    std::unique_ptr<OfficeWindow> window;
};

// The colours in a part of an image: one colour only means nothing was drawn there.
int coloursIn(const QImage &image, const QRect &area)
{
    QSet<QRgb> colours;
    for (int y = area.top(); y <= area.bottom(); y += 2) {
        for (int x = area.left(); x <= area.right(); x += 2)
            colours.insert(image.pixel(x, y));
    }
    return int(colours.size());
}

} // namespace

class TestOfficeApp : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // the app's QSettings stay out of the user's
        QCoreApplication::setOrganizationName(QStringLiteral("PeekTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_officeapp"));
        QSettings().remove(QStringLiteral("office"));
        OfficeWindow::prepareApplication();
    }

    void cleanup() { QSettings().remove(QStringLiteral("office")); }

    // The sidebar lists the tutorial once its bundle is fetched; its office view shows the rows
    // from the service; a click on "+" changes a value through logic and the queue drains; a
    // refused action shows as failed in the status bar and its dialog; when the server stops the
    // window says offline and keeps the rows.
    void pluginViewShowsRowsAndActionsGoThrough()
    {
        QTemporaryDir serverHome, appDir;
        const Ports ports;
        QVERIFY(testing::writeConfig(serverHome.path(), ports,
                                     {QStringLiteral("logic"), QStringLiteral("office")},
                                     {kTutorial}));
        ServerProcess server(serverHome.path());
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());

        OfficeApp app(appDir.path(), serviceUrl(ports.office));
        QVERIFY(app.window->showsEmptyState()); // nothing on this device yet
        QVERIFY(app.show());
        QTRY_COMPARE_WITH_TIMEOUT(app.connection(), QStringLiteral("Online"), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(app.sidebarRow(QStringLiteral("Tutorial")) >= 0, kWaitMs);
        QVERIFY(!app.window->showsEmptyState());
        const QModelIndex row
            = app.window->sidebar()->model()->index(app.sidebarRow(QStringLiteral("Tutorial")), 0);
        QVERIFY(!row.data(Qt::DecorationRole).value<QIcon>().isNull());

        QVERIFY(app.clickSidebar(row.row()));
        QTRY_COMPARE_WITH_TIMEOUT(app.window->currentPlugin(), kTutorial, kWaitMs);
        QCOMPARE(app.window->sidebar()->currentIndex().row(), row.row());
        QVERIFY(app.window->selectPlugin(QStringLiteral("tutorial")));
        QVERIFY(!app.window->selectPlugin(QStringLiteral("peek_plugin_nothere")));
        QTRY_VERIFY_WITH_TIMEOUT(app.rowCount() >= 2, kWaitMs);
        // View › Reload: a new view item, with the rows again.
        const QPointer<QObject> firstView = app.content();
        app.window->reloadView();
        QTRY_VERIFY_WITH_TIMEOUT(firstView.isNull() && app.content() && app.rowCount() >= 2,
                                 kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(!app.intText(0).isEmpty(), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(
            app.window->syncLabel()->text().startsWith(QLatin1String("Synced ")), kWaitMs);
        QCOMPARE(app.queuedText(), QStringLiteral("0 waiting to send"));
        QCOMPARE(app.failedText(), QStringLiteral("0 failed"));
        QVERIFY(app.window->windowTitle().contains(QLatin1String("Tutorial")));

        // The screenshot: the tutorial selected, its rows in the QML view (not blank there).
        QVERIFY(app.screenshot(QStringLiteral("office-window")));
        const QImage image = app.window->grab().toImage();
        const QRect viewArea(app.window->quickWidget()->mapTo(app.window.get(), QPoint(0, 0)),
                             app.window->quickWidget()->size());
        QVERIFY2(coloursIn(image, viewArea) > 8, "the plugin view is blank in the window's image");

        // An action through the view: logic changes the value, the queue drains.
        const int before = app.intText(0).toInt();
        QVERIFY(app.click(app.inRow(0, QStringLiteral("add"))));
        QTRY_COMPARE_WITH_TIMEOUT(app.intText(0), QString::number(before + 1), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(app.window->session()->queuedActions(), 0, kWaitMs);
        QCOMPARE(app.queuedText(), QStringLiteral("0 waiting to send"));

        // An action logic refuses (no such row): counted as failed, listed with its error in the
        // dialog the status bar opens, and gone once discarded there.
        QVERIFY(QMetaObject::invokeMethod(app.content(), "addToInt", Q_ARG(QVariant, 999999),
                                          Q_ARG(QVariant, 1)));
        QTRY_COMPARE_WITH_TIMEOUT(app.failedText(), QStringLiteral("1 failed"), kWaitMs);
        QVERIFY(app.window->failedButton()->isEnabled());
        QTest::mouseClick(app.window->failedButton(), Qt::LeftButton);
        peek::app::FailedActionsDialog *dialog = app.window->failedActionsDialog();
        QVERIFY(dialog && dialog->isVisible());
        QCOMPARE(dialog->list()->topLevelItemCount(), 1);
        QTreeWidgetItem *failed = dialog->list()->topLevelItem(0);
        QCOMPARE(failed->text(0), QStringLiteral("Tutorial"));
        QCOMPARE(failed->text(1), QStringLiteral("AddIntValueActionTuple"));
        QVERIFY2(failed->text(3).contains(QLatin1String("999999")), qPrintable(failed->text(3)));
        QVERIFY(
            dialog->grab().save(QStringLiteral(PEEK_SCREENSHOT_DIR "/office-failed-actions.png")));
        failed->setSelected(true);
        dialog->discardSelected();
        QTRY_COMPARE_WITH_TIMEOUT(app.failedText(), QStringLiteral("0 failed"), kWaitMs);
        QCOMPARE(dialog->list()->topLevelItemCount(), 0);
        QVERIFY(!app.window->failedButton()->isEnabled());
        dialog->close();

        server.terminate();
        QVERIFY(server.process().waitForFinished(15000));
        QTRY_COMPARE_WITH_TIMEOUT(app.connection(), QStringLiteral("Offline"), kWaitMs);
        QVERIFY(app.rowCount() >= 2); // the rows stay, from the offline cache
    }

    // Without a reachable service the window says offline and shows why there are no plugins;
    // pointed at a running server (File › Change server) it remembers the address, connects and
    // lists the plugins; the start page opens once listed.
    // Enrolment and login required: the office app shows the enrolment screen where the views go,
    // enrols, waits for the operator's approval, a user logs in, and it shows the tutorial. Then
    // the inbox: an operator changes the row the user changed last, the user's inbox gets a task,
    // the window announces it (a tray message where there is a tray; the status bar) and the
    // sidebar shows the unread number beside Inbox; opening the task reads it (the number goes)
    // and opens the tutorial, its route.
    void anOfficeDeviceEnrolsAndIsServedOnceApproved()
    {
        QTemporaryDir serverHome, appDir;
        const Ports ports;
        QVERIFY(testing::writeConfig(serverHome.path(), ports, {QStringLiteral("logic"), QStringLiteral("office")},
                                     {kTutorial, QStringLiteral("peek_plugin_inbox")}, testing::devicesMustEnrol()));
        ServerProcess server(serverHome.path());
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());

        OfficeApp app(appDir.path(), serviceUrl(ports.office), QSize(1100, 700), QStringLiteral("tutorial"));
        QVERIFY(app.show());
        QTRY_COMPARE_WITH_TIMEOUT(app.window->session()->deviceState(), QStringLiteral("unknown"), kWaitMs);
        QQuickItem *root = app.window->quickWidget()->rootObject();
        QTRY_VERIFY_WITH_TIMEOUT(findItem(root, QStringLiteral("enrolDevice"))
                                     && findItem(root, QStringLiteral("enrolDevice"))->isVisible(), kWaitMs);
        findItem(root, QStringLiteral("deviceName"))->setProperty("text", QStringLiteral("Planning desk 2"));
        QTRY_VERIFY_WITH_TIMEOUT(findItem(root, QStringLiteral("enrolDevice"))->isEnabled(), kWaitMs);
        QVERIFY(app.screenshot(QStringLiteral("office-enrol")));
        QVERIFY(app.click(findItem(root, QStringLiteral("enrolDevice"))));
        QTRY_COMPARE_WITH_TIMEOUT(app.window->session()->deviceState(), QStringLiteral("pending"), kWaitMs);

        QCOMPARE(testing::runAdmin(serverHome.path(), {QStringLiteral("devices"), QStringLiteral("approve"),
                                                       QStringLiteral("Planning desk 2")})
                     .code,
                 0);
        QTRY_COMPARE_WITH_TIMEOUT(app.window->session()->deviceState(), QStringLiteral("approved"), kWaitMs);
        // Then a user logs in (office logins are not limited to one device).
        QCOMPARE(testing::runAdmin(serverHome.path(),
                                   {QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("planner"),
                                    QStringLiteral("--roles"), QStringLiteral("office")},
                                   "correct horse battery\n")
                     .code,
                 0);
        QTRY_VERIFY_WITH_TIMEOUT(findItem(root, QStringLiteral("loginForm")) && findItem(root, QStringLiteral("loginForm"))->isVisible(),
                                 kWaitMs);
        findItem(root, QStringLiteral("userName"))->setProperty("text", QStringLiteral("planner"));
        findItem(root, QStringLiteral("password"))->setProperty("text", QStringLiteral("correct horse battery"));
        QTRY_VERIFY_WITH_TIMEOUT(findItem(root, QStringLiteral("logIn"))->isEnabled(), kWaitMs);
        QVERIFY(app.screenshot(QStringLiteral("office-login")));
        QVERIFY(app.click(findItem(root, QStringLiteral("logIn"))));
        QTRY_COMPARE_WITH_TIMEOUT(app.window->session()->userState(), QStringLiteral("loggedIn"), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(!findItem(root, QStringLiteral("deviceGate"))->isVisible(), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(app.window->currentPlugin(), kTutorial, kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(app.rowCount() >= 2, kWaitMs);

        QTRY_VERIFY_WITH_TIMEOUT(!app.intText(0).isEmpty(), kWaitMs);
        const int before = app.intText(0).toInt();
        QVERIFY(app.click(app.inRow(0, QStringLiteral("add"))));
        QTRY_COMPARE_WITH_TIMEOUT(app.intText(0), QString::number(before + 1), kWaitMs);
        qint64 plannersRow = -1;
        const testing::AdminRun rows = testing::runAdmin(serverHome.path(), {QStringLiteral("observe"), QStringLiteral("peek_plugin_tutorial.StringIntTuple")});
        for (const QJsonValue &row : QJsonDocument::fromJson(rows.out).array()) {
            if (row[QLatin1String("changedBy")].toString() == QLatin1String("planner"))
                plannersRow = row[QLatin1String("id")].toInteger();
        }
        QVERIFY2(plannersRow > 0, rows.out.constData());
        const testing::AdminRun changed = testing::runAdmin(serverHome.path(), {QStringLiteral("action"), QStringLiteral("peek_plugin_tutorial.AddIntValueActionTuple"),
                                                                                 QStringLiteral("{\"stringIntId\": %1, \"offset\": 1}").arg(plannersRow)});
        QVERIFY2(changed.out.startsWith("applied"), (changed.out + changed.err).constData());
        QTRY_VERIFY_WITH_TIMEOUT(app.window->statusBar()->currentMessage().startsWith(QStringLiteral("An operator changed \"")), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(app.sidebarRow(QStringLiteral("Inbox")) >= 0, kWaitMs);
        const auto inboxRow = [&app] { return app.window->sidebar()->model()->index(app.sidebarRow(QStringLiteral("Inbox")), 0); };
        QTRY_COMPARE_WITH_TIMEOUT(inboxRow().data(peek::app::PluginListModel::BadgeRole).toInt(), 1, kWaitMs);
        QCOMPARE(inboxRow().data(Qt::AccessibleTextRole).toString(), QStringLiteral("Inbox, 1 new"));
        QVERIFY(app.screenshot(QStringLiteral("office-inbox-unread")));
        QVERIFY(app.clickSidebar(inboxRow().row()));
        QTRY_COMPARE_WITH_TIMEOUT(app.window->currentPlugin(), QStringLiteral("peek_plugin_inbox"), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(findItem(qobject_cast<QQuickItem *>(app.content()), QStringLiteral("task0"))
                                     && app.window->pluginView()->property("settled").toBool(),
                                 kWaitMs);
        QVERIFY(app.screenshot(QStringLiteral("office-inbox")));
        QVERIFY(app.click(findItem(qobject_cast<QQuickItem *>(app.content()), QStringLiteral("task0"))));
        QTRY_COMPARE_WITH_TIMEOUT(app.window->currentPlugin(), kTutorial, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(inboxRow().data(peek::app::PluginListModel::BadgeRole).toInt(), 0, kWaitMs);
    }

    void changeServerConnectsAndRemembers()
    {
        QTemporaryDir serverHome, appDir;
        const Ports ports;
        QVERIFY(testing::writeConfig(serverHome.path(), ports,
                                     {QStringLiteral("logic"), QStringLiteral("office")},
                                     {kTutorial}));
        ServerProcess server(serverHome.path());
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());

        const QUrl nowhere = serviceUrl(testing::freePort());
        OfficeApp app(appDir.path(), nowhere, QSize(1100, 700), QStringLiteral("tutorial"));
        QVERIFY(app.show());
        QTRY_COMPARE_WITH_TIMEOUT(app.connection(), QStringLiteral("Offline"), kWaitMs);
        QVERIFY(app.window->showsEmptyState());
        QCOMPARE(
            app.window->findChild<QLabel *>(QStringLiteral("emptyText"))
                ->text()
                .contains(QLatin1String("Plugins appear once Peek has reached the office service")),
            true);
        QCOMPARE(app.window->currentPlugin(), QString());
        QVERIFY(app.screenshot(QStringLiteral("office-empty")));

        app.window->setServerUrl(serviceUrl(ports.office));
        QCOMPARE(QSettings().value(QStringLiteral("office/serverUrl")).toUrl(),
                 serviceUrl(ports.office));
        QTRY_COMPARE_WITH_TIMEOUT(app.connection(), QStringLiteral("Online"), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(app.window->currentPlugin(), kTutorial,
                                  kWaitMs); // the start page
        QTRY_VERIFY_WITH_TIMEOUT(app.rowCount() >= 2, kWaitMs);

        // A window made without an address uses the remembered one.
        OfficeApp again(appDir.path() + QStringLiteral("-again"), QUrl());
        QCOMPARE(again.window->serverUrl(), serviceUrl(ports.office));
    }

    // The window's geometry and the sidebar's width come back in the next window.
    void geometryIsRemembered()
    {
        QTemporaryDir appDir;
        const QUrl nowhere = serviceUrl(testing::freePort());
        const QRect geometry(40, 30, 720, 520);
        {
            OfficeApp first(appDir.path(), nowhere, QSize());
            QVERIFY(first.show());
            first.window->setGeometry(geometry);
            QTRY_COMPARE(first.window->geometry(), geometry);
            // The splitter has its new width before its sizes are set (else they are scaled).
            QTRY_COMPARE(first.window->splitter()->width(), geometry.width());
            first.window->splitter()->setSizes({300, 420});
            QTRY_COMPARE(first.window->splitter()->sizes().value(0), 300);
            QVERIFY(first.window->close());
        }
        OfficeApp second(appDir.path(), nowhere, QSize());
        QVERIFY(second.show());
        QCOMPARE(second.window->size(), geometry.size());
        QCOMPARE(second.window->geometry(), geometry);
        QTRY_COMPARE(second.window->splitter()->sizes().value(0), 300);
    }
};

QTEST_MAIN(TestOfficeApp)
#include "tst_officeapp.moc"
