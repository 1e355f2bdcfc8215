// The always-visible status line: the link to the service, the actions waiting to be sent, the
// failed ones (tap to see, retry or discard them) and when data last arrived. On a narrow screen
// the texts shorten; nothing is hidden.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Peek
import PeekApp

ToolBar {
    id: bar
    readonly property string state_: Peek.connectionState
    readonly property bool narrow: width < 640
    readonly property color stateColour: state_ === "online" ? Theme.online
                                       : state_ === "connecting" ? Theme.connecting : Theme.offline
    signal failedActionsRequested()

    implicitHeight: Theme.touchTarget
    background: Rectangle { color: Theme.barBackground }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 12
        anchors.rightMargin: 12
        spacing: bar.narrow ? 8 : 16

        Rectangle {
            objectName: "connectionState"
            Layout.preferredHeight: 40
            Layout.preferredWidth: stateLabel.implicitWidth + 28
            radius: 20
            color: bar.stateColour
            Label {
                id: stateLabel
                anchors.centerIn: parent
                text: bar.state_ === "online" ? qsTr("Online")
                    : bar.state_ === "connecting" ? qsTr("Connecting") : qsTr("Offline")
                color: Theme.outdoor && bar.state_ === "connecting" ? "black" : "white"
                font.pixelSize: Theme.fontSize
                font.bold: true
            }
        }
        Label {
            objectName: "queuedActions"
            text: bar.narrow ? qsTr("%1 queued").arg(Peek.queuedActions)
                             : qsTr("%1 waiting to send").arg(Peek.queuedActions)
            color: Peek.queuedActions > 0 ? (Theme.outdoor ? "#ffeb3b" : "#ffe082") : Theme.barText
            font.pixelSize: Theme.fontSize - 2
            font.bold: Peek.queuedActions > 0 || Theme.boldText
        }
        Button {
            objectName: "failedActions"
            flat: true
            enabled: Peek.failedActions > 0
            Layout.preferredHeight: Theme.touchTarget - 8
            text: qsTr("%1 failed").arg(Peek.failedActions)
            font.pixelSize: Theme.fontSize - 2
            font.bold: Peek.failedActions > 0 || Theme.boldText
            Accessible.description: qsTr("Shows the failed actions, to retry or discard them")
            contentItem: Label {
                text: parent.text
                font: parent.font
                color: Peek.failedActions > 0 ? "#ff8a80" : Theme.barText
                verticalAlignment: Text.AlignVCenter
            }
            background: Rectangle {
                color: "transparent"
                radius: 6
                border.color: Peek.failedActions > 0 ? "#ff8a80" : "transparent"
                border.width: 2
            }
            onClicked: bar.failedActionsRequested()
        }
        // Plugins' numbers (plugin.json ui badge: the inbox's unread tasks), shown while not 0; a
        // tap opens the plugin.
        Repeater {
            model: Peek.plugins
            delegate: Button {
                id: badgeButton
                required property string plugin
                required property string title
                required property string badgeTuple
                required property string badgeField
                readonly property int count: badgeSource.count
                objectName: "statusBadge_" + plugin
                visible: count > 0
                flat: true
                Layout.preferredHeight: 40
                text: qsTr("%1 %2").arg(title).arg(count)
                font.pixelSize: Theme.fontSize - 2
                font.bold: true
                Accessible.description: qsTr("Opens %1").arg(title)
                contentItem: Label {
                    text: badgeButton.text
                    font: badgeButton.font
                    color: "white"
                    verticalAlignment: Text.AlignVCenter
                }
                background: Rectangle { color: "#c62828"; radius: 20 }
                leftPadding: 14
                rightPadding: 14
                onClicked: Peek.openPlugin(plugin)
                PluginBadge {
                    id: badgeSource
                    plugin: badgeButton.plugin
                    tupleName: badgeButton.badgeTuple
                    field: badgeButton.badgeField
                }
            }
        }
        Label {
            objectName: "lastSync"
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignRight
            elide: Text.ElideRight
            text: isNaN(Peek.lastSyncTime.getTime())
                  ? qsTr("Not synced")
                  : (bar.narrow ? Qt.formatTime(Peek.lastSyncTime, "hh:mm")
                                : qsTr("Synced %1").arg(Qt.formatTime(Peek.lastSyncTime, "hh:mm:ss")))
            color: Theme.barText
            font.pixelSize: Theme.fontSize - 4
            font.bold: Theme.boldText
        }
        // Who is logged in, and the way out.
        Button {
            objectName: "logOut"
            visible: Peek.userState === "loggedIn"
            flat: true
            Layout.preferredHeight: Theme.touchTarget - 14
            text: bar.narrow ? qsTr("Log out") : qsTr("%1 · Log out").arg(Peek.userDisplayName !== "" ? Peek.userDisplayName : Peek.userName)
            font.pixelSize: Theme.fontSize - 2
            contentItem: Label {
                text: parent.text
                font: parent.font
                color: Theme.barText
                verticalAlignment: Text.AlignVCenter
            }
            background: Rectangle { color: "transparent"; radius: 6; border.color: Theme.barText; border.width: 1 }
            onClicked: Peek.logout()
        }
    }
}
