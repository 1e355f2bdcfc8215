#include "adminwindow.h"

#include "fallbacksecretstore.h"
#include "pluginbundles.h"
#include "session.h"
#include "plugin/pluginpackage.h"
#include "tuple/tupleselector.h"
#include "vortex/futurecontext.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QQmlEngine>
#include <QQuickItem>
#include <QQuickWidget>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QUuid>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

namespace peek::app {

namespace {

const QString kServerKey = QStringLiteral("admin/serverUrl");
const QString kUserKey = QStringLiteral("admin/userName");
const QString kGeometryKey = QStringLiteral("admin/geometry");
const QString kPageKey = QStringLiteral("admin/page");
const QString kPluginsSplitKey = QStringLiteral("admin/pluginsSplit");
constexpr qint64 kPiece = 256 * 1024;

// What the user typed as logic's admin address: "host", "host:port" or "ws[s]://host:port".
QUrl adminUrlFromInput(const QString &input)
{
    const QString text = input.trimmed();
    QUrl url(text.contains(QLatin1String("://")) ? text : QStringLiteral("ws://") + text);
    if (!url.isValid() || url.host().isEmpty()
        || (url.scheme() != QLatin1String("ws") && url.scheme() != QLatin1String("wss")))
        return {};
    if (url.port() < 0)
        url.setPort(Role::kLogicAdminPort);
    url.setPath(QString());
    return url;
}

QString hostAndPort(const QUrl &url)
{
    return QStringLiteral("%1:%2").arg(url.host()).arg(url.port());
}

QList<Dict> rowsOf(const Value &list)
{
    QList<Dict> out;
    for (const Value &v : list.toList())
        out << (v.type() == Value::Type::Tuple && v.toTuple() ? RowTableModel::fields(*v.toTuple()) : v.toDict());
    return out;
}

} // namespace

// One page of a table: its model, the filtered and sorted view of it, and its actions.
struct AdminWindow::Page
{
    QString key;
    QString rowKey; // the field naming a row (in a destructive action's question)
    QWidget *widget = nullptr;
    RowTableModel *model = nullptr;
    QSortFilterProxyModel *proxy = nullptr;
    QTableView *view = nullptr;
    QLineEdit *filter = nullptr;
    QHBoxLayout *buttons = nullptr;

    // The selected rows (of the model).
    QList<Dict> selected() const
    {
        QList<Dict> out;
        for (const QModelIndex &index : view->selectionModel()->selectedRows())
            out << model->row(proxy->mapToSource(index).row());
        return out;
    }
};

QStringList AdminWindow::pageKeys()
{
    return {QStringLiteral("dashboard"), QStringLiteral("plugins"), QStringLiteral("devices"), QStringLiteral("users"),
            QStringLiteral("tasks"), QStringLiteral("logs"), QStringLiteral("audit")};
}

AdminWindow::AdminWindow(Options options, SecretStore *secrets, QWidget *parent)
    : QMainWindow(parent), m_options(std::move(options)), m_secrets(secrets)
{
    if (!m_secrets) {
        m_ownSecrets = std::make_unique<FallbackSecretStore>(QStringLiteral("peek-admin"));
        m_secrets = m_ownSecrets.get();
    }
    setWindowTitle(tr("Peek Admin"));
    setAcceptDrops(true);
    m_top = new QStackedWidget(this);
    m_top->addWidget(buildLoginPage());
    m_top->addWidget(buildMainPage());
    setCentralWidget(m_top);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *install = file->addAction(tr("&Install Plugin Package..."), this, [this] {
        const QString chosen = QFileDialog::getOpenFileName(this, tr("Install Plugin Package"), QString(),
                                                            tr("Peek plugin packages (*.peekplugin)"));
        if (!chosen.isEmpty())
            installPackage(chosen);
    });
    install->setShortcut(QKeySequence::Open);
    file->addAction(tr("&Log Out"), this, &AdminWindow::logOut);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);
    QMenu *go = menuBar()->addMenu(tr("&Go"));
    for (int i = 0; i < m_sidebar->count(); ++i) {
        QAction *a = go->addAction(m_sidebar->item(i)->text(), this, [this, i] {
            if (m_state == QLatin1String("ready"))
                m_sidebar->setCurrentRow(i);
        });
        a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
    }

    m_linkLabel = new QLabel(this);
    statusBar()->addPermanentWidget(m_linkLabel);
    m_poll = new QTimer(this);
    m_poll->setInterval(2000);
    connect(m_poll, &QTimer::timeout, this, [this] {
        refreshTasks();
        refreshAudit();
        if (m_logFollow->isChecked())
            readLogs(false);
        if (m_install.waiting)
            refreshServices();
    });
    restoreSettings();
    if (m_options.size.isValid())
        resize(m_options.size);
    startLogin();
}

AdminWindow::~AdminWindow()
{
    closeViewLink();
    m_tables.clear();
}

QString AdminWindow::dataDir() const
{
    return m_options.dataDir.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/admin")
                                       : m_options.dataDir;
}

// --- building ------------------------------------------------------------------------------------

QWidget *AdminWindow::buildLoginPage()
{
    auto *page = new QWidget;
    auto *outer = new QVBoxLayout(page);
    auto *box = new QWidget;
    box->setMaximumWidth(420);
    auto *form = new QVBoxLayout(box);
    auto *title = new QLabel(tr("Peek Admin"));
    QFont big = title->font();
    big.setPointSizeF(big.pointSizeF() * 1.8);
    big.setBold(true);
    title->setFont(big);
    auto *intro = new QLabel(tr("Log in to the logic service's admin port as a user with the admin role."));
    intro->setWordWrap(true);
    auto *fields = new QFormLayout;
    m_serverEdit = new QLineEdit;
    m_serverEdit->setObjectName(QStringLiteral("server"));
    m_serverEdit->setPlaceholderText(tr("host:8010 or wss://host:8010"));
    m_userEdit = new QLineEdit;
    m_userEdit->setObjectName(QStringLiteral("userName"));
    m_passwordEdit = new QLineEdit;
    m_passwordEdit->setObjectName(QStringLiteral("password"));
    m_passwordEdit->setEchoMode(QLineEdit::Password);
    fields->addRow(tr("&Logic server:"), m_serverEdit);
    fields->addRow(tr("&User:"), m_userEdit);
    fields->addRow(tr("&Password:"), m_passwordEdit);
    m_loginButton = new QPushButton(tr("Log In"));
    m_loginButton->setObjectName(QStringLiteral("logIn"));
    m_loginButton->setDefault(true);
    m_loginMessage = new QLabel;
    m_loginMessage->setObjectName(QStringLiteral("loginMessage"));
    m_loginMessage->setWordWrap(true);
    m_loginMessage->setStyleSheet(QStringLiteral("color: #b42318;"));
    form->addWidget(title);
    form->addWidget(intro);
    form->addSpacing(12);
    form->addLayout(fields);
    form->addWidget(m_loginButton, 0, Qt::AlignRight);
    form->addWidget(m_loginMessage);
    outer->addStretch(1);
    outer->addWidget(box, 0, Qt::AlignHCenter);
    outer->addStretch(2);

    const auto ready = [this] {
        m_loginButton->setEnabled(m_state != QLatin1String("busy") && !m_serverEdit->text().trimmed().isEmpty()
                                  && !m_userEdit->text().trimmed().isEmpty() && !m_passwordEdit->text().isEmpty());
    };
    for (QLineEdit *edit : {m_serverEdit, m_userEdit, m_passwordEdit}) {
        connect(edit, &QLineEdit::textChanged, this, ready);
        connect(edit, &QLineEdit::returnPressed, m_loginButton, &QPushButton::click);
    }
    connect(this, &AdminWindow::stateChanged, this, ready);
    connect(m_loginButton, &QPushButton::clicked, this, [this] {
        if (!m_loginButton->isEnabled())
            return;
        const QUrl url = adminUrlFromInput(m_serverEdit->text());
        if (!url.isValid()) {
            m_loginMessage->setText(tr("'%1' is not a logic address: use host:8010 or wss://host:8010.")
                                        .arg(m_serverEdit->text().trimmed()));
            return;
        }
        const QString user = m_userEdit->text().trimmed();
        const QString password = m_passwordEdit->text();
        m_loginMessage->clear();
        connectTo(url, [this, user, password] {
            QFuture<AdminLogin> in = m_client->logIn(user, password);
            onFinished(this, in, [this](QFuture<AdminLogin> finished) {
                auto answer = resultOf(finished, tr("cancelled"));
                if (!answer) {
                    showLoginPage(answer.error().message());
                    return;
                }
                if (!answer.value().loggedIn) {
                    showLoginPage(answer.value().message);
                    return;
                }
                onLoggedIn(answer.value(), answer.value().token);
            });
        });
    });
    ready();
    return page;
}

