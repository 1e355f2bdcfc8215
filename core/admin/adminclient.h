#pragma once
// A client of logic's admin port (docs/administration.md): `peek-server admin` and the admin
// window. It dials the port, logs in as an admin user (or resumes a remembered session, or is the
// local operator with the home's join token), calls the administration RPCs and watches the
// observables (peek_admin's services, peek_core_device's devices, peek_core_user's users), live.
#include "base/export.h"
#include "observable/tupledataobserverclient.h"
#include "tuple/tupleselector.h"
#include "vortex/rpc.h"
#include "vortex/vortex.h"

#include <QFuture>
#include <QHash>
#include <QSslConfiguration>
#include <QUrl>

#include <memory>
#include <optional>

namespace peek {

// The answer to a login or a resumed session.
struct PEEK_CORE_EXPORT AdminLogin
{
    bool loggedIn = false;
    QString userName;
    QString displayName;
    QString token;   // the session's secret (a login's answer only): keep it to resume
    QString message; // why not ("wrong user name or password", "... needs the admin role")
};

class PEEK_CORE_EXPORT AdminClient : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QUrl url;                             // logic's admin port: ws[s]://host:8010
        QByteArray joinToken;                 // the local operator (the home's); empty: an admin who logs in
        std::optional<QSslConfiguration> tls; // for wss:// (its CAs); none: Qt's default
        bool redial = false;                  // keep redialling after a drop (the window), not the console
        int timeoutMs = 10000;                // a login's answer
    };
    explicit AdminClient(Options options, QObject *parent = nullptr);
    ~AdminClient() override;

    Vortex *vortex() const { return m_vortex.get(); }
    QUrl url() const { return m_options.url; }
    bool isConnected() const;
    // Dials; connected() or dialFailed(reason) follows (with redial, again after every drop).
    void open();
    void close();

    // Logs in as an admin on this connection; resume() presents a remembered session's token.
    // The answer says who, or why not; it is also what the connection is from then on.
    QFuture<AdminLogin> logIn(const QString &userName, const QString &password);
    QFuture<AdminLogin> resume(const QString &token);
    // Ends the admin session at logic (the token no longer resumes it); done when answered.
    QFuture<PayloadEnvelope> logOut();
    // The logged-in admin ("" when none).
    QString userName() const { return m_user; }

    // An administration RPC on logic (admin/adminapi.h): its answer, or its error.
    QFuture<Value> call(const Rpc &rpc, const ValueList &args = {}, const Dict &kwargs = {}) const;
    // Watches logic's observable `plugin` (the observable has the plugin's name) for `selector`:
    // the subscription holds the latest tuples and says when they change; resubscribed after a
    // new login. Owned by `parent`.
    TupleSubscription *watch(const QString &plugin, const TupleSelector &selector, QObject *parent);

Q_SIGNALS:
    void connected();
    void disconnected();
    void dialFailed(const QString &reason);
    // Logic ended the admin session on this connection (logged out elsewhere, disabled, the
    // password changed, the admin role taken away): the message says which.
    void sessionEnded(const QString &message);

private:
    void onStatus(const PayloadEnvelope &envelope);
    void settleResume(const AdminLogin &answer);

    Options m_options;
    std::unique_ptr<Vortex> m_vortex;
    QHash<QString, TupleDataObserverClient *> m_observers; // by plugin
    QString m_user;
    std::shared_ptr<QPromise<AdminLogin>> m_resume; // waiting for user.status
};

} // namespace peek
