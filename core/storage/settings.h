#pragma once

#include "base/export.h"
#include "base/result.h"

#include <QFuture>
#include <QObject>
#include <QVariant>

#include <memory>
#include <optional>

namespace peek {

class Database;

enum class SettingType { Bool, Int, String, Password };

// A setting a plugin declares: its key, type, default and a line for the admin window.
struct PEEK_API SettingDeclaration {
    QString key;
    SettingType type = SettingType::String;
    QVariant defaultValue; // bool, int or QString as the type says; empty: false, 0, ""
    QString description;
};

// The settings of one plugin: typed key/values with the defaults the plugin declares, stored in
// the platform table "PluginSetting"(plugin, key, value, updated_at) of the main database and
// cached in memory, so reading never touches the database.
//
// Writes go to the database off the calling thread (setValue) or on it (setValueSync); once a
// write is stored, every Settings object of that plugin on that database in this process
// (whatever its thread) emits changed(key, value) with the new value, in its own thread.
// Concurrent writes to one key end with the last one made. Changes made by other processes are
// not seen until the next open().
//
// Password values are stored as given and returned by value(); they are never written to logs
// or debug output (displayValue() and operator<< mask them). Encryption at rest comes with the
// secrets work.
//
// A Settings object must not outlive its Database.
class PEEK_API Settings : public QObject {
    Q_OBJECT
public:
    static constexpr const char *kMask = "********"; // shown instead of a password

    // Checks the declarations, creates the platform table when needed and loads the stored
    // values, on the calling thread (start-up code).
    static Result<std::unique_ptr<Settings>> open(Database &database, const QString &plugin,
                                                         QList<SettingDeclaration> declarations,
                                                         QObject *parent = nullptr);
    ~Settings() override;

    QString plugin() const { return m_plugin; }
    const QList<SettingDeclaration> &declarations() const { return m_declarations; }
    const SettingDeclaration *declaration(const QString &key) const;

    // The stored value, or the default; typed: bool, int or QString. Invalid for unknown keys.
    QVariant value(const QString &key) const;
    bool boolValue(const QString &key) const { return value(key).toBool(); }
    int intValue(const QString &key) const { return value(key).toInt(); }
    QString stringValue(const QString &key) const { return value(key).toString(); }
    bool isStored(const QString &key) const; // false: the default applies
    // The value as text for people: passwords masked.
    QString displayValue(const QString &key) const;

    // Stores a value: a bool (or "true"/"false"), an int (or its digits), a string. An unknown
    // key or a value of the wrong type fails at once, naming the key (never showing a password).
    QFuture<Result<void>> setValue(const QString &key, const QVariant &value);
    Result<void> setValueSync(const QString &key, const QVariant &value);
    // Forgets the stored value: the default applies again (changed() tells it).
    QFuture<Result<void>> reset(const QString &key);
    Result<void> resetSync(const QString &key);

    struct Hub; // shared by the Settings objects of one plugin and database

Q_SIGNALS:
    void changed(const QString &key, const QVariant &value);

private:
    Settings(Database &database, QString plugin, QList<SettingDeclaration> declarations,
             std::shared_ptr<Hub> hub, QObject *parent);
    Result<std::optional<QString>> toStored(const QString &key, const QVariant &value) const;
    QVariant fromStored(const SettingDeclaration &declaration,
                        const std::optional<QString> &stored) const;
    void emitChanged(const QString &key, const std::optional<QString> &stored);

    Database &m_database;
    QString m_plugin;
    QList<SettingDeclaration> m_declarations;
    std::shared_ptr<Hub> m_hub;
};

// All settings with passwords masked, for logs.
PEEK_API QDebug operator<<(QDebug debug, const Settings &settings);

} // namespace peek