AdminWindow::Page &AdminWindow::addTablePage(const QString &key, const QString &title, QList<RowTableModel::Column> columns,
                                             const QString &rowKey)
{
    auto page = std::make_unique<Page>();
    page->key = key;
    page->rowKey = rowKey;
    page->widget = new QWidget;
    page->widget->setObjectName(key + QStringLiteral("Page"));
    auto *layout = new QVBoxLayout(page->widget);
    auto *header = new QHBoxLayout;
    auto *heading = new QLabel(title);
    QFont f = heading->font();
    f.setPointSizeF(f.pointSizeF() * 1.4);
    f.setBold(true);
    heading->setFont(f);
    page->filter = new QLineEdit;
    page->filter->setObjectName(key + QStringLiteral("Filter"));
    page->filter->setPlaceholderText(tr("Filter"));
    page->filter->setClearButtonEnabled(true);
    page->filter->setMaximumWidth(260);
    header->addWidget(heading);
    header->addStretch(1);
    header->addWidget(page->filter);
    layout->addLayout(header);
    page->buttons = new QHBoxLayout;
    layout->addLayout(page->buttons);
    page->model = new RowTableModel(std::move(columns), page->widget);
    page->proxy = new QSortFilterProxyModel(page->widget);
    page->proxy->setSourceModel(page->model);
    page->proxy->setSortRole(Qt::UserRole);
    page->proxy->setFilterKeyColumn(-1);
    page->proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    page->view = new QTableView;
    page->view->setObjectName(key + QStringLiteral("Table"));
    page->view->setModel(page->proxy);
    page->view->setSortingEnabled(true);
    page->view->setSelectionBehavior(QAbstractItemView::SelectRows);
    page->view->setAlternatingRowColors(true);
    page->view->verticalHeader()->hide();
    page->view->horizontalHeader()->setStretchLastSection(true);
    page->view->setContextMenuPolicy(Qt::ActionsContextMenu);
    page->view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layout->addWidget(page->view, 1);
    page->view->sortByColumn(0, Qt::AscendingOrder);
    page->view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    QTableView *view = page->view;
    // Columns as wide as what they hold when the rows change in number (not on every update).
    connect(page->model, &QAbstractItemModel::modelReset, view, [view] {
        view->resizeColumnsToContents();
        for (int c = 0; c < view->model()->columnCount(); ++c)
            view->setColumnWidth(c, std::min(view->columnWidth(c), 420));
    });
    connect(page->filter, &QLineEdit::textChanged, page->proxy, &QSortFilterProxyModel::setFilterFixedString);
    m_pages->addWidget(page->widget);
    m_tables.push_back(std::move(page));
    return *m_tables.back();
}

void AdminWindow::addAction(Page &page, const QString &name, const QString &text, const QKeySequence &shortcut,
                            std::function<void(const Dict &row)> run, bool destructive)
{
    auto *action = new QAction(text, page.view);
    action->setObjectName(name);
    action->setShortcut(shortcut);
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    page.view->addAction(action);
    auto *button = new QPushButton(text);
    button->setObjectName(name);
    page.buttons->addWidget(button);
    Page *p = &page;
    const auto trigger = [this, p, text, run, destructive] {
        const QList<Dict> rows = p->selected();
        if (rows.isEmpty())
            return;
        if (destructive) {
            QStringList names;
            for (const Dict &r : rows)
                names << RowTableModel::text(r.find(p->rowKey) ? *r.find(p->rowKey) : Value());
            if (!confirm(tr("%1: %2?").arg(QString(text).remove(u'&'), names.join(QStringLiteral(", ")))))
                return;
        }
        for (const Dict &r : rows)
            run(r);
    };
    connect(action, &QAction::triggered, this, trigger);
    connect(button, &QPushButton::clicked, this, trigger);
    const auto enable = [p, button, action] {
        const bool any = p->view->selectionModel()->hasSelection();
        button->setEnabled(any);
        action->setEnabled(any);
    };
    connect(page.view->selectionModel(), &QItemSelectionModel::selectionChanged, this, enable);
    connect(page.model, &QAbstractItemModel::modelReset, this, enable);
    enable();
}

