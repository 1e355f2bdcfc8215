// The user's inbox in the field app: their tasks newest first (unread ones in bold, with a dot),
// then their activities. A tap marks a task read and opens the plugin view it points to; Done
// completes it. Offline the lists come from the app's cache and the taps wait in its queue.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Peek

Page {
    id: view
    title: qsTr("Inbox")

    readonly property int selected: 2
    readonly property int completed: 8

    TupleObserver {
        id: tasks
        plugin: "peek_plugin_inbox"
        tupleName: "peek_plugin_inbox.TaskTuple"
    }
    TupleObserver {
        id: activities
        plugin: "peek_plugin_inbox"
        tupleName: "peek_plugin_inbox.ActivityTuple"
    }
    ActionPusher {
        id: actions
        plugin: "peek_plugin_inbox"
    }

    function reach(taskId, state) {
        actions.push("peek_plugin_inbox.TaskUpdateAction", {taskId: taskId, stateFlags: state, notificationSentFlags: 0})
    }

    ListView {
        id: list
        anchors.fill: parent
        clip: true
        model: tasks
        ScrollIndicator.vertical: ScrollIndicator {}

        delegate: ItemDelegate {
            id: row
            required property int index
            required property var model
            readonly property int state: model.stateFlags ?? 0
            readonly property bool unread: (state & view.selected) === 0
            readonly property bool done: (state & view.completed) !== 0
            objectName: "task" + index
            width: ListView.view.width
            height: 76
            onClicked: {
                if (unread)
                    view.reach(model.id, view.selected)
                if ((model.routePath ?? "") !== "")
                    Peek.openPlugin(model.routePath)
            }
            contentItem: RowLayout {
                spacing: 12
                Rectangle {
                    objectName: "unreadDot"
                    visible: row.unread
                    width: 12; height: 12; radius: 6
                    color: "#2f6f9f"
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 2
                    Label {
                        text: row.model.title ?? ""
                        font.pixelSize: 20
                        font.bold: row.unread
                        font.strikeout: row.done
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                    }
                    Label {
                        text: row.model.description ?? ""
                        font.pixelSize: 15
                        opacity: 0.7
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                    }
                }
                Button {
                    objectName: "complete"
                    visible: !row.done
                    text: qsTr("Done")
                    Layout.preferredHeight: 52
                    onClicked: view.reach(row.model.id, view.completed)
                }
            }
        }
        footer: Column {
            width: list.width
            visible: activities.count > 0
            Label {
                text: qsTr("Activity")
                font.pixelSize: 16
                font.bold: true
                padding: 12
            }
            Repeater {
                model: activities
                delegate: ItemDelegate {
                    required property var model
                    width: list.width
                    text: model.title ?? ""
                    onClicked: if ((model.routePath ?? "") !== "") Peek.openPlugin(model.routePath)
                }
            }
        }
    }
    Label {
        anchors.centerIn: parent
        visible: tasks.count === 0 && activities.count === 0
        text: tasks.error !== "" ? tasks.error : qsTr("Nothing in your inbox")
        font.pixelSize: 18
        color: view.palette.placeholderText
    }
}
