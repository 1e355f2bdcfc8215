#pragma once

#include "admin/adminapi.h"
#include "admin/adminclient.h"
#include "rowtablemodel.h"

#include <QDeadlineTimer>
#include <QMainWindow>
#include <QPointer>
#include <QSize>
#include <QUrl>

#include <memory>

class QComboBox;
class QGroupBox;
class QQuickItem;
class QQuickWidget;
class QStandardItemModel;
class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QSplitter;
class QStackedWidget;
class QTableView;
class QTimer;

namespace peek {
class TupleSubscription;
}

namespace peek::app {

class SecretStore;
class Session;

// `peek admin`: the admin window (Widgets) on logic's admin port. A login page (the logic
// address, checked and remembered; the admin user, remembered; the session kept in the keychain
// and resumed at the next start), then a sidebar of live pages: Dashboard, Plugins, Devices,
// Users, Tasks, Logs, Audit. Each table sorts and filters, its actions are buttons, context-menu
// entries and keys, destructive ones ask first. Geometry, page and column widths are remembered
// (QSettings "admin/...").
class AdminWindow final : public QMainWindow
{
    Q_OBJECT
public:
    struct Options
    {
        QUrl serverUrl;    // empty: the remembered one; none: asked on the login page
        QSize size;        // empty: the remembered geometry
        QString startPage; // a page's key (dashboard, plugins, ...) to open after the login
        bool confirm = true; // ask before destructive actions (tests drive them without dialogs)
        QString dataDir;     // the plugins' admin views kept on this desktop; empty: the app data location
    };
    // `secrets`: where the session token goes (not owned); null: the system keychain.
    explicit AdminWindow(Options options, SecretStore *secrets = nullptr, QWidget *parent = nullptr);
    ~AdminWindow() override;

    static QStringList pageKeys(); // dashboard, plugins, devices, users, tasks, logs, audit

    // "login" (the login page), "busy" (connecting or logging in), "ready" (the pages).
    QString state() const { return m_state; }
    QString currentPage() const;
    bool showPage(const QString &key);
    AdminClient *client() const { return m_client.get(); }

    // Parts, for tests and screenshots.
    QLineEdit *serverEdit() const { return m_serverEdit; }
    QLineEdit *userEdit() const { return m_userEdit; }
    QLineEdit *passwordEdit() const { return m_passwordEdit; }
    QPushButton *loginButton() const { return m_loginButton; }
    QLabel *loginMessage() const { return m_loginMessage; }
    QTableView *table(const QString &page) const;
    RowTableModel *model(const QString &page) const;
    QLineEdit *filter(const QString &page) const;
    QProgressBar *installProgress() const { return m_installProgress; }
    QLabel *installStatus() const { return m_installStatus; }
    QLabel *dashboardText() const { return m_dashboard; }
    // The settings form of the plugin selected on the Plugins page (its editors are named
    // "setting_<key>", their errors "settingError_<key>", the button "saveSettings").
    QGroupBox *settingsForm() const { return m_settingsBox; }
    // The Users page's directories (LDAP / Active Directory) and what their test said.
    QLabel *directoriesText() const { return m_directoriesText; }
    // The selected plugin's own admin view (ui.admin), hosted in the Plugins page: the
    // QQuickWidget, and the view's root item once loaded (null before).
    QQuickWidget *adminView() const { return m_adminView; }
    QQuickItem *adminViewItem() const;
    QLabel *directoryTestResult() const { return m_directoryTest; }
    // The row of `page`'s table whose `key` field is `value` selected; false when none.
    bool selectRow(const QString &page, const QString &key, const QString &value);

public Q_SLOTS:
    // Uploads and installs a .peekplugin file (what a drop on the Plugins page and Install... do),
    // then follows it onto every service.
    void installPackage(const QString &file);
    void logOut();

private Q_SLOTS:
    void onAdminViewSet(const QString &key, const QVariant &value);

Q_SIGNALS:
    void stateChanged(const QString &state);
    void installFinished(bool everywhere);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    struct Page;
    QWidget *buildLoginPage();
    QWidget *buildMainPage();
    Page &addTablePage(const QString &key, const QString &title, QList<RowTableModel::Column> columns, const QString &rowKey);
    void addAction(Page &page, const QString &name, const QString &text, const QKeySequence &shortcut,
                   std::function<void(const Dict &row)> run, bool destructive = false);
    void setState(const QString &state);
    void startLogin();
    void connectTo(const QUrl &url, std::function<void()> then);
    void onLoggedIn(const AdminLogin &login, const QString &token);
    void showLoginPage(const QString &message);
    void watchEverything();
    void refreshServices();
    void refreshDashboard();
    void refreshTasks();
    void refreshAudit();
    void readLogs(bool fromStart);
    // The settings form for `plugin` (read from logic), or none.
    void loadSettings(const QString &plugin);
    void saveSettings(const QString &plugin);
    void refreshDirectories();
    // The admin view of the plugin whose settings show (when it has one on this desktop).
    void showAdminView();
    // The plugins' admin views' own link to logic (a Session in mode "admin" on the admin's
    // session): their bundles, observables and table edits; opened at login, closed with it.
    void openViewLink(const QString &token);
    void closeViewLink();
    QString dataDir() const;
    void testDirectories();
    // Runs an administration RPC; failures go to the status bar and a message box.
    void run(const Rpc &rpc, const ValueList &args, const Dict &kwargs, const QString &done);
    bool confirm(const QString &question);
    void restoreSettings();
    void saveWindowSettings() const;
    QString sessionKey() const;

