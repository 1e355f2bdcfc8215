#include "officewindow.h"

#include "officestyle.h"
#include "pluginlistmodel.h"

#include "appwindow.h"
#include "deviceid.h"
#include "failedactionsdialog.h"
#include "fallbacksecretstore.h"
#include "pluginbundles.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QHash>
#include <QIcon>
#include <QIdentityProxyModel>
#include <QInputDialog>
#include <QLabel>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QQmlEngine>
#include <QQmlError>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWidget>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace peek::app {

namespace {

const QUrl kHostQml(QStringLiteral("qrc:/peek/office/OfficeHost.qml"));
const QString kMode = QStringLiteral("office");
const QString kServerUrlKey = QStringLiteral("office/serverUrl");
const QString kGeometryKey = QStringLiteral("office/geometry");
const QString kWindowStateKey = QStringLiteral("office/windowState");
const QString kSplitterKey = QStringLiteral("office/splitter");
constexpr int kSidebarWidth = 240;
constexpr int kMessageMs = 6000;

QString displayAddress(const QUrl &url)
{
    if (!url.isValid())
        return {};
    return url.scheme() == QLatin1String("ws") && url.path().isEmpty() ? url.authority()
                                                                       : url.toString();
}

} // namespace

OfficeWindow::OfficeWindow(Options options, QWidget *parent)
    : QMainWindow(parent), m_options(std::move(options))
{
    setObjectName(QStringLiteral("officeWindow"));
    setWindowTitle(tr("Peek Office"));
    setStyleSheet(officeStyleSheet());

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->setHandleWidth(1);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(buildSidebar());
    m_splitter->addWidget(buildContent());
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    setCentralWidget(m_splitter);
    buildMenus();
    buildStatusBar();
    restoreSettings();

    m_serverUrl = m_options.serverUrl;
    if (m_serverUrl.isEmpty())
        m_serverUrl = QSettings().value(kServerUrlKey).toUrl();
    if (!m_serverUrl.isEmpty())
        QSettings().setValue(kServerUrlKey, m_serverUrl);
    const QString start = m_options.startPage;
    if (!start.isEmpty() && start != QLatin1String("home"))
        m_pendingStartPage = start;
    startSession();
}

OfficeWindow::~OfficeWindow()
{
    stopSession();
}

void OfficeWindow::prepareApplication()
{
    // Fusion in both worlds, so the plugin views look like the widgets around them.
    QApplication::setStyle(QStringLiteral("Fusion"));
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    QApplication::setWindowIcon(letterIcon(QStringLiteral("P")));
}

// --- building --------------------------------------------------------------------------------

QWidget *OfficeWindow::buildSidebar()
{
    auto *panel = new QWidget;
    panel->setObjectName(QStringLiteral("sidebarPanel"));
    panel->setAttribute(Qt::WA_StyledBackground);
    panel->setMinimumWidth(170);

    auto *heading = new QLabel(tr("PLUGINS"), panel);
    heading->setObjectName(QStringLiteral("sidebarHeading"));
    QFont small = heading->font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    heading->setFont(small);

    m_pluginList = new PluginListModel(this);
    m_sidebar = new QListView(panel);
    m_sidebar->setObjectName(QStringLiteral("sidebar"));
    m_sidebar->setModel(m_pluginList);
    m_sidebar->setItemDelegate(new PluginListDelegate(m_sidebar));
    m_sidebar->setIconSize(QSize(22, 22));
    m_sidebar->setSelectionMode(QAbstractItemView::SingleSelection);
    m_sidebar->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_sidebar->setUniformItemSizes(true);
    m_sidebar->setFrameShape(QFrame::NoFrame);
    m_sidebar->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    QFont itemFont = m_sidebar->font();
    itemFont.setPointSizeF(itemFont.pointSizeF() * 1.1);
    m_sidebar->setFont(itemFont);
    m_sidebar->setAccessibleName(tr("Plugins"));
    connect(m_sidebar->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) { onCurrentRowChanged(current); });

    m_serverLabel = new QLabel(panel);
    m_serverLabel->setObjectName(QStringLiteral("serverLabel"));
    m_serverLabel->setFont(small);
    m_serverLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 14, 0, 10);
    layout->setSpacing(6);
    auto *headingRow = new QHBoxLayout;
    headingRow->setContentsMargins(18, 0, 18, 2);
    headingRow->addWidget(heading);
    layout->addLayout(headingRow);
    layout->addWidget(m_sidebar, 1);
    auto *footer = new QHBoxLayout;
    footer->setContentsMargins(18, 0, 18, 0);
    footer->addWidget(m_serverLabel);
    layout->addLayout(footer);
    return panel;
}