QWidget *AdminWindow::buildMainPage()
{
    auto *page = new QWidget;
    auto *layout = new QHBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    m_sidebar = new QListWidget;
    m_sidebar->setObjectName(QStringLiteral("sidebar"));
    m_sidebar->setFixedWidth(170);
    m_sidebar->setStyleSheet(QStringLiteral("QListWidget#sidebar { border: none; background: #f4f6f8; font-size: 11pt; }"
                                            "QListWidget#sidebar::item { padding: 8px 14px; }"
                                            "QListWidget#sidebar::item:selected { background: #dbe7f5; color: #1f2933; }"));
    const QStringList titles {tr("Dashboard"), tr("Plugins"), tr("Devices"), tr("Users"), tr("Tasks"), tr("Logs"), tr("Audit")};
    for (const QString &t : titles)
        m_sidebar->addItem(t);
    m_pages = new QStackedWidget;
    layout->addWidget(m_sidebar);
    layout->addWidget(m_pages, 1);

    // Dashboard: a summary, each part a link to its page.
    auto *dashboard = new QWidget;
    dashboard->setObjectName(QStringLiteral("dashboardPage"));
    auto *dl = new QVBoxLayout(dashboard);
    m_dashboard = new QLabel;
    m_dashboard->setObjectName(QStringLiteral("dashboard"));
    m_dashboard->setTextFormat(Qt::RichText);
    m_dashboard->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_dashboard->setWordWrap(true);
    connect(m_dashboard, &QLabel::linkActivated, this, [this](const QString &link) { showPage(link); });
    dl->addWidget(m_dashboard, 1);
    m_pages->addWidget(dashboard);

    Page &plugins = addTablePage(QStringLiteral("plugins"), tr("Plugins"),
                                 {{QStringLiteral("name"), tr("Plugin")},
                                  {QStringLiteral("version"), tr("Version")},
                                  {QStringLiteral("role"), tr("Service")},
                                  {QStringLiteral("process"), tr("Process")},
                                  {QStringLiteral("state"), tr("State")},
                                  {QStringLiteral("error"), tr("Error")}},
                                 QStringLiteral("name"));
    auto *install = new QPushButton(tr("&Install or Upgrade..."));
    install->setObjectName(QStringLiteral("install"));
    connect(install, &QPushButton::clicked, this, [this] {
        const QString chosen = QFileDialog::getOpenFileName(this, tr("Install Plugin Package"), QString(),
                                                            tr("Peek plugin packages (*.peekplugin)"));
        if (!chosen.isEmpty())
            installPackage(chosen);
    });
    plugins.buttons->addWidget(install);
    addAction(plugins, QStringLiteral("enablePlugin"), tr("&Enable"), QKeySequence(Qt::CTRL | Qt::Key_E), [this](const Dict &r) {
        run(adminPluginsRpc(), {Value(QStringLiteral("enable")), *r.find(QStringLiteral("name"))}, {},
            tr("%1 enabled on every service").arg(r.string(QStringLiteral("name"))));
    });
    addAction(plugins, QStringLiteral("disablePlugin"), tr("&Disable"), QKeySequence(Qt::CTRL | Qt::Key_D), [this](const Dict &r) {
        run(adminPluginsRpc(), {Value(QStringLiteral("disable")), *r.find(QStringLiteral("name"))}, {},
            tr("%1 disabled on every service").arg(r.string(QStringLiteral("name"))));
    }, true);
    addAction(plugins, QStringLiteral("rollbackPlugin"), tr("&Roll Back"), QKeySequence(), [this](const Dict &r) {
        run(adminPluginsRpc(), {Value(QStringLiteral("rollback")), *r.find(QStringLiteral("name"))}, {},
            tr("%1 rolled back to the version before").arg(r.string(QStringLiteral("name"))));
    }, true);
    plugins.buttons->addStretch(1);
    auto *progressRow = new QHBoxLayout;
    m_installProgress = new QProgressBar;
    m_installProgress->setObjectName(QStringLiteral("installProgress"));
    m_installProgress->setRange(0, 100);
    m_installProgress->setMaximumWidth(260);
    m_installProgress->hide();
    m_installStatus = new QLabel(tr("Drop a .peekplugin file here to install or upgrade it on every service."));
    m_installStatus->setObjectName(QStringLiteral("installStatus"));
    m_installStatus->setWordWrap(true);
    progressRow->addWidget(m_installProgress);
    progressRow->addWidget(m_installStatus, 1);
    qobject_cast<QVBoxLayout *>(plugins.widget->layout())->insertLayout(2, progressRow);
    // Below the table (a splitter the admin can move, remembered), the selected plugin: its
    // settings as a form of their declared types, and its own admin view.
    auto *pluginsLayout = qobject_cast<QVBoxLayout *>(plugins.widget->layout());
    pluginsLayout->removeWidget(plugins.view);
    m_pluginsSplit = new QSplitter(Qt::Vertical);
    m_pluginsSplit->setObjectName(QStringLiteral("pluginsSplit"));
    m_pluginsSplit->setChildrenCollapsible(false);
    m_pluginsSplit->addWidget(plugins.view);
    auto *details = new QWidget;
    auto *detailsLayout = new QVBoxLayout(details);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    m_pluginsSplit->addWidget(details);
    m_pluginsSplit->setStretchFactor(0, 1);
    m_pluginsSplit->setStretchFactor(1, 3);
    m_pluginsSplit->setSizes({220, 660}); // until the admin moves it (remembered)
    pluginsLayout->addWidget(m_pluginsSplit, 1);
    details->hide(); // until a plugin is selected: the table has the page
    m_pluginDetails = details;
    m_settingsBox = new QGroupBox(tr("Settings"));
    m_settingsBox->setObjectName(QStringLiteral("settingsForm"));
    m_settingsBox->hide();
    detailsLayout->addWidget(m_settingsBox);
    m_adminView = new QQuickWidget;
    m_adminView->setObjectName(QStringLiteral("adminView"));
    m_adminView->setResizeMode(QQuickWidget::SizeRootObjectToView);
    m_adminView->setMinimumHeight(180);
    m_adminView->engine()->addImportPath(QStringLiteral("qrc:/qt/qml")); // the Peek module (Qt 6.4 does not add it)
    m_adminView->setSource(QUrl(QStringLiteral("qrc:/peek/admin/AdminViewHost.qml")));
    m_adminView->hide();
    detailsLayout->addWidget(m_adminView, 1);
    if (QQuickItem *host = m_adminView->rootObject())
        connect(host, SIGNAL(setRequested(QString,QVariant)), this, SLOT(onAdminViewSet(QString,QVariant)));
    connect(plugins.view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this, p = &plugins] {
        const QList<Dict> rows = p->selected();
        loadSettings(rows.size() == 1 ? rows.front().string(QStringLiteral("name")) : QString());
    });

    Page &devices = addTablePage(QStringLiteral("devices"), tr("Devices"),
                                 {{QStringLiteral("description"), tr("Name")},
                                  {QStringLiteral("deviceType"), tr("Type")},
                                  {QStringLiteral("state"), tr("State")},
                                  {QStringLiteral("onlineVia"), tr("Online via")},
                                  {QStringLiteral("lastOnline"), tr("Last seen")},
                                  {QStringLiteral("appVersion"), tr("App version")},
                                  {QStringLiteral("loggedInUser"), tr("User")},
                                  {QStringLiteral("position"), tr("Last position")},
                                  {QStringLiteral("deviceId"), tr("Id")}},
                                 QStringLiteral("description"));
    addAction(devices, QStringLiteral("approveDevice"), tr("&Approve"), QKeySequence(Qt::CTRL | Qt::Key_Return), [this](const Dict &r) {
        run(deviceAdminRpc(), {Value(QStringLiteral("approve")), *r.find(QStringLiteral("deviceId"))}, {},
            tr("%1 approved").arg(r.string(QStringLiteral("description"))));
    });
    addAction(devices, QStringLiteral("revokeDevice"), tr("&Revoke"), QKeySequence(), [this](const Dict &r) {
        run(deviceAdminRpc(), {Value(QStringLiteral("revoke")), *r.find(QStringLiteral("deviceId"))}, {},
            tr("%1 revoked").arg(r.string(QStringLiteral("description"))));
    }, true);
    addAction(devices, QStringLiteral("removeDevice"), tr("Re&move"), QKeySequence::Delete, [this](const Dict &r) {
        run(deviceAdminRpc(), {Value(QStringLiteral("remove")), *r.find(QStringLiteral("deviceId"))}, {},
            tr("%1 removed").arg(r.string(QStringLiteral("description"))));
    }, true);
    devices.buttons->addStretch(1);

    Page &users = addTablePage(QStringLiteral("users"), tr("Users"),
                               {{QStringLiteral("userName"), tr("User")},
                                {QStringLiteral("displayName"), tr("Name")},
                                {QStringLiteral("roles"), tr("Roles")},
                                {QStringLiteral("disabled"), tr("Disabled")},
                                {QStringLiteral("source"), tr("Source")},
                                {QStringLiteral("loggedInOn"), tr("Logged in on")}},
                               QStringLiteral("userName"));
    auto *addUser = new QPushButton(tr("&Add User..."));
    addUser->setObjectName(QStringLiteral("addUser"));
    connect(addUser, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Add User"), tr("User name:"), QLineEdit::Normal, QString(), &ok).trimmed();
        if (!ok || name.isEmpty())
            return;
        const QString password = QInputDialog::getText(this, tr("Add User"), tr("Password of %1:").arg(name), QLineEdit::Password,
                                                       QString(), &ok);
        if (!ok)
            return;
        const QString roles = QInputDialog::getText(this, tr("Add User"), tr("Roles (comma-separated: admin, field, office):"),
                                                    QLineEdit::Normal, QStringLiteral("field"), &ok);
        if (!ok)
            return;
        run(userAdminRpc(), {Value(QStringLiteral("add")), Value(name)},
            {{QStringLiteral("password"), Value(password)}, {QStringLiteral("roles"), Value(roles)},
             {QStringLiteral("displayName"), Value(QString())}},
            tr("user %1 added").arg(name));
    });
    users.buttons->addWidget(addUser);
    addAction(users, QStringLiteral("passwordUser"), tr("Reset &Password..."), QKeySequence(), [this](const Dict &r) {
        bool ok = false;
        const QString name = r.string(QStringLiteral("userName"));
        const QString password = QInputDialog::getText(this, tr("Reset Password"), tr("New password of %1:").arg(name),
                                                       QLineEdit::Password, QString(), &ok);
        if (ok)
            run(userAdminRpc(), {Value(QStringLiteral("passwd")), Value(name)}, {{QStringLiteral("password"), Value(password)}},
                tr("password of %1 set").arg(name));
    });
    addAction(users, QStringLiteral("rolesUser"), tr("&Roles..."), QKeySequence(), [this](const Dict &r) {
        bool ok = false;
        const QString name = r.string(QStringLiteral("userName"));
        const QString roles = QInputDialog::getText(this, tr("Roles"), tr("Roles of %1 (comma-separated):").arg(name),
                                                    QLineEdit::Normal, RowTableModel::text(*r.find(QStringLiteral("roles"))), &ok);
        if (ok)
            run(userAdminRpc(), {Value(QStringLiteral("roles")), Value(name)}, {{QStringLiteral("roles"), Value(roles)}},
                tr("roles of %1 set").arg(name));
    });
    addAction(users, QStringLiteral("enableUser"), tr("E&nable"), QKeySequence(), [this](const Dict &r) {
        run(userAdminRpc(), {Value(QStringLiteral("enable")), *r.find(QStringLiteral("userName"))}, {},
            tr("%1 may log in").arg(r.string(QStringLiteral("userName"))));
    });
    addAction(users, QStringLiteral("unlockUser"), tr("&Unlock"), QKeySequence(), [this](const Dict &r) {
        run(userAdminRpc(), {Value(QStringLiteral("unlock")), *r.find(QStringLiteral("userName"))}, {},
            tr("%1 unlocked: the failed logins are forgotten").arg(r.string(QStringLiteral("userName"))));
    });
    addAction(users, QStringLiteral("disableUser"), tr("&Disable"), QKeySequence(), [this](const Dict &r) {
        run(userAdminRpc(), {Value(QStringLiteral("disable")), *r.find(QStringLiteral("userName"))}, {},
            tr("%1 disabled").arg(r.string(QStringLiteral("userName"))));
    }, true);
    users.buttons->addStretch(1);
    // The directories users also log in with, and a test of each.
    auto *directories = new QGroupBox(tr("Directories (LDAP / Active Directory)"));
    directories->setObjectName(QStringLiteral("directoriesBox"));
    auto *directoryLayout = new QVBoxLayout(directories);
    m_directoriesText = new QLabel;
    m_directoriesText->setObjectName(QStringLiteral("directories"));
    m_directoriesText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_directoriesText->setWordWrap(true);
    m_directoryTest = new QLabel;
    m_directoryTest->setObjectName(QStringLiteral("directoryTest"));
    m_directoryTest->setWordWrap(true);
    auto *directoryButtons = new QHBoxLayout;
    auto *setDirectories = new QPushButton(tr("Set From &File..."));
    setDirectories->setObjectName(QStringLiteral("setDirectories"));
    auto *testButton = new QPushButton(tr("&Test Connection"));
    testButton->setObjectName(QStringLiteral("testDirectories"));
    directoryButtons->addWidget(setDirectories);
    directoryButtons->addWidget(testButton);
    directoryButtons->addStretch(1);
    directoryLayout->addWidget(m_directoriesText);
    directoryLayout->addLayout(directoryButtons);
    directoryLayout->addWidget(m_directoryTest);
    users.widget->layout()->addWidget(directories);
    connect(testButton, &QPushButton::clicked, this, &AdminWindow::testDirectories);
    connect(setDirectories, &QPushButton::clicked, this, [this] {
        const QString chosen = QFileDialog::getOpenFileName(this, tr("Directories"), QString(), tr("JSON files (*.json)"));
        if (chosen.isEmpty())
            return;
        QFile file(chosen);
        if (!file.open(QIODevice::ReadOnly)) {
            m_directoryTest->setText(tr("Cannot read %1: %2").arg(chosen, file.errorString()));
            return;
        }
        run(userAdminRpc(), {Value(QStringLiteral("directories"))}, {{QStringLiteral("json"), Value(QString::fromUtf8(file.readAll()))}},
            tr("directories set"));
        refreshDirectories();
    });

    Page &tasks = addTablePage(QStringLiteral("tasks"), tr("Tasks"),
                               {{QStringLiteral("name"), tr("Task")},
                                {QStringLiteral("queued"), tr("Queued")},
                                {QStringLiteral("running"), tr("Running")},
                                {QStringLiteral("failed"), tr("Failed")},
                                {QStringLiteral("id"), tr("Failed task")},
                                {QStringLiteral("attempts"), tr("Attempts")},
                                {QStringLiteral("finishedAt"), tr("Finished")},
                                {QStringLiteral("error"), tr("Error")}},
                               QStringLiteral("id"));
    addAction(tasks, QStringLiteral("retryTask"), tr("&Retry"), QKeySequence(Qt::CTRL | Qt::Key_R), [this](const Dict &r) {
        if (const Value *id = r.find(QStringLiteral("id")); id && !id->isNull())
            run(adminTasksRpc(), {Value(QStringLiteral("retry")), Value(RowTableModel::text(*id))}, {},
                tr("task %1 queued again").arg(RowTableModel::text(*id)));
    });
    tasks.buttons->addStretch(1);

    Page &logs = addTablePage(QStringLiteral("logs"), tr("Logs"), {{QStringLiteral("record"), tr("Record")}}, QStringLiteral("record"));
    m_logService = new QComboBox;
    m_logService->setObjectName(QStringLiteral("logService"));
    m_logService->setMinimumWidth(220);
    m_logLevel = new QComboBox;
    m_logLevel->setObjectName(QStringLiteral("logLevel"));
    for (const char *level : {"debug", "info", "warning", "error"})
        m_logLevel->addItem(QString::fromLatin1(level));
    m_logLevel->setCurrentText(QStringLiteral("info"));
    m_logFollow = new QCheckBox(tr("&Follow"));
    m_logFollow->setObjectName(QStringLiteral("logFollow"));
    m_logFollow->setChecked(true);
    logs.buttons->addWidget(new QLabel(tr("Service:")));
    logs.buttons->addWidget(m_logService);
    logs.buttons->addWidget(new QLabel(tr("Level:")));
    logs.buttons->addWidget(m_logLevel);
    logs.buttons->addWidget(m_logFollow);
    logs.buttons->addStretch(1);
    logs.view->setSortingEnabled(false);
    logs.view->horizontalHeader()->hide();
    logs.view->setWordWrap(false);
    connect(m_logService, &QComboBox::currentIndexChanged, this, [this] { readLogs(true); });
    connect(m_logLevel, &QComboBox::currentIndexChanged, this, [this] { readLogs(true); });

    Page &audit = addTablePage(QStringLiteral("audit"), tr("Audit"),
                 {{QStringLiteral("time"), tr("Time")},
                  {QStringLiteral("event"), tr("Event")},
                  {QStringLiteral("source"), tr("Part")},
                  {QStringLiteral("deviceId"), tr("Device")},
                  {QStringLiteral("userName"), tr("User")},
                  {QStringLiteral("actor"), tr("By")},
                  {QStringLiteral("address"), tr("From")},
                  {QStringLiteral("detail"), tr("Detail")}},
                 QStringLiteral("time"));
    audit.view->sortByColumn(0, Qt::DescendingOrder); // newest first

    connect(m_sidebar, &QListWidget::currentRowChanged, this, [this](int row) {
        m_pages->setCurrentIndex(row);
        if (currentPage() == QLatin1String("logs") && m_logOffset < 0)
            readLogs(true);
    });
    m_sidebar->setCurrentRow(0);
    return page;
}

