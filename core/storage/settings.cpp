#include "settings.h"

#include "database.h"
#include "migrations.h"
#include "sql.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QMutex>
#include <QPointer>
#include <QRecursiveMutex>
#include <QSet>
#include <QSqlDatabase>
#include <QThread>

#include <atomic>
#include <climits>
#include <limits>

Q_LOGGING_CATEGORY(lcSettings, "peek.storage.settings")

namespace peek {

namespace {

// The platform's settings table, in the main database.
MigrationSet settingsMigrations()
{
    return MigrationSet::fromList({},
                                  {{1,
                                    QStringLiteral("create_plugin_setting"),
                                    {},
                                    QStringLiteral("CREATE TABLE \"PluginSetting\" (\n"
                                                   "    plugin VARCHAR(200) NOT NULL,\n"
                                                   "    name VARCHAR(200) NOT NULL,\n"
                                                   "    value TEXT NOT NULL,\n"
                                                   "    updated_at VARCHAR(32) NOT NULL,\n"
                                                   "    PRIMARY KEY (plugin, name)\n"
                                                   ");\n")}},
                                  QStringLiteral("peek.settings"))
        .value();
}

QString typeName(SettingType type)
{
    switch (type) {
    case SettingType::Bool:
        return QStringLiteral("bool");
    case SettingType::Int:
        return QStringLiteral("int");
    case SettingType::String:
        return QStringLiteral("string");
    case SettingType::Password:
        return QStringLiteral("password");
    }
    return {};
}

} // namespace

struct Settings::Hub {
    QString plugin;

    QMutex mutex; // guards what follows
    bool loaded = false;
    QHash<QString, QString> stored;
    QList<Settings *> subscribers;

    // One write at a time per plugin, through to the notifications, so listeners see values in
    // the order they were stored. Recursive: a slot may write again.
    QRecursiveMutex writeMutex;
    QHash<QString, quint64> lastWritten; // per key, the sequence number of the write stored last
    std::atomic<quint64> nextSequence {1};

    static std::shared_ptr<Hub> forPlugin(const QString &identity, const QString &plugin)
    {
        static QMutex registryMutex;
        static QHash<QString, std::weak_ptr<Hub>> registry;
        QMutexLocker lock(&registryMutex);
        const QString key = identity + QLatin1Char('\n') + plugin;
        if (auto hub = registry.value(key).lock())
            return hub;
        for (auto it = registry.begin(); it != registry.end();)
            it = it->expired() ? registry.erase(it) : std::next(it);
        auto hub = std::make_shared<Hub>();
        hub->plugin = plugin;
        registry.insert(key, hub);
        return hub;
    }

    Result<void> load(QSqlDatabase &db)
    {
        auto query = sql::exec(
            db, QStringLiteral("SELECT name, value FROM \"PluginSetting\" WHERE plugin = ?"),
            {plugin}, QStringLiteral("cannot load the settings of %1").arg(plugin));
        if (!query)
            return query.error();
        QHash<QString, QString> values;
        while (query.value().next())
            values.insert(query.value().value(0).toString(), query.value().value(1).toString());
        QMutexLocker lock(&mutex);
        stored = std::move(values);
        loaded = true;
        return {};
    }

