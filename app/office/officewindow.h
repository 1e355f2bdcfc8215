#pragma once

#include "session.h"

#include "failedactionsdialog.h"

#include <QMainWindow>
#include <QPointer>
#include <QSize>
#include <QString>
#include <QUrl>

#include <memory>

class QAbstractButton;
class QAction;
class QLabel;
class QListView;
class QModelIndex;
class QQuickItem;
class QQuickWidget;
class QSplitter;
class QSystemTrayIcon;
class QStackedWidget;
class QVBoxLayout;

namespace peek::app {

class SecretStore;


class PluginListModel;

// The office app's main window (Widgets): a sidebar of the plugins with an office view, the
// selected plugin's QML view hosted on the right (a QQuickWidget whose engine uses this window's
// Session), menus, and a status bar with the link state, the action queue and the last sync.
// Its geometry, dock/toolbar state and sidebar width are remembered between starts (QSettings
// "office/..."), and so is the server address.
class OfficeWindow final : public QMainWindow {
    Q_OBJECT
public:
    struct Options {
        QUrl serverUrl; // empty: the remembered one; none: a "Choose Server" page
        QString dataDir; // the session's data directory
        QSize size; // window size; empty: the remembered geometry
        QString startPage; // plugin to open once listed ("", "home": the first one)
        Session::Options session; // transport and queue settings (tests shorten the backoffs)
    };

    explicit OfficeWindow(Options options, QWidget *parent = nullptr);
    ~OfficeWindow() override;

    // Process-wide look shared by the Widgets and the QML views (Fusion in both); call once
    // after the QApplication exists and before the first window.
    static void prepareApplication();

    // Null until a server address is known.
    Session *session() const { return m_session.get(); }
    QUrl serverUrl() const { return m_serverUrl; }
    // The plugin shown ("" for none).
    QString currentPlugin() const { return m_currentPlugin; }
    // Shows a listed plugin, by name ("peek_plugin_tutorial"), short name ("tutorial") or title;
    // false when no such plugin is listed.
    bool selectPlugin(const QString &plugin);
    // A plugin's notification: a tray message (a click selects `plugin`) and the status bar.
    void notify(const QString &plugin, const QString &title, const QString &text);
    // Remembers the address and reconnects to it at once (a new session and a new view; the
    // data directory, with its offline cache and queued actions, stays).
    void setServerUrl(const QUrl &url);

    // Parts, for tests and screenshots.
    QListView *sidebar() const { return m_sidebar; }
    QSplitter *splitter() const { return m_splitter; }
    QQuickWidget *quickWidget() const { return m_quick; }
    QQuickItem *pluginView() const; // the PluginView item in the quick widget; null without one
    bool showsEmptyState() const; // the "no plugins yet" page is shown instead of a view
    QLabel *connectionLabel() const { return m_connectionLabel; }
    QLabel *queuedLabel() const { return m_queuedLabel; }
    QAbstractButton *failedButton() const { return m_failedButton; }
    QLabel *syncLabel() const { return m_syncLabel; }
    FailedActionsDialog *failedActionsDialog() const { return m_failedDialog; }

public Q_SLOTS:
    void changeServer(); // asks for host:port
    void reloadView(); // the selected plugin's view, created anew
    void refreshPlugins(); // the plugin list, fetched from the service now
    void retryFailedActions(); // every failed action back to the queue
    void discardFailedActions(); // asks, then drops every failed action
    void showFailedActions();
    void showAbout();

Q_SIGNALS:
    void pluginSelected(const QString &plugin);

protected:
    void closeEvent(QCloseEvent *event) override;

private Q_SLOTS:
    // From OfficeHost.qml: a plugin's badge number, for its sidebar row.
    void onBadgeChanged(const QString &plugin, int count);

private:
    void buildMenus();
    void buildStatusBar();
    QWidget *buildSidebar();
    QWidget *buildContent();
    void restoreSettings();
    void saveSettings() const;

    void startSession();
    void stopSession();
    void onPluginsReset();
    void onCurrentRowChanged(const QModelIndex &current);
    void showPlugin(const QString &plugin);
    int rowOf(const QString &plugin) const;
    void updatePage();
    void updateHeader();
    void updateConnectionState();
    void updateQueueCounts();
    void updateSyncTime();

    Options m_options;
    QUrl m_serverUrl;
    std::unique_ptr<SecretStore> m_secrets; // the device token's keychain (made on first use)
    std::unique_ptr<Session> m_session;
    QString m_sessionError; // why the session could not start ("" when it did)
    QSystemTrayIcon *m_tray = nullptr; // made for the first notification, where there is a tray
    QString m_notifiedPlugin;          // the last notification's plugin (a click on it opens it)
    QString m_currentPlugin;
    QString m_pendingStartPage; // opened as soon as it is listed
    bool m_selectingRow = false; // the window, not the user, changes the sidebar's row

    QSplitter *m_splitter = nullptr;
    QListView *m_sidebar = nullptr;
    PluginListModel *m_pluginList = nullptr;
    QLabel *m_serverLabel = nullptr;
    QStackedWidget *m_pages = nullptr;
    QWidget *m_emptyPage = nullptr;
    QLabel *m_emptyTitle = nullptr;
    QLabel *m_emptyText = nullptr;
    QAbstractButton *m_emptyButton = nullptr;
    QWidget *m_viewPage = nullptr;
    QVBoxLayout *m_viewLayout = nullptr;
    QLabel *m_titleLabel = nullptr;
    QLabel *m_subtitleLabel = nullptr;
    QQuickWidget *m_quick = nullptr; // one per session: its engine is attached to that session

    QLabel *m_connectionLabel = nullptr;
    QLabel *m_queuedLabel = nullptr;
    QAbstractButton *m_failedButton = nullptr;
    QLabel *m_syncLabel = nullptr;
    QAction *m_retryAction = nullptr;
    QAction *m_discardAction = nullptr;
    QAction *m_reloadAction = nullptr;
    QAction *m_refreshAction = nullptr;
    QPointer<FailedActionsDialog> m_failedDialog;
};

} // namespace peek::app
