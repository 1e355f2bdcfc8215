// The tutorial's office view: the StringInt rows in a compact table for a desktop; the same
// requests as the field view. `stringInts` is provided by the office app.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Pane {
    id: view
    required property var stringInts
    signal toggleCapsRequested(int stringIntId)
    signal addToIntRequested(int stringIntId, int offset)

    // Column widths shared by the header and the rows.
    readonly property int idColumnWidth: 40
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
            model: view.stringInts
            ScrollBar.vertical: ScrollBar {}

            delegate: RowLayout {
                id: row
                required property int id
                required property string string1
                required property int int1

                width: ListView.view.width
                spacing: 8

                Label { text: row.id; Layout.preferredWidth: view.idColumnWidth }
                Label { text: row.string1; Layout.fillWidth: true; elide: Text.ElideRight }
                Label {
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
                        onClicked: view.toggleCapsRequested(row.id)
                    }
                    ToolButton {
                        text: "−"
                        Layout.preferredWidth: 32
                        ToolTip.text: qsTr("Subtract one")
                        ToolTip.visible: hovered
                        ToolTip.delay: 500
                        onClicked: view.addToIntRequested(row.id, -1)
                    }
                    ToolButton {
                        text: "+"
                        Layout.preferredWidth: 32
                        ToolTip.text: qsTr("Add one")
                        ToolTip.visible: hovered
                        ToolTip.delay: 500
                        onClicked: view.addToIntRequested(row.id, 1)
                    }
                }
            }
        }
    }
}