    // Stores one value (nullopt: deletes it) unless a later write of the key got there first,
    // then tells every Settings object of the plugin.
    Result<void> write(QSqlDatabase &db, const QString &key,
                              const std::optional<QString> &value, quint64 sequence)
    {
        QMutexLocker writeLock(&writeMutex);
        if (lastWritten.value(key) > sequence)
            return {}; // superseded: a newer value is already stored
        const QString what = QStringLiteral("cannot store the setting %1 of %2").arg(key, plugin);
        auto done = value
            ? sql::exec(
                db,
                QStringLiteral("INSERT INTO \"PluginSetting\" (plugin, name, value, updated_at) "
                               "VALUES (?, ?, ?, ?) ON CONFLICT (plugin, name) DO UPDATE "
                               "SET value = excluded.value, updated_at = excluded.updated_at"),
                {plugin, key, *value, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
                what)
            : sql::exec(
                db, QStringLiteral("DELETE FROM \"PluginSetting\" WHERE plugin = ? AND name = ?"),
                {plugin, key}, what);
        if (!done)
            return done.error();
        lastWritten.insert(key, sequence);

        QList<QPointer<Settings>> here;
        {
            QMutexLocker lock(&mutex);
            const bool wasStored = stored.contains(key);
            if (wasStored == value.has_value() && (!value || stored.value(key) == *value))
                return {}; // no change
            if (value)
                stored.insert(key, *value);
            else
                stored.remove(key);
            // Objects of other threads hear it in their thread; queued under the lock, so none
            // can be destroyed meanwhile (their destructor takes it).
            for (Settings *settings : std::as_const(subscribers)) {
                if (settings->thread() == QThread::currentThread()) {
                    here << settings;
                } else {
                    QMetaObject::invokeMethod(
                        settings, [settings, key, value] { settings->emitChanged(key, value); },
                        Qt::QueuedConnection);
                }
            }
        }
        for (const QPointer<Settings> &settings : std::as_const(here)) {
            if (settings)
                settings->emitChanged(key, value);
        }
        return {};
    }
};

Settings::Settings(Database &database, QString plugin, QList<SettingDeclaration> declarations,
                   std::shared_ptr<Hub> hub, QObject *parent)
    : QObject(parent),
      m_database(database),
      m_plugin(std::move(plugin)),
      m_declarations(std::move(declarations)),
      m_hub(std::move(hub))
{
    QMutexLocker lock(&m_hub->mutex);
    m_hub->subscribers << this;
}

Settings::~Settings()
{
    QMutexLocker lock(&m_hub->mutex);
    m_hub->subscribers.removeAll(this);
}

Result<std::unique_ptr<Settings>> Settings::open(Database &database, const QString &plugin,
                                                        QList<SettingDeclaration> declarations,
                                                        QObject *parent)
{
    if (plugin.trimmed().isEmpty())
        return Error {QStringLiteral("settings need the name of their plugin"), {}, {}};
    QSet<QString> keys;
    for (SettingDeclaration &declaration : declarations) {
        const QString where
            = QStringLiteral("the setting '%1' of plugin %2").arg(declaration.key, plugin);
        if (declaration.key.trimmed().isEmpty())
            return Error {
                QStringLiteral("a setting of plugin %1 has no key").arg(plugin), {}, {}};
        if (keys.contains(declaration.key))
            return Error {where + QStringLiteral(" is declared twice"), {}, {}};
        keys.insert(declaration.key);
        QVariant &fallback = declaration.defaultValue;
        switch (declaration.type) {
        case SettingType::Bool:
            if (!fallback.isValid())
                fallback = false;
            if (fallback.typeId() != QMetaType::Bool)
                return Error {
                    where + QStringLiteral(" is a bool; its default must be a bool"), {}, {}};
            break;
        case SettingType::Int:
            if (!fallback.isValid())
                fallback = 0;
            if (fallback.typeId() != QMetaType::Int)
                return Error {
                    where + QStringLiteral(" is an int; its default must be an int"), {}, {}};
            break;
        case SettingType::String:
        case SettingType::Password:
            if (!fallback.isValid())
                fallback = QString();
            if (fallback.typeId() != QMetaType::QString) {
                return Error {where
                                         + QStringLiteral(" is a %1; its default must be a QString")
                                               .arg(typeName(declaration.type)),
                                     {},
                                     {}};
            }
            break;
        }
    }

    auto hub = Hub::forPlugin(database.location().identity(), plugin);
    {
        QMutexLocker writeLock(&hub->writeMutex);
        bool loaded = false;
        {
            QMutexLocker lock(&hub->mutex);
            loaded = hub->loaded;
        }
        if (!loaded) {
            auto migrated = Migrator::migrate(database, settingsMigrations());
            if (!migrated)
                return migrated.error();
            auto read = database.runSync([&](QSqlDatabase &db) { return hub->load(db); });
            if (!read)
                return read.error();
        }
    }
    return std::unique_ptr<Settings>(
        new Settings(database, plugin, std::move(declarations), hub, parent));
}

const SettingDeclaration *Settings::declaration(const QString &key) const
{
    for (const SettingDeclaration &declaration : m_declarations) {
        if (declaration.key == key)
            return &declaration;
    }
    return nullptr;
}

QVariant Settings::fromStored(const SettingDeclaration &declaration,
                              const std::optional<QString> &stored) const
{
    if (!stored)
        return declaration.defaultValue;
    switch (declaration.type) {
    case SettingType::Bool:
        if (*stored == QLatin1String("true"))
            return true;
        if (*stored == QLatin1String("false"))
            return false;
        break;
    case SettingType::Int: {
        bool ok = false;
        const int number = stored->toInt(&ok);
        if (ok)
            return number;
        break;
    }
    case SettingType::String:
    case SettingType::Password:
        return *stored;
    }
    qCWarning(lcSettings).noquote()
        << "the stored value of the setting" << declaration.key << "of" << m_plugin << "is not a"
        << typeName(declaration.type) << "; using its default";
    return declaration.defaultValue;
}

QVariant Settings::value(const QString &key) const
{
    const SettingDeclaration *declared = declaration(key);
    if (!declared)
        return {};
    std::optional<QString> stored;
    {
        QMutexLocker lock(&m_hub->mutex);
        auto it = m_hub->stored.constFind(key);
        if (it != m_hub->stored.constEnd())
            stored = it.value();
    }
    return fromStored(*declared, stored);
}

bool Settings::isStored(const QString &key) const
{
    QMutexLocker lock(&m_hub->mutex);
    return m_hub->stored.contains(key);
}

QString Settings::displayValue(const QString &key) const
{
    const SettingDeclaration *declared = declaration(key);
    if (!declared)
        return {};
    const QVariant current = value(key);
    if (declared->type == SettingType::Password)
        return current.toString().isEmpty() ? QString() : QString::fromLatin1(kMask);
    if (declared->type == SettingType::Bool)
        return current.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return current.toString();
}

Result<std::optional<QString>> Settings::toStored(const QString &key,
                                                         const QVariant &value) const
{
    const SettingDeclaration *declared = declaration(key);
    if (!declared) {
        return Error {
            QStringLiteral("plugin %1 has no setting '%2'").arg(m_plugin, key), {}, {}};
    }
    auto wrongType = [&](const QString &expected) {
        // A password is never shown, not even a wrong one.
        const QString shown = declared->type == SettingType::Password
            ? QStringLiteral("a value of type %1").arg(QString::fromLatin1(value.typeName()))
            : QStringLiteral("'%1' (%2)")
                  .arg(value.toString(), QString::fromLatin1(value.typeName()));
        return Error {QStringLiteral("cannot set '%1' of plugin %2 to %3: it takes %4")
                                 .arg(key, m_plugin, shown, expected),
                             {},
                             {}};
    };
    switch (declared->type) {
    case SettingType::Bool:
        if (value.typeId() == QMetaType::Bool)
            return std::optional<QString>(value.toBool() ? QStringLiteral("true")
                                                         : QStringLiteral("false"));
        if (value.typeId() == QMetaType::QString) {
            const QString text = value.toString().trimmed().toLower();
            if (text == QLatin1String("true") || text == QLatin1String("false"))
                return std::optional<QString>(text);
        }
        return wrongType(QStringLiteral("a bool (true or false)"));
    case SettingType::Int: {
        bool ok = false;
        int number = 0;
        switch (value.typeId()) {
        case QMetaType::Int:
        case QMetaType::UInt:
        case QMetaType::LongLong:
        case QMetaType::ULongLong:
        case QMetaType::Long:
        case QMetaType::Short:
        case QMetaType::UShort: {
            const qlonglong wide = value.toLongLong(&ok);
            ok = ok && wide >= std::numeric_limits<int>::min()
                && wide <= std::numeric_limits<int>::max()
                && (value.typeId() != QMetaType::ULongLong
                    || value.toULongLong() <= quint64(INT_MAX));
            number = int(wide);
            break;
        }
        case QMetaType::QString:
            number = value.toString().trimmed().toInt(&ok);
            break;
        default:
            break;
        }
        if (!ok)
            return wrongType(QStringLiteral("an int"));
        return std::optional<QString>(QString::number(number));
    }
    case SettingType::String:
    case SettingType::Password:
        if (value.typeId() != QMetaType::QString)
            return wrongType(QStringLiteral("text (a QString)"));
        return std::optional<QString>(value.toString());
    }
    return wrongType(typeName(declared->type));
}

QFuture<Result<void>> Settings::setValue(const QString &key, const QVariant &value)
{
    auto stored = toStored(key, value);
    if (!stored)
        return QtFuture::makeReadyFuture(Result<void>(stored.error()));
    const quint64 sequence = m_hub->nextSequence.fetch_add(1);
    return m_database.run([hub = m_hub, key, stored = stored.value(), sequence](QSqlDatabase &db) {
        return hub->write(db, key, stored, sequence);
    });
}

Result<void> Settings::setValueSync(const QString &key, const QVariant &value)
{
    auto stored = toStored(key, value);
    if (!stored)
        return stored.error();
    const quint64 sequence = m_hub->nextSequence.fetch_add(1);
    return m_database.runSync(
        [&](QSqlDatabase &db) { return m_hub->write(db, key, stored.value(), sequence); });
}

QFuture<Result<void>> Settings::reset(const QString &key)
{
    if (!declaration(key)) {
        return QtFuture::makeReadyFuture(Result<void>(Error {
            QStringLiteral("plugin %1 has no setting '%2'").arg(m_plugin, key), {}, {}}));
    }
    const quint64 sequence = m_hub->nextSequence.fetch_add(1);
    return m_database.run([hub = m_hub, key, sequence](QSqlDatabase &db) {
        return hub->write(db, key, std::nullopt, sequence);
    });
}

Result<void> Settings::resetSync(const QString &key)
{
    if (!declaration(key))
        return Error {
            QStringLiteral("plugin %1 has no setting '%2'").arg(m_plugin, key), {}, {}};
    const quint64 sequence = m_hub->nextSequence.fetch_add(1);
    return m_database.runSync(
        [&](QSqlDatabase &db) { return m_hub->write(db, key, std::nullopt, sequence); });
}

void Settings::emitChanged(const QString &key, const std::optional<QString> &stored)
{
    const SettingDeclaration *declared = declaration(key);
    if (!declared)
        return; // this object does not declare it
    Q_EMIT changed(key, fromStored(*declared, stored));
}

QDebug operator<<(QDebug debug, const Settings &settings)
{
    QDebugStateSaver saver(debug);
    debug.nospace().noquote() << "Settings(" << settings.plugin();
    for (const SettingDeclaration &declaration : settings.declarations())
        debug << ' ' << declaration.key << '=' << settings.displayValue(declaration.key);
    debug << ')';
    return debug;
}

} // namespace peek
