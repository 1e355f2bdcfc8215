// The tutorial's admin view: its settings (the admin window provides `settings`, a model with
// roles key, value, description, and applies edits through setRequested).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Pane {
    id: view
    required property var settings
    signal setRequested(string key, var value)

    ColumnLayout {
        anchors.fill: parent
        Label { text: qsTr("Tutorial settings"); font.bold: true }
        Repeater {
            model: view.settings
            delegate: RowLayout {
                required property string key
                required property var value
                required property string description
                Label { text: key; Layout.preferredWidth: 180; ToolTip.text: description; ToolTip.visible: hovered.hovered
                        HoverHandler { id: hovered } }
                TextField { text: value; Layout.fillWidth: true; onEditingFinished: view.setRequested(key, text) }
            }
        }
    }
}