    Options m_options;
    std::unique_ptr<SecretStore> m_ownSecrets;
    SecretStore *m_secrets = nullptr;
    std::unique_ptr<AdminClient> m_client;
    QString m_state;
    QString m_token;
    QUrl m_url;

    QStackedWidget *m_top = nullptr;
    QLineEdit *m_serverEdit = nullptr;
    QLineEdit *m_userEdit = nullptr;
    QLineEdit *m_passwordEdit = nullptr;
    QPushButton *m_loginButton = nullptr;
    QLabel *m_loginMessage = nullptr;
    QListWidget *m_sidebar = nullptr;
    QStackedWidget *m_pages = nullptr;
    QLabel *m_dashboard = nullptr;
    QLabel *m_linkLabel = nullptr;
    QProgressBar *m_installProgress = nullptr;
    QLabel *m_installStatus = nullptr;
    QSplitter *m_pluginsSplit = nullptr; // the plugins' table above, the selected one's details below
    QWidget *m_pluginDetails = nullptr;   // below the table while a plugin is selected
    QGroupBox *m_settingsBox = nullptr;
    QString m_settingsPlugin;
    QList<Dict> m_settings; // as logic answered: key, type, value, default, stored, description
    std::unique_ptr<Session> m_viewLink;
    QQuickWidget *m_adminView = nullptr;
    QStandardItemModel *m_adminSettings = nullptr; // the settings as the admin view reads them
    QLabel *m_directoriesText = nullptr;
    QLabel *m_directoryTest = nullptr;
    QComboBox *m_logService = nullptr;
    QComboBox *m_logLevel = nullptr;
    QCheckBox *m_logFollow = nullptr;
    QTimer *m_poll = nullptr;
    std::vector<std::unique_ptr<Page>> m_tables;

    QPointer<TupleSubscription> m_services, m_devices, m_users;
    Dict m_tasks; // the last answer of peek_admin.tasks
    qint64 m_logOffset = -1;
    QString m_logKey; // service and level the offset belongs to
    struct Install
    {
        QString name, version;
        QList<Role> roles;
        QDeadlineTimer deadline;
        bool waiting = false;
    } m_install;
};

} // namespace peek::app
