// The tutorial's admin view: its settings (the admin window provides `settings`, a model with
// roles key, value, description, and applies edits through setRequested). Boolean settings are
// edited with a switch and sent as bool; numbers are sent as numbers; anything else as text.
// Hovering a setting's key shows its description (or the full key when it is elided).
// Below, the StringInt rows in the Peek module's table editor: add, edit and delete them (logic
// applies the edits: peek_plugin_tutorial's acceptTableEdits).
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Peek

Pane {
    id: view
    required property var settings
    signal setRequested(string key, var value)

    ColumnLayout {
        anchors.fill: parent
        spacing: 8

        Label { text: qsTr("Tutorial settings"); font.bold: true }

        Repeater {
            model: view.settings
            delegate: RowLayout {
                id: setting
                required property string key
                required property var value
                required property string description
                readonly property bool isBool: typeof value === "boolean"
                readonly property bool isNumber: typeof value === "number"
                readonly property string valueText: value === undefined || value === null ? "" : String(value)

                Layout.fillWidth: true
                spacing: 8

                Label {
                    text: setting.key
                    elide: Text.ElideRight
                    Layout.preferredWidth: 180
                    // The description; for a setting without one, the key itself when it is elided.
                    ToolTip.text: setting.description.length > 0 ? setting.description : setting.key
                    ToolTip.visible: keyHover.hovered && (setting.description.length > 0 || truncated)
                    ToolTip.delay: 500
                    HoverHandler { id: keyHover }
                }
                Switch {
                    visible: setting.isBool
                    checked: setting.isBool && setting.value
                    onToggled: view.setRequested(setting.key, checked)
                }
                TextField {
                    // Send an edit once: editingFinished fires on Return and again on focus loss,
                    // so only a field the user changed since the last send counts.
                    property bool edited: false

                    visible: !setting.isBool
                    text: setting.valueText
                    inputMethodHints: setting.isNumber ? Qt.ImhFormattedNumbersOnly : Qt.ImhNone
                    Layout.fillWidth: true
                    onTextEdited: edited = true
                    onEditingFinished: {
                        if (!edited)
                            return
                        edited = false
                        if (text === setting.valueText)
                            return
                        if (setting.isNumber) {
                            const number = Number(text)
                            if (text.trim() === "" || isNaN(number)) {
                                text = Qt.binding(() => setting.valueText)   // not a number: show the value again
                                return
                            }
                            view.setRequested(setting.key, number)
                        } else {
                            view.setRequested(setting.key, text)
                        }
                    }
                }
                Item { visible: setting.isBool; Layout.fillWidth: true }
            }
        }

        TableEditor {
            objectName: "stringIntEditor"
            Layout.fillWidth: true
            Layout.fillHeight: true
            padding: 0
            plugin: "peek_plugin_tutorial"
            tupleName: "peek_plugin_tutorial.StringIntTuple"
            title: qsTr("StringInt rows")
            columns: [
                {field: "id", title: qsTr("Id"), editable: false, width: 60},
                {field: "string1", title: qsTr("String"), fill: true},
                {field: "int1", title: qsTr("Int"), type: "int", width: 100},
                {field: "changedBy", title: qsTr("Changed by"), editable: false, width: 140}
            ]
        }
    }
}
