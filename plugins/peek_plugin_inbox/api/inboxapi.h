#pragma once
// The inbox's published API (logic): other plugins give a user tasks (things to do, read or
// acknowledge) and activities (a log of what happened for them). Another plugin uses it on logic:
//
//   peek_use_plugin_api(peek_plugin_x peek_plugin_inbox)       # CMake
//   #include "inboxapi.h"
//   if (auto *inbox = ctx.otherPluginApi<inbox::InboxApi>(QStringLiteral("peek_plugin_inbox")))
//       inbox->addTask(task);
//
// The inbox may not run (it is a plugin like any other): check for nullptr.
#include <QDateTime>
#include <QFuture>
#include <QObject>
#include <QString>

namespace inbox {

// What a task asks for: bits of NewTask::notify, autoComplete and autoDelete, and of the
// task's stateFlags (the same values, as in the original Peek).
enum TaskState : int {
    Delivered = 1, // a device of the user received it
    Selected = 2,  // the user opened it (it counts as read)
    Actioned = 4,
    Completed = 8,
};
enum TaskNotify : int {
    Banner = 1, // a banner on the field app, a tray message on the office app
    Sound = 2,  // and a sound on the field app
};
enum TaskDisplay : int { AsTask = 0, AsMessage = 1 };
enum TaskPriority : int { Success = 1, Info = 2, Warning = 3, Danger = 4 };

struct NewTask
{
    QString pluginName;  // the sending plugin's name
    QString uniqueId;    // unique for that plugin; a task with the same one is replaced
    QString userName;    // whose inbox
    QString title;       // 1 to 300 characters
    QString description;
    QString iconPath;    // optional, within the sending plugin's files
    QString routePath;   // the plugin view a tap opens: a plugin's name ("peek_plugin_tutorial")
    QString routeParamJson;
    int displayAs = AsTask;
    int displayPriority = Info;
    int notify = Banner;       // TaskNotify bits
    int autoComplete = 0;      // TaskState bits: reaching one completes the task
    int autoDelete = 0;        // TaskState bits: reaching one deletes the task
};

struct NewActivity
{
    QString pluginName;
    QString uniqueId;
    QString userName;
    QString title;
    QString description;
    QString iconPath;
    QString routePath;
    QString routeParamJson;
};

class InboxApi
{
public:
    virtual ~InboxApi() = default;
    // Adds the task, or replaces the one of the same plugin and uniqueId (an update: its state
    // starts again). The task's id; fails with the reason (an empty title, say).
    virtual QFuture<qint64> addTask(const NewTask &task) = 0;
    // Marks the task completed (as if the user did); false when there is no such task.
    virtual QFuture<bool> completeTask(const QString &pluginName, const QString &uniqueId) = 0;
    virtual QFuture<bool> removeTask(const QString &pluginName, const QString &uniqueId) = 0;
    virtual QFuture<qint64> addActivity(const NewActivity &activity) = 0;
    virtual QFuture<bool> removeActivity(const QString &pluginName, const QString &uniqueId) = 0;
};

} // namespace inbox

#define InboxApi_iid "org.peek.plugin.inbox.InboxApi/1"
Q_DECLARE_INTERFACE(inbox::InboxApi, InboxApi_iid)