QWidget *OfficeWindow::buildContent()
{
    m_pages = new QStackedWidget;
    m_pages->setObjectName(QStringLiteral("pages"));

    // The empty state: no server yet, or no plugin on the device yet.
    m_emptyPage = new QWidget(m_pages);
    m_emptyPage->setObjectName(QStringLiteral("emptyPage"));
    m_emptyPage->setAttribute(Qt::WA_StyledBackground);
    auto *picture = new QLabel(m_emptyPage);
    picture->setPixmap(serverPicture(96, devicePixelRatioF()));
    picture->setAlignment(Qt::AlignCenter);
    m_emptyTitle = new QLabel(m_emptyPage);
    m_emptyTitle->setObjectName(QStringLiteral("emptyTitle"));
    m_emptyTitle->setAlignment(Qt::AlignCenter);
    QFont titleFont = m_emptyTitle->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.5);
    titleFont.setBold(true);
    m_emptyTitle->setFont(titleFont);
    m_emptyText = new QLabel(m_emptyPage);
    m_emptyText->setObjectName(QStringLiteral("emptyText"));
    m_emptyText->setAlignment(Qt::AlignCenter);
    m_emptyText->setWordWrap(true);
    auto *button = new QPushButton(tr("Change Server…"), m_emptyPage);
    button->setObjectName(QStringLiteral("emptyChangeServer"));
    button->setCursor(Qt::PointingHandCursor);
    connect(button, &QPushButton::clicked, this, &OfficeWindow::changeServer);
    m_emptyButton = button;
    // A column of fixed width keeps the wrapped text a readable measure in any window size.
    auto *column = new QWidget(m_emptyPage);
    column->setMaximumWidth(440);
    column->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    auto *columnLayout = new QVBoxLayout(column);
    columnLayout->setContentsMargins(0, 0, 0, 0);
    columnLayout->setSpacing(8);
    columnLayout->addWidget(picture, 0, Qt::AlignHCenter);
    columnLayout->addSpacing(8);
    columnLayout->addWidget(m_emptyTitle);
    columnLayout->addWidget(m_emptyText);
    columnLayout->addSpacing(10);
    columnLayout->addWidget(m_emptyButton, 0, Qt::AlignHCenter);
    auto *emptyLayout = new QVBoxLayout(m_emptyPage);
    auto *centred = new QHBoxLayout;
    centred->addStretch(1);
    centred->addWidget(column);
    centred->addStretch(1);
    emptyLayout->addStretch(3);
    emptyLayout->addLayout(centred);
    emptyLayout->addStretch(4);

    // The plugin's page: its title above its QML view (the quick widget joins with a session).
    m_viewPage = new QWidget(m_pages);
    m_viewPage->setObjectName(QStringLiteral("viewPage"));
    auto *header = new QWidget(m_viewPage);
    header->setObjectName(QStringLiteral("viewHeader"));
    header->setAttribute(Qt::WA_StyledBackground);
    m_titleLabel = new QLabel(header);
    m_titleLabel->setObjectName(QStringLiteral("viewTitle"));
    QFont headerFont = m_titleLabel->font();
    headerFont.setPointSizeF(headerFont.pointSizeF() * 1.45);
    headerFont.setBold(true);
    m_titleLabel->setFont(headerFont);
    m_subtitleLabel = new QLabel(header);
    m_subtitleLabel->setObjectName(QStringLiteral("viewSubtitle"));
    auto *headerLayout = new QVBoxLayout(header);
    headerLayout->setContentsMargins(24, 14, 24, 12);
    headerLayout->setSpacing(2);
    headerLayout->addWidget(m_titleLabel);
    headerLayout->addWidget(m_subtitleLabel);
    m_viewLayout = new QVBoxLayout(m_viewPage);
    m_viewLayout->setContentsMargins(0, 0, 0, 0);
    m_viewLayout->setSpacing(0);
    m_viewLayout->addWidget(header);

    m_pages->addWidget(m_emptyPage);
    m_pages->addWidget(m_viewPage);
    return m_pages;
}

void OfficeWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *server = file->addAction(tr("Change &server…"), this, &OfficeWindow::changeServer);
    server->setObjectName(QStringLiteral("changeServerAction"));
    QAction *logOut = file->addAction(tr("&Log Out"), this, [this] {
        if (m_session)
            m_session->logout();
    });
    logOut->setObjectName(QStringLiteral("logOutAction"));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    m_reloadAction = view->addAction(style()->standardIcon(QStyle::SP_BrowserReload),
                                     tr("&Reload Plugin View"), this, &OfficeWindow::reloadView);
    m_reloadAction->setShortcut(QKeySequence(Qt::Key_F5));
    m_refreshAction
        = view->addAction(tr("Refresh Plugin &List"), this, &OfficeWindow::refreshPlugins);
    m_refreshAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));

    QMenu *actions = menuBar()->addMenu(tr("&Actions"));
    m_retryAction
        = actions->addAction(tr("&Retry Failed Actions"), this, &OfficeWindow::retryFailedActions);
    m_discardAction = actions->addAction(tr("&Discard Failed Actions…"), this,
                                         &OfficeWindow::discardFailedActions);
    actions->addSeparator();
    actions->addAction(tr("&Show Failed Actions…"), this, &OfficeWindow::showFailedActions);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = help->addAction(tr("&About Peek"), this, &OfficeWindow::showAbout);
    about->setMenuRole(QAction::AboutRole);
}

void OfficeWindow::buildStatusBar()
{
    QStatusBar *bar = statusBar();
    bar->setSizeGripEnabled(false);
    bar->setContentsMargins(8, 2, 8, 2);

    m_connectionLabel = new QLabel(bar);
    m_connectionLabel->setObjectName(QStringLiteral("connectionState"));
    m_connectionLabel->setAlignment(Qt::AlignCenter);
    m_queuedLabel = new QLabel(bar);
    m_queuedLabel->setObjectName(QStringLiteral("queuedLabel"));
    auto *failed = new QToolButton(bar);
    failed->setObjectName(QStringLiteral("failedButton"));
    failed->setAutoRaise(true);
    failed->setCursor(Qt::PointingHandCursor);
    failed->setToolTip(tr("Shows the failed actions, to retry or discard them"));
    connect(failed, &QToolButton::clicked, this, &OfficeWindow::showFailedActions);
    m_failedButton = failed;
    m_syncLabel = new QLabel(bar);
    m_syncLabel->setObjectName(QStringLiteral("syncLabel"));

    bar->addPermanentWidget(m_queuedLabel);
    bar->addPermanentWidget(m_failedButton);
    bar->addPermanentWidget(m_syncLabel);
    bar->addPermanentWidget(m_connectionLabel);
    updateConnectionState();
    updateQueueCounts();
    updateSyncTime();
}

// --- settings --------------------------------------------------------------------------------

void OfficeWindow::restoreSettings()
{
    const QSettings settings;
    const bool restored = restoreGeometry(settings.value(kGeometryKey).toByteArray());
    if (m_options.size.isValid())
        resize(m_options.size);
    else if (!restored)
        resize(1180, 760);
    restoreState(settings.value(kWindowStateKey).toByteArray());
    if (!m_splitter->restoreState(settings.value(kSplitterKey).toByteArray()))
        m_splitter->setSizes({kSidebarWidth, qMax(width() - kSidebarWidth, 400)});
}

void OfficeWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kWindowStateKey, saveState());
    settings.setValue(kSplitterKey, m_splitter->saveState());
}

void OfficeWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    if (m_failedDialog)
        m_failedDialog->close();
    QMainWindow::closeEvent(event);
}

// --- the session -----------------------------------------------------------------------------

