#pragma once
// The inbox's tuples: a user's tasks and activities (each user sees only their own: the
// observable answers per caller), and the action devices send back when a task's state moves.
#include "peek/plugin.h"
#include "peek/tuple.h"

namespace inbox {

// What tasks and activities both are: something for one user from one plugin, with where a tap
// leads (routePath: a plugin's view).
struct InboxEntry
{
    qint64 id = 0;
    QString pluginName;
    QString uniqueId;
    QString userName;
    peek::DateTime dateTime;
    QString title;
    QString description;
    QString iconPath;
    QString routePath;
    QString routeParamJson;
};

struct TaskTuple : peek::TypedTuple<TaskTuple>, InboxEntry
{
    PEEK_PLUGIN_TUPLE(TaskTuple, id, pluginName, uniqueId, userName, dateTime, title, description, iconPath, routePath,
                      routeParamJson, displayAs, displayPriority, autoComplete, autoDelete, stateFlags,
                      notificationRequiredFlags, notificationSentFlags)
    int displayAs = 0;
    int displayPriority = 2;
    int autoComplete = 0;
    int autoDelete = 0;
    int stateFlags = 0;
    int notificationRequiredFlags = 0;
    int notificationSentFlags = 0;
};

struct ActivityTuple : peek::TypedTuple<ActivityTuple>, InboxEntry
{
    PEEK_PLUGIN_TUPLE(ActivityTuple, id, pluginName, uniqueId, userName, dateTime, title, description, iconPath, routePath,
                      routeParamJson)
};

// How many of the caller's tasks are neither read nor completed: the number on the inbox's home
// tile (plugin.json ui badge).
struct UnreadCountTuple : peek::TypedTuple<UnreadCountTuple>
{
    PEEK_PLUGIN_TUPLE(UnreadCountTuple, unread)
    qint64 unread = 0;
};

// A device's news about one of its user's tasks: state bits reached (ORed into the task's) and
// notifications done (so another device of the user does not ring again).
struct TaskUpdateAction : peek::TypedTuple<TaskUpdateAction>
{
    PEEK_PLUGIN_ACTION(TaskUpdateAction, taskId, stateFlags, notificationSentFlags)
    qint64 taskId = 0;
    int stateFlags = 0;
    int notificationSentFlags = 0;
};

// The user removes a task or an activity from their inbox.
struct TaskDeleteAction : peek::TypedTuple<TaskDeleteAction>
{
    PEEK_PLUGIN_ACTION(TaskDeleteAction, taskId)
    qint64 taskId = 0;
};

struct ActivityDeleteAction : peek::TypedTuple<ActivityDeleteAction>
{
    PEEK_PLUGIN_ACTION(ActivityDeleteAction, activityId)
    qint64 activityId = 0;
};

} // namespace inbox
