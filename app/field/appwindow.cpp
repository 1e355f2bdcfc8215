#include "appwindow.h"

#include <QApplication>

#include "deviceid.h"
#include "fallbacksecretstore.h"
#include "positioningsettings.h"
#include "pluginbundles.h"
#include "positionreporter.h"
#include "session.h"

#include <QAbstractItemModel>
#include <QCoreApplication>
#include <QDir>
#include <QDateTime>
#include <QGuiApplication>
#include <QImage>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSettings>

#include <cstdio>

namespace peek::app {

namespace {

const QString kModuleBase = QStringLiteral("qrc:/qt/qml/PeekApp/field/");

void fail(const QString &message)
{
    std::fprintf(stderr, "peek: %s\n", qPrintable(message));
}

QString settingsKey(const QString &mode)
{
    return mode + QStringLiteral("/serverUrl");
}

QString outdoorKey(const QString &mode)
{
    return mode + QStringLiteral("/outdoorTheme");
}

// The rows the observers of a view hold (TupleObserver is a list model).
int countRows(QObject *view)
{
    int rows = 0;
    for (QAbstractItemModel *model : view->findChildren<QAbstractItemModel *>())
        rows += model->rowCount();
    return rows;
}

} // namespace

QUrl serverUrlFromInput(const QString &input)
{
    QString text = input.trimmed();
    if (text.isEmpty())
        return {};
    if (!text.contains(QStringLiteral("://")))
        text.prepend(QStringLiteral("ws://"));
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty()
        || (url.scheme() != QLatin1String("ws") && url.scheme() != QLatin1String("wss")))
        return {};
    return url;
}

AppWindow::AppWindow(Options options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
}

AppWindow::~AppWindow()
{
    // The reporter and QML first: they use the session.
    m_positions.reset();
    m_engine.reset();
}

bool AppWindow::start()
{
    if (m_options.serverUrl.isEmpty()) {
        const QSettings settings;
        m_options.serverUrl = settings.value(settingsKey(m_options.mode)).toUrl();
    }
    if (m_options.serverUrl.isEmpty()) {
        showServerSetup();
        return m_window != nullptr;
    }
    return showMain();
}

void AppWindow::showServerSetup()
{
    if (!load(QUrl(kModuleBase + QStringLiteral("ServerSetup.qml")),
              {{QStringLiteral("mode"), m_options.mode}}))
        return;
    connect(m_window, SIGNAL(connectRequested(QString)), this, SLOT(onServerChosen(QString)));
    Q_EMIT screenShown(false);
}

bool AppWindow::showMain()
{
    QSettings settings;
    settings.setValue(settingsKey(m_options.mode), m_options.serverUrl);
    if (!m_options.theme.isEmpty())
        settings.setValue(outdoorKey(m_options.mode), m_options.theme == QLatin1String("outdoor"));
    const bool outdoor = settings.value(outdoorKey(m_options.mode), false).toBool();
    // The device presents itself on every connection (peek_core_device): the session dials
    // once the device's id and token are known (openSecrets()).
    Session::Options sessionOptions = m_options.session;
    sessionOptions.presentDevice = true;
    m_session = std::make_unique<Session>(m_options.serverUrl, m_options.mode, m_options.dataDir,
                                         sessionOptions);
    if (!m_session->isReady()) {
        fail(QStringLiteral("cannot start the session in %1: %2")
                 .arg(m_options.dataDir, m_session->errorString()));
        return false;
    }
    if (!load(QUrl(kModuleBase + QStringLiteral("FieldMain.qml")),
              {{QStringLiteral("startPage"), m_options.startPage},
               {QStringLiteral("outdoor"), outdoor}}))
        return false;
    // A plugin's notification (an inbox task arrived) sounds when it asks to; FieldMain.qml shows it.
    connect(m_session.get(), &Session::notificationRequested, this,
            [](const QString &, const QString &, const QString &, bool sound) {
                if (sound)
                    QApplication::beep();
            });
    // The outdoor switch is remembered for the next start.
    connect(m_window, SIGNAL(outdoorChanged()), this, SLOT(onOutdoorChanged()));
    openSecrets();
    if (m_options.mode == QLatin1String("field")) {
        applyPositionSharing(!m_options.nmeaFile.isEmpty()
                             || PositioningSettings::load(settings).enabled);
        connect(m_window, SIGNAL(positionSharingChanged()), this, SLOT(onPositionSharingChanged()));
        // A first start knows no plugin that takes position reports until the service listed its
        // plugins: sharing that was asked for starts then.
        connect(m_session->plugins(), &PluginBundles::refreshed, this, [this] {
            if (!m_positions && (!m_options.nmeaFile.isEmpty() || PositioningSettings::load(QSettings()).enabled))
                applyPositionSharing(true);
        });
    }
    Q_EMIT screenShown(true);
    return true;
}

