#include "host/adminservice.h"

#include "base/role.h"
#include "plugin/pluginmetadata.h"
#include "plugin/pluginpackage.h"
#include "service/logging.h"
#include "task/taskqueue.h"
#include "task/taskstore.h"
#include "tuple/tupleregistry.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcAdmin, "peek.admin")

namespace peek {

namespace {
const QString kPlugin = adminPluginName();
const QString kServiceInfo = QString::fromLatin1(ServiceInfoTuple::kTupleType);
} // namespace

namespace {

// The read `asked` for, from this process's log.
Result<std::shared_ptr<LogTailTuple>> readLog(const LogTailTuple &asked, const QString &logFile)
{
    auto tail = logging::readTail(logFile, asked.afterOffset, int(std::clamp<qint64>(asked.maxRecords, 1, 1000)),
                                  asked.minLevel);
    if (!tail)
        return tail.error();
    auto answer = std::make_shared<LogTailTuple>(asked);
    answer->records.clear();
    for (const QString &record : tail.value().records)
        answer->records.push_back(Value(record));
    answer->endOffset = tail.value().endOffset;
    answer->file = logFile;
    return answer;
}

} // namespace

PayloadEnvelope answerLogRead(const PayloadEnvelope &request, const QString &logFile)
{
    auto payload = request.decodePayload();
    const auto *asked = payload && payload.value().tuples.size() == 1
        ? dynamic_cast<const LogTailTuple *>(payload.value().tuples.front().get())
        : nullptr;
    if (!asked)
        return PayloadEnvelope::error(request.filt, QStringLiteral("log.read takes one peek_admin.LogTailTuple"));
    auto answer = readLog(*asked, logFile);
    if (!answer)
        return PayloadEnvelope::error(request.filt, answer.error().peerMessage());
    return PayloadEnvelope::fromPayload(Payload(request.filt, {answer.value()}));
}

AdminService::AdminService(Vortex *logic, std::function<std::shared_ptr<ServiceInfoTuple>()> self, Plugins plugins,
                           const AuditLog *audit, TaskQueue *tasks, QString logFile, QObject *parent)
    : QObject(parent), m_vortex(logic), m_self(std::move(self)), m_observable(logic, kPlugin, kPlugin),
      m_logFile(std::move(logFile)), m_tasks(tasks), m_audit(audit), m_plugins(std::move(plugins))
{
    m_installEndpoint = adminInstallRpc().listen(
        logic, [this](const ValueList &args, const Dict &kwargs) { return install(args, kwargs); });
    m_logsEndpoint = adminLogsRpc().listenAsync(logic, [this](const ValueList &args, const Dict &) { return logs(args); });
    m_tasksEndpoint = adminTasksRpc().listen(
        logic, [this](const ValueList &args, const Dict &kwargs) { return this->tasks(args, kwargs); });
    m_selfInfo = m_self();
    m_observable.addTupleProvider(kServiceInfo, [this](const Dict &, const TupleSelector &selector) {
        if (!selector.selector.isEmpty())
            throw std::invalid_argument("peek_admin.ServiceInfoTuple takes an empty selector (every service)");
        return ProvidedTuples {services(), {}};
    });
    m_reportEndpoint = logic->router().addEndpoint(
        serviceReportFilt(), [this](const PayloadEnvelope &e, const MessageSource &s) { onReport(e, s); });
    m_rpcEndpoint = adminServicesRpc().listen(logic, [this](const ValueList &, const Dict &) {
        return servicesValue();
    });
    m_auditEndpoint = adminAuditRpc().listen(logic, [this](const ValueList &args, const Dict &) {
        const qint64 limit = args.empty() ? 100 : std::clamp<qint64>(rpcArgument<qint64>(args, 0, "limit"), 1, 10000);
        if (!m_audit)
            throw std::runtime_error("this logic has no database, so no audit");
        auto events = m_audit->newest(limit);
        if (!events)
            throw std::runtime_error(QStringLiteral("could not read the audit: %1").arg(events.error().peerMessage()).toStdString());
        ValueList list;
        for (const AuditEvent &e : events.value())
            list.push_back(Value(Dict {{QStringLiteral("time"), Value(DateTime::fromUtcMicros(e.timeUs))},
                                       {QStringLiteral("event"), Value(e.event)},
                                       {QStringLiteral("source"), Value(e.source)},
                                       {QStringLiteral("deviceId"), Value(e.deviceId)},
                                       {QStringLiteral("userName"), Value(e.userName)},
                                       {QStringLiteral("actor"), Value(e.actor)},
                                       {QStringLiteral("address"), Value(e.address)},
                                       {QStringLiteral("detail"), Value(e.detail)}}));
        return Value(list);
    });
    m_settingsEndpoint = adminSettingsRpc().listen(
        logic, [this](const ValueList &args, const Dict &kwargs) { return pluginSettings(args, kwargs); });
    m_pluginsEndpoint = adminPluginsRpc().listen(
        logic, [this](const ValueList &args, const Dict &kwargs) { return changePlugins(args, kwargs); });
    // A service that links (first start, back after a restart or an outage) runs what is enabled now.
    connect(logic, &Vortex::peerConnected, this, [this](const PeerInfo &peer) {
        if (peer.proven && peer.vortexName != Role(Role::Logic).vortexName() && Role::fromVortexName(peer.vortexName))
            m_vortex->sendToConnection(peer.connectionId, enabledEnvelope().toVortexMsg());
    });
    connect(logic, &Vortex::peerDisconnected, this, [this](const PeerInfo &peer) {
        QMutexLocker lock(&m_mutex);
        if (m_reported.remove(peer.connectionId)) {
            lock.unlock();
            qCInfo(lcAdmin).noquote() << peer.vortexName << peer.address << "is gone from the services list";
            changed();
        }
    });
}

AdminService::~AdminService()
{
    if (m_vortex) {
        m_vortex->router().removeEndpoint(m_reportEndpoint);
        m_vortex->router().removeEndpoint(m_rpcEndpoint);
        m_vortex->router().removeEndpoint(m_pluginsEndpoint);
        m_vortex->router().removeEndpoint(m_auditEndpoint);
        m_vortex->router().removeEndpoint(m_settingsEndpoint);
        m_vortex->router().removeEndpoint(m_tasksEndpoint);
        m_vortex->router().removeEndpoint(m_logsEndpoint);
        m_vortex->router().removeEndpoint(m_installEndpoint);
    }
}

PayloadEnvelope AdminService::enabledEnvelope() const
{
    auto tuple = std::make_shared<EnabledPluginsTuple>();
    for (const QString &name : m_plugins.enabled())
        tuple->enabled.push_back(Value(name));
    if (m_plugins.packages)
        tuple->packages = m_plugins.packages();
    return PayloadEnvelope::fromPayload(Payload(enabledPluginsFilt(), {tuple}));
}

void AdminService::tellServices()
{
    const PayloadEnvelope told = enabledEnvelope();
    for (const Role role : Role::all())
        if (role != Role::Logic)
            m_vortex->send(told, role.vortexName());
}

Value AdminService::changePlugins(const ValueList &args, const Dict &kwargs)
{
    const QString command = rpcArgument<QString>(args, 0, "command");
    const QString name = rpcArgument<QString>(args, 1, "plugin");
    if (command == QLatin1String("rollback")) {
        if (!m_plugins.rollback)
            throw std::runtime_error("this logic cannot roll plugins back");
        auto back = m_plugins.rollback(name);
        if (!back)
            throw std::invalid_argument(back.error().peerMessage().toStdString());
        const QString who = rpcActor(kwargs);
        qCInfo(lcAdmin).noquote() << who << "rolled back to" << back.value();
        tellServices();
        if (m_audit)
            m_audit->record({0, QStringLiteral("plugin rolled back"), QStringLiteral("platform"), {}, {}, who, {}, back.value()});
        return servicesValue();
    }
    if (command != QLatin1String("enable") && command != QLatin1String("disable"))
        throw std::invalid_argument(QStringLiteral("plugins takes enable, disable or rollback, not \"%1\"").arg(command.left(40)).toStdString());
    if (!m_plugins.installed().contains(name))
        throw std::invalid_argument(QStringLiteral("no plugin %1 is installed on logic (see: peek-server admin plugins list)")
                                        .arg(name.left(100))
                                        .toStdString());
    if (PluginMetadata::isCorePlugin(name))
        throw std::invalid_argument(QStringLiteral("%1 is a core plugin: it always runs").arg(name).toStdString());
    QStringList enabled = m_plugins.enabled();
    const bool on = command == QLatin1String("enable");
    if (on == enabled.contains(name))
        throw std::invalid_argument(QStringLiteral("%1 is %2 already").arg(name, on ? QStringLiteral("enabled") : QStringLiteral("disabled"))
                                        .toStdString());
    if (on)
        enabled << name;
    else
        enabled.removeAll(name);
    const QString who = rpcActor(kwargs);
    qCInfo(lcAdmin).noquote() << QStringLiteral("%1 %2 plugin %3").arg(who, on ? QStringLiteral("enabled") : QStringLiteral("disabled"), name);
    if (auto applied = m_plugins.setEnabled(enabled); !applied)
        throw std::runtime_error(QStringLiteral("could not %1 %2: %3").arg(command, name, applied.error().peerMessage()).toStdString());
    if (m_audit)
        m_audit->record({0, on ? QStringLiteral("plugin enabled") : QStringLiteral("plugin disabled"),
                         QStringLiteral("platform"), {}, {}, who, {}, name});
    tellServices();
    return servicesValue();
}

Value AdminService::pluginSettings(const ValueList &args, const Dict &kwargs)
{
    const QString plugin = rpcArgument<QString>(args, 0, "plugin");
    Settings *settings = m_plugins.settings ? m_plugins.settings(plugin) : nullptr;
    if (!settings)
        throw std::invalid_argument(QStringLiteral("%1 has no settings on logic (it is not running there, or declares none)")
                                        .arg(plugin.left(100))
                                        .toStdString());
    if (args.size() > 1) {
        const QString key = rpcArgument<QString>(args, 1, "key");
        const SettingDeclaration *declaration = settings->declaration(key);
        if (!declaration)
            throw std::invalid_argument(QStringLiteral("%1 has no setting \"%2\" (see: peek-server admin plugins settings %1)")
                                            .arg(plugin, key.left(100))
                                            .toStdString());
        const Value *reset = kwargs.find(QStringLiteral("reset"));
        const bool toDefault = reset && reset->type() == Value::Type::Bool && reset->toBool();
        Result<void> stored;
        if (toDefault) {
            stored = settings->resetSync(key);
        } else {
            const Value value = args.size() > 2 ? args[2] : Value();
            if (value.type() != Value::Type::String && value.type() != Value::Type::Bool && value.type() != Value::Type::Int)
                throw std::invalid_argument(QStringLiteral("the value of %1.%2 must be a string, a whole number or true/false")
                                                .arg(plugin, key)
                                                .toStdString());
            stored = settings->setValueSync(key, value.type() == Value::Type::Bool  ? QVariant(value.toBool())
                                                  : value.type() == Value::Type::Int ? QVariant(qlonglong(value.toInt()))
                                                                                     : QVariant(value.toString()));
        }
        if (!stored)
            throw std::invalid_argument(stored.error().peerMessage().toStdString());
        const QString who = rpcActor(kwargs);
        const QString what = toDefault ? QStringLiteral("%1.%2 back to its default").arg(plugin, key)
                                       : QStringLiteral("%1.%2 = %3").arg(plugin, key, settings->displayValue(key));
        qCInfo(lcAdmin).noquote() << who << "set" << what;
        if (m_audit)
            m_audit->record({0, QStringLiteral("setting changed"), QStringLiteral("platform"), {}, {}, who, {}, what});
    }
    ValueList list;
    for (const SettingDeclaration &d : settings->declarations()) {
        const bool password = d.type == SettingType::Password;
        const auto shown = [password](const QVariant &v) {
            if (password)
                return Value(v.toString().isEmpty() ? QString() : QString::fromLatin1(Settings::kMask));
            if (v.typeId() == QMetaType::Bool)
                return Value(v.toBool());
            if (v.typeId() == QMetaType::Int || v.typeId() == QMetaType::LongLong)
                return Value(qint64(v.toLongLong()));
            return Value(v.toString());
        };
        static const char *types[] = {"bool", "int", "string", "password"};
        list.push_back(Value(Dict {{QStringLiteral("key"), Value(d.key)},
                                   {QStringLiteral("type"), Value(QString::fromLatin1(types[int(d.type)]))},
                                   {QStringLiteral("value"), shown(settings->value(d.key))},
                                   {QStringLiteral("default"), shown(d.defaultValue)},
                                   {QStringLiteral("stored"), Value(settings->isStored(d.key))},
                                   {QStringLiteral("description"), Value(d.description)}}));
    }
    return Value(list);
}

Value AdminService::install(const ValueList &args, const Dict &kwargs)
{
    const QString uploadId = rpcArgument<QString>(args, 0, "uploadId").left(100);
    const qint64 offset = rpcArgument<qint64>(args, 1, "offset");
    const qint64 total = rpcArgument<qint64>(args, 2, "total");
    const QByteArray chunk = QByteArray::fromBase64(rpcArgument<QString>(args, 3, "chunk").toLatin1());
    const PluginPackageLimits limits;
    if (total <= 0 || total > limits.maxPackageBytes)
        throw std::invalid_argument(QStringLiteral("a package is 1 to %1 bytes, not %2").arg(limits.maxPackageBytes).arg(total).toStdString());
    if (chunk.size() > (1 << 20))
        throw std::invalid_argument("a piece of a package is at most 1 MiB");
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (auto it = m_uploads.begin(); it != m_uploads.end();)
        it = now - it->touchedMs > 10 * 60 * 1000 ? m_uploads.erase(it) : std::next(it); // abandoned
    if (!m_uploads.contains(uploadId) && m_uploads.size() >= 4)
        throw std::runtime_error("four packages are being uploaded already; try again when they are done");
    Upload &upload = m_uploads[uploadId];
    if (offset == 0 && upload.data.isEmpty())
        upload.total = total;
    if (offset != upload.data.size() || total != upload.total || offset + chunk.size() > total) {
        m_uploads.remove(uploadId);
        throw std::invalid_argument(QStringLiteral("upload %1: a piece at %2 of %3 bytes does not follow what came; start again")
                                        .arg(uploadId).arg(offset).arg(total).toStdString());
    }
    upload.data += chunk;
    upload.touchedMs = now;
    if (upload.data.size() < total)
        return Value(Dict {{QStringLiteral("received"), Value(qint64(upload.data.size()))}});
    const QByteArray package = m_uploads.take(uploadId).data;
    const QString who = rpcActor(kwargs);
    if (!m_plugins.install)
        throw std::runtime_error("this logic cannot install packages");
    auto installed = m_plugins.install(package);
    if (!installed) {
        qCWarning(lcAdmin).noquote() << who << "could not install a package:" << installed.error().message();
        if (m_audit)
            m_audit->record({0, QStringLiteral("plugin install failed"), QStringLiteral("platform"), {}, {}, who, {},
                             installed.error().peerMessage()});
        throw std::runtime_error(installed.error().peerMessage().toStdString());
    }
    qCInfo(lcAdmin).noquote() << who << "installed" << installed.value();
    tellServices();
    if (m_audit)
        m_audit->record({0, QStringLiteral("plugin installed"), QStringLiteral("platform"), {}, {}, who, {}, installed.value()});
    return Value(Dict {{QStringLiteral("installed"), Value(installed.value())}, {QStringLiteral("services"), servicesValue()}});
}

QFuture<Value> AdminService::logs(const ValueList &args)
{
    const QString wanted = args.empty() ? QString() : rpcArgument<QString>(args, 0, "service");
    auto request = std::make_shared<LogTailTuple>();
    request->afterOffset = args.size() > 1 ? rpcArgument<qint64>(args, 1, "afterOffset") : -1;
    request->maxRecords = args.size() > 2 ? std::clamp<qint64>(rpcArgument<qint64>(args, 2, "maxRecords"), 1, 1000) : 100;
    request->minLevel = args.size() > 3 ? rpcArgument<QString>(args, 3, "minLevel") : QStringLiteral("info");

    // Which log: logic's own when no service is named, else that of the process the name picks
    // (a log is a process's: roles in one process share it).
    struct Pick
    {
        std::shared_ptr<ServiceInfoTuple> service;
        quint64 connectionId = 0; // 0: logic's own process
        QStringList names;        // the services it matched there
    };
    QMap<QString, Pick> processes; // by host:pid
    {
        QMutexLocker lock(&m_mutex);
        const auto pick = [this, &wanted, &processes](const std::shared_ptr<ServiceInfoTuple> &s, quint64 link) {
            const QString process = QStringLiteral("%1:%2").arg(s->host).arg(s->pid);
            // Logic's own process reads its own file; another is asked over its link.
            const quint64 connectionId = m_selfInfo && s->host == m_selfInfo->host && s->pid == m_selfInfo->pid ? 0 : link;
            const bool picked = wanted.isEmpty() ? s->role == QLatin1String("logic")
                                                 : wanted == s->vortexName || wanted == s->role || wanted == s->vortexUuid
                    || wanted == process;
            if (!picked)
                return;
            Pick &p = processes[process];
            if (!p.service || s->role == QLatin1String("logic")) {
                p.service = s;
                p.connectionId = connectionId;
            }
            p.names << QStringLiteral("%1 (%2)").arg(s->role, s->vortexUuid);
        };
        if (m_selfInfo)
            pick(m_selfInfo, 0);
        for (auto it = m_reported.cbegin(); it != m_reported.cend(); ++it)
            pick(*it, it.key());
    }
    if (processes.isEmpty())
        throw std::invalid_argument(QStringLiteral("no service linked to logic is \"%1\" (see: peek-server admin services)")
                                        .arg(wanted.left(100))
                                        .toStdString());
    if (processes.size() > 1) {
        QStringList named;
        for (auto it = processes.cbegin(); it != processes.cend(); ++it)
            named << QStringLiteral("%1 on %2").arg(it->names.join(QStringLiteral(", ")), it.key());
        throw std::invalid_argument(QStringLiteral("\"%1\" names services in %2 processes: %3; name one by its uuid or host:pid")
                                        .arg(wanted)
                                        .arg(processes.size())
                                        .arg(named.join(QStringLiteral("; ")))
                                        .toStdString());
    }
    const std::shared_ptr<ServiceInfoTuple> target = processes.first().service;
    const quint64 connectionId = processes.first().connectionId;
    const QString whose = QStringLiteral("%1 on %2:%3").arg(target->role, target->host).arg(target->pid);
    // Logic's process (logic, or a role in its process): its own file.
    if (connectionId == 0) {
        auto tail = readLog(*request, m_logFile);
        if (!tail)
            throw std::runtime_error(tail.error().peerMessage().toStdString());
        tail.value()->service = whose;
        return QtFuture::makeReadyFuture(Value(TuplePtr(tail.value())));
    }
    // Another process: asked over its link, answered on the same one.
    auto promise = std::make_shared<QPromise<Value>>();
    promise->start();
    const QString messageId = QStringLiteral("peek_admin.log.%1").arg(m_nextLogRead++);
    Dict filt = logReadFilt();
    filt.insert(PayloadRouter::kMessageIdKey, Value(messageId));
    auto timeout = std::make_shared<QTimer>();
    timeout->setSingleShot(true);
    const auto finish = [promise, timeout](const std::function<void()> &answer) {
        if (promise->future().isFinished())
            return;
        timeout->stop();
        answer();
        promise->finish();
    };
    m_vortex->router().addResponseWaiter(
        messageId,
        [finish, promise, whose](const PayloadEnvelope &e, const MessageSource &) {
            finish([&] {
                auto payload = e.decodePayload();
                const auto *tail = e.isSuccess() && payload && payload.value().tuples.size() == 1
                    ? dynamic_cast<const LogTailTuple *>(payload.value().tuples.front().get())
                    : nullptr;
                if (!tail) {
                    promise->setException(std::make_exception_ptr(std::runtime_error(
                        QStringLiteral("%1 could not read its log: %2")
                            .arg(whose, e.isSuccess() ? QStringLiteral("unreadable answer") : e.errorText())
                            .toStdString())));
                    return;
                }
                auto answer = std::make_shared<LogTailTuple>(*tail);
                answer->service = whose;
                promise->addResult(Value(TuplePtr(answer)));
            });
        },
        connectionId);
    QPointer<Vortex> vortex = m_vortex;
    connect(timeout.get(), &QTimer::timeout, this, [finish, promise, whose, messageId, vortex] {
        if (vortex)
            vortex->router().removeResponseWaiter(messageId);
        finish([&] {
            promise->setException(std::make_exception_ptr(
                std::runtime_error(QStringLiteral("%1 did not answer within 10 s").arg(whose).toStdString())));
        });
    });
    timeout->start(10000);
    m_vortex->sendToConnection(connectionId, PayloadEnvelope::fromPayload(Payload(filt, {request})).toVortexMsg());
    return promise->future();
}

Value AdminService::tasks(const ValueList &args, const Dict &kwargs)
{
    if (!m_tasks)
        throw std::runtime_error("this logic has no task queue (no database)");
    if (!args.empty()) {
        const QString command = rpcArgument<QString>(args, 0, "command");
        if (command != QLatin1String("retry"))
            throw std::invalid_argument(QStringLiteral("tasks takes retry ID, not \"%1\"").arg(command.left(40)).toStdString());
        const QString id = rpcArgument<QString>(args, 1, "task id");
        auto retried = m_tasks->retry(id);
        if (!retried)
            throw std::runtime_error(QStringLiteral("could not retry task %1: %2").arg(id.left(100), retried.error().peerMessage()).toStdString());
        if (!retried.value())
            throw std::invalid_argument(QStringLiteral("no failed task has the id %1 (see: peek-server admin tasks)")
                                            .arg(id.left(100))
                                            .toStdString());
        const QString who = rpcActor(kwargs);
        qCInfo(lcAdmin).noquote() << who << "queued the failed task" << id << "again";
        if (m_audit)
            m_audit->record({0, QStringLiteral("task retried"), QStringLiteral("platform"), {}, {}, who, {}, id});
    }
    auto counts = m_tasks->countsByName();
    if (!counts)
        throw std::runtime_error(QStringLiteral("could not count the tasks: %1").arg(counts.error().peerMessage()).toStdString());
    auto failed = m_tasks->failedTasks(100);
    if (!failed)
        throw std::runtime_error(QStringLiteral("could not read the failed tasks: %1").arg(failed.error().peerMessage()).toStdString());
    ValueList byName;
    for (auto it = counts.value().cbegin(); it != counts.value().cend(); ++it) {
        Dict row {{QStringLiteral("name"), Value(it.key())}};
        for (const char *state : {"queued", "running", "done", "failed"})
            row.insert(QString::fromLatin1(state), Value(qint64(it.value().value(QString::fromLatin1(state)))));
        byName.push_back(Value(row));
    }
    ValueList failedList;
    for (const taskstore::FailedTask &t : failed.value())
        failedList.push_back(Value(Dict {{QStringLiteral("id"), Value(t.id)},
                                         {QStringLiteral("name"), Value(t.name)},
                                         {QStringLiteral("attempts"), Value(qint64(t.attempts))},
                                         {QStringLiteral("worker"), Value(t.worker)},
                                         {QStringLiteral("finishedAt"), Value(DateTime::fromUtcMicros(t.finishedAt * 1000))},
                                         {QStringLiteral("error"), Value(t.error)}}));
    return Value(Dict {{QStringLiteral("counts"), Value(byName)}, {QStringLiteral("failed"), Value(failedList)}});
}

void AdminService::selfChanged()
{
    auto info = m_self();
    {
        QMutexLocker lock(&m_mutex);
        m_selfInfo = std::move(info);
    }
    changed();
}

void AdminService::onReport(const PayloadEnvelope &envelope, const MessageSource &source)
{
    if (!source.proven)
        return; // only services report (the gates keep others away; this is the second lock)
    auto payload = envelope.decodePayload();
    const auto *report = payload && payload.value().tuples.size() == 1
        ? dynamic_cast<const ServiceInfoTuple *>(payload.value().tuples.front().get())
        : nullptr;
    if (!report) {
        qCWarning(lcAdmin).noquote() << "ignored an unreadable service report from" << source.vortexName << source.address;
        return;
    }
    auto info = std::make_shared<ServiceInfoTuple>(*report);
    // What logic sees of the link, whatever the report says.
    info->vortexName = source.vortexName;
    info->vortexUuid = source.vortexUuid;
    info->address = source.address;
    info->link = source.address == QLatin1String("local") ? QStringLiteral("in process") : QStringLiteral("connected");
    {
        QMutexLocker lock(&m_mutex);
        const auto before = m_reported.constFind(source.connectionId);
        info->connectedAt = before != m_reported.cend() ? (*before)->connectedAt : DateTime::currentUtc();
        m_reported.insert(source.connectionId, info);
    }
    changed();
}

Value AdminService::servicesValue() const
{
    ValueList list;
    for (const TuplePtr &t : services())
        list.push_back(Value(t));
    return Value(list);
}

std::vector<TuplePtr> AdminService::services() const
{
    QMutexLocker lock(&m_mutex);
    std::vector<std::shared_ptr<ServiceInfoTuple>> peers(m_reported.cbegin(), m_reported.cend());
    std::sort(peers.begin(), peers.end(), [](const auto &a, const auto &b) {
        const auto rank = [](const QString &role) { return int(Role::fromName(role).value_or(Role::Worker).id()); };
        const int ra = rank(a->role), rb = rank(b->role);
        return std::tie(ra, a->host, a->pid, a->vortexUuid) < std::tie(rb, b->host, b->pid, b->vortexUuid);
    });
    std::vector<TuplePtr> out;
    if (m_selfInfo)
        out.push_back(m_selfInfo);
    out.insert(out.end(), peers.begin(), peers.end());
    return out;
}

void AdminService::changed()
{
    m_observable.notifyOfTupleUpdate(TupleSelector(kServiceInfo, {}));
}

} // namespace peek
