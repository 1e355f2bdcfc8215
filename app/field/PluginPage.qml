// A plugin opened full screen: a tool bar with a large back button and the view's title, and the
// plugin's view from the device's copy of its bundle (an error card when it cannot load).
import QtQuick
import QtQuick.Controls
import PeekApp
import QtQuick.Layouts
import Peek

Page {
    id: page
    property string plugin
    readonly property alias pluginView: view
    signal backRequested()

    objectName: "pluginPage"
    title: view.title

    header: ToolBar {
        implicitHeight: Theme.touchTarget + 8
        background: Rectangle {
            color: Theme.surface
            Rectangle {
                anchors.bottom: parent.bottom
                width: parent.width
                height: Theme.borderWidth
                color: Theme.border
            }
        }
        RowLayout {
            anchors.fill: parent
            spacing: 8
            ToolButton {
                objectName: "back"
                text: "‹ " + qsTr("Back")
                font.pixelSize: Theme.fontSize + 2
                font.bold: Theme.boldText
                Layout.preferredHeight: Theme.touchTarget
                Layout.preferredWidth: 128
                Accessible.name: qsTr("Back to home")
                onClicked: page.backRequested()
            }
            Label {
                text: page.title
                font.pixelSize: Theme.fontSize + 4
                font.bold: true
                color: Theme.text
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
        }
    }

    PluginView {
        id: view
        anchors.fill: parent
        plugin: page.plugin
    }
}
