#include "inboxstore.h"

namespace inbox::store {

const char *const kTaskColumns = "id, plugin_name, unique_id, user_name, date_time, title, description, icon_path, route_path, "
                                 "route_param_json, display_as, display_priority, auto_complete, auto_delete, state_flags, "
                                 "notification_required_flags, notification_sent_flags";
const char *const kActivityColumns = "id, plugin_name, unique_id, user_name, date_time, title, description, icon_path, "
                                     "route_path, route_param_json";

namespace {

// What every task and activity needs, checked before anything is written.
peek::Result<void> checkCommon(const QString &what, const QString &pluginName, const QString &uniqueId,
                               const QString &userName, const QString &title)
{
    QStringList wrong;
    if (pluginName.isEmpty() || pluginName.size() > 100)
        wrong << QStringLiteral("pluginName must be 1 to 100 characters");
    if (uniqueId.isEmpty() || uniqueId.size() > 200)
        wrong << QStringLiteral("uniqueId must be 1 to 200 characters");
    if (userName.isEmpty() || userName.size() > 100)
        wrong << QStringLiteral("userName must be 1 to 100 characters");
    if (title.trimmed().isEmpty() || title.size() > 300)
        wrong << QStringLiteral("title must be 1 to 300 characters");
    if (wrong.isEmpty())
        return {};
    return peek::Error {QStringLiteral("%1 %2 of %3 was not added: %4").arg(what, uniqueId, pluginName, wrong.join(QStringLiteral("; ")))};
}

peek::Result<bool> removeWhere(peek::PluginSql &sql, const char *table, const QString &pluginName, const QString &uniqueId);

// The id a new entry of (pluginName, uniqueId) gets, after the one it replaces is removed.
peek::Result<qint64> replaceEntry(peek::PluginSql &sql, const char *table, const QString &pluginName, const QString &uniqueId)
{
    if (auto removed = removeWhere(sql, table, pluginName, uniqueId); !removed)
        return removed.error();
    return sql.nextId(QLatin1String(table));
}

peek::Result<bool> removeWhere(peek::PluginSql &sql, const char *table, const QString &pluginName, const QString &uniqueId)
{
    auto removed = sql.exec(QStringLiteral("DELETE FROM {schema}.\"%1\" WHERE plugin_name = ? AND unique_id = ?").arg(QLatin1String(table)),
                            {pluginName, uniqueId});
    if (!removed)
        return removed.error();
    return removed.value().numRowsAffected() > 0;
}

QString now()
{
    return peek::DateTime::currentUtc().toString();
}

// The state after `reached` bits: completed when an autoComplete bit is reached; deleted (true)
// when an autoDelete bit is.
peek::Result<void> moveTask(peek::PluginSql &sql, qint64 id, int reached, int notified)
{
    auto row = sql.exec(QStringLiteral("SELECT state_flags, notification_sent_flags, auto_complete, auto_delete "
                                       "FROM {schema}.\"Task\" WHERE id = ?"),
                        {id});
    if (!row)
        return row.error();
    if (!row.value().next())
        return peek::Error {QStringLiteral("there is no task %1").arg(id)};
    int state = row.value().value(0).toInt() | reached;
    const int sent = row.value().value(1).toInt() | notified;
    if (state & row.value().value(2).toInt())
        state |= Completed;
    if (state & row.value().value(3).toInt())
        return sql.changeOne(QStringLiteral("DELETE FROM {schema}.\"Task\" WHERE id = ?"), {id}, QStringLiteral("task %1").arg(id));
    return sql.changeOne(QStringLiteral("UPDATE {schema}.\"Task\" SET state_flags = ?, notification_sent_flags = ? WHERE id = ?"),
                         {state, sent, id}, QStringLiteral("task %1").arg(id));
}

// `id` of `table` when it is `userName`'s; else why not.
peek::Result<void> ownedBy(peek::PluginSql &sql, const char *table, const char *what, qint64 id, const QString &userName)
{
    if (userName.isEmpty())
        return peek::Error {QStringLiteral("log in to change your inbox")};
    auto owner = sql.exec(QStringLiteral("SELECT user_name FROM {schema}.\"%1\" WHERE id = ?").arg(QLatin1String(table)), {id});
    if (!owner)
        return owner.error();
    if (!owner.value().next() || owner.value().value(0).toString() != userName)
        return peek::Error {QStringLiteral("there is no %1 %2 in %3's inbox").arg(QLatin1String(what)).arg(id).arg(userName)};
    return {};
}

} // namespace

peek::Result<qint64> addTask(peek::PluginSql &sql, const NewTask &task)
{
    if (auto checked = checkCommon(QStringLiteral("task"), task.pluginName, task.uniqueId, task.userName, task.title); !checked)
        return checked.error();
    if (task.displayPriority < Success || task.displayPriority > Danger || (task.displayAs != AsTask && task.displayAs != AsMessage))
        return peek::Error {QStringLiteral("task %1 of %2 was not added: displayPriority must be 1 to 4 and displayAs 0 or 1")
                                .arg(task.uniqueId, task.pluginName)};
    auto id = replaceEntry(sql, "Task", task.pluginName, task.uniqueId);
    if (!id)
        return id;
    auto inserted = sql.exec(QStringLiteral("INSERT INTO {schema}.\"Task\" (%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 0)")
                                 .arg(QLatin1String(kTaskColumns)),
                             {id.value(), task.pluginName, task.uniqueId, task.userName, now(), task.title, task.description,
                              task.iconPath, task.routePath, task.routeParamJson, task.displayAs, task.displayPriority,
                              task.autoComplete, task.autoDelete, task.notify});
    if (!inserted)
        return inserted.error();
    return id;
}

peek::Result<bool> completeTask(peek::PluginSql &sql, const QString &pluginName, const QString &uniqueId)
{
    auto row = sql.exec(QStringLiteral("SELECT id FROM {schema}.\"Task\" WHERE plugin_name = ? AND unique_id = ?"), {pluginName, uniqueId});
    if (!row)
        return row.error();
    if (!row.value().next())
        return false;
    if (auto moved = moveTask(sql, row.value().value(0).toLongLong(), Completed, 0); !moved)
        return moved.error();
    return true;
}

peek::Result<bool> removeTask(peek::PluginSql &sql, const QString &pluginName, const QString &uniqueId)
{
    return removeWhere(sql, "Task", pluginName, uniqueId);
}

peek::Result<qint64> addActivity(peek::PluginSql &sql, const NewActivity &activity)
{
    if (auto checked = checkCommon(QStringLiteral("activity"), activity.pluginName, activity.uniqueId, activity.userName, activity.title);
        !checked)
        return checked.error();
    auto id = replaceEntry(sql, "Activity", activity.pluginName, activity.uniqueId);
    if (!id)
        return id;
    auto inserted = sql.exec(QStringLiteral("INSERT INTO {schema}.\"Activity\" (%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                                 .arg(QLatin1String(kActivityColumns)),
                             {id.value(), activity.pluginName, activity.uniqueId, activity.userName, now(), activity.title,
                              activity.description, activity.iconPath, activity.routePath, activity.routeParamJson});
    if (!inserted)
        return inserted.error();
    return id;
}

peek::Result<bool> removeActivity(peek::PluginSql &sql, const QString &pluginName, const QString &uniqueId)
{
    return removeWhere(sql, "Activity", pluginName, uniqueId);
}

peek::Result<void> updateTask(peek::PluginSql &sql, const QString &userName, const TaskUpdateAction &update)
{
    if (auto owned = ownedBy(sql, "Task", "task", update.taskId, userName); !owned)
        return owned;
    constexpr int kStates = Delivered | Selected | Actioned | Completed;
    constexpr int kNotifications = Banner | Sound;
    if ((update.stateFlags & ~kStates) || (update.notificationSentFlags & ~kNotifications))
        return peek::Error {QStringLiteral("task %1: stateFlags takes the bits %2 and notificationSentFlags %3")
                                .arg(update.taskId).arg(kStates).arg(kNotifications)};
    return moveTask(sql, update.taskId, update.stateFlags, update.notificationSentFlags);
}

peek::Result<void> deleteTask(peek::PluginSql &sql, const QString &userName, qint64 taskId)
{
    if (auto owned = ownedBy(sql, "Task", "task", taskId, userName); !owned)
        return owned;
    return sql.changeOne(QStringLiteral("DELETE FROM {schema}.\"Task\" WHERE id = ?"), {taskId}, QStringLiteral("task %1").arg(taskId));
}

peek::Result<void> deleteActivity(peek::PluginSql &sql, const QString &userName, qint64 activityId)
{
    if (auto owned = ownedBy(sql, "Activity", "activity", activityId, userName); !owned)
        return owned;
    return sql.changeOne(QStringLiteral("DELETE FROM {schema}.\"Activity\" WHERE id = ?"), {activityId},
                         QStringLiteral("activity %1").arg(activityId));
}

} // namespace inbox::store
