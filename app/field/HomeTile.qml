// One plugin's tile on the home screen: a large square button with the plugin's initial and
// title. (The plugin's SVG icon needs the Qt SVG image plugin, not installed yet.)
import QtQuick
import QtQuick.Controls

AbstractButton {
    id: tile
    property string title

    Accessible.name: title

    background: Rectangle {
        radius: 12
        color: tile.down ? "#b0bec5" : "#eceff1"
        border.color: "#90a4ae"
        border.width: 1
    }
    contentItem: Column {
        spacing: 8
        topPadding: 16
        Rectangle {
            width: 64
            height: 64
            radius: 32
            color: "#1565c0"
            anchors.horizontalCenter: parent.horizontalCenter
            Text {
                anchors.centerIn: parent
                text: tile.title.charAt(0)
                color: "white"
                font.pixelSize: 32
                font.bold: true
            }
        }
        Text {
            anchors.horizontalCenter: parent.horizontalCenter
            text: tile.title
            font.pixelSize: 20
            color: "#263238"
        }
    }
}
