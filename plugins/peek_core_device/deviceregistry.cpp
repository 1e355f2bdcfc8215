#include "deviceregistry.h"

#include "devicerpc.h"

#include "peek/rpc.h"

#include <QDateTime>
#include <QTimer>
#include <QRegularExpression>

#include <sodium.h>

#include <stdexcept>

namespace device {
namespace {

const QString kDeviceInfo = QString::fromLatin1(DeviceInfoTuple::kTupleType);
constexpr int kMaxPending = 500;          // devices waiting for approval at once
constexpr int kSeenFlushMs = 1000;        // last-seen writes are batched this long
constexpr qint64 kRefusalLogEveryMs = 60000;

// Text for a NOT NULL column: Qt binds a null QString as NULL.
QString text(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

qint64 nowUs()
{
    return QDateTime::currentMSecsSinceEpoch() * 1000;
}

peek::DateTime dateOf(qint64 us)
{
    return us ? peek::DateTime::fromUtcMicros(us) : peek::DateTime();
}

// " (N times since the last line)" for a refusal logged once a minute.
QString timesText(int times)
{
    return times > 1 ? QStringLiteral(" (%1 times since the last line)").arg(times) : QString();
}

[[noreturn]] void refuse(const QString &why)
{
    throw std::runtime_error(why.toStdString());
}

// What an enrolment may carry; the reason otherwise.
QString checkEnrolment(const EnrolDeviceAction &a)
{
    static const QRegularExpression idPattern(QStringLiteral("^[A-Za-z0-9._:{}-]{1,100}$"));
    if (!idPattern.match(a.deviceId).hasMatch())
        return QStringLiteral("deviceId must be 1 to 100 letters, digits or . _ : - { }");
    const QString name = a.description.trimmed();
    if (name.isEmpty() || name.size() > 100)
        return QStringLiteral("the device's name (description) must be 1 to 100 characters");
    if (a.deviceToken.size() < 32 || a.deviceToken.size() > 200)
        return QStringLiteral("deviceToken must be the device's 256-bit token (32 to 200 characters)");
    if (deviceKind(a.deviceType).isEmpty())
        return QStringLiteral("deviceType \"%1\" is not a device type: use field or office").arg(a.deviceType.left(40));
    if (a.appVersion.size() > 40 || a.platform.size() > 100)
        return QStringLiteral("appVersion (40) or platform (100 characters) is too long");
    return {};
}

} // namespace

QString messageFor(const QString &state)
{
    if (state == QLatin1String(kApproved))
        return QStringLiteral("approved");
    if (state == QLatin1String(kPending))
        return QStringLiteral("waiting for approval: an admin must approve this device before it is served");
    if (state == QLatin1String(kRevoked))
        return QStringLiteral("access revoked: an admin revoked this device; ask them to approve it again");
    if (state == QLatin1String(kRefused))
        return QStringLiteral("device not enrolled: this device id is enrolled with another token (a possible "
                              "copy of another device); ask an admin to remove it, then enrol again");
    return QStringLiteral("device not enrolled: enrol this device first");
}

QString deviceKind(const QString &type)
{
    if (type == QLatin1String("field") || type.startsWith(QLatin1String("field-")))
        return QStringLiteral("field");
    if (type == QLatin1String("office") || type == QLatin1String("office-web")
        || type.startsWith(QLatin1String("desktop-")))
        return QStringLiteral("office");
    return {};
}


DeviceRegistry::DeviceRegistry(peek::PluginContext &ctx, peek::TupleDataObservableHandler &observable)
    : m_ctx(ctx), m_observable(observable), m_schema(ctx.schema())
{
}

DeviceRegistry::~DeviceRegistry()
{
    flushSeen(true);
}

void DeviceRegistry::noteSeen(const Device &d)
{
    if (m_seen.isEmpty())
        QTimer::singleShot(kSeenFlushMs, &m_flushContext, [this] { flushSeen(false); });
    m_seen.insert(d.id);
}

void DeviceRegistry::flushSeen(bool wait)
{
    if (m_seen.isEmpty())
        return;
    QList<QVariantList> rows;
    for (const QString &id : std::as_const(m_seen)) {
        const auto it = m_devices.constFind(id);
        if (it != m_devices.cend())
            rows << QVariantList {it->lastOnlineUs ? QVariant(it->lastOnlineUs) : QVariant(QMetaType::fromType<qint64>()),
                                  text(it->lastAddress), text(it->appVersion), it->id};
    }
    m_seen.clear();
    const QString schema = m_schema;
    auto write = [schema, rows](QSqlDatabase &db) -> peek::Result<void> {
        peek::sql::Transaction tx(db);
        if (auto begun = tx.begin(); !begun)
            return begun;
        const QString sql = QStringLiteral("UPDATE %1.\"DeviceInfo\" SET last_online_us = ?, last_address = ?, "
                                           "app_version = ? WHERE device_id = ?")
                                .arg(schema);
        for (const QVariantList &binds : rows)
            if (auto done = peek::sql::exec(db, sql, binds); !done)
                return done.error();
        return tx.commit();
    };
    const QLoggingCategory &log = m_ctx.log();
    const auto failed = [&log, count = rows.size()](const peek::Result<void> &done) {
        if (!done)
            qCWarning(log).noquote() << "could not store when" << count << "device(s) were last seen -"
                                     << done.error().message();
    };
    if (wait)
        failed(m_ctx.database().runSync(QStringList {schema}, write));
    else
        m_ctx.database().run(QStringList {schema}, write).then(failed);
}

int DeviceRegistry::refusalToLog(const QString &deviceId)
{
    if (m_refusals.size() > 10000)
        m_refusals.clear(); // made-up ids must not grow this without end
    Refusals &r = m_refusals[deviceId];
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (r.lastLogMs && now - r.lastLogMs < kRefusalLogEveryMs) {
        ++r.unlogged;
        return 0;
    }
    const int count = r.unlogged + 1;
    r.lastLogMs = now;
    r.unlogged = 0;
    return count;
}

peek::Result<void> DeviceRegistry::load()
{
    const QString schema = m_schema;
    auto rows = m_ctx.database().runSync(QStringList {schema}, [&](QSqlDatabase &db) -> peek::Result<QList<Device>> {
        auto query = peek::sql::exec(
            db, QStringLiteral("SELECT device_id, description, device_type, token_hash, state, platform, "
                               "app_version, last_address, created_us, last_online_us FROM %1.\"DeviceInfo\"")
                    .arg(schema));
        if (!query)
            return query.error();
        QList<Device> devices;
        while (query.value().next()) {
            const QSqlQuery &q = query.value();
            Device d;
            d.id = q.value(0).toString();
            d.description = q.value(1).toString();
            d.type = q.value(2).toString();
            d.tokenHash = q.value(3).toString();
            d.state = q.value(4).toString();
            d.platform = q.value(5).toString();
            d.appVersion = q.value(6).toString();
            d.lastAddress = q.value(7).toString();
            d.createdUs = q.value(8).toLongLong();
            d.lastOnlineUs = q.value(9).toLongLong();
            devices << d;
        }
        return devices;
    });
    if (!rows)
        return rows.error().context(QStringLiteral("reading the enrolled devices"));
    QWriteLocker lock(&m_lock);
    for (const Device &d : rows.value())
        m_devices.insert(d.id, d);
    qCInfo(m_ctx.log()).noquote() << m_devices.size() << "enrolled device(s)";
    return {};
}

std::shared_ptr<DeviceInfoTuple> DeviceRegistry::toTuple(const Device &d) const
{
    auto t = std::make_shared<DeviceInfoTuple>();
    t->description = d.description;
    t->deviceId = d.id;
    t->deviceType = d.type;
    t->appVersion = d.appVersion;
    t->platform = d.platform;
    t->createdDate = dateOf(d.createdUs);
    t->lastOnline = dateOf(d.lastOnlineUs);
    t->deviceStatus = d.onlineVia.isEmpty() ? 0 : 1;
    t->isEnrolled = d.state == QLatin1String(kApproved);
    t->state = d.state;
    t->onlineVia = d.onlineVia;
    t->lastAddress = d.lastAddress;
    t->loggedInUser = d.loggedInUser;
    if (d.fixTimeUs) {
        t->lastLatitude = peek::Value(d.latitude);
        t->lastLongitude = peek::Value(d.longitude);
        t->lastFixTime = peek::DateTime::fromUtcMicros(d.fixTimeUs);
    }
    t->message = messageFor(d.state);
    return t;
}

DeviceRegistry::Device *DeviceRegistry::find(const QString &idOrName)
{
    auto it = m_devices.find(idOrName);
    if (it != m_devices.end())
        return &it.value();
    for (Device &d : m_devices)
        if (d.description == idOrName)
            return &d;
    return nullptr;
}

void DeviceRegistry::save(const Device &d, bool inserted)
{
    const QString schema = m_schema;
    const QString sql = inserted
        ? QStringLiteral("INSERT INTO %1.\"DeviceInfo\" (description, device_type, token_hash, state, platform, "
                         "app_version, last_address, created_us, last_online_us, device_id) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        : QStringLiteral("UPDATE %1.\"DeviceInfo\" SET description = ?, device_type = ?, token_hash = ?, state = ?, "
                         "platform = ?, app_version = ?, last_address = ?, created_us = ?, last_online_us = ? "
                         "WHERE device_id = ?");
    const QVariantList binds {d.description, d.type, d.tokenHash, d.state, text(d.platform), text(d.appVersion),
                              text(d.lastAddress), d.createdUs,
                              d.lastOnlineUs ? QVariant(d.lastOnlineUs) : QVariant(QMetaType::fromType<qint64>()),
                              d.id};
    auto saved = m_ctx.database().runSync(QStringList {schema}, [&](QSqlDatabase &db) -> peek::Result<void> {
        auto done = peek::sql::exec(db, sql.arg(schema), binds);
        if (!done)
            return done.error();
        return {};
    });
    if (!saved) {
        qCWarning(m_ctx.log()).noquote() << "could not store device" << d.id << "-" << saved.error().message();
        refuse(QStringLiteral("could not store device %1: %2").arg(d.id, saved.error().peerMessage()));
    }
}

QString DeviceRegistry::deviceName(const QString &deviceId) const
{
    const auto it = m_devices.constFind(deviceId);
    return it == m_devices.cend() ? QString() : it->description;
}

bool DeviceRegistry::isApproved(const QString &deviceId) const
{
    const auto it = m_devices.constFind(deviceId);
    return it != m_devices.cend() && it->state == QLatin1String(kApproved);
}

void DeviceRegistry::notePosition(const QString &deviceId, double latitude, double longitude, qint64 fixTimeUs)
{
    auto it = m_devices.find(deviceId);
    if (it == m_devices.end() || fixTimeUs < it->fixTimeUs)
        return;
    {
        QWriteLocker lock(&m_lock);
        it->latitude = latitude;
        it->longitude = longitude;
        it->fixTimeUs = fixTimeUs;
    }
    changed(*it, false);
}

void DeviceRegistry::setLoggedInUser(const QString &deviceId, const QString &userName)
{
    auto it = m_devices.find(deviceId);
    if (it == m_devices.end() || it->loggedInUser == userName)
        return;
    {
        QWriteLocker lock(&m_lock);
        it->loggedInUser = userName;
    }
    changed(*it, false);
}

void DeviceRegistry::audit(const QString &event, const QString &deviceId, const QString &userName,
                           const QString &actor, const QString &address, const QString &detail)
{
    m_ctx.audit({0, event, {}, deviceId, userName, actor, address, detail});
}

void DeviceRegistry::changed(const Device &d, bool stateChanged)
{
    peek::TupleSelector one(kDeviceInfo, {{QStringLiteral("deviceId"), peek::Value(d.id)}});
    m_observable.notifyOfTupleUpdate(one);
    m_observable.notifyOfTupleUpdate(peek::TupleSelector(kDeviceInfo, {}));
    if (stateChanged)
        tellServices(toTuple(d));
}

void DeviceRegistry::tellServices(const std::shared_ptr<DeviceInfoTuple> &info)
{
    peek::Payload payload({{QStringLiteral("plugin"), peek::Value(QString::fromLatin1(kPlugin))},
                           {QStringLiteral("key"), peek::Value(QStringLiteral("device.changed"))}},
                          {info});
    const peek::PayloadEnvelope envelope = peek::PayloadEnvelope::fromPayload(payload);
    for (const peek::Role role : {peek::Role::Field, peek::Role::Office})
        m_ctx.vortex()->send(envelope, peek::Role(role).vortexName());
}

bool DeviceRegistry::autoApproves(const QString &type) const
{
    const QString kind = deviceKind(type);
    return m_ctx.settings().boolValue(kind == QLatin1String("field") ? QStringLiteral("autoApproveField")
                                                                     : QStringLiteral("autoApproveOffice"));
}

std::vector<peek::TuplePtr> DeviceRegistry::enrol(const EnrolDeviceAction &a)
{
    if (const QString wrong = checkEnrolment(a); !wrong.isEmpty())
        refuse(QStringLiteral("cannot enrol device: %1").arg(wrong));
    const QString hash = peek::secretHash(a.deviceToken);
    if (Device *known = m_devices.contains(a.deviceId) ? &m_devices[a.deviceId] : nullptr) {
        if (sodium_memcmp(known->tokenHash.toLatin1().constData(), hash.toLatin1().constData(), hash.size()) != 0
            || known->tokenHash.size() != hash.size()) {
            if (const int times = refusalToLog(a.deviceId)) {
                qCWarning(m_ctx.log()).noquote()
                    << QStringLiteral("refused the enrolment of device %1 (\"%2\"): the id is enrolled with another "
                                      "token, a possible copy of device \"%3\"%4")
                           .arg(a.deviceId, a.description.left(100), known->description, timesText(times));
                audit(QStringLiteral("enrolment refused"), a.deviceId, {}, {}, {},
                      QStringLiteral("token differs from the enrolled one (possible cloned device)%1").arg(timesText(times)));
            }
            refuse(messageFor(QString::fromLatin1(kRefused)));
        }
        return {toTuple(*known)}; // enrolling again changes nothing
    }
    const QString name = a.description.trimmed();
    // Names and ids never overlap, so `devices approve X` cannot pick another device than meant.
    for (const Device &d : std::as_const(m_devices))
        if (d.description == name || d.description == a.deviceId || d.id == name)
            refuse(QStringLiteral("cannot enrol device: a device named or identified \"%1\" is already enrolled; "
                                  "choose another name")
                       .arg(d.description == a.deviceId ? a.deviceId : name));
    const bool autoApproved = autoApproves(a.deviceType);
    if (!autoApproved) {
        qsizetype pending = 0;
        for (const Device &other : std::as_const(m_devices))
            pending += other.state == QLatin1String(kPending) ? 1 : 0;
        if (pending >= kMaxPending) {
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            if (now - m_lastPendingCapLogMs >= kRefusalLogEveryMs) {
                m_lastPendingCapLogMs = now;
                qCWarning(m_ctx.log()).noquote()
                    << QStringLiteral("refused enrolments: %1 devices are waiting for approval; approve or remove "
                                      "some (peek-server admin devices list)")
                           .arg(pending);
            }
            refuse(QStringLiteral("cannot enrol device: too many devices are waiting for approval; ask an admin"));
        }
    }
    Device d;
    d.id = a.deviceId;
    d.description = name;
    d.type = deviceKind(a.deviceType);
    d.tokenHash = hash;
    d.state = QString::fromLatin1(autoApproved ? kApproved : kPending);
    d.platform = a.platform;
    d.appVersion = a.appVersion;
    d.createdUs = nowUs();
    save(d, true);
    {
        QWriteLocker lock(&m_lock);
        m_devices.insert(d.id, d);
    }
    audit(QStringLiteral("enrolled"), d.id, {}, {}, {},
          QStringLiteral("\"%1\", %2 device; %3").arg(name, d.type,
              d.state == QLatin1String(kApproved) ? QStringLiteral("approved automatically (setting)")
                                                  : QStringLiteral("waiting for approval")));
    qCInfo(m_ctx.log()).noquote() << QStringLiteral("enrolled %1 device %2 (\"%3\"): %4")
                                         .arg(d.type, d.id, name, d.state);
    changed(d, true);
    return {toTuple(d)};
}

peek::Dict DeviceRegistry::identify(const QString &deviceId, const QString &tokenHash, const QString &appVersion,
                                    const QString &address, const QString &serviceName, const QString &serviceUuid)
{
    auto answer = [](const QString &state, const Device *d) {
        peek::Dict out {{QStringLiteral("state"), peek::Value(state)},
                        {QStringLiteral("message"), peek::Value(messageFor(state))}};
        if (d) {
            out.insert(QStringLiteral("description"), peek::Value(d->description));
            out.insert(QStringLiteral("deviceType"), peek::Value(d->type));
        }
        return out;
    };
    auto it = m_devices.find(deviceId);
    if (it == m_devices.end())
        return answer(QString::fromLatin1(kUnknown), nullptr);
    Device &d = it.value();
    if (d.tokenHash.size() != tokenHash.size()
        || sodium_memcmp(d.tokenHash.toLatin1().constData(), tokenHash.toLatin1().constData(), tokenHash.size()) != 0) {
        if (const int times = refusalToLog(deviceId)) {
            qCWarning(m_ctx.log()).noquote()
                << QStringLiteral("refused device %1 (\"%2\") from %3 through %4: wrong token, a possible cloned device%5")
                       .arg(deviceId, d.description, address, serviceName, timesText(times));
            audit(QStringLiteral("refused"), deviceId, {}, serviceName, address,
                  QStringLiteral("wrong token (possible cloned device)%1").arg(timesText(times)));
        }
        return answer(QString::fromLatin1(kRefused), nullptr);
    }
    const bool cameOnline = d.onlineVia.isEmpty();
    {
        QWriteLocker lock(&m_lock);
        d.onlineVia = serviceName;
        d.serviceUuid = serviceUuid;
        d.lastOnlineUs = nowUs();
        d.lastAddress = address.left(100);
        if (!appVersion.isEmpty())
            d.appVersion = appVersion.left(40);
    }
    noteSeen(d);
    if (cameOnline)
        qCInfo(m_ctx.log()).noquote() << QStringLiteral("device %1 (\"%2\", %3) is online through %4 from %5")
                                             .arg(d.id, d.description, d.state, serviceName, address);
    changed(d, false);
    return answer(d.state, &d);
}

void DeviceRegistry::offline(const QString &deviceId, const QString &serviceUuid)
{
    auto it = m_devices.find(deviceId);
    if (it == m_devices.end() || it->serviceUuid != serviceUuid || it->onlineVia.isEmpty())
        return;
    {
        QWriteLocker lock(&m_lock);
        it->onlineVia.clear();
        it->serviceUuid.clear();
        it->lastOnlineUs = nowUs();
    }
    noteSeen(*it);
    qCInfo(m_ctx.log()).noquote() << QStringLiteral("device %1 (\"%2\") is offline").arg(it->id, it->description);
    changed(*it, false);
}

void DeviceRegistry::serviceGone(const QString &serviceUuid)
{
    QStringList gone;
    for (const Device &d : std::as_const(m_devices))
        if (!d.onlineVia.isEmpty() && d.serviceUuid == serviceUuid)
            gone << d.id;
    for (const QString &id : std::as_const(gone))
        offline(id, serviceUuid);
}

std::vector<peek::TuplePtr> DeviceRegistry::provide(const peek::TupleSelector &selector) const
{
    QString only;
    for (const auto &[key, value] : selector.selector) {
        if (key == QLatin1String("deviceId") && value.type() == peek::Value::Type::String)
            only = value.toString();
        else
            refuse(QStringLiteral("%1: selector key \"%2\" is unknown or not a string; use deviceId (string)")
                       .arg(kDeviceInfo, key));
    }
    std::vector<peek::TuplePtr> out;
    QReadLocker lock(&m_lock); // may run on a worker thread (the observable's provider)
    if (!only.isEmpty()) {
        if (auto it = m_devices.constFind(only); it != m_devices.cend())
            out.push_back(toTuple(*it));
        return out;
    }
    QList<const Device *> all;
    for (const Device &d : m_devices)
        all << &d;
    std::sort(all.begin(), all.end(), [](const Device *a, const Device *b) { return a->description < b->description; });
    for (const Device *d : all)
        out.push_back(toTuple(*d));
    return out;
}

peek::Value DeviceRegistry::admin(const QString &command, const peek::ValueList &args, const QString &actor)
{
    if (command == QLatin1String("list")) {
        peek::ValueList list;
        for (const peek::TuplePtr &t : provide(peek::TupleSelector(kDeviceInfo, {})))
            list.push_back(peek::Value(t));
        return peek::Value(list);
    }
    if (command == QLatin1String("auto-approve")) {
        // Without arguments: what is set; with a type and on/off: set it.
        if (args.size() > 1) {
            const QString type = peek::rpcArgument<QString>(args, 1, "type");
            const bool on = peek::rpcArgument<bool>(args, 2, "on");
            if (type != QLatin1String("field") && type != QLatin1String("office"))
                refuse(QStringLiteral("auto-approve takes field or office, not \"%1\"").arg(type.left(40)));
            const QString key = type == QLatin1String("field") ? QStringLiteral("autoApproveField")
                                                               : QStringLiteral("autoApproveOffice");
            if (auto stored = m_ctx.settings().setValueSync(key, on); !stored)
                refuse(QStringLiteral("could not store the setting: %1").arg(stored.error().peerMessage()));
            const QString &who = actor;
            audit(QStringLiteral("auto-approval changed"), {}, {}, who, {},
                  QStringLiteral("%1 devices: %2").arg(type, on ? QStringLiteral("on") : QStringLiteral("off")));
            qCInfo(m_ctx.log()).noquote() << QStringLiteral("%1 turned auto-approval of new %2 devices %3")
                                                 .arg(who, type, on ? QStringLiteral("on") : QStringLiteral("off"));
        }
        return peek::Value(peek::Dict {
            {QStringLiteral("field"), peek::Value(m_ctx.settings().boolValue(QStringLiteral("autoApproveField")))},
            {QStringLiteral("office"), peek::Value(m_ctx.settings().boolValue(QStringLiteral("autoApproveOffice")))}});
    }
    if (command != QLatin1String("approve") && command != QLatin1String("revoke")
        && command != QLatin1String("remove"))
        refuse(QStringLiteral("unknown devices command \"%1\": use list, approve, revoke, remove or auto-approve")
                   .arg(command.left(40)));
    const QString target = peek::rpcArgument<QString>(args, 1, "device");
    Device *d = find(target);
    if (!d)
        refuse(QStringLiteral("no enrolled device has the id or name \"%1\" (see: peek-server admin devices list)")
                   .arg(target.left(100)));
    const QString &who = actor;
    if (command == QLatin1String("remove")) {
        const Device removed = *d;
        auto deleted = m_ctx.database().runSync(QStringList {m_schema}, [&](QSqlDatabase &db) -> peek::Result<void> {
            auto done = peek::sql::exec(
                db, QStringLiteral("DELETE FROM %1.\"DeviceInfo\" WHERE device_id = ?").arg(m_schema), {removed.id});
            if (!done)
                return done.error();
            return {};
        });
        if (!deleted)
            refuse(QStringLiteral("could not remove device %1: %2").arg(removed.id, deleted.error().peerMessage()));
        {
            QWriteLocker lock(&m_lock);
            m_devices.remove(removed.id);
        }
        audit(QStringLiteral("removed"), removed.id, {}, who, {}, QStringLiteral("\"%1\"").arg(removed.description));
        qCInfo(m_ctx.log()).noquote() << QStringLiteral("%1 removed device %2 (\"%3\")").arg(who, removed.id, removed.description);
        Device gone = removed;
        gone.state = QString::fromLatin1(kUnknown);
        changed(gone, true);
        return peek::Value(toTuple(gone));
    }
    const QString state = QString::fromLatin1(command == QLatin1String("approve") ? kApproved : kRevoked);
    if (d->state != state) {
        {
            QWriteLocker lock(&m_lock);
            d->state = state;
        }
        save(*d, false);
        audit(command == QLatin1String("approve") ? QStringLiteral("approved") : QStringLiteral("revoked"), d->id, {}, who,
              {}, QStringLiteral("\"%1\"").arg(d->description));
        qCInfo(m_ctx.log()).noquote()
            << QStringLiteral("%1 %2 device %3 (\"%4\")")
                   .arg(who, command == QLatin1String("approve") ? QStringLiteral("approved") : QStringLiteral("revoked"),
                        d->id, d->description);
        changed(*d, true);
    }
    return peek::Value(toTuple(*d));
}


} // namespace device
