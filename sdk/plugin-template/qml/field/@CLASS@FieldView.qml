// @TITLE@ in the field app: the items as large touch rows; tap one to tick it off. The rows come
// from the offline cache first, then live; the taps queue actions (sent once online).
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import Peek

Page {
    id: view
    title: qsTr("@TITLE@")

    TupleObserver {
        id: items
        plugin: "@PLUGIN@"
        tupleName: "@PLUGIN@.ItemTuple"
    }
    ActionPusher {
        id: actions
        plugin: "@PLUGIN@"
    }

    ListView {
        anchors.fill: parent
        model: items
        delegate: CheckDelegate {
            id: row
            required property var model
            width: ListView.view.width
            height: 64
            font.pixelSize: 22
            text: model.name ?? ""
            checked: model.done ?? false
            onClicked: actions.push("@PLUGIN@.ToggleItemAction", {itemId: model.id})
            // A tick a gloved thumb hits and a glance in the sun reads.
            indicator: Rectangle {
                x: row.width - width - row.rightPadding
                y: (row.height - height) / 2
                width: 40
                height: 40
                radius: 6
                border.width: 2
                border.color: row.checked ? "#2e7d32" : "#8a97a5"
                color: row.checked ? "#2e7d32" : "transparent"
                Text {
                    anchors.centerIn: parent
                    visible: row.checked
                    text: "\u2713"
                    color: "white"
                    font.pixelSize: 28
                }
            }
        }
    }
    Label {
        anchors.centerIn: parent
        visible: items.count === 0
        text: items.error !== "" ? items.error : qsTr("Nothing to do")
    }
}
