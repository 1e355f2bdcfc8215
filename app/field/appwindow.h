#pragma once

#include <QObject>
#include <QPointer>
#include <QSize>
#include <QString>
#include <QQuickWindow>
#include <QUrl>

#include "session.h"

#include <memory>

class QNetworkAccessManager;
class QQmlApplicationEngine;


namespace peek::app {

class PositionReporter;
class SecretStore;

// The app's one window and what it shows: the server-address screen on a first start without
// a known server, else the mode's main QML over a Session. It says when a screen is shown and
// whether it has settled; the screenshot and start-up report hooks (beside main) use that.
class AppWindow final : public QObject {
    Q_OBJECT
public:
    struct Options {
        QString mode;      // "field" (office is not built yet)
        QUrl serverUrl;    // empty: ask for it
        QString dataDir;   // the session's data directory
        QSize size;        // window size; empty: the QML default
        QString startPage; // page to open first ("" = home, a plugin's name)
        QString theme;     // "outdoor" or "standard" (remembered); "": the remembered one
        Session::Options session; // transport and queue settings (tests shorten the backoffs)
        // Field: an NMEA recording replayed as the position receiver (turns position reports on
        // for this run); empty: the device's receiver, when the user's setting is on.
        QString nmeaFile;
    };

    explicit AppWindow(Options options, QObject *parent = nullptr);
    ~AppWindow() override;

    // The window on screen (server setup or the mode's main window); null before start().
    QQuickWindow *window() const { return m_window; }
    Session *session() const { return m_session.get(); }
    PositionReporter *positionReporter() const { return m_positions.get(); }
    SecretStore *secrets() const { return m_secrets.get(); }

    // Shows the first screen; false (with a message on stderr) when it could not load.
    bool start();

    // The screen on show is still: the server-address screen once exposed; the main window once
    // the link has settled (not "connecting") and the start page shows with its view.
    bool settled() const;
    // The start page shows (its plugin listed and its view created; home at once).
    bool startPageShown() const;
    // The start page's name ("home" or a plugin) and how many rows its view holds.
    QString startPageName() const;
    int rowsShown() const;

Q_SIGNALS:
    // A screen was loaded: the server-address screen (main false) or the main window.
    void screenShown(bool main);

private Q_SLOTS:
    // From ServerSetup.qml's connectRequested(address).
    void onServerChosen(const QString &address);
    void onOutdoorChanged();
    void onPositionSharingChanged();

private:
    void showServerSetup();
    bool showMain();
    bool load(const QUrl &url, const QVariantMap &properties);
    // Starts or stops the position reports as the setting (or --nmea) says; tells the window.
    void applyPositionSharing(bool on);
    void openSecrets();
    // The PluginView of the plugin page on screen; null on home.
    QObject *openPluginView() const;

    Options m_options;
    std::unique_ptr<SecretStore> m_secrets;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<PositionReporter> m_positions;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QPointer<QQuickWindow> m_window;
    QNetworkAccessManager *m_network = nullptr; // checks a typed server address
};

// The address the user typed as a service URL: "host:port" or "ws[s]://host:port"; invalid if
// it cannot be one.
QUrl serverUrlFromInput(const QString &input);

} // namespace peek::app
