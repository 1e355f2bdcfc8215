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
            required property var model
            width: ListView.view.width
            height: 64
            font.pixelSize: 22
            text: model.name ?? ""
            checked: model.done ?? false
            onClicked: actions.push("@PLUGIN@.ToggleItemAction", {itemId: model.id})
        }
    }
    Label {
        anchors.centerIn: parent
        visible: items.count === 0
        text: items.error !== "" ? items.error : qsTr("Nothing to do")
    }
}
