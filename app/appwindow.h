#pragma once

#include <QObject>
#include <QPointer>
#include <QSize>
#include <QString>
#include <QUrl>

#include <memory>

class QQmlApplicationEngine;
class QQuickWindow;

namespace peek::app {

class Session;

// The app's one window and what it shows: the server-address screen on a first start without
// a known server, else the mode's main QML over a Session. With a screenshot file set it renders
// offscreen once the screen has settled, writes the PNG and quits the application.
class AppWindow final : public QObject {
    Q_OBJECT
public:
    struct Options {
        QString mode;      // "field" (office is not built yet)
        QUrl serverUrl;    // empty: ask for it
        QString dataDir;   // the session's data directory
        QSize size;        // window size; empty: the QML default
        QString screenshot; // PNG to write, then quit; empty: run interactively
        QString startPage; // page to open first ("" = home, "tutorial")
    };

    explicit AppWindow(Options options, QObject *parent = nullptr);
    ~AppWindow() override;

    // Shows the first screen; false (with a message on stderr) when it could not load.
    bool start();

private Q_SLOTS:
    // From ServerSetup.qml's connectRequested(address).
    void onServerChosen(const QString &address);

private:
    void showServerSetup();
    bool showMain();
    bool load(const QUrl &url, const QVariantMap &properties);
    void scheduleScreenshot(bool waitForConnection);
    void grabAndQuit();

    Options m_options;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QPointer<QQuickWindow> m_window;
    bool m_grabbing = false;
};

// The address the user typed as a service URL: "host:port" or "ws[s]://host:port"; invalid if
// it cannot be one.
QUrl serverUrlFromInput(const QString &input);

} // namespace peek::app
