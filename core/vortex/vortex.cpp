// The node: construction and shutdown, the sweep (heartbeats, silence, handshake timeouts),
// deadlines, hellos and routing of received messages, sending, peers and per-peer limits.
// Serving is in vortexserver.cpp, dialling in vortexclient.cpp.
#include "vortex_p.h"
#include "base/role.h"

#include "base/eventdispatcher.h"

#include <QUuid>

#include <utility>

Q_LOGGING_CATEGORY(lcVortex, "peek.vortex")

namespace peek {

namespace {
const QString kHelloUuid = QStringLiteral("__vortexUuid__");
const QString kHelloName = QStringLiteral("__vortexName__");
const QString kServerEcho = QStringLiteral("rapuiServerEcho");
} // namespace

// ---- the node ----------------------------------------------------------------------------------

Vortex::Vortex(const QString &name, const VortexOptions &options, QObject *parent)
    : QObject(parent), m_name(name), m_uuid(QUuid::createUuid().toString(QUuid::WithoutBraces)),
      m_options(options)
{
    qRegisterMetaType<peek::PeerInfo>();
    // For comparisons and for running a test suite on I/O threads: overrides the options.
    if (const QByteArray io = qgetenv("PEEK_IO_THREADS"); !io.isEmpty())
        m_options.ioThreads = io.toInt();
    auto &registry = metrics::Registry::instance();
    const metrics::Labels labels {{QStringLiteral("vortex"), name}};
    m_traffic.messagesIn = &registry.counter(QStringLiteral("peek_vortex_messages_received_total"),
                                             QStringLiteral("Messages received (heartbeats not counted)."), labels);
    m_traffic.bytesIn = &registry.counter(QStringLiteral("peek_vortex_received_bytes_total"),
                                          QStringLiteral("Bytes of the messages received."), labels);
    m_traffic.messagesOut = &registry.counter(QStringLiteral("peek_vortex_messages_sent_total"),
                                              QStringLiteral("Messages sent, one per connection they went to."), labels);
    m_traffic.bytesOut = &registry.counter(QStringLiteral("peek_vortex_sent_bytes_total"),
                                           QStringLiteral("Bytes of the messages sent."), labels);
    m_traffic.accepted = &registry.counter(QStringLiteral("peek_vortex_connections_opened_total"),
                                           QStringLiteral("Connections that completed the handshake, incoming and outgoing."), labels);
    m_traffic.superseded = &registry.counter(QStringLiteral("peek_observable_updates_superseded_total"),
                                             QStringLiteral("Observable updates that waited on a slow peer and were replaced by a newer one."),
                                             labels);
    m_traffic.fanOut = &registry.histogram(QStringLiteral("peek_observable_fanout"),
                                           QStringLiteral("Connections one observable update went to at once."),
                                           {1, 2, 5, 10, 50, 100, 500, 1000, 5000, 10000}, labels);
    m_clock.start();
    m_sweepTimer.setInterval(std::max(1, std::min(options.heartbeatMs, options.watchdogMs)));
    connect(&m_sweepTimer, &QTimer::timeout, this, &Vortex::sweep);
    m_sweepTimer.start();
    m_deadlineTimer.setSingleShot(true);
    connect(&m_deadlineTimer, &QTimer::timeout, this, [this] {
        const qint64 now = clockMs();
        while (!m_deadlines.empty() && m_deadlines.begin()->first <= now) {
            const quint64 id = m_deadlines.begin()->second;
            m_deadlines.erase(m_deadlines.begin());
            auto handler = m_deadlineHandlers.take(id).second;
            if (handler)
                handler();
        }
        armDeadlines();
    });
}

void Vortex::sweep()
{
    const qint64 now = clockMs();
    const bool slept = m_lastSweepMs > 0 && now - m_lastSweepMs > m_options.sleepGuardMs;
    if (slept)
        qCInfo(lcVortex).noquote() << m_name << "sweep ran" << (now - m_lastSweepMs)
                                   << "ms late (machine asleep?); restarting the silence clock of"
                                   << m_connections.size() << "connections";
    m_lastSweepMs = now;
    const QList<VortexConnection *> connections = m_tickedHere.values();
    for (VortexConnection *c : connections)
        c->tick(now, slept, m_sweepTimer.interval());
    if (m_server)
        m_server->sweepPending(now);
}

quint64 Vortex::addDeadline(int ms, std::function<void()> onExpiry)
{
    const quint64 id = m_nextDeadlineId++;
    const qint64 due = clockMs() + ms;
    m_deadlines.emplace(due, id);
    m_deadlineHandlers.insert(id, {due, std::move(onExpiry)});
    if (m_deadlines.begin()->second == id)
        armDeadlines();
    return id;
}

void Vortex::cancelDeadline(quint64 id)
{
    const auto it = m_deadlineHandlers.find(id);
    if (it == m_deadlineHandlers.end())
        return;
    auto [first, last] = m_deadlines.equal_range(it->first);
    for (auto d = first; d != last; ++d) {
        if (d->second == id) {
            m_deadlines.erase(d);
            break;
        }
    }
    m_deadlineHandlers.erase(it);
}

void Vortex::armDeadlines()
{
    if (m_deadlines.empty()) {
        m_deadlineTimer.stop();
        return;
    }
    m_deadlineTimer.start(int(std::max<qint64>(0, m_deadlines.begin()->first - clockMs())));
}

void Vortex::indexReady(VortexConnection *connection)
{
    m_traffic.accepted->add();
    connection->readySeq = m_nextReadySeq++;
    m_readyByName[connection->remoteName()].emplace(connection->readySeq, connection);
    // The first connection keeps its uuid (onConnectionReady() says when a newer one replaces it).
    const QString uuid = connection->info().vortexUuid;
    if (connection->info().incoming && !uuid.isEmpty() && !m_incomingByUuid.contains(uuid))
        m_incomingByUuid.insert(uuid, connection);
}

void Vortex::unindex(VortexConnection *connection)
{
    // Under the name and uuid it was indexed with (they change only between an unindex and an
    // indexReady): a lookup each, where a scan of every connection, for each of thousands of
    // devices dropping at once, took seconds.
    const auto named = m_readyByName.find(connection->remoteName());
    if (named != m_readyByName.end() && named->erase(connection->readySeq) > 0 && named->empty())
        m_readyByName.erase(named);
    const auto byUuid = m_incomingByUuid.find(connection->remoteUuid());
    if (byUuid != m_incomingByUuid.end() && byUuid.value() == connection)
        m_incomingByUuid.erase(byUuid);
}

Vortex::~Vortex()
{
    close();
    m_io.reset(); // after the closes it queued to the I/O threads
}

// ---- I/O threads -------------------------------------------------------------------------------

Vortex::IoLoop::IoLoop(Vortex *vortex, int i) : q(vortex), index(i) {}

void Vortex::IoLoop::start()
{
    sweep = new QTimer(this);
    // A tenth of the links at each tick, ten ticks per round: the thread's sockets never wait
    // behind thousands of heartbeats at once. A link is visited once a round: once per heartbeat
    // interval (its heartbeat is due then), and at least ten times per silence timeout, but never
    // more often than the watchdog asks. With the defaults, every 10 s instead of every second:
    // thousands of idle devices cost a tenth of the visits.
    const VortexOptions &o = q->m_options;
    roundMs = std::max(o.watchdogMs, std::min(o.heartbeatMs, o.silenceTimeoutMs / 10));
    sweep->setInterval(std::max(1, roundMs / int(kSweepSlices)));
    connect(sweep, &QTimer::timeout, this, &IoLoop::tick);
    sweep->start();
}

void Vortex::IoLoop::stop()
{
    delete sweep;
    sweep = nullptr;
    for (auto &slice : slices)
        qDeleteAll(std::exchange(slice, {}));
}

void Vortex::IoLoop::tick()
{
    const qint64 now = q->clockMs();
    const bool slept = lastSweepMs > 0 && now - lastSweepMs > q->m_options.sleepGuardMs;
    lastSweepMs = now;
    const quint64 slice = nextSlice;
    nextSlice = (nextSlice + 1) % kSweepSlices;
    // A tick never adds or removes links (that comes through the thread's queue).
    for (quint64 i = 0; i < kSweepSlices; ++i)
        if (i == slice || slept)
            for (WebSocketLink *link : std::as_const(slices[i]))
                link->tick(now, slept, roundMs);
}

Vortex::IoPool::IoPool(Vortex *vortex, int count)
{
    for (int i = 0; i < count; ++i) {
        auto thread = std::make_unique<QThread>();
        thread->setObjectName(QStringLiteral("%1-io-%2").arg(vortex->m_name).arg(i));
        useEventDispatcherOn(thread.get());
        auto *loop = new IoLoop(vortex, i);
        loop->moveToThread(thread.get());
        thread->start();
        QMetaObject::invokeMethod(loop, &IoLoop::start, Qt::QueuedConnection);
        workers.push_back(Worker {std::move(thread), loop});
    }
}

Vortex::IoPool::~IoPool()
{
    for (Worker &worker : workers) {
        QMetaObject::invokeMethod(worker.loop, &IoLoop::stop, Qt::BlockingQueuedConnection);
        worker.thread->quit();
        worker.thread->wait();
        delete worker.loop; // no timer or socket left, and its thread is gone
    }
}

Vortex::IoLoop *Vortex::IoPool::pick()
{
    return std::min_element(workers.begin(), workers.end(),
                            [](const Worker &a, const Worker &b) { return a.load < b.load; })
        ->loop;
}

void Vortex::placeOnIoThread(WebSocketConnection *connection)
{
    // A peerConnected() handler may have closed it already: nothing to serve.
    if (m_options.ioThreads == 0 || !m_connections.contains(connection->id()))
        return;
    if (!m_io) {
        const int count = m_options.ioThreads == VortexOptions::kIoThreadsPerCore ? QThread::idealThreadCount()
                                                                                    : m_options.ioThreads;
        if (count <= 0)
            return;
        m_io = std::make_unique<IoPool>(this, count);
        qCInfo(lcVortex).noquote() << m_name << "serves its connections on" << count
                                   << "I/O threads (VortexOptions::ioThreads; network.ioThreads in config.json)";
    }
    IoLoop *loop = m_io->pick();
    connection->moveToIoThread(loop);
    ++m_io->workers[size_t(loop->index)].load;
    m_tickedHere.remove(connection->id());
}

int Vortex::ioThreadCount() const
{
    return m_io ? int(m_io->workers.size()) : 0;
}

Vortex::FanOut::FanOut(Vortex *vortex, const QByteArray &message, const QString &supersede)
    : m_vortex(vortex), m_message(message), m_supersede(supersede)
{
}

Vortex::FanOut::~FanOut() = default;

void Vortex::FanOut::add(quint64 connectionId)
{
    VortexConnection *c = m_vortex->m_connections.value(connectionId);
    if (!c)
        return;
    ++m_sent;
    if (m_frame.isNull())
        m_frame = textFrame(m_message);
    const int io = c->ioIndex();
    if (io < 0 || c->form() != PayloadEnvelope::Form::Json) {
        c->sendFrame(m_frame, m_message, m_supersede);
        return;
    }
    if (m_batches.size() <= size_t(io))
        m_batches.resize(size_t(io) + 1);
    m_batches[size_t(io)].push_back(connectionId);
}

int Vortex::FanOut::finish()
{
    for (size_t i = 0; i < m_batches.size(); ++i) {
        if (m_batches[i].empty())
            continue;
        IoLoop *loop = m_vortex->m_io->workers[i].loop;
        QMetaObject::invokeMethod(
            loop,
            [loop, ids = std::move(m_batches[i]), frame = m_frame, message = m_message, supersede = m_supersede] {
                for (quint64 id : ids)
                    if (WebSocketLink *link = loop->link(id))
                        link->sendFrame(frame, message, supersede);
            },
            Qt::QueuedConnection);
    }
    m_batches.clear();
    m_vortex->m_traffic.fanOut->observe(m_sent);
    return m_sent;
}

void Vortex::close()
{
    m_clients.clear();
    if (m_server) {
        for (const auto &listener : m_server->listeners)
            listener->close();
        m_server.reset();
    }
    const auto connections = m_connections;
    for (VortexConnection *c : connections)
        c->closeWithReason(QWebSocketProtocol::CloseCodeGoingAway,
                           QStringLiteral("%1 is shutting down").arg(m_name));
}

void Vortex::addConnection(VortexConnection *connection)
{
    m_connections.insert(connection->id(), connection);
    m_tickedHere.insert(connection->id(), connection);
    connect(connection, &VortexConnection::messageReceived, this,
            [this, connection](const QByteArray &message) { onMessage(connection, message); });
    connect(connection, &VortexConnection::closed, this,
            [this, connection] { onConnectionClosed(connection); });
}

void Vortex::sendHello(VortexConnection *connection)
{
    PayloadEnvelope hello(Dict{{kHelloUuid, m_uuid}, {kHelloName, m_name}});
    connection->sendMessage(hello.toVortexMsg());
}

void Vortex::onConnectionReady(VortexConnection *connection)
{
    connection->markReady();
    const PeerInfo info = connection->info();
    if (info.incoming && !info.vortexUuid.isEmpty()) {
        VortexConnection *older = m_incomingByUuid.value(info.vortexUuid);
        if (older && older != connection) {
            // Taking over a uuid needs credentials: a proven service may replace the link it
            // left behind; anyone else is served beside it, and the older one keeps the uuid until
            // it closes (its silence timeout ends a half-open one).
            if (connection->isProven()) {
                qCInfo(lcVortex).noquote() << m_name << "replaces the connection of" << info.vortexName
                                           << older->info().address << "with a new one from" << info.address
                                           << "(same vortexUuid" << info.vortexUuid << ", a proven service)";
                unindex(older);
                older->closeWithReason(QWebSocketProtocol::CloseCodeNormal,
                                       QStringLiteral("replaced by a newer connection with the same vortexUuid"));
            } else {
                qCInfo(lcVortex).noquote() << m_name << "has a second connection with vortexUuid" << info.vortexUuid
                                           << "from" << info.address << "(" << info.vortexName
                                           << "); the first, from" << older->info().address
                                           << ", is not replaced without credentials: both are served";
            }
        }
    }
    indexReady(connection);
    // Services are few and their links matter to operators; apps are many.
    if (Role::isServiceVortexName(info.vortexName))
        qCInfo(lcVortex).noquote() << m_name << "connected to" << info.vortexName << info.address
                                   << (info.incoming ? "(incoming)" : "(outgoing)");
    else
        qCDebug(lcVortex).noquote() << m_name << "connected to" << info.vortexName << info.address;
    Q_EMIT peerConnected(info);
}

void Vortex::onConnectionClosed(VortexConnection *connection)
{
    if (!m_connections.remove(connection->id()))
        return;
    m_tickedHere.remove(connection->id());
    m_subscriptions.remove(connection->id());
    if (m_io && connection->ioIndex() >= 0)
        --m_io->workers[size_t(connection->ioIndex())].load;
    m_held.remove(connection->id());
    unindex(connection);
    const PeerInfo info = connection->info();
    if (connection->isReady()) {
        if (Role::isServiceVortexName(info.vortexName))
            qCInfo(lcVortex).noquote() << m_name << "disconnected from" << info.vortexName << info.address;
        else
            qCDebug(lcVortex).noquote() << m_name << "disconnected from" << info.vortexName << info.address;
        Q_EMIT peerDisconnected(info);
    }
    if (connection->isReady())
        for (auto &client : m_clients)
            if (client->connection == connection)
                client->failures = 0; // it had worked: start the backoff from the bottom
    connection->deleteLater();
}

MessageSource Vortex::sourceOf(VortexConnection *connection)
{
    const PeerInfo info = connection->info();
    return MessageSource{this, info.connectionId, info.vortexName, info.vortexUuid, info.address, info.proven,
                         connection->identity()};
}

void Vortex::onMessage(VortexConnection *connection, const QByteArray &raw)
{
    if (raw.size() == 1 && raw.front() == '.')
        return; // heartbeat
    m_traffic.messagesIn->add();
    m_traffic.bytesIn->add(quint64(raw.size()));
    QByteArrayView message(raw);
    if (message.size() > 1 && message.back() == '.')
        message.chop(1); // some peers append a heartbeat to every message

    auto decoded = PayloadEnvelope::fromVortexMsg(message);
    const bool parsed = decoded.ok();
    // A peer that writes base64 (vortexjs) reads only that form: answer it in kind, hello
    // included (it went out in JSON before the peer said anything).
    if (parsed && !message.isEmpty() && message.front() != '{'
        && connection->form() == PayloadEnvelope::Form::Json) {
        connection->setForm(PayloadEnvelope::Form::Base64EncodedPayload);
        sendHello(connection);
    }
    if (!parsed) {
        const QString error = decoded.error().message();
        const PeerInfo info = connection->info();
        limitTripped(QStringLiteral("malformedMessages"), connection->host(),
                     QStringLiteral("closed the connection of %1 %2 after a malformed message: %3 (first bytes: %4)")
                         .arg(info.vortexName, info.address, error,
                              QString::fromLatin1(raw.left(80).toPercentEncoding(" {}[]\":,._-"))));
        Q_EMIT peerRejected(info, error);
        connection->closeWithReason(QWebSocketProtocol::CloseCodeWrongDatatype,
                                    QStringLiteral("malformed vortex message: %1").arg(error).left(120));
        return;
    }
    PayloadEnvelope &envelope = decoded.value();

    const Value *helloUuid = envelope.filt.find(kHelloUuid);
    const Value *helloName = envelope.filt.find(kHelloName);
    if (helloUuid && helloName && envelope.data.isEmpty()) {
        if (!connection->isProven() && Role::isServiceVortexName(helloName->toString())) {
            const PeerInfo info = connection->info();
            const QString why = QStringLiteral("vortexName %1 is reserved for services, which present the join token")
                                    .arg(helloName->toString().left(100));
            qCWarning(lcVortex).noquote() << m_name << "closed the connection of" << info.vortexName << info.address
                                          << "- its hello claimed" << helloName->toString().left(100)
                                          << "without the join token (a device must use its own name)";
            Q_EMIT peerRejected(info, why);
            connection->closeWithReason(QWebSocketProtocol::CloseCodePolicyViolated, why.left(120));
            return;
        }
        const bool wasReady = connection->isReady();
        if (wasReady) {
            unindex(connection);
            connection->setRemote(helloName->toString(), helloUuid->toString());
            indexReady(connection);
        } else {
            connection->setRemote(helloName->toString(), helloUuid->toString());
            onConnectionReady(connection);
        }
        for (auto &client : m_clients)
            if (client->connection == connection)
                client->failures = 0;
        return;
    }
    if (!connection->isReady()) {
        qCDebug(lcVortex) << m_name << "dropped a message that arrived before the peer's hello";
        return;
    }
    if (envelope.filt.contains(kServerEcho)) {
        if (m_options.answerServerEcho) {
            echoBack(connection, envelope);
        } else {
            PayloadEnvelope refused = PayloadEnvelope::error(
                envelope.filt, QStringLiteral("%1 does not answer the server echo").arg(m_name));
            refused.filt.remove(kServerEcho);
            connection->sendMessage(refused.toVortexMsg());
        }
        return;
    }
    MessageSource source = sourceOf(connection);
    source.raw = message.size() == raw.size() ? raw : raw.left(message.size());
    if (connection->isProven())
        m_router.dispatch(envelope, source);
    else
        admit(envelope, source);
}

void Vortex::admit(const PayloadEnvelope &envelope, const MessageSource &source)
{
    auto held = m_held.find(source.connectionId);
    if (held == m_held.end()) {
        switch (runGates(envelope, source)) {
        case GateVerdict::Pass:
            m_router.dispatch(envelope, source);
            return;
        case GateVerdict::Refused:
            return;
        case GateVerdict::Hold:
            held = m_held.insert(source.connectionId, {});
            break;
        }
    } else if (held->size() >= size_t(kMaxHeldPerConnection)) {
        // Behind what waits (the order is the sender's), but not without end.
        qCInfo(lcVortex).noquote() << m_name << "refused a message from" << source.vortexName.left(60) << source.address
                                   << "- more than" << kMaxHeldPerConnection << "wait for its check";
        source.reply(PayloadEnvelope::error(envelope.filt, QStringLiteral("too many messages before this connection was "
                                                                          "checked; wait for the answer to the first")));
        return;
    }
    held->push_back({envelope, source});
}

void Vortex::releaseHeld(quint64 connectionId)
{
    if (m_releasing.contains(connectionId))
        return; // the release under way goes on with what is left
    m_releasing.insert(connectionId);
    for (;;) {
        auto held = m_held.find(connectionId);
        if (held == m_held.end())
            break;
        VortexConnection *connection = m_connections.value(connectionId);
        if (held->empty() || !connection) {
            m_held.erase(held);
            break;
        }
        Held next = std::move(held->front());
        held->pop_front();
        next.source.identity = connection->identity();
        const GateVerdict verdict = runGates(next.envelope, next.source);
        if (verdict == GateVerdict::Hold) {
            m_held[connectionId].push_front(std::move(next));
            break;
        }
        if (verdict == GateVerdict::Pass)
            m_router.dispatch(next.envelope, next.source);
    }
    m_releasing.remove(connectionId);
}

void Vortex::setIdentity(quint64 connectionId, std::shared_ptr<const PeerIdentity> identity)
{
    VortexConnection *c = m_connections.value(connectionId);
    if (!c)
        return;
    const auto &before = c->identity();
    const bool other = (before ? before->deviceId : QString()) != (identity ? identity->deviceId : QString())
        || (before ? before->userName : QString()) != (identity ? identity->userName : QString())
        || (before && before->deviceApproved) != (identity && identity->deviceApproved)
        || (before ? before->userRoles : QStringList()) != (identity ? identity->userRoles : QStringList());
    c->setIdentity(std::move(identity));
    if (other && before)
        Q_EMIT identityChanged(connectionId);
}

quint64 Vortex::addDeviceGate(DeviceGate gate)
{
    const quint64 id = m_nextGateId++;
    m_gates.emplace_back(id, std::move(gate));
    return id;
}

void Vortex::removeDeviceGate(quint64 id)
{
    m_gates.erase(std::remove_if(m_gates.begin(), m_gates.end(), [id](const auto &g) { return g.first == id; }),
                  m_gates.end());
}

Vortex::GateVerdict Vortex::runGates(const PayloadEnvelope &envelope, const MessageSource &source)
{
    if (m_gates.empty())
        return m_fallbackGate ? m_fallbackGate(envelope, source) : GateVerdict::Pass;
    const auto gates = m_gates; // a gate may add or remove gates
    for (const auto &gate : gates)
        if (const GateVerdict verdict = gate.second(envelope, source); verdict != GateVerdict::Pass)
            return verdict;
    return GateVerdict::Pass;
}

std::shared_ptr<const PeerIdentity> Vortex::identity(quint64 connectionId) const
{
    const VortexConnection *c = m_connections.value(connectionId);
    return c ? c->identity() : nullptr;
}

int Vortex::closeDevice(const QString &deviceId, const QString &reason)
{
    int closed = 0;
    const auto connections = m_connections;
    for (VortexConnection *c : connections) {
        if (c->identity() && c->identity()->deviceId == deviceId) {
            c->closeWithReason(QWebSocketProtocol::CloseCodePolicyViolated, reason.left(120));
            ++closed;
        }
    }
    return closed;
}

void Vortex::echoBack(VortexConnection *connection, const PayloadEnvelope &envelope)
{
    PayloadEnvelope reply;
    auto decoded = envelope.decodePayload();
    if (!decoded) {
        reply = PayloadEnvelope::error(envelope.filt,
                                       QStringLiteral("server echo failed: %1").arg(decoded.error().message()));
        reply.filt.remove(kServerEcho);
    } else {
        Payload &payload = decoded.value();
        payload.filt.remove(kServerEcho);
        reply = PayloadEnvelope::fromPayload(payload);
        reply.filt = envelope.filt;
        reply.filt.remove(kServerEcho);
    }
    connection->sendMessage(reply.toVortexMsg());
}

int Vortex::sendVortexMsg(const QByteArray &vortexMsg, const QString &destVortexName)
{
    int sent = 0;
    if (destVortexName.isEmpty()) {
        for (VortexConnection *c : std::as_const(m_connections)) {
            if (c->isReady()) {
                c->sendMessage(vortexMsg);
                ++sent;
            }
        }
        return sent;
    }
    const auto it = m_readyByName.constFind(destVortexName);
    if (it == m_readyByName.constEnd())
        return 0;
    for (const auto &[seq, c] : *it) {
        c->sendMessage(vortexMsg);
        ++sent;
    }
    return sent;
}

int Vortex::send(const PayloadEnvelope &envelope, const QString &destVortexName)
{
    return sendVortexMsg(envelope.toVortexMsg(), destVortexName);
}

bool Vortex::sendToConnection(quint64 connectionId, const QByteArray &vortexMsg)
{
    VortexConnection *c = m_connections.value(connectionId);
    if (!c)
        return false;
    c->sendMessage(vortexMsg);
    return true;
}

QByteArray Vortex::textFrame(const QByteArray &message)
{
    const quint64 n = quint64(message.size());
    QByteArray frame;
    frame.reserve(message.size() + 10);
    frame.append(char(0x81)); // FIN, text
    if (n < 126) {
        frame.append(char(n));
    } else if (n <= 0xffff) {
        frame.append(char(126));
        frame.append(char((n >> 8) & 0xff));
        frame.append(char(n & 0xff));
    } else {
        frame.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((n >> shift) & 0xff));
    }
    frame.append(message);
    return frame;
}