// --- state and login -----------------------------------------------------------------------------

void AdminWindow::setState(const QString &state)
{
    if (state == m_state)
        return;
    m_state = state;
    m_top->setCurrentIndex(state == QLatin1String("ready") ? 1 : 0);
    if (state == QLatin1String("ready"))
        m_poll->start();
    else
        m_poll->stop();
    Q_EMIT stateChanged(state);
}

QString AdminWindow::sessionKey() const
{
    return QStringLiteral("adminSession/") + hostAndPort(m_url);
}

void AdminWindow::startLogin()
{
    QSettings settings;
    const QUrl url = m_options.serverUrl.isValid() ? m_options.serverUrl
                                                   : adminUrlFromInput(settings.value(kServerKey).toString());
    m_userEdit->setText(settings.value(kUserKey).toString());
    if (!url.isValid()) {
        showLoginPage(QString());
        m_serverEdit->setFocus();
        return;
    }
    m_url = url;
    m_serverEdit->setText(url.toString());
    m_passwordEdit->setFocus();
    // A remembered session is resumed; without one (or when logic no longer knows it), log in.
    setState(QStringLiteral("busy"));
    m_secrets->read(sessionKey(), [this, guard = QPointer<AdminWindow>(this)](const SecretResult &read) {
        if (!guard)
            return;
        if (!read.ok || read.value.isEmpty()) {
            showLoginPage(QString());
            return;
        }
        const QString token = QString::fromUtf8(read.value);
        connectTo(m_url, [this, token] {
            QFuture<AdminLogin> resumed = m_client->resume(token);
            onFinished(this, resumed, [this, token](QFuture<AdminLogin> finished) {
                auto answer = resultOf(finished, tr("cancelled"));
                if (answer && answer.value().loggedIn) {
                    onLoggedIn(answer.value(), token);
                    return;
                }
                m_secrets->remove(sessionKey());
                showLoginPage(answer ? tr("Your session ended: %1. Log in again.")
                                           .arg(answer.value().message.isEmpty() ? tr("logic no longer knows it")
                                                                                 : answer.value().message)
                                     : answer.error().message());
            });
        });
    });
}

