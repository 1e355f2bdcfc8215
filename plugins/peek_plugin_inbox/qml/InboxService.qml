// The inbox in the background of the field and office apps (plugin.json ui service), for the
// whole session: a task that asks for it becomes a notification (a banner and a sound in the field
// app, a tray message in the office app), once; every task is marked delivered, and what was
// notified is recorded at logic, so the user's other devices do not ring again.
import QtQuick
import Peek

Item {
    id: service
    readonly property int delivered: 1
    readonly property int banner: 1
    readonly property int sound: 2
    property var told: ({}) // the tasks told of in this session, until logic's answer says so

    TupleObserver {
        id: tasks
        plugin: "peek_plugin_inbox"
        tupleName: "peek_plugin_inbox.TaskTuple"
        onRevisionChanged: service.check()
    }
    ActionPusher {
        id: actions
        plugin: "peek_plugin_inbox"
    }

    function check() {
        if (tasks.fromCache)
            return // only what logic says now: the cache may be older than another device's news
        for (let i = 0; i < tasks.count; ++i) {
            const task = tasks.get(i)
            const due = (task.notificationRequiredFlags ?? 0) & ~(task.notificationSentFlags ?? 0)
            if (((task.stateFlags ?? 0) & delivered) !== 0 && due === 0)
                continue
            if (told[task.id])
                continue
            told[task.id] = true
            if ((due & (banner | sound)) !== 0)
                Peek.notify("peek_plugin_inbox", task.title ?? "", task.description ?? "", (due & sound) !== 0)
            actions.push("peek_plugin_inbox.TaskUpdateAction",
                         {taskId: task.id, stateFlags: delivered, notificationSentFlags: due})
        }
    }
}