QList<PeerInfo> Vortex::peers() const
{
    QList<PeerInfo> out;
    for (VortexConnection *c : m_connections)
        if (c->isReady())
            out.append(c->info());
    return out;
}

bool Vortex::isConnectedTo(const QString &vortexName) const
{
    return m_readyByName.contains(vortexName);
}

quint64 Vortex::connectionTo(const QString &vortexName) const
{
    const auto it = m_readyByName.constFind(vortexName);
    return it == m_readyByName.constEnd() || it->empty() ? 0 : it->rbegin()->second->id();
}

const PeerBudgets &Vortex::budgetsFor(quint16 localPort, bool proven) const
{
    const auto login = m_loginPorts.constFind(localPort);
    return !proven && login != m_loginPorts.constEnd() ? *login : m_options.budgets;
}

bool Vortex::reserveSubscription(quint64 connectionId)
{
    VortexConnection *c = m_connections.value(connectionId);
    if (!c || !c->info().incoming || c->budgets().maxSubscriptionsPerConnection <= 0)
        return true;
    const int max = c->budgets().maxSubscriptionsPerConnection;
    int &count = m_subscriptions[connectionId];
    if (count >= max) {
        const PeerInfo info = c->info();
        limitTripped(QStringLiteral("maxSubscriptionsPerConnection"), c->host(),
                     QStringLiteral("%1 (%2) asked for more than %3 subscriptions")
                         .arg(info.vortexName)
                         .arg(info.address)
                         .arg(max));
        return false;
    }
    ++count;
    return true;
}

void Vortex::releaseSubscription(quint64 connectionId)
{
    auto it = m_subscriptions.find(connectionId);
    if (it != m_subscriptions.end() && --it.value() <= 0)
        m_subscriptions.erase(it);
}

void Vortex::limitTripped(const QString &limit, const QString &peer, const QString &what)
{
    ++m_limitTrips[limit];
    const QString key = limit + u' ' + peer;
    const qint64 now = clockMs();
    const auto last = m_limitLoggedAtMs.constFind(key);
    if (last != m_limitLoggedAtMs.constEnd() && now - last.value() < 60000)
        return;
    if (m_limitLoggedAtMs.size() > 10000) // bounded: many peers must not grow it for ever
        m_limitLoggedAtMs.clear();
    m_limitLoggedAtMs.insert(key, now);
    qCWarning(lcVortex).noquote() << m_name << "limit" << limit << "tripped by" << peer << ":" << what
                                  << "(logged once a minute per peer; counted in /health)";
}

QString Vortex::nextMessageId()
{
    return m_uuid.left(8) + u':' + QString::number(m_nextMessageId++);
}

} // namespace peek
