#include "positionstore.h"

#include "peek/observable.h"
#include "peek/rpc.h"
#include "peek/storage.h"

#include <QDateTime>
#include <QSqlQuery>

#include <cmath>
#include <stdexcept>

namespace positions {
namespace {

const QString kType = QString::fromLatin1(DevicePositionTuple::kTupleType);
constexpr int kMaxDeviceIdLength = 200; // the column's size

// The columns both tables share, in the order rowToTuple() reads them.
const QString kColumns = QStringLiteral("device_id, action_uuid, latitude, longitude, accuracy_m, "
                                        "altitude, speed, fix_time_us, made_time_us");

QVariant nullableDouble(const std::optional<double> &v)
{
    return v ? QVariant(*v) : QVariant(QMetaType::fromType<double>());
}

std::optional<double> optionalDouble(const QVariant &v)
{
    if (v.isNull())
        return std::nullopt;
    return v.toDouble();
}

peek::TuplePtr rowToTuple(const QSqlQuery &row)
{
    auto tuple = std::make_shared<DevicePositionTuple>();
    tuple->deviceId = row.value(0).toString();
    tuple->uuid = row.value(1).toString();
    tuple->latitude = row.value(2).toDouble();
    tuple->longitude = row.value(3).toDouble();
    tuple->accuracyM = row.value(4).toDouble();
    tuple->altitude = optionalDouble(row.value(5));
    tuple->speed = optionalDouble(row.value(6));
    tuple->time = peek::DateTime::fromUtcMicros(row.value(7).toLongLong());
    if (!row.value(8).isNull())
        tuple->dateTime = peek::DateTime::fromUtcMicros(row.value(8).toLongLong());
    return tuple;
}

bool finiteOrAbsent(const std::optional<double> &v)
{
    return !v || std::isfinite(*v);
}

} // namespace

PositionStore::PositionStore(peek::Database &database, QString schema,
                             peek::TupleDataObservableHandler &observable)
    : m_db(database), m_schema(std::move(schema)), m_observable(observable)
{
}

QString PositionStore::check(const DevicePositionTuple &p)
{
    if (p.deviceId.trimmed().isEmpty())
        return QStringLiteral("the position has no deviceId; the app must say which device it is");
    if (p.deviceId.size() > kMaxDeviceIdLength)
        return QStringLiteral("deviceId \"%1...\" is longer than %2 characters")
            .arg(p.deviceId.left(20))
            .arg(kMaxDeviceIdLength);
    // Written so that NaN fails too.
    if (!(p.latitude >= -90.0 && p.latitude <= 90.0))
        return QStringLiteral("latitude %1 of device %2 is outside [-90, 90] degrees")
            .arg(p.latitude)
            .arg(p.deviceId);
    if (!(p.longitude >= -180.0 && p.longitude <= 180.0))
        return QStringLiteral("longitude %1 of device %2 is outside [-180, 180] degrees")
            .arg(p.longitude)
            .arg(p.deviceId);
    if (!p.time.isValid())
        return QStringLiteral("the position of device %1 has no fix time (field \"time\")")
            .arg(p.deviceId);
    if (!finiteOrAbsent(p.altitude) || !finiteOrAbsent(p.speed))
        return QStringLiteral("altitude and speed of device %1 must be numbers or null")
            .arg(p.deviceId);
    if (p.uuid.isEmpty())
        return QStringLiteral("the position of device %1 has no action uuid").arg(p.deviceId);
    return {};
}

peek::Result<bool> PositionStore::store(QSqlDatabase &db, const QString &schema,
                                               const DevicePositionTuple &p)
{
    // An unknown or nonsensical accuracy is stored as -1 ("unknown").
    const double accuracy = std::isfinite(p.accuracyM) && p.accuracyM >= 0 ? p.accuracyM : -1.0;
    const qint64 fixTime = p.time.utcMicros();
    const QVariant madeTime = p.dateTime.isValid() ? QVariant(p.dateTime.utcMicros())
                                                   : QVariant(QMetaType::fromType<qint64>());
    const QVariantList values {p.deviceId,
                               p.uuid,
                               p.latitude,
                               p.longitude,
                               accuracy,
                               nullableDouble(p.altitude),
                               nullableDouble(p.speed),
                               fixTime,
                               madeTime,
                               QDateTime::currentMSecsSinceEpoch() * 1000};
    const QString &deviceId = p.deviceId;
    auto seen = peek::sql::exec(
        db, QStringLiteral("SELECT 1 FROM %1.\"DevicePosition\" WHERE action_uuid = ?").arg(schema),
        {p.uuid});
    if (!seen)
        return seen.error();
    if (seen.value().next())
        return false; // stored before (a position with the same action uuid)
    const QString insert = QStringLiteral("INSERT INTO %1.\"%2\" (%3, received_time_us) "
                                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (auto inserted = peek::sql::exec(
            db, insert.arg(schema, QStringLiteral("DevicePosition"), kColumns), values);
        !inserted)
        return inserted.error();

    auto latest = peek::sql::exec(
        db,
        QStringLiteral(
            "SELECT fix_time_us FROM %1.\"DeviceLatestPosition\" WHERE device_id = ?")
            .arg(schema),
        {deviceId});
    if (!latest)
        return latest.error();
    if (!latest.value().next()) {
        if (auto inserted = peek::sql::exec(
                db, insert.arg(schema, QStringLiteral("DeviceLatestPosition"), kColumns),
                values);
            !inserted)
            return inserted.error();
    } else if (latest.value().value(0).toLongLong() <= fixTime) {
        // Older fixes (a queue that drained late) go to the history only.
        QVariantList update = values.mid(1);
        update << deviceId;
        auto updated = peek::sql::exec(
            db,
            QStringLiteral(
                "UPDATE %1.\"DeviceLatestPosition\" SET action_uuid = ?, latitude = ?, "
                "longitude = ?, accuracy_m = ?, altitude = ?, speed = ?, fix_time_us = ?, "
                "made_time_us = ?, received_time_us = ? WHERE device_id = ?")
                .arg(schema),
            update);
        if (!updated)
            return updated.error();
    }
    return true;
}

void PositionStore::notifyChanged()
{
    m_observable.notifyOfTupleUpdateForTuple(kType);
}

std::vector<peek::TuplePtr> PositionStore::load(const peek::TupleSelector &selector) const
{
    QString deviceId;
    bool history = false;
    qint64 limit = kDefaultHistory;
    for (const auto &[key, value] : selector.selector) {
        if (key == QLatin1String("deviceId") && value.type() == peek::Value::Type::String)
            deviceId = value.toString();
        else if (key == QLatin1String("history") && value.type() == peek::Value::Type::Bool)
            history = value.toBool();
        else if (key == QLatin1String("limit") && value.isNumber() && value.toDouble() >= 1)
            limit = std::min(qint64(value.toDouble()), kMaxHistory);
        else
            throw std::runtime_error(
                QStringLiteral(
                    "%1: selector key \"%2\" is unknown or of the wrong type; use deviceId "
                    "(string), history (bool), limit (number >= 1)")
                    .arg(kType, key)
                    .toStdString());
    }

    const QString schema = m_schema;
    auto rows = m_db.runSync(
        QStringList {schema},
        [&](QSqlDatabase &db) -> peek::Result<std::vector<peek::TuplePtr>> {
            QString sql;
            QVariantList binds;
            const QString where
                = deviceId.isEmpty() ? QString() : QStringLiteral(" WHERE device_id = ?");
            if (!deviceId.isEmpty())
                binds << deviceId;
            if (history) {
                // The newest `limit` positions, returned oldest first.
                sql = QStringLiteral("SELECT %1 FROM %2.\"DevicePosition\"%3 ORDER BY fix_time_us "
                                     "DESC, action_uuid DESC LIMIT ?")
                          .arg(kColumns, schema, where);
                binds << limit;
            } else {
                sql = QStringLiteral(
                          "SELECT %1 FROM %2.\"DeviceLatestPosition\"%3 ORDER BY device_id")
                          .arg(kColumns, schema, where);
            }
            auto query = peek::sql::exec(db, sql, binds);
            if (!query)
                return query.error();
            std::vector<peek::TuplePtr> tuples;
            while (query.value().next())
                tuples.push_back(rowToTuple(query.value()));
            if (history)
                std::reverse(tuples.begin(), tuples.end());
            return tuples;
        });
    if (!rows) {
        qWarning().noquote() << "peek_plugin_positions:" << rows.error().message();
        throw std::runtime_error(rows.error().peerMessage().toStdString());
    }
    return std::move(rows).value();
}

} // namespace positions