void AdminWindow::connectTo(const QUrl &url, std::function<void()> then)
{
    setState(QStringLiteral("busy"));
    m_url = url;
    m_client.reset();
    AdminClient::Options options;
    options.url = url;
    options.redial = true;
    m_client = std::make_unique<AdminClient>(options);
    m_linkLabel->setText(tr("Connecting to %1...").arg(hostAndPort(url)));
    auto first = std::make_shared<bool>(true); // the first connection of this client
    connect(m_client.get(), &AdminClient::connected, this, [this, then, first] {
        m_linkLabel->setText(tr("Connected to %1").arg(hostAndPort(m_url)));
        if (*first) {
            *first = false;
            then();
        } else if (!m_token.isEmpty()) {
            // Back after a drop: the session goes on on the new connection.
            QFuture<AdminLogin> resumed = m_client->resume(m_token);
            onFinished(this, resumed, [this](QFuture<AdminLogin> finished) {
                auto answer = resultOf(finished, tr("cancelled"));
                if (!answer || !answer.value().loggedIn)
                    showLoginPage(tr("Your session ended: %1").arg(answer ? answer.value().message : answer.error().message()));
            });
        }
    });
    connect(m_client.get(), &AdminClient::dialFailed, this, [this, first](const QString &reason) {
        if (*first) {
            // Not reachable at all: say so on the login page rather than retrying for ever.
            QMetaObject::invokeMethod(this, [this, reason] {
                showLoginPage(tr("Cannot reach logic at %1: %2. Check the address (logic's admin port, 8010 by default).")
                                  .arg(hostAndPort(m_url), reason));
            }, Qt::QueuedConnection);
            return;
        }
        m_linkLabel->setText(tr("Reconnecting to %1: %2").arg(hostAndPort(m_url), reason));
    });
    connect(m_client.get(), &AdminClient::disconnected, this, [this] {
        m_linkLabel->setText(tr("Reconnecting to %1...").arg(hostAndPort(m_url)));
    });
    connect(m_client.get(), &AdminClient::sessionEnded, this, [this](const QString &message) {
        m_secrets->remove(sessionKey());
        showLoginPage(tr("Your session ended: %1").arg(message));
    });
    m_client->open();
}

void AdminWindow::showLoginPage(const QString &message)
{
    m_token.clear();
    closeViewLink();
    delete m_services.data(); // what the next login watches is its own
    delete m_devices.data();
    delete m_users.data();
    if (m_client && !m_client->userName().isEmpty())
        m_client.reset();
    m_loginMessage->setText(message);
    m_passwordEdit->clear();
    setState(QStringLiteral("login"));
    statusBar()->clearMessage();
    m_linkLabel->setText(m_client && m_client->isConnected() ? tr("Connected to %1").arg(hostAndPort(m_url)) : QString());
}

void AdminWindow::onLoggedIn(const AdminLogin &login, const QString &token)
{
    m_token = token;
    QSettings settings;
    settings.setValue(kServerKey, m_url.toString());
    settings.setValue(kUserKey, login.userName);
    if (!token.isEmpty())
        m_secrets->write(sessionKey(), token.toUtf8());
    m_passwordEdit->clear();
    m_linkLabel->setText(tr("%1 on %2").arg(login.displayName.isEmpty() ? login.userName : login.displayName,
                                             hostAndPort(m_url)));
    watchEverything();
    setState(QStringLiteral("ready"));
    const QString start = m_options.startPage.isEmpty() ? settings.value(kPageKey).toString() : m_options.startPage;
    if (!showPage(start))
        showPage(QStringLiteral("dashboard"));
    refreshTasks();
    refreshAudit();
    refreshDirectories();
    openViewLink(token);
}

void AdminWindow::openViewLink(const QString &token)
{
    closeViewLink();
    Session::Options options;
    options.adminToken = token;
    m_viewLink = std::make_unique<Session>(m_url, QStringLiteral("admin"), dataDir(), options);
    if (!m_viewLink->isReady())
        statusBar()->showMessage(tr("The plugins' admin views cannot be shown: %1").arg(m_viewLink->errorString()));
    m_viewLink->attachTo(m_adminView->engine());
    // The views on this desktop at once, then as logic serves them (at each connection).
    connect(m_viewLink->plugins(), &PluginBundles::refreshed, this, &AdminWindow::showAdminView);
    showAdminView();
}

void AdminWindow::closeViewLink()
{
    // The view goes first: its observers and editors use the link.
    if (QQuickItem *host = m_adminView ? m_adminView->rootObject() : nullptr)
        host->setProperty("source", QUrl());
    m_viewLink.reset();
}

void AdminWindow::logOut()
{
    if (!m_client || m_state != QLatin1String("ready"))
        return;
    (void)m_client->logOut();
    m_secrets->remove(sessionKey());
    showLoginPage(tr("Logged out."));
}

// --- live data -----------------------------------------------------------------------------------

void AdminWindow::watchEverything()
{
    // Owned by the client: they go with its connection.
    m_services = m_client->watch(adminPluginName(), TupleSelector(QString::fromLatin1(ServiceInfoTuple::kTupleType), {}),
                                 m_client.get());
    m_devices = m_client->watch(QStringLiteral("peek_core_device"),
                                TupleSelector(QStringLiteral("peek_core_device.DeviceInfoTuple"), {}), m_client.get());
    m_users = m_client->watch(QStringLiteral("peek_core_user"), TupleSelector(QStringLiteral("peek_core_user.UserDetailTuple"), {}),
                              m_client.get());
    connect(m_services, &TupleSubscription::tuplesChanged, this, &AdminWindow::refreshServices);
    TupleSubscription *devices = m_devices, *users = m_users;
    connect(devices, &TupleSubscription::tuplesChanged, this, [this, devices] {
        QList<Dict> rows;
        for (const TuplePtr &t : devices->tuples()) {
            Dict r = RowTableModel::fields(*t);
            const Value lat = t->field(QStringLiteral("lastLatitude")), lon = t->field(QStringLiteral("lastLongitude"));
            if (!lat.isNull() && !lon.isNull())
                r.insert(QStringLiteral("position"), Value(QStringLiteral("%1, %2").arg(lat.toDouble(), 0, 'f', 5).arg(lon.toDouble(), 0, 'f', 5)));
            rows << r;
        }
        model(QStringLiteral("devices"))->setRows(rows);
        refreshDashboard();
    });
    connect(users, &TupleSubscription::tuplesChanged, this, [this, users] {
        QList<Dict> rows;
        for (const TuplePtr &t : users->tuples())
            rows << RowTableModel::fields(*t);
        model(QStringLiteral("users"))->setRows(rows);
        refreshDashboard();
    });
}

