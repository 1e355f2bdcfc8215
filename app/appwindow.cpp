#include "appwindow.h"

#include "session.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QImage>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QSettings>
#include <QTimer>

#include <cstdio>

namespace peek::app {

namespace {

const QString kModuleBase = QStringLiteral("qrc:/qt/qml/PeekApp/field/");
constexpr int kConnectWaitMs = 5000; // how long a screenshot waits for the link to settle
constexpr int kSettleMs = 400;       // after that, for the first data and a rendered frame

void fail(const QString &message)
{
    std::fprintf(stderr, "peek: %s\n", qPrintable(message));
}

QString settingsKey(const QString &mode)
{
    return mode + QStringLiteral("/serverUrl");
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
    // QML first: its observers hold subscriptions of the session.
    m_engine.reset();
    Session::setCurrent(nullptr);
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
    if (!load(QUrl(kModuleBase + QStringLiteral("ServerSetup.qml")), {}))
        return;
    connect(m_window, SIGNAL(connectRequested(QString)), this, SLOT(onServerChosen(QString)));
    if (!m_options.screenshot.isEmpty())
        scheduleScreenshot(false);
}

bool AppWindow::showMain()
{
    QSettings().setValue(settingsKey(m_options.mode), m_options.serverUrl);
    m_session = std::make_unique<Session>(m_options.serverUrl, m_options.mode, m_options.dataDir);
    if (!m_session->isReady()) {
        fail(QStringLiteral("cannot start the session in %1: %2")
                 .arg(m_options.dataDir, m_session->errorString()));
        return false;
    }
    Session::setCurrent(m_session.get());
    if (!load(QUrl(kModuleBase + QStringLiteral("FieldMain.qml")),
              {{QStringLiteral("startPage"), m_options.startPage}}))
        return false;
    if (!m_options.screenshot.isEmpty())
        scheduleScreenshot(true);
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
    m_options.serverUrl = url;
    if (!showMain())
        QCoreApplication::exit(1);
}

void AppWindow::scheduleScreenshot(bool waitForConnection)
{
    auto *clock = new QElapsedTimer;
    clock->start();
    auto *poll = new QTimer(this);
    poll->setInterval(50);
    connect(poll, &QTimer::timeout, this, [this, poll, clock, waitForConnection] {
        const bool settled = !waitForConnection || !m_session
                             || m_session->connectionState() != QLatin1String("connecting")
                             || clock->elapsed() > kConnectWaitMs;
        if (!settled || !m_window || !m_window->isExposed())
            return;
        poll->stop();
        poll->deleteLater();
        delete clock;
        QTimer::singleShot(kSettleMs, this, &AppWindow::grabAndQuit);
    });
    poll->start();
}

void AppWindow::grabAndQuit()
{
    if (m_grabbing || !m_window)
        return;
    m_grabbing = true;
    // Grab after one more rendered frame so late model changes are on screen.
    connect(m_window, &QQuickWindow::frameSwapped, this, [this] {
        const QImage image = m_window->grabWindow();
        if (image.isNull() || !image.save(m_options.screenshot, "PNG")) {
            fail(QStringLiteral("cannot write the screenshot %1").arg(m_options.screenshot));
            QCoreApplication::exit(1);
            return;
        }
        std::fprintf(stdout, "peek: screenshot written to %s\n", qPrintable(m_options.screenshot));
        QCoreApplication::exit(0);
    }, Qt::SingleShotConnection);
    m_window->update();
}

} // namespace peek::app
