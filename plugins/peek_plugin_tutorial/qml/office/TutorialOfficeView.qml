// The tutorial's office view: the StringInt rows in a compact table for a desktop; the same
// actions as the field view (queued on the device, sent when the service is reachable).
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Peek

Pane {
    id: view
    readonly property string title: qsTr("Tutorial")
    readonly property alias stringInts: rows

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

    // Column widths shared by the header and the rows.
    readonly property int idColumnWidth: 40
    readonly property int changedColumnWidth: 220
    readonly property int intColumnWidth: 60
    readonly property int actionsColumnWidth: 3 * 32 + 2 * 4

    ColumnLayout {
        anchors.fill: parent
        spacing: 6

        Label { text: qsTr("Tutorial — StringInt rows"); font.bold: true }

        RowLayout {   // column header
            Layout.fillWidth: true
            spacing: 8
            Label { text: qsTr("Id"); font.bold: true; Layout.preferredWidth: view.idColumnWidth }
            Label { text: qsTr("String"); font.bold: true; Layout.fillWidth: true }
            Label { text: qsTr("Changed by"); font.bold: true; Layout.preferredWidth: view.changedColumnWidth }
            Label {
                text: qsTr("Int"); font.bold: true
                horizontalAlignment: Text.AlignRight
                Layout.preferredWidth: view.intColumnWidth
            }
            Item { Layout.preferredWidth: view.actionsColumnWidth }
        }

        Rectangle { Layout.fillWidth: true; implicitHeight: 1; color: view.palette.mid }

        ListView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: rows
            ScrollBar.vertical: ScrollBar {}

            delegate: RowLayout {
                id: row
                required property int index
                required property var model
                readonly property int stringIntId: model.id ?? -1
                readonly property string string1: model.string1 ?? ""
                readonly property int int1: model.int1 ?? 0
                objectName: "row" + index

                width: ListView.view.width
                spacing: 8

                Label { text: row.stringIntId; Layout.preferredWidth: view.idColumnWidth }
                Label { text: row.string1; Layout.fillWidth: true; elide: Text.ElideRight }
                Label {
                    objectName: "changed"
                    // Who changed it last, from which device.
                    text: (row.model.changedBy ?? "") === "" ? "" : qsTr("%1 on %2").arg(row.model.changedBy).arg(row.model.changedOn)
                    elide: Text.ElideRight
                    opacity: 0.75
                    Layout.preferredWidth: view.changedColumnWidth
                }
                Label {
                    objectName: "int"
                    text: row.int1
                    horizontalAlignment: Text.AlignRight
                    Layout.preferredWidth: view.intColumnWidth
                }
                RowLayout {
                    spacing: 4
                    Layout.preferredWidth: view.actionsColumnWidth
                    ToolButton {
                        text: qsTr("Aa")
                        Layout.preferredWidth: 32
                        ToolTip.text: qsTr("Toggle capitals")
                        ToolTip.visible: hovered
                        ToolTip.delay: 500
                        objectName: "toggle"
                        onClicked: view.toggleCaps(row.stringIntId)
                    }
                    ToolButton {
                        text: "−"
                        Layout.preferredWidth: 32
                        ToolTip.text: qsTr("Subtract one")
                        ToolTip.visible: hovered
                        ToolTip.delay: 500
                        objectName: "subtract"
                        onClicked: view.addToInt(row.stringIntId, -1)
                    }
                    ToolButton {
                        text: "+"
                        Layout.preferredWidth: 32
                        ToolTip.text: qsTr("Add one")
                        ToolTip.visible: hovered
                        ToolTip.delay: 500
                        objectName: "add"
                        onClicked: view.addToInt(row.stringIntId, 1)
                    }
                }
            }
        }
    }
}