void AdminWindow::refreshServices()
{
    if (!m_services)
        return;
    QList<Dict> rows;
    ValueList services;
    const QString wasService = m_logService->currentData().toString();
    QStringList serviceNames;
    for (const TuplePtr &t : m_services->tuples()) {
        services.push_back(Value(t));
        const auto *s = dynamic_cast<const ServiceInfoTuple *>(t.get());
        if (!s)
            continue;
        serviceNames << s->vortexName;
        for (const Value &p : s->plugins) {
            Dict r = p.toDict();
            r.insert(QStringLiteral("role"), Value(s->role));
            r.insert(QStringLiteral("process"), Value(QStringLiteral("%1:%2").arg(s->host).arg(s->pid)));
            rows << r;
        }
    }
    model(QStringLiteral("plugins"))->setRows(rows);
    // The services whose logs can be read.
    if (serviceNames.size() != m_logService->count()) {
        QSignalBlocker block(m_logService);
        m_logService->clear();
        for (const TuplePtr &t : m_services->tuples())
            if (const auto *s = dynamic_cast<const ServiceInfoTuple *>(t.get()))
                m_logService->addItem(QStringLiteral("%1 (%2:%3)").arg(s->role, s->host).arg(s->pid), s->vortexName);
        const int again = m_logService->findData(wasService);
        m_logService->setCurrentIndex(again >= 0 ? again : 0);
    }
    // A package being installed: where it stands on each service.
    if (m_install.waiting) {
        const QList<Deployed> where = deployment(Value(services), m_install.name, m_install.version, m_install.roles);
        int done = 0;
        QStringList lines;
        for (const Deployed &d : where) {
            if (d.state != QLatin1String("waiting"))
                ++done;
            lines << (d.state == QLatin1String("started")   ? tr("%1: %2 started").arg(d.role, m_install.version)
                      : d.state == QLatin1String("waiting") ? tr("%1: waiting (runs %2)").arg(d.role, d.running.isEmpty() ? tr("nothing") : d.running)
                      : d.state == QLatin1String("failed")  ? tr("%1: failed, %2 runs: %3").arg(d.role, d.running, d.error)
                                                            : tr("%1: %2 %3").arg(d.role, m_install.version, d.state));
        }
        const int total = std::max<int>(1, int(where.size()));
        m_installProgress->setValue(60 + 40 * done / total);
        const bool finished = done == where.size() || m_install.deadline.hasExpired();
        m_installStatus->setText(tr("%1 %2 on the services: %3").arg(m_install.name, m_install.version, lines.join(QStringLiteral("; "))));
        if (finished) {
            m_install.waiting = false;
            const bool everywhere = deployedEverywhere(where);
            m_installProgress->setValue(100);
            m_installStatus->setText((everywhere ? tr("%1 %2 runs on every service: %3") : tr("%1 %2 does not run everywhere: %3"))
                                         .arg(m_install.name, m_install.version, lines.join(QStringLiteral("; "))));
            Q_EMIT installFinished(everywhere);
        }
    }
    refreshDashboard();
}

void AdminWindow::refreshDashboard()
{
    QStringList services;
    QStringList failedPlugins;
    if (m_services)
        for (const TuplePtr &t : m_services->tuples()) {
            const auto *s = dynamic_cast<const ServiceInfoTuple *>(t.get());
            if (!s)
                continue;
            const qint64 up = s->startedAt.isValid() ? s->startedAt.toQDateTime().secsTo(QDateTime::currentDateTimeUtc()) : 0;
            services << tr("<tr><td><b>%1</b></td><td>%2:%3</td><td>%4</td><td>up %5 min</td><td>%6</td></tr>")
                            .arg(s->role, s->host.toHtmlEscaped())
                            .arg(s->pid)
                            .arg(s->version.toHtmlEscaped())
                            .arg(up / 60)
                            .arg(s->link.toHtmlEscaped());
            for (const Value &p : s->plugins)
                if (p.toDict().string(QStringLiteral("state")) == QLatin1String("failed"))
                    failedPlugins << tr("%1 on %2: %3").arg(p.toDict().string(QStringLiteral("name")), s->role,
                                                            p.toDict().string(QStringLiteral("error")).toHtmlEscaped());
            for (const Value &problem : s->problems)
                failedPlugins << tr("%1: %2").arg(s->role, problem.toString().toHtmlEscaped());
        }
    int online = 0, pending = 0;
    if (m_devices)
        for (const TuplePtr &t : m_devices->tuples()) {
            online += t->field(QStringLiteral("onlineVia")).toString().isEmpty() ? 0 : 1;
            pending += t->field(QStringLiteral("state")).toString() == QLatin1String("pending") ? 1 : 0;
        }
    int loggedIn = 0, users = 0;
    if (m_users)
        for (const TuplePtr &t : m_users->tuples()) {
            ++users;
            loggedIn += t->field(QStringLiteral("loggedInOn")).toList().empty() ? 0 : 1;
        }
    qint64 queued = 0, running = 0, failedTasks = 0;
    const Value *counts = m_tasks.find(QStringLiteral("counts"));
    for (const Value &c : counts ? counts->toList() : ValueList {}) {
        const Dict row = c.toDict();
        const auto count = [&row](const char *key) {
            const Value *v = row.find(QLatin1String(key));
            return v ? v->toInt() : 0;
        };
        queued += count("queued");
        running += count("running");
        failedTasks += count("failed");
    }
    const QString link = QStringLiteral("<a href=\"%1\">%2</a>");
    QString html = QStringLiteral("<h2>%1</h2>").arg(tr("Dashboard"));
    html += QStringLiteral("<h3>%1</h3><table cellspacing=\"6\">%2</table>")
                .arg(link.arg(QStringLiteral("plugins"), tr("Services (%1)").arg(services.size())), services.join(QString()));
    html += QStringLiteral("<h3>%1</h3><p>%2</p>")
                .arg(link.arg(QStringLiteral("devices"), tr("Devices")),
                     tr("%1 online, %2 waiting for approval").arg(online).arg(pending));
    html += QStringLiteral("<h3>%1</h3><p>%2</p>")
                .arg(link.arg(QStringLiteral("users"), tr("Users")), tr("%1 logged in of %2").arg(loggedIn).arg(users));
    html += QStringLiteral("<h3>%1</h3><p>%2</p>")
                .arg(link.arg(QStringLiteral("tasks"), tr("Tasks")),
                     tr("%1 queued, %2 running, %3 failed").arg(queued).arg(running).arg(failedTasks));
    html += QStringLiteral("<h3>%1</h3><p>%2</p>")
                .arg(link.arg(QStringLiteral("plugins"), tr("Failed plugins")),
                     failedPlugins.isEmpty() ? tr("none") : failedPlugins.join(QStringLiteral("<br>")));
    m_dashboard->setText(html);
}

void AdminWindow::refreshTasks()
{
    if (!m_client || m_state != QLatin1String("ready"))
        return;
    onFinished(this, m_client->call(adminTasksRpc()), [this](QFuture<Value> finished) {
        auto answer = resultOf(finished, tr("cancelled"));
        if (!answer)
            return;
        m_tasks = answer.value().toDict();
        QList<Dict> rows = rowsOf(m_tasks.find(QStringLiteral("counts")) ? *m_tasks.find(QStringLiteral("counts")) : Value());
        rows << rowsOf(m_tasks.find(QStringLiteral("failed")) ? *m_tasks.find(QStringLiteral("failed")) : Value());
        model(QStringLiteral("tasks"))->setRows(rows);
        refreshDashboard();
    });
}

void AdminWindow::refreshAudit()
{
    if (!m_client || m_state != QLatin1String("ready"))
        return;
    onFinished(this, m_client->call(adminAuditRpc(), {Value(qint64(1000))}), [this](QFuture<Value> finished) {
        auto answer = resultOf(finished, tr("cancelled"));
        if (!answer)
            return;
        QList<Dict> rows = rowsOf(answer.value());
        std::reverse(rows.begin(), rows.end()); // newest first
        model(QStringLiteral("audit"))->setRows(rows);
    });
}

