// The always-visible status line: the link to the service (coloured), the action queue and
// when data last arrived.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Peek

ToolBar {
    id: bar
    readonly property string state_: Peek.connectionState
    readonly property color stateColour: state_ === "online" ? "#2e7d32"
                                       : state_ === "connecting" ? "#ef6c00" : "#c62828"
    implicitHeight: 56

    background: Rectangle { color: "#263238" }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 12
        anchors.rightMargin: 12
        spacing: 12

        Rectangle {
            objectName: "connectionState"
            Layout.preferredHeight: 36
            Layout.preferredWidth: stateLabel.implicitWidth + 24
            radius: 18
            color: bar.stateColour
            Label {
                id: stateLabel
                anchors.centerIn: parent
                text: bar.state_ === "online" ? qsTr("Online")
                    : bar.state_ === "connecting" ? qsTr("Connecting") : qsTr("Offline")
                color: "white"
                font.pixelSize: 18
                font.bold: true
            }
        }
        Label {
            text: qsTr("%1 queued").arg(Peek.queuedActions)
            color: "white"
            font.pixelSize: 16
        }
        Label {
            text: qsTr("%1 failed").arg(Peek.failedActions)
            color: Peek.failedActions > 0 ? "#ff8a80" : "white"
            font.pixelSize: 16
            font.bold: Peek.failedActions > 0
        }
        Label {
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignRight
            elide: Text.ElideRight
            text: isNaN(Peek.lastSyncTime.getTime())
                  ? qsTr("Not synced")
                  : qsTr("Synced %1").arg(Qt.formatTime(Peek.lastSyncTime, "hh:mm:ss"))
            color: "#cfd8dc"
            font.pixelSize: 14
        }
    }
}
