// The actions the service refused or that could not be delivered: what each was, for which
// plugin, why it failed; retry or discard one, or all.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Peek
import PeekApp

Dialog {
    id: dialog
    objectName: "failedActionsDialog"
    title: qsTr("Failed actions")
    modal: true
    standardButtons: Dialog.Close
    property var actions: []

    function reload() { actions = Peek.failedActionList() }
    onAboutToShow: reload()
    Connections {
        target: Peek
        function onFailedActionsChanged() { if (dialog.visible) dialog.reload() }
    }

    contentItem: ColumnLayout {
        spacing: 12
        Label {
            visible: dialog.actions.length === 0
            text: qsTr("No failed actions.")
            font.pixelSize: Theme.fontSize
        }
        ListView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredHeight: Math.min(contentHeight, 420)
            clip: true
            model: dialog.actions
            spacing: 8
            delegate: Rectangle {
                id: failed
                required property var modelData
                width: ListView.view.width
                height: column.implicitHeight + 16
                radius: 6
                border.color: Theme.border
                border.width: Theme.borderWidth
                ColumnLayout {
                    id: column
                    anchors.fill: parent
                    anchors.margins: 8
                    Label {
                        // "AddIntValueActionTuple · Tutorial · 14:02:11"
                        text: [failed.modelData.type.split(".").pop(),
                               (Peek.plugins ? Peek.plugins.find(failed.modelData.plugin).title : undefined)
                                   ?? failed.modelData.plugin,
                               Qt.formatTime(failed.modelData.failedAt, "hh:mm:ss")].join(" · ")
                        font.bold: true
                        font.pixelSize: Theme.fontSize - 2
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                    }
                    Label {
                        objectName: "failedError"
                        text: failed.modelData.error
                        wrapMode: Text.Wrap
                        font.pixelSize: Theme.fontSize - 2
                        Layout.fillWidth: true
                    }
                    RowLayout {
                        Button {
                            objectName: "retryFailed"
                            text: qsTr("Retry")
                            Layout.preferredHeight: Theme.touchTarget
                            onClicked: Peek.retryFailedAction(failed.modelData.id)
                        }
                        Button {
                            objectName: "discardFailed"
                            text: qsTr("Discard")
                            Layout.preferredHeight: Theme.touchTarget
                            onClicked: Peek.discardFailedAction(failed.modelData.id)
                        }
                    }
                }
            }
        }
        RowLayout {
            visible: dialog.actions.length > 1
            Button {
                text: qsTr("Retry all")
                Layout.preferredHeight: Theme.touchTarget
                onClicked: Peek.retryFailedActions()
            }
            Button {
                text: qsTr("Discard all")
                Layout.preferredHeight: Theme.touchTarget
                onClicked: Peek.discardFailedActions()
            }
        }
    }
}