void AdminWindow::readLogs(bool fromStart)
{
    if (!m_client || m_state != QLatin1String("ready"))
        return;
    const QString service = m_logService->currentData().toString();
    const QString key = service + u'/' + m_logLevel->currentText();
    if (fromStart || key != m_logKey) {
        m_logKey = key;
        m_logOffset = -1;
        model(QStringLiteral("logs"))->setRows({});
    }
    const qint64 after = m_logOffset;
    onFinished(this, m_client->call(adminLogsRpc(), {Value(service), Value(after), Value(qint64(after < 0 ? 300 : 1000)),
                                                      Value(m_logLevel->currentText())}),
               [this, key, after](QFuture<Value> finished) {
                   auto answer = resultOf(finished, tr("cancelled"));
                   if (!answer || key != m_logKey || after != m_logOffset)
                       return;
                   const auto *tail = dynamic_cast<const LogTailTuple *>(answer.value().toTuple().get());
                   if (!tail)
                       return;
                   m_logOffset = tail->endOffset;
                   QList<Dict> rows = model(QStringLiteral("logs"))->rows();
                   for (const Value &record : tail->records)
                       rows << Dict {{QStringLiteral("record"), record}};
                   if (rows.size() > 5000)
                       rows.remove(0, rows.size() - 5000);
                   model(QStringLiteral("logs"))->setRows(rows);
                   if (!tail->records.empty())
                       table(QStringLiteral("logs"))->scrollToBottom();
               });
}

// --- plugin settings -----------------------------------------------------------------------------

