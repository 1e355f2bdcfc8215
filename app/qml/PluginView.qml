// One plugin's view, loaded from the device's copy of its UI bundle (Peek.plugins), filling this
// item. When the bundle is missing or its QML does not load, an error card says which plugin and
// why instead of leaving the screen blank.
//
//   PluginView { anchors.fill: parent; plugin: "peek_plugin_tutorial" }
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Peek

Item {
    id: root
    // The plugin to show; its row in Peek.plugins gives the view's URL, title and bundle error.
    property string plugin
    // Set by the host for views it finds itself (tests); otherwise from Peek.plugins.
    property url source: entry.viewUrl ?? ""
    readonly property var entry: {
        Peek.plugins && Peek.plugins.revision   // re-evaluated when the list changes
        return Peek.plugins ? Peek.plugins.find(plugin) : ({})
    }
    readonly property string title: view && view.title ? view.title : (entry.title ?? plugin)
    // Why the view is not shown; "" while it is.
    readonly property string error: errorText
    readonly property Item view: loaded
    // The view is there, or the error card is: nothing more will happen without a change.
    readonly property bool settled: loaded !== null || errorText !== ""

    property Item loaded: null
    property string errorText: ""

    onSourceChanged: reload()
    Component.onCompleted: reload()
    Component.onDestruction: if (loaded) loaded.destroy()

    function reload() {
        if (loaded) {
            loaded.destroy()
            loaded = null
        }
        errorText = ""
        if (source.toString() === "") {
            errorText = entry.error ? entry.error
                      : plugin === "" ? qsTr("No plugin chosen.")
                      : qsTr("%1 has no view on this device yet; it is fetched when the service is reachable.").arg(plugin)
            return
        }
        const component = Qt.createComponent(source)
        if (component.status !== Component.Ready) {
            errorText = component.errorString()
            return
        }
        const item = component.createObject(root)
        if (!item) {
            errorText = component.errorString() || qsTr("The view could not be created.")
            return
        }
        item.anchors.fill = root
        loaded = item
    }

    Pane {
        objectName: "pluginErrorCard"
        visible: root.errorText !== ""
        anchors.centerIn: parent
        width: Math.min(parent.width - 32, 560)
        padding: 24
        background: Rectangle { color: "#fff3e0"; border.color: "#e65100"; border.width: 2; radius: 8 }

        ColumnLayout {
            width: parent.width
            spacing: 12
            Label {
                text: qsTr("%1 cannot be shown").arg(root.entry.title ?? root.plugin)
                font.pixelSize: 22
                font.bold: true
                color: "#bf360c"
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
            Label {
                objectName: "pluginErrorText"
                text: root.errorText
                font.pixelSize: 16
                color: "#3e2723"
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
            Label {
                text: qsTr("Other plugins keep working. Tell your administrator if this stays.")
                font.pixelSize: 14
                color: "#5d4037"
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
        }
    }
}
