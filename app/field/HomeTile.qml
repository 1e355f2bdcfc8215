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

    Accessible.name: title
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