bool AppWindow::load(const QUrl &url, const QVariantMap &properties)
{
    if (m_window) {
        m_window->close();
        m_window->deleteLater();
    }
    m_engine = std::make_unique<QQmlApplicationEngine>();
    m_engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
    if (m_session)
        m_session->attachTo(m_engine.get());
    m_engine->setInitialProperties(properties);
    m_engine->load(url);
    const QList<QObject *> roots = m_engine->rootObjects();
    m_window = roots.isEmpty() ? nullptr : qobject_cast<QQuickWindow *>(roots.first());
    if (!m_window) {
        fail(QStringLiteral("cannot load %1 (see the QML errors above)").arg(url.toString()));
        return false;
    }
    if (m_options.size.isValid())
        m_window->resize(m_options.size);
    m_window->show();
    return true;
}

void AppWindow::onOutdoorChanged()
{
    QSettings().setValue(outdoorKey(m_options.mode), m_window->property("outdoor").toBool());
}

void AppWindow::openSecrets()
{
    // The device's secrets (its token now; the remembered user and server credentials with
    // enrollment and login) live in the system keychain; without one, only for this session,
    // and the window says so.
    m_secrets = std::make_unique<FallbackSecretStore>(QStringLiteral("peek-") + m_options.mode);
    auto *store = static_cast<FallbackSecretStore *>(m_secrets.get());
    const auto tell = [this, store] {
        if (m_window)
            m_window->setProperty("secretsWarning",
                                  store->persistent() ? QString() : store->unavailableReason());
    };
    connect(store, &SecretStore::persistentChanged, this, tell);
    QPointer<Session> session = m_session.get();
    const QString dataDir = m_options.dataDir;
    ensureDeviceToken(store, [store, session, dataDir](const SecretResult &result) {
        if (!result.ok) {
            std::fprintf(stderr, "peek: cannot keep the device token: %s\n", qPrintable(result.error));
            return;
        }
        std::fprintf(stderr, "peek: device token ready (%s)\n",
                     store->persistent() ? "in the system keychain" : "for this session only");
        const auto deviceId = loadOrCreateDeviceId(dataDir);
        if (!deviceId) {
            std::fprintf(stderr, "peek: cannot present this device: %s\n", qPrintable(deviceId.error().message()));
            return;
        }
        if (!session)
            return;
        // The remembered session (if any), then the device and the session are presented.
        const QString token = QString::fromLatin1(result.value);
        store->read(SecretStore::userTokenKey(), [session, id = deviceId.value(), token](const SecretResult &user) {
            if (session)
                session->presentDevice(id, token, user.ok ? QString::fromLatin1(user.value) : QString());
        });
    });
    // A login gives a session token to keep; a logout (or a session the service ended) drops it.
    connect(m_session.get(), &Session::userTokenChanged, store, [store](const QString &userToken) {
        if (userToken.isEmpty())
            store->remove(SecretStore::userTokenKey());
        else
            store->write(SecretStore::userTokenKey(), userToken.toLatin1());
    });
}

