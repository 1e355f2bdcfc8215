#pragma once
// The inbox's reads and writes, each inside a transaction the caller holds (the kit's write and
// onAction open it): tasks and activities added, replaced, completed and removed by other plugins
// (the API), and moved on by their user's devices (actions).
#include "api/inboxapi.h"
#include "inboxtuples.h"

namespace inbox::store {

// The columns of TaskTuple and ActivityTuple, in the order of their fields.
extern const char *const kTaskColumns;
extern const char *const kActivityColumns;

peek::Result<qint64> addTask(peek::PluginSql &sql, const NewTask &task);
peek::Result<bool> completeTask(peek::PluginSql &sql, const QString &pluginName, const QString &uniqueId);
peek::Result<bool> removeTask(peek::PluginSql &sql, const QString &pluginName, const QString &uniqueId);
peek::Result<qint64> addActivity(peek::PluginSql &sql, const NewActivity &activity);
peek::Result<bool> removeActivity(peek::PluginSql &sql, const QString &pluginName, const QString &uniqueId);

// A device's update of one of `userName`'s tasks: refused for another user's task.
peek::Result<void> updateTask(peek::PluginSql &sql, const QString &userName, const TaskUpdateAction &update);
peek::Result<void> deleteTask(peek::PluginSql &sql, const QString &userName, qint64 taskId);
peek::Result<void> deleteActivity(peek::PluginSql &sql, const QString &userName, qint64 activityId);

} // namespace inbox::store