void OfficeWindow::startSession()
{
    m_sessionError.clear();
    m_serverLabel->setText(
        m_serverUrl.isEmpty() ? tr("No server") : tr("Server %1").arg(displayAddress(m_serverUrl)));
    m_serverLabel->setToolTip(m_serverUrl.toString());
    if (m_serverUrl.isEmpty()) {
        onPluginsReset();
        updateConnectionState();
        updateQueueCounts();
        updateSyncTime();
        return;
    }
    // The device presents itself on every connection (peek_core_device); the session dials once
    // the device's token is read from the keychain.
    Session::Options sessionOptions = m_options.session;
    sessionOptions.presentDevice = true;
    m_session = std::make_unique<Session>(m_serverUrl, kMode, m_options.dataDir, sessionOptions);
    if (!m_session->isReady()) {
        m_sessionError = m_session->errorString();
        qWarning().noquote() << "peek:" << m_sessionError;
        m_session.reset();
        onPluginsReset();
        updateConnectionState();
        return;
    }
    Session *session = m_session.get();
    connect(session, &Session::connectionStateChanged, this, [this] {
        updateConnectionState();
        updatePage();
    });
    connect(session, &Session::queuedActionsChanged, this, &OfficeWindow::updateQueueCounts);
    connect(session, &Session::failedActionsChanged, this, &OfficeWindow::updateQueueCounts);
    connect(session, &Session::lastSyncTimeChanged, this, &OfficeWindow::updateSyncTime);
    connect(session, &Session::deviceStateChanged, this, &OfficeWindow::updatePage);
    connect(session, &Session::userChanged, this, &OfficeWindow::updatePage);
    // A plugin's notification (an inbox task arrived): a tray message where the desktop has a
    // tray (a click opens the plugin), else the status bar.
    connect(session, &Session::notificationRequested, this,
            [this](const QString &plugin, const QString &title, const QString &text, bool) { notify(plugin, title, text); });
    // A view opens another plugin's view (an inbox task's route).
    connect(session, &Session::openPluginRequested, this, [this](const QString &plugin) {
        if (!selectPlugin(plugin))
            statusBar()->showMessage(tr("%1 is not available on this server").arg(plugin), 5000);
    });
    if (!m_secrets)
        m_secrets = std::make_unique<FallbackSecretStore>(QStringLiteral("peek-office"));
    QPointer<Session> presenting = session;
    const QString dataDir = m_options.dataDir;
    SecretStore *store = m_secrets.get();
    ensureDeviceToken(store, [store, presenting, dataDir](const SecretResult &result) {
        if (!result.ok) {
            qWarning().noquote() << "peek: cannot keep the device token:" << result.error;
            return;
        }
        const auto deviceId = loadOrCreateDeviceId(dataDir);
        if (!deviceId) {
            qWarning().noquote() << "peek: cannot present this device:" << deviceId.error().message();
            return;
        }
        const QString token = QString::fromLatin1(result.value);
        store->read(SecretStore::userTokenKey(), [presenting, id = deviceId.value(), token](const SecretResult &user) {
            if (presenting)
                presenting->presentDevice(id, token, user.ok ? QString::fromLatin1(user.value) : QString());
        });
    });
    connect(session, &Session::userTokenChanged, store, [store](const QString &userToken) {
        if (userToken.isEmpty())
            store->remove(SecretStore::userTokenKey());
        else
            store->write(SecretStore::userTokenKey(), userToken.toLatin1());
    });
    PluginBundles *plugins = session->plugins();
    connect(plugins, &PluginBundles::modelReset, this, &OfficeWindow::onPluginsReset);
    connect(plugins, &PluginBundles::refreshingChanged, this, &OfficeWindow::updatePage);
    connect(plugins, &PluginBundles::refreshed, this, [this, plugins](bool complete) {
        if (!complete)
            statusBar()->showMessage(plugins->lastError(), kMessageMs);
    });
    m_pluginList->setSourceModel(plugins);

    // The view's engine finds this session (attachTo) before any Peek type is created.
    m_quick = new QQuickWidget(m_viewPage);
    m_quick->setObjectName(QStringLiteral("pluginHost"));
    m_quick->setResizeMode(QQuickWidget::SizeRootObjectToView);
    m_quick->setClearColor(Qt::white);
    m_quick->engine()->addImportPath(QStringLiteral("qrc:/qt/qml"));
    session->attachTo(m_quick->engine());
    m_quick->setSource(kHostQml);
    for (const QQmlError &error : m_quick->errors())
        qWarning().noquote() << "peek:" << error.toString();
    if (QQuickItem *root = m_quick->rootObject())
        connect(root, SIGNAL(badgeChanged(QString,int)), this, SLOT(onBadgeChanged(QString,int)));
    m_viewLayout->addWidget(m_quick, 1);

    onPluginsReset();
    updateConnectionState();
    updateQueueCounts();
    updateSyncTime();
}

