// The QML side of the office window: the selected plugin's view (or its error card) filling the
// area right of the sidebar. OfficeWindow sets `plugin`; the engine is attached to its Session.
import QtQuick
import QtQuick.Controls
import Peek
import PeekApp

Pane {
    id: host
    objectName: "officeHost"
    property string plugin
    padding: 0
    // Plugin views sit on the same white surface as the window's header above them.
    palette.window: "#ffffff"
    palette.base: "#ffffff"
    palette.mid: "#dde3ea"

    function reload() { view.reload() }

    // A plugin's number changed (plugin.json ui badge: the inbox's unread tasks); OfficeWindow
    // shows it in the sidebar.
    signal badgeChanged(string plugin, int count)
    Repeater {
        model: Peek.plugins
        delegate: PluginBadge {
            required property string badgeTuple
            required property string badgeField
            required plugin
            tupleName: badgeTuple
            field: badgeField
            onCountChanged: host.badgeChanged(plugin, count)
            Component.onDestruction: host.badgeChanged(plugin, 0)
        }
    }

    // The plugins' background QML (plugin.json ui service: the inbox watching for new tasks),
    // for the whole session; their notifications become tray messages (OfficeWindow).
    Repeater {
        model: Peek.plugins
        delegate: Loader {
            required property url serviceUrl
            active: serviceUrl.toString() !== ""
            source: serviceUrl
        }
    }

    PluginView {
        id: view
        objectName: "pluginView"
        anchors.fill: parent
        // Lines the view's text up with the window's header above it (24 px in, with the
        // views' own Pane padding).
        anchors.leftMargin: 15
        anchors.rightMargin: 15
        anchors.topMargin: 6
        plugin: host.plugin
        visible: !Peek.deviceGated
    }

    // Until the service serves this device: enrol, wait for approval, or why it is refused.
    DeviceGate {
        anchors.fill: parent
        visible: Peek.deviceGated
        fontSize: 15
        targetHeight: 36
    }
}
