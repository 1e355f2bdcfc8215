// One plugin's tile on the home screen: a large square button with the plugin's icon (from its
// UI bundle on the device; its initial when it has none) and title. A plugin whose view cannot
// be shown still has its tile; it opens the error card.
import QtQuick
import QtQuick.Controls
import PeekApp

AbstractButton {
    id: tile
    property string title
    property url iconUrl
    property bool broken: false
    // plugin.json's ui badge: the number on the tile (unread items), from the plugin's observable.
    property string plugin
    property string badgeTuple
    property string badgeField
    readonly property int badge: badgeSource.count

    PluginBadge {
        id: badgeSource
        plugin: tile.plugin
        tupleName: tile.badgeTuple
        field: tile.badgeField
    }

    Accessible.name: badge > 0 ? qsTr("%1, %2 new").arg(title).arg(badge) : title
    Accessible.role: Accessible.Button

    background: Rectangle {
        radius: 12
        color: tile.down ? Theme.pressed : Theme.surface
        border.color: tile.broken ? Theme.offline : Theme.border
        border.width: Theme.borderWidth
    }
    contentItem: Column {
        spacing: 10
        topPadding: 18
        Item {
            width: 72
            height: 72
            anchors.horizontalCenter: parent.horizontalCenter
            Image {
                id: icon
                anchors.fill: parent
                source: tile.iconUrl
                sourceSize: Qt.size(72, 72)
                fillMode: Image.PreserveAspectFit
                visible: status === Image.Ready
            }
            Rectangle {
                objectName: "badge"
                visible: tile.badge > 0
                z: 1
                anchors.right: parent.right
                anchors.top: parent.top
                anchors.rightMargin: -12
                anchors.topMargin: -8
                width: Math.max(height, badgeText.implicitWidth + 14)
                height: 30
                radius: 15
                color: "#c62828"
                Text {
                    id: badgeText
                    anchors.centerIn: parent
                    text: tile.badge > 99 ? "99+" : tile.badge
                    color: "white"
                    font.pixelSize: 17
                    font.bold: true
                }
            }
            Rectangle {
                anchors.fill: parent
                visible: icon.status !== Image.Ready
                radius: 36
                color: tile.broken ? Theme.offline : Theme.accent
                Text {
                    anchors.centerIn: parent
                    text: tile.broken ? "!" : tile.title.charAt(0)
                    color: "white"
                    font.pixelSize: 36
                    font.bold: true
                }
            }
        }
        Text {
            width: tile.width - 16
            anchors.horizontalCenter: parent.horizontalCenter
            horizontalAlignment: Text.AlignHCenter
            text: tile.title
            elide: Text.ElideRight
            font.pixelSize: Theme.fontSize + 2
            font.bold: Theme.boldText
            color: Theme.text
        }
    }
}