void OfficeWindow::stopSession()
{
    if (m_failedDialog)
        delete m_failedDialog;
    // QML first: its observers hold subscriptions of the session.
    delete m_quick;
    m_quick = nullptr;
    if (m_pluginList) {
        m_pluginList->setSourceModel(nullptr);
        m_pluginList->clearBadges(); // the next session's observers report their own
    }
    m_session.reset(); // a session being destroyed announces nothing (~Session)
}

void OfficeWindow::setServerUrl(const QUrl &url)
{
    if (!url.isValid())
        return;
    QSettings().setValue(kServerUrlKey, url);
    if (url == m_serverUrl && m_session)
        return;
    stopSession();
    m_serverUrl = url;
    if (m_pendingStartPage.isEmpty())
        m_pendingStartPage = m_currentPlugin; // the same plugin again, once listed
    m_currentPlugin.clear();
    startSession();
    statusBar()->showMessage(tr("Connecting to %1").arg(displayAddress(url)), kMessageMs);
}

// --- plugins and the view --------------------------------------------------------------------

int OfficeWindow::rowOf(const QString &plugin) const
{
    if (plugin.isEmpty() || !m_session)
        return -1;
    return m_session->plugins()->rowOf(plugin);
}

void OfficeWindow::onBadgeChanged(const QString &plugin, int count)
{
    m_pluginList->setBadge(plugin, count);
}

void OfficeWindow::notify(const QString &plugin, const QString &title, const QString &text)
{
    m_notifiedPlugin = plugin;
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        if (!m_tray) {
            m_tray = new QSystemTrayIcon(windowIcon(), this);
            m_tray->setToolTip(tr("Peek Office"));
            connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
                showNormal();
                activateWindow();
                selectPlugin(m_notifiedPlugin);
            });
            m_tray->show();
        }
        m_tray->showMessage(title, text, QSystemTrayIcon::Information, kMessageMs);
    }
    statusBar()->showMessage(text.isEmpty() ? title : tr("%1: %2").arg(title, text), kMessageMs);
}

bool OfficeWindow::selectPlugin(const QString &plugin)
{
    const int row = rowOf(plugin);
    if (row < 0)
        return false;
    m_pendingStartPage.clear();
    m_sidebar->setCurrentIndex(m_pluginList->index(row, 0));
    return true;
}

void OfficeWindow::onPluginsReset()
{
    int row = -1;
    if (!m_pendingStartPage.isEmpty()) {
        row = rowOf(m_pendingStartPage);
        if (row >= 0)
            m_pendingStartPage.clear();
    }
    if (row < 0)
        row = rowOf(m_currentPlugin);
    if (row < 0 && m_pluginList->rowCount() > 0)
        row = 0;
    m_selectingRow = true;
    if (row >= 0)
        m_sidebar->setCurrentIndex(m_pluginList->index(row, 0));
    else
        showPlugin({});
    m_selectingRow = false;
    updateHeader();
    updatePage();
}

void OfficeWindow::onCurrentRowChanged(const QModelIndex &current)
{
    if (!current.isValid())
        return;
    if (!m_selectingRow)
        m_pendingStartPage.clear(); // the user chose
    showPlugin(current.data(PluginBundles::PluginRole).toString());
}

void OfficeWindow::showPlugin(const QString &plugin)
{
    if (plugin == m_currentPlugin)
        return;
    m_currentPlugin = plugin;
    if (m_quick && m_quick->rootObject())
        m_quick->rootObject()->setProperty("plugin", plugin);
    updateHeader();
    updatePage();
    Q_EMIT pluginSelected(plugin);
}

QQuickItem *OfficeWindow::pluginView() const
{
    QQuickItem *root = m_quick ? m_quick->rootObject() : nullptr;
    return root ? root->findChild<QQuickItem *>(QStringLiteral("pluginView")) : nullptr;
}

bool OfficeWindow::showsEmptyState() const
{
    return m_pages->currentWidget() == m_emptyPage;
}