void AdminWindow::loadSettings(const QString &plugin)
{
    if (plugin.isEmpty()) {
        m_settingsPlugin.clear();
        m_settingsBox->hide();
        showAdminView();
        return;
    }
    m_settingsPlugin = plugin;
    onFinished(this, m_client->call(adminSettingsRpc(), {Value(plugin)}), [this, plugin](QFuture<Value> finished) {
        if (plugin != m_settingsPlugin)
            return; // another plugin was selected meanwhile
        auto answer = resultOf(finished, tr("cancelled"));
        delete m_settingsBox->layout();
        qDeleteAll(m_settingsBox->findChildren<QWidget *>(QString(), Qt::FindDirectChildrenOnly));
        auto *form = new QFormLayout(m_settingsBox);
        m_settingsBox->setTitle(tr("Settings of %1").arg(plugin));
        m_settings.clear();
        if (!answer) {
            form->addRow(new QLabel(answer.error().message()));
            m_settingsBox->show();
            return;
        }
        for (const Value &v : answer.value().toList()) {
            const Dict setting = v.toDict();
            m_settings << setting;
            const QString key = setting.string(QStringLiteral("key"));
            const QString type = setting.string(QStringLiteral("type"));
            const Value *value = setting.find(QStringLiteral("value"));
            QWidget *editor = nullptr;
            if (type == QLatin1String("bool")) {
                auto *box = new QCheckBox;
                box->setChecked(value && value->toBool());
                editor = box;
            } else if (type == QLatin1String("int")) {
                auto *spin = new QSpinBox;
                spin->setRange(std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
                spin->setValue(value ? int(value->toInt()) : 0);
                editor = spin;
            } else {
                auto *line = new QLineEdit;
                if (type == QLatin1String("password")) {
                    // Never read back: typed anew, or left as it is.
                    line->setEchoMode(QLineEdit::Password);
                    line->setPlaceholderText(value && !value->toString().isEmpty() ? tr("(set; type to change)") : tr("(not set)"));
                } else {
                    line->setText(value ? value->toString() : QString());
                }
                editor = line;
            }
            editor->setObjectName(QStringLiteral("setting_") + key);
            editor->setToolTip(setting.string(QStringLiteral("description")));
            auto *cell = new QWidget;
            auto *column = new QVBoxLayout(cell);
            column->setContentsMargins(0, 0, 0, 0);
            column->addWidget(editor);
            auto *error = new QLabel;
            error->setObjectName(QStringLiteral("settingError_") + key);
            error->setStyleSheet(QStringLiteral("color: #b42318;"));
            error->setWordWrap(true);
            error->hide();
            column->addWidget(error);
            form->addRow(key + u':', cell);
        }
        auto *save = new QPushButton(tr("&Save Settings"));
        save->setObjectName(QStringLiteral("saveSettings"));
        connect(save, &QPushButton::clicked, this, [this, plugin] { saveSettings(plugin); });
        form->addRow(QString(), save);
        m_settingsBox->show();
        showAdminView();
    });
}

void AdminWindow::showAdminView()
{
    QQuickItem *host = m_adminView->rootObject();
    const QVariantMap entry = m_viewLink ? m_viewLink->plugins()->find(m_settingsPlugin) : QVariantMap();
    const QUrl view = entry.value(QStringLiteral("viewUrl")).toUrl();
    m_pluginDetails->setVisible(!m_settingsPlugin.isEmpty());
    if (!host || m_settingsPlugin.isEmpty() || !view.isValid() || view.isEmpty()) {
        m_adminView->hide();
        return;
    }
    // A model with the roles the views read: key, value, description.
    if (!m_adminSettings) {
        m_adminSettings = new QStandardItemModel(this);
        m_adminSettings->setItemRoleNames({{Qt::UserRole + 1, "key"}, {Qt::UserRole + 2, "value"}, {Qt::UserRole + 3, "description"}});
    }
    m_adminSettings->clear();
    for (const Dict &setting : std::as_const(m_settings)) {
        const Value *value = setting.find(QStringLiteral("value"));
        QVariant v;
        if (value && value->type() == Value::Type::Bool)
            v = value->toBool();
        else if (value && value->type() == Value::Type::Int)
            v = qlonglong(value->toInt());
        else if (value)
            v = value->toString();
        auto *item = new QStandardItem;
        item->setData(setting.string(QStringLiteral("key")), Qt::UserRole + 1);
        item->setData(v, Qt::UserRole + 2);
        item->setData(setting.string(QStringLiteral("description")), Qt::UserRole + 3);
        m_adminSettings->appendRow(item);
    }
    const QVariant settings = QVariant::fromValue(static_cast<QObject *>(m_adminSettings));
    host->setProperty("settings", settings);
    if (host->property("source").toUrl() != view)
        host->setProperty("source", view);
    m_adminView->show();
}

QQuickItem *AdminWindow::adminViewItem() const
{
    QQuickItem *host = m_adminView ? m_adminView->rootObject() : nullptr;
    return host ? host->property("view").value<QQuickItem *>() : nullptr;
}

void AdminWindow::onAdminViewSet(const QString &key, const QVariant &value)
{
    const QString plugin = m_settingsPlugin;
    if (plugin.isEmpty())
        return;
    const Value v = value.typeId() == QMetaType::Bool ? Value(value.toBool())
                    : value.typeId() == QMetaType::Double || value.typeId() == QMetaType::Int || value.typeId() == QMetaType::LongLong
                        ? Value(qint64(value.toLongLong()))
                        : Value(value.toString());
    onFinished(this, m_client->call(adminSettingsRpc(), {Value(plugin), Value(key), v}), [this, plugin, key](QFuture<Value> finished) {
        auto answer = resultOf(finished, tr("cancelled"));
        statusBar()->showMessage(answer ? tr("%1: %2 saved").arg(plugin, key) : answer.error().message(), 8000);
        if (answer) {
            refreshAudit();
            loadSettings(plugin); // the form and the view show what logic keeps
        }
    });
}

void AdminWindow::saveSettings(const QString &plugin)
{
    for (const Dict &setting : std::as_const(m_settings)) {
        const QString key = setting.string(QStringLiteral("key"));
        QWidget *editor = m_settingsBox->findChild<QWidget *>(QStringLiteral("setting_") + key);
        auto *error = m_settingsBox->findChild<QLabel *>(QStringLiteral("settingError_") + key);
        const Value *was = setting.find(QStringLiteral("value"));
        Value now;
        if (auto *box = qobject_cast<QCheckBox *>(editor))
            now = Value(box->isChecked());
        else if (auto *spin = qobject_cast<QSpinBox *>(editor))
            now = Value(qint64(spin->value()));
        else if (auto *line = qobject_cast<QLineEdit *>(editor))
            now = line->echoMode() == QLineEdit::Password && line->text().isEmpty() ? Value() : Value(line->text());
        if (now.isNull() || (was && was->type() == now.type() && RowTableModel::text(*was) == RowTableModel::text(now)))
            continue; // unchanged
        onFinished(this, m_client->call(adminSettingsRpc(), {Value(plugin), Value(key), now}),
                   [this, plugin, key, error = QPointer<QLabel>(error)](QFuture<Value> finished) {
                       auto answer = resultOf(finished, tr("cancelled"));
                       if (error) {
                           error->setText(answer ? QString() : answer.error().message());
                           error->setVisible(!answer);
                       }
                       if (answer) {
                           statusBar()->showMessage(tr("%1: %2 saved").arg(plugin, key), 8000);
                           refreshAudit();
                       }
                   });
    }
}

// --- directories ---------------------------------------------------------------------------------

void AdminWindow::refreshDirectories()
{
    onFinished(this, m_client->call(userAdminRpc(), {Value(QStringLiteral("directories"))}), [this](QFuture<Value> finished) {
        auto answer = resultOf(finished, tr("cancelled"));
        const QString json = answer ? answer.value().toString().trimmed() : QString();
        m_directoriesText->setText(!answer ? answer.error().message()
                                   : QJsonDocument::fromJson(json.toUtf8()).array().isEmpty()
                                       ? tr("No directories: users log in with their Peek password only.")
                                       : json);
    });
}

void AdminWindow::testDirectories()
{
    m_directoryTest->setText(tr("Testing..."));
    onFinished(this, m_client->call(userAdminRpc(), {Value(QStringLiteral("directories-test"))}), [this](QFuture<Value> finished) {
        auto answer = resultOf(finished, tr("cancelled"));
        if (!answer) {
            m_directoryTest->setText(answer.error().message());
            return;
        }
        QStringList lines;
        for (const Value &v : answer.value().toList()) {
            const Dict d = v.toDict();
            const bool ok = d.find(QStringLiteral("ok")) && d.find(QStringLiteral("ok"))->toBool();
            lines << (ok ? tr("%1 (%2) works: %3") : tr("%1 (%2) FAILED: %3"))
                         .arg(d.string(QStringLiteral("name")), d.string(QStringLiteral("url")), d.string(QStringLiteral("message")));
        }
        m_directoryTest->setText(lines.isEmpty() ? tr("No directories are configured.") : lines.join(u'\n'));
    });
}

// --- actions -------------------------------------------------------------------------------------

void AdminWindow::run(const Rpc &rpc, const ValueList &args, const Dict &kwargs, const QString &done)
{
    if (!m_client)
        return;
    onFinished(this, m_client->call(rpc, args, kwargs), [this, done](QFuture<Value> finished) {
        auto answer = resultOf(finished, tr("cancelled"));
        if (!answer) {
            statusBar()->showMessage(answer.error().message(), 15000);
            if (m_options.confirm)
                QMessageBox::warning(this, tr("Not done"), answer.error().message());
            return;
        }
        statusBar()->showMessage(done, 8000);
        refreshTasks();
        refreshAudit();
    });
}

bool AdminWindow::confirm(const QString &question)
{
    return !m_options.confirm
           || QMessageBox::question(this, tr("Confirm"), question, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
                  == QMessageBox::Yes;
}

void AdminWindow::installPackage(const QString &path)
{
    if (!m_client || m_state != QLatin1String("ready"))
        return;
    showPage(QStringLiteral("plugins"));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        m_installStatus->setText(tr("Cannot read %1: %2").arg(path, file.errorString()));
        Q_EMIT installFinished(false);
        return;
    }
    const auto package = std::make_shared<QByteArray>(file.readAll());
    const auto local = PluginPackage::read(*package, PluginAbi {});
    m_install = Install {};
    if (local) {
        m_install.name = local.value().name();
        m_install.version = local.value().version();
        m_install.roles = local.value().metadata.roles;
    }
    const QString name = QFileInfo(path).fileName();
    const QString uploadId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_installProgress->show();
    m_installProgress->setValue(0);
    m_installStatus->setText(tr("Uploading %1...").arg(name));
    // One piece after the other; logic answers each with what it has, the last with the install.
    auto send = std::make_shared<std::function<void(qint64)>>();
    *send = [this, package, uploadId, name, send](qint64 offset) {
        const ValueList args {Value(uploadId), Value(offset), Value(qint64(package->size())),
                              Value(QString::fromLatin1(package->mid(offset, kPiece).toBase64()))};
        onFinished(this, m_client->call(adminInstallRpc(), args), [this, package, name, send](QFuture<Value> finished) {
            auto answer = resultOf(finished, tr("cancelled"));
            if (!answer) {
                m_installProgress->setValue(100);
                m_installStatus->setText(tr("%1 was not installed: %2").arg(name, answer.error().message()));
                Q_EMIT installFinished(false);
                return;
            }
            if (const Value *received = answer.value().toDict().find(QStringLiteral("received"))) {
                m_installProgress->setValue(int(50 * received->toInt() / std::max<qint64>(1, package->size())));
                if (received->toInt() >= package->size())
                    m_installStatus->setText(tr("Checking %1 and starting it on logic...").arg(name));
                (*send)(received->toInt());
                return;
            }
            m_installProgress->setValue(60);
            m_installStatus->setText(tr("Installed %1 on logic; waiting for the services...")
                                         .arg(answer.value().toDict().string(QStringLiteral("installed"))));
            m_install.waiting = !m_install.name.isEmpty();
            m_install.deadline.setRemainingTime(120000);
            refreshServices();
            refreshAudit();
        });
    };
    (*send)(0);
}

// --- pages ---------------------------------------------------------------------------------------

QString AdminWindow::currentPage() const
{
    return pageKeys().value(m_sidebar->currentRow());
}

bool AdminWindow::showPage(const QString &key)
{
    const int index = int(pageKeys().indexOf(key));
    if (index < 0)
        return false;
    m_sidebar->setCurrentRow(index);
    return true;
}

QTableView *AdminWindow::table(const QString &page) const
{
    for (const auto &p : m_tables)
        if (p->key == page)
            return p->view;
    return nullptr;
}

RowTableModel *AdminWindow::model(const QString &page) const
{
    for (const auto &p : m_tables)
        if (p->key == page)
            return p->model;
    return nullptr;
}

QLineEdit *AdminWindow::filter(const QString &page) const
{
    for (const auto &p : m_tables)
        if (p->key == page)
            return p->filter;
    return nullptr;
}

bool AdminWindow::selectRow(const QString &page, const QString &key, const QString &value)
{
    for (const auto &p : m_tables) {
        if (p->key != page)
            continue;
        for (int r = 0; r < p->model->rowCount(); ++r) {
            const Value *v = p->model->row(r).find(key);
            if (v && RowTableModel::text(*v) == value) {
                p->view->selectRow(p->proxy->mapFromSource(p->model->index(r, 0)).row());
                p->view->setFocus();
                return true;
            }
        }
    }
    return false;
}

// --- window --------------------------------------------------------------------------------------

void AdminWindow::dragEnterEvent(QDragEnterEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (m_state == QLatin1String("ready") && urls.size() == 1 && urls.front().isLocalFile()
        && urls.front().toLocalFile().endsWith(QLatin1String(PluginPackage::kSuffix)))
        event->acceptProposedAction();
}

void AdminWindow::dropEvent(QDropEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.front().isLocalFile()) {
        event->acceptProposedAction();
        installPackage(urls.front().toLocalFile());
    }
}

void AdminWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(kGeometryKey).toByteArray());
    for (const auto &p : m_tables)
        p->view->horizontalHeader()->restoreState(settings.value(QStringLiteral("admin/table/") + p->key).toByteArray());
    m_pluginsSplit->restoreState(settings.value(kPluginsSplitKey).toByteArray());
}

void AdminWindow::saveWindowSettings() const
{
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    if (m_state == QLatin1String("ready"))
        settings.setValue(kPageKey, currentPage());
    for (const auto &p : m_tables)
        settings.setValue(QStringLiteral("admin/table/") + p->key, p->view->horizontalHeader()->saveState());
    settings.setValue(kPluginsSplitKey, m_pluginsSplit->saveState());
}

void AdminWindow::closeEvent(QCloseEvent *event)
{
    saveWindowSettings();
    QMainWindow::closeEvent(event);
}

} // namespace peek::app
