// The tutorial's field view: the StringInt rows as large touch rows; tap the string to toggle
// its capitals, the - and + buttons change the int. The rows come from the offline cache first,
// then live from the field service; the buttons queue actions (they work offline too and are
// sent when the service is back). `title` is for the host to show in its tool bar; the view has
// no header of its own.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Peek

Page {
    id: view
    readonly property alias stringInts: rows

    title: qsTr("Tutorial")

    TupleObserver {
        id: rows
        plugin: "peek_plugin_tutorial"
        tupleName: "peek_plugin_tutorial.StringIntTuple"
    }
    ActionPusher {
        id: actions
        plugin: "peek_plugin_tutorial"
    }

    function toggleCaps(stringIntId) {
        actions.push("peek_plugin_tutorial.StringCapToggleActionTuple", {stringIntId: stringIntId})
    }
    function addToInt(stringIntId, offset) {
        actions.push("peek_plugin_tutorial.AddIntValueActionTuple",
                     {stringIntId: stringIntId, offset: offset})
    }

    ListView {
        anchors.fill: parent
        clip: true
        model: rows
        ScrollIndicator.vertical: ScrollIndicator {}

        delegate: Rectangle {
            id: row
            required property int index
            required property var model
            readonly property int stringIntId: model.id ?? -1
            readonly property string string1: model.string1 ?? ""
            readonly property int int1: model.int1 ?? 0
            // Who changed it last, from which device (empty: not changed from a device yet).
            readonly property string changed: (model.changedBy ?? "") === "" ? ""
                : qsTr("%1 on %2").arg(model.changedBy).arg(model.changedOn)
            objectName: "row" + index

            width: ListView.view.width
            height: 72
            color: view.palette.base

            RowLayout {
                anchors.fill: parent
                anchors.leftMargin: 8
                anchors.rightMargin: 8
                spacing: 12

                // The whole string area (full row height) is the tap target for toggling capitals.
                ItemDelegate {
                    text: row.string1
                    font.pixelSize: 22
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    Accessible.description: qsTr("Tap to toggle capitals")
                    objectName: "toggle"
                    onClicked: view.toggleCaps(row.stringIntId)
                    topPadding: row.changed === "" ? 0 : -18
                    Label {
                        objectName: "changed"
                        visible: row.changed !== ""
                        text: row.changed
                        anchors.left: parent.left
                        anchors.leftMargin: parent.leftPadding
                        anchors.bottom: parent.bottom
                        anchors.bottomMargin: 6
                        font.pixelSize: 14
                        opacity: 0.7
                    }
                }
                Button {
                    text: "−"
                    font.pixelSize: 26
                    Layout.preferredWidth: 72
                    Layout.preferredHeight: 56
                    Accessible.name: qsTr("Subtract one")
                    objectName: "subtract"
                    onClicked: view.addToInt(row.stringIntId, -1)
                }
                Label {
                    objectName: "int"
                    text: row.int1
                    font.pixelSize: 22
                    horizontalAlignment: Text.AlignHCenter
                    Layout.minimumWidth: 56
                }
                Button {
                    text: "+"
                    font.pixelSize: 26
                    Layout.preferredWidth: 72
                    Layout.preferredHeight: 56
                    Accessible.name: qsTr("Add one")
                    objectName: "add"
                    onClicked: view.addToInt(row.stringIntId, 1)
                }
            }

            Rectangle {   // row separator
                anchors.left: parent.left
                anchors.right: parent.right
                anchors.bottom: parent.bottom
                height: 1
                color: view.palette.mid
            }
        }
    }

    Label {
        anchors.centerIn: parent
        visible: rows.count === 0
        text: rows.error !== "" ? rows.error : qsTr("No rows yet")
        font.pixelSize: 18
        color: view.palette.placeholderText
    }
    Label {
        anchors.bottom: parent.bottom
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.margins: 8
        visible: actions.error !== ""
        text: actions.error
        color: "#c62828"
    }
}