void OfficeWindow::updateHeader()
{
    const QVariantMap entry
        = m_session ? m_session->plugins()->find(m_currentPlugin) : QVariantMap();
    const QString title = entry.value(QStringLiteral("title"), m_currentPlugin).toString();
    m_titleLabel->setText(title);
    QStringList about;
    const QString version = entry.value(QStringLiteral("version")).toString();
    if (!version.isEmpty())
        about << tr("Version %1").arg(version);
    about << m_currentPlugin;
    m_subtitleLabel->setText(about.join(QStringLiteral("  ·  ")));
    setWindowTitle(title.isEmpty() ? tr("Peek Office") : tr("%1 — Peek Office").arg(title));
    if (m_reloadAction)
        m_reloadAction->setEnabled(m_quick && !m_currentPlugin.isEmpty());
}

void OfficeWindow::updatePage()
{
    const bool hasPlugins = m_session && m_pluginList->rowCount() > 0;
    // A device the service said it does not serve yet sees the enrolment screens there
    // (OfficeHost.qml); before the first word from the service, the usual empty page.
    const bool gated = m_session && m_session->presentsDevice() && !m_session->served()
        && !m_session->deviceState().isEmpty();
    if (m_refreshAction)
        m_refreshAction->setEnabled(m_session != nullptr);
    if (hasPlugins || gated) {
        m_pages->setCurrentWidget(m_viewPage);
        return;
    }
    m_pages->setCurrentWidget(m_emptyPage);
    const QString address = displayAddress(m_serverUrl);
    if (m_serverUrl.isEmpty()) {
        m_emptyTitle->setText(tr("Connect to your Peek server"));
        m_emptyText->setText(tr("Tell Peek where the office service runs (host:port); it is "
                                "remembered for the next start."));
        m_emptyButton->setText(tr("Choose Server…"));
    } else if (!m_sessionError.isEmpty()) {
        m_emptyTitle->setText(tr("Peek cannot start"));
        m_emptyText->setText(m_sessionError);
        m_emptyButton->setText(tr("Change Server…"));
    } else if (m_session->connectionState() == QLatin1String("online")
               && !m_session->plugins()->refreshing()) {
        m_emptyTitle->setText(tr("No plugins"));
        m_emptyText->setText(
            tr("The office service at %1 has no plugins with an office view.").arg(address));
        m_emptyButton->setText(tr("Change Server…"));
    } else {
        m_emptyTitle->setText(tr("No plugins yet"));
        m_emptyText->setText(
            m_session->connectionState() == QLatin1String("online")
                ? tr("Fetching the plugins from the office service at %1…").arg(address)
                : tr("Plugins appear once Peek has reached the office service at %1. Peek keeps "
                     "trying; check the address if this stays.")
                      .arg(address));
        m_emptyButton->setText(tr("Change Server…"));
    }
}

// --- the status bar --------------------------------------------------------------------------

void OfficeWindow::updateConnectionState()
{
    const QString state = m_session ? m_session->connectionState() : QString();
    QString text = tr("No server");
    QString colour = QStringLiteral("#78909c");
    if (state == QLatin1String("online")) {
        text = tr("Online");
        colour = QStringLiteral("#2e7d32");
    } else if (state == QLatin1String("connecting")) {
        text = tr("Connecting");
        colour = QStringLiteral("#ef6c00");
    } else if (!state.isEmpty()) {
        text = tr("Offline");
        colour = QStringLiteral("#c62828");
    }
    m_connectionLabel->setText(text);
    m_connectionLabel->setStyleSheet(
        QStringLiteral("QLabel { background: %1; color: white; font-weight: 600; "
                       "border-radius: 9px; padding: 2px 12px; margin: 3px 2px 3px 8px; }")
            .arg(colour));
    m_connectionLabel->setToolTip(m_serverUrl.isEmpty()
                                      ? tr("No server address yet (File › Change Server…)")
                                      : tr("%1: %2").arg(text, m_serverUrl.toString()));
}

