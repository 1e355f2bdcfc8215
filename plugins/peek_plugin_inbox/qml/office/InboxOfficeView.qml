// The user's inbox in the office app: tasks newest first (unread in bold), a click marks one read
// and opens the plugin view it points to; Done completes it.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Peek

Pane {
    id: view
    readonly property string title: qsTr("Inbox")

    TupleObserver {
        id: tasks
        plugin: "peek_plugin_inbox"
        tupleName: "peek_plugin_inbox.TaskTuple"
    }
    ActionPusher {
        id: actions
        plugin: "peek_plugin_inbox"
    }

    function reach(taskId, state) {
        actions.push("peek_plugin_inbox.TaskUpdateAction", {taskId: taskId, stateFlags: state, notificationSentFlags: 0})
    }

    ListView {
        anchors.fill: parent
        clip: true
        model: tasks
        delegate: ItemDelegate {
            id: row
            required property var model
            required property int index
            objectName: "task" + index
            readonly property int state: model.stateFlags ?? 0
            readonly property bool unread: (state & 2) === 0
            readonly property bool done: (state & 8) !== 0
            width: ListView.view.width
            onClicked: {
                if (unread)
                    view.reach(model.id, 2)
                if ((model.routePath ?? "") !== "")
                    Peek.openPlugin(model.routePath)
            }
            contentItem: RowLayout {
                Label {
                    text: row.model.title ?? ""
                    font.bold: row.unread
                    font.strikeout: row.done
                    elide: Text.ElideRight
                    Layout.fillWidth: true
                }
                Label {
                    text: row.model.description ?? ""
                    opacity: 0.7
                    elide: Text.ElideRight
                    Layout.preferredWidth: 320
                }
                Button {
                    visible: !row.done
                    text: qsTr("Done")
                    onClicked: view.reach(row.model.id, 8)
                }
            }
        }
    }
    Label {
        anchors.centerIn: parent
        visible: tasks.count === 0
        text: tasks.error !== "" ? tasks.error : qsTr("Nothing in your inbox")
    }
}
