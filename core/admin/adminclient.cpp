#include "admin/adminclient.h"

#include "admin/identityactions.h"

#include "base/role.h"
#include "vortex/futurecontext.h"
#include "vortex/payload.h"
#include "vortex/payloadresponse.h"

#include <QPromise>
#include <QUuid>

namespace peek {

namespace {
const QString kUserPlugin = QStringLiteral("peek_core_user");

QString logicName()
{
    return Role(Role::Logic).vortexName();
}

Dict userFilt(const QString &key)
{
    return {{QStringLiteral("plugin"), Value(kUserPlugin)}, {QStringLiteral("key"), Value(key)}};
}

} // namespace

AdminClient::AdminClient(Options options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
    // The local operator is a service (the join token); an admin elsewhere is not, and logs in.
    m_vortex = std::make_unique<Vortex>(m_options.joinToken.isEmpty() ? QStringLiteral("peek-admin-console")
                                                                      : kAdminServiceName);
    if (!m_options.joinToken.isEmpty())
        m_vortex->setJoinToken(m_options.joinToken);
    if (m_options.tls)
        m_vortex->setClientTls(*m_options.tls);
    connect(m_vortex.get(), &Vortex::peerConnected, this, [this](const PeerInfo &peer) {
        if (peer.vortexName == logicName())
            Q_EMIT connected();
    });
    connect(m_vortex.get(), &Vortex::peerDisconnected, this, [this](const PeerInfo &peer) {
        if (peer.vortexName != logicName())
            return;
        m_user.clear(); // a new connection logs in again (or resumes)
        if (!m_options.redial) // not from inside the socket's signal
            QMetaObject::invokeMethod(this, [this] { m_vortex->close(); }, Qt::QueuedConnection);
        Q_EMIT disconnected();
    });
    connect(m_vortex.get(), &Vortex::dialFailed, this, [this](const QUrl &, const QString &reason) {
        if (!m_options.redial) // not from inside the socket's signal
            QMetaObject::invokeMethod(this, [this] { m_vortex->close(); }, Qt::QueuedConnection);
        Q_EMIT dialFailed(reason);
    });
    // The vortex is this client's own: the endpoint goes with it.
    m_vortex->router().addEndpoint(userFilt(QStringLiteral("user.status")),
                                   [this](const PayloadEnvelope &e, const MessageSource &) { onStatus(e); });
}

AdminClient::~AdminClient()
{
    if (m_resume) {
        m_resume->addResult(AdminLogin {false, {}, {}, {}, tr("the admin client closed")});
        m_resume->finish();
    }
    m_vortex->close();
}

bool AdminClient::isConnected() const
{
    return m_vortex->isConnectedTo(logicName());
}

void AdminClient::open()
{
    m_vortex->connectTo(m_options.url);
}

void AdminClient::close()
{
    m_vortex->close();
}

QFuture<AdminLogin> AdminClient::logIn(const QString &userName, const QString &password)
{
    const Payload payload(identity::userProcessorFilt(), {identity::loginAction(userName, password, QString())});
    QFuture<PayloadEnvelope> answer = PayloadResponse::send(m_vortex.get(), PayloadEnvelope::fromPayload(payload),
                                                            logicName(), m_options.timeoutMs);
    return thenOn(this, answer, [this, userName](const PayloadEnvelope &envelope) {
        AdminLogin out;
        out.userName = userName;
        auto decoded = envelope.decodePayload();
        const Tuple *response = decoded && decoded.value().tuples.size() == 1 ? decoded.value().tuples.front().get() : nullptr;
        if (!envelope.isSuccess())
            out.message = envelope.errorText();
        else if (!response)
            out.message = tr("logic's answer to the login could not be read");
        else if (!response->field(QStringLiteral("succeeded")).toBool())
            out.message = response->field(QStringLiteral("message")).toString();
        else {
            out.loggedIn = true;
            out.displayName = response->field(QStringLiteral("displayName")).toString();
            out.token = response->field(QStringLiteral("userToken")).toString();
            m_user = userName;
            for (TupleDataObserverClient *observer : std::as_const(m_observers))
                observer->resubscribeAll(); // what the gate refused before the login
        }
        return out;
    });
}

QFuture<PayloadEnvelope> AdminClient::logOut()
{
    const Payload payload(identity::userProcessorFilt(), {identity::logoutAction(m_user, QString())});
    m_user.clear();
    return PayloadResponse::send(m_vortex.get(), PayloadEnvelope::fromPayload(payload), logicName(), m_options.timeoutMs);
}

QFuture<AdminLogin> AdminClient::resume(const QString &token)
{
    if (m_resume)
        settleResume(AdminLogin {false, {}, {}, {}, tr("a newer session was presented")});
    m_resume = std::make_shared<QPromise<AdminLogin>>();
    m_resume->start();
    QFuture<AdminLogin> answer = m_resume->future();
    auto tuple = std::make_shared<GenericTuple>(QStringLiteral("peek_core_user.UserResumeTuple"),
                                                Dict {{QStringLiteral("userToken"), Value(token)}});
    m_vortex->send(PayloadEnvelope::fromPayload(Payload(userFilt(QStringLiteral("user.resume")), {tuple})), logicName());
    return answer;
}

void AdminClient::settleResume(const AdminLogin &answer)
{
    if (!m_resume)
        return;
    auto promise = std::move(m_resume);
    promise->addResult(answer);
    promise->finish();
}

void AdminClient::onStatus(const PayloadEnvelope &envelope)
{
    auto payload = envelope.decodePayload();
    const Tuple *status = payload && payload.value().tuples.size() == 1 ? payload.value().tuples.front().get() : nullptr;
    if (!envelope.isSuccess() || !status) {
        settleResume(AdminLogin {false, {}, {}, {}, envelope.isSuccess() ? tr("unreadable session status") : envelope.errorText()});
        return;
    }
    AdminLogin now;
    now.loggedIn = status->field(QStringLiteral("loggedIn")).toBool();
    now.userName = status->field(QStringLiteral("userName")).toString();
    now.displayName = status->field(QStringLiteral("displayName")).toString();
    now.message = status->field(QStringLiteral("message")).toString();
    const bool wasIn = !m_user.isEmpty();
    m_user = now.loggedIn ? now.userName : QString();
    if (m_resume) {
        if (now.loggedIn)
            for (TupleDataObserverClient *observer : std::as_const(m_observers))
                observer->resubscribeAll();
        settleResume(now);
        return;
    }
    if (wasIn && !now.loggedIn)
        Q_EMIT sessionEnded(now.message);
}

QFuture<Value> AdminClient::call(const Rpc &rpc, const ValueList &args, const Dict &kwargs) const
{
    return rpc.call(m_vortex.get(), args, kwargs);
}

TupleSubscription *AdminClient::watch(const QString &plugin, const TupleSelector &selector, QObject *parent)
{
    TupleDataObserverClient *&observer = m_observers[plugin];
    if (!observer) {
        TupleDataObserverClient::Options options;
        options.destVortexName = logicName();
        observer = new TupleDataObserverClient(m_vortex.get(), plugin, plugin, options, this);
    }
    return observer->subscribe(selector, parent);
}

} // namespace peek