void OfficeWindow::updateQueueCounts()
{
    const int queued = m_session ? m_session->queuedActions() : 0;
    const int failed = m_session ? m_session->failedActions() : 0;
    m_queuedLabel->setText(tr("%1 waiting to send").arg(queued));
    m_queuedLabel->setToolTip(tr("Actions kept on this device until the service confirms them"));
    m_failedButton->setText(tr("%1 failed").arg(failed));
    m_failedButton->setEnabled(failed > 0);
    m_failedButton->setStyleSheet(failed > 0 ? QStringLiteral("color: #c62828; font-weight: 600;")
                                             : QString());
    if (m_retryAction)
        m_retryAction->setEnabled(failed > 0);
    if (m_discardAction)
        m_discardAction->setEnabled(failed > 0);
}

void OfficeWindow::updateSyncTime()
{
    const QDateTime time = m_session ? m_session->lastSyncTime() : QDateTime();
    if (!time.isValid()) {
        m_syncLabel->setText(tr("Not synced"));
        m_syncLabel->setToolTip(tr("No data has arrived from the service yet"));
        return;
    }
    const QDateTime local = time.toLocalTime();
    m_syncLabel->setText(tr("Synced %1").arg(local.toString(QStringLiteral("hh:mm:ss"))));
    m_syncLabel->setToolTip(
        tr("Data last arrived %1").arg(QLocale().toString(local, QLocale::LongFormat)));
}

// --- menu actions ----------------------------------------------------------------------------

void OfficeWindow::changeServer()
{
    QString text = displayAddress(m_serverUrl);
    QString prompt = tr("Address of the office service (host:port):");
    for (;;) {
        bool ok = false;
        text = QInputDialog::getText(this, tr("Change Server"), prompt, QLineEdit::Normal, text,
                                     &ok);
        if (!ok)
            return;
        const QUrl url = serverUrlFromInput(text);
        if (url.isValid()) {
            setServerUrl(url);
            return;
        }
        prompt = tr("“%1” is not a server address; type host:port, e.g. "
                    "peek.example.org:8002.\n\nAddress of the office service (host:port):")
                     .arg(text.trimmed());
    }
}

void OfficeWindow::reloadView()
{
    if (QQuickItem *view = pluginView())
        QMetaObject::invokeMethod(view, "reload");
}

void OfficeWindow::refreshPlugins()
{
    if (!m_session)
        return;
    m_session->plugins()->refresh(m_serverUrl);
    statusBar()->showMessage(tr("Fetching the plugin list…"), kMessageMs);
}

void OfficeWindow::retryFailedActions()
{
    if (!m_session)
        return;
    const int count = m_session->retryFailedActions();
    statusBar()->showMessage(count == 1 ? tr("1 failed action queued again")
                                        : tr("%1 failed actions queued again").arg(count),
                             kMessageMs);
}

void OfficeWindow::discardFailedActions()
{
    if (!m_session || m_session->failedActions() == 0)
        return;
    const int failed = m_session->failedActions();
    const auto answer = QMessageBox::question(
        this, tr("Discard Failed Actions"),
        failed == 1 ? tr("Discard the failed action? Its change will not be made.")
                    : tr("Discard %1 failed actions? Their changes will not be made.").arg(failed),
        QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Discard || !m_session)
        return;
    const int count = m_session->discardFailedActions();
    statusBar()->showMessage(count == 1 ? tr("1 failed action discarded")
                                        : tr("%1 failed actions discarded").arg(count),
                             kMessageMs);
}

void OfficeWindow::showFailedActions()
{
    if (!m_failedDialog) {
        m_failedDialog = new FailedActionsDialog(m_session.get(), this);
        m_failedDialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_failedDialog->reload();
    m_failedDialog->show();
    m_failedDialog->raise();
    m_failedDialog->activateWindow();
}

void OfficeWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About Peek"),
        tr("<h3>Peek Office %1</h3>"
           "<p>The office app of Peek: the plugins' desktop views, working offline with the "
           "data last received and the actions queued on this computer.</p>"
           "<table cellspacing='4'>"
           "<tr><td><b>Server</b></td><td>%2</td></tr>"
           "<tr><td><b>Data</b></td><td>%3</td></tr>"
           "<tr><td><b>Qt</b></td><td>%4</td></tr></table>")
            .arg(QStringLiteral(PEEK_VERSION),
                 m_serverUrl.isEmpty() ? tr("none yet") : m_serverUrl.toString().toHtmlEscaped(),
                 QDir::toNativeSeparators(m_options.dataDir).toHtmlEscaped(),
                 QString::fromLatin1(qVersion())));
}

} // namespace peek::app
