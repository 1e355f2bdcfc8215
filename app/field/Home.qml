// The home screen: one tile per plugin that shows on home (from the device's copy of the plugin
// list, so it is there offline), and the outdoor theme switch.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import PeekApp
import QtQuick.Layouts
import Peek

Page {
    id: home
    signal openRequested(string plugin)
    signal outdoorToggled(bool on)
    signal positionSharingToggled(bool on)
    property bool positionSharing: false

    objectName: "home"
    title: qsTr("Home")
    background: Rectangle { color: Theme.window }

    // The rows of Peek.plugins with showHome, rebuilt whenever the list is replaced.
    readonly property var tiles: {
        const plugins = Peek.plugins
        if (!plugins)
            return []
        plugins.revision
        const list = []
        for (let i = 0; i < plugins.count; ++i) {
            const entry = plugins.get(i)
            if (entry.showHome)
                list.push(entry)
        }
        return list
    }

    header: ToolBar {
        implicitHeight: Theme.touchTarget + 8
        background: Rectangle { color: Theme.surface }
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 16
            anchors.rightMargin: 8
            Label {
                text: qsTr("Peek")
                font.pixelSize: Theme.fontSize + 8
                font.bold: true
                color: Theme.text
                Layout.fillWidth: true
            }
            BigSwitch {
                objectName: "positionSwitch"
                text: qsTr("Share position")
                checked: home.positionSharing
                Layout.preferredHeight: Theme.touchTarget
                onToggled: home.positionSharingToggled(checked)
            }
            BigSwitch {
                objectName: "outdoorSwitch"
                text: qsTr("Outdoor")
                checked: Theme.outdoor
                Layout.preferredHeight: Theme.touchTarget
                onToggled: home.outdoorToggled(checked)
            }
        }
    }

    GridView {
        id: grid
        anchors.fill: parent
        anchors.margins: 16
        // Two columns at least; tiles of about 200 px on wide screens.
        readonly property int columns: Math.max(2, Math.floor(width / 220))
        cellWidth: Math.floor(width / columns)
        cellHeight: Math.min(cellWidth, 200)
        model: home.tiles
        delegate: Item {
            id: cell
            required property var modelData
            width: grid.cellWidth
            height: grid.cellHeight
            HomeTile {
                objectName: "tile_" + cell.modelData.plugin
                anchors.fill: parent
                anchors.margins: 8
                title: cell.modelData.title
                iconUrl: cell.modelData.iconUrl
                broken: cell.modelData.error !== "" && cell.modelData.hash === ""
                plugin: cell.modelData.plugin
                badgeTuple: cell.modelData.badgeTuple ?? ""
                badgeField: cell.modelData.badgeField ?? ""
                onClicked: home.openRequested(cell.modelData.plugin)
            }
        }
    }

    Label {
        anchors.centerIn: parent
        width: parent.width - 48
        visible: home.tiles.length === 0
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.Wrap
        text: Peek.connectionState === "online"
              ? qsTr("No plugins to show. An administrator enables them on the server.")
              : qsTr("No plugins on this device yet. They appear once the app has reached the server.")
        font.pixelSize: Theme.fontSize
        color: Theme.subtleText
    }
}