void AppWindow::onPositionSharingChanged()
{
    const bool on = m_window->property("positionSharing").toBool();
    if (on == (m_positions != nullptr))
        return;
    QSettings settings;
    PositioningSettings positioning = PositioningSettings::load(settings);
    positioning.enabled = on;
    positioning.save(settings);
    applyPositionSharing(on);
}

void AppWindow::applyPositionSharing(bool on)
{
    m_positions.reset();
    QString error;
    if (on) {
        const PositioningSettings settings = PositioningSettings::load(QSettings());
        const auto deviceId = loadOrCreateDeviceId(m_options.dataDir);
        if (!deviceId) {
            error = deviceId.error().message();
        } else {
            // Where reports go is what the service lists: the plugin that takes them.
            m_positions = std::make_unique<PositionReporter>(
                m_session.get(), deviceId.value(),
                PositionReporter::Options {settings.intervalSeconds, settings.minDistanceM, m_options.nmeaFile,
                                           PositionReporter::Target::fromCapability(m_session->plugins()->capability(
                                               PositionReporter::capabilityName()))});
            if (!m_positions->start()) {
                error = m_positions->lastError();
                m_positions.reset();
            }
        }
        if (!error.isEmpty())
            fail(QStringLiteral("position reports are off: %1").arg(error));
    }
    m_window->setProperty("positionSharing", m_positions != nullptr);
    m_window->setProperty("positionError", error);
}

QObject *AppWindow::openPluginView() const
{
    const auto *page = m_window ? m_window->findChild<QQuickItem *>(QStringLiteral("pluginPage"))
                                : nullptr;
    return page ? page->property("pluginView").value<QObject *>() : nullptr;
}

bool AppWindow::startPageShown() const
{
    if (!m_window)
        return false;
    if (!m_window->property("startPage").toString().isEmpty())
        return false; // its plugin is not listed yet
    if (m_options.startPage.isEmpty() || m_options.startPage == QLatin1String("home"))
        return true;
    const QObject *pluginView = openPluginView();
    return pluginView && pluginView->property("settled").toBool();
}

QString AppWindow::startPageName() const
{
    return m_options.startPage.isEmpty() ? QStringLiteral("home") : m_options.startPage;
}

int AppWindow::rowsShown() const
{
    const QObject *pluginView = openPluginView();
    QObject *content = pluginView ? pluginView->property("view").value<QObject *>() : nullptr;
    return content ? countRows(content) : 0;
}

void AppWindow::onServerChosen(const QString &address)
{
    const QUrl url = serverUrlFromInput(address);
    if (!url.isValid()) {
        m_window->setProperty("error",
                              tr("“%1” is not a server address; type host:port, e.g. "
                                 "peek.example.org:8000")
                                  .arg(address));
        return;
    }
    // Checked before it is remembered: the service must answer with its plugin list for this
    // mode (a field address for the field app, an office address for the office app).
    if (!m_network)
        m_network = new QNetworkAccessManager(this);
    QNetworkRequest request(PluginBundles::indexUrl(url, m_options.mode));
    request.setTransferTimeout(10000);
    m_window->setProperty("error", QString());
    m_window->setProperty("checking", true);
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply, url] {
        reply->deleteLater();
        if (!m_window)
            return;
        m_window->setProperty("checking", false);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() == QNetworkReply::NoError) {
            m_options.serverUrl = url;
            if (!showMain())
                QCoreApplication::exit(1);
            return;
        }
        const QString where = url.toString(QUrl::RemovePath | QUrl::RemoveQuery);
        m_window->setProperty(
            "error", status == 404
                         ? tr("%1 answers, but it is not a Peek %2 service. Check the port: the "
                              "field service usually listens on 8000, the office service on 8002.")
                               .arg(where, m_options.mode)
                         : tr("Cannot reach %1: %2. Check the address and that the service runs.")
                               .arg(where, reply->errorString()));
    });
}

bool AppWindow::settled() const
{
    const bool exposed = m_window && m_window->isExposed();
    if (!m_session) // the server-address screen
        return exposed;
    return exposed && m_session->connectionState() != QLatin1String("connecting") && startPageShown();
}

} // namespace peek::app
