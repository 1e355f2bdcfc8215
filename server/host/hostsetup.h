#pragma once

#include "host/servicehost.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

#include <optional>

namespace peek {

// What peek-server's command line may set over config.json; unset fields take config.json's.
struct HostOverrides
{
    QString home;                        // the service home (absolute)
    std::optional<QStringList> roles;    // --roles
    std::optional<QString> logicUrl;     // --logic-url
    std::optional<quint16> port;         // --port: logic's data exchange port
    QHostAddress listenAddress = QHostAddress::Any;
    QStringList enablePlugins;           // --enable-plugin: enabled for this run, beside config.json's
    QStringList pluginDirectories;       // --plugin-dir: searched first (a plugin's own build folder)
    bool noEnrolment = false;            // --no-enrolment: devices served without enrolment or login (loopback only)
};

// A service home made ready to run: its config.json read (created, or completed with new
// defaults), the options of the ServiceHost, the installation's join token (made on logic's first
// start), the decoding limits set and the log installed.
struct HostSetup
{
    ServiceHostOptions options;
    QString configPath;
    // Reads the home's config.json under the overrides; fails (naming the option or the
    // config.json key) when the service cannot run as configured.
    static Result<HostSetup> prepare(const HostOverrides &overrides);
    // Installs the log (<home>/peek-server.log at config.json logging.level) and writes what
    // prepare() did to it: a config file created or completed, a join token made, unknown keys.
    Result<void> installLog();

private:
    QString m_logLevel;
    bool m_journal = false; // stderr lines carry syslog priorities (logging.journal)
    QStringList m_notes;    // what prepare() did, for the log (info)
    QStringList m_warnings; // what looks wrong in config.json (warning)
};

} // namespace peek
