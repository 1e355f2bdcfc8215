// @TITLE@ in the office app: the items in a compact list with a button per row.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Peek

Pane {
    id: view
    readonly property string title: qsTr("@TITLE@")

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
        delegate: RowLayout {
            id: row
            required property var model
            width: ListView.view.width
            Label {
                text: (row.model.done ? "✓ " : "") + (row.model.name ?? "")
                Layout.fillWidth: true
            }
            Button {
                text: row.model.done ? qsTr("Reopen") : qsTr("Done")
                onClicked: actions.push("@PLUGIN@.ToggleItemAction", {itemId: row.model.id})
            }
        }
    }
}
