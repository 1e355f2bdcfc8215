// The field app's window: the status bar on top at all times, below it a stack of pages that
// starts at home (one tile per plugin) and opens plugins full screen. Touch-first: every target
// is at least 56 px (64 in the outdoor theme).
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import Peek
import PeekApp

ApplicationWindow {
    id: window
    // "" or "home": the tiles; a plugin's name, short name or title (PluginBundles.rowOf): that
    // plugin, once the device has its view (for screenshots and deep links).
    property string startPage: ""
    property bool outdoor: false
    // Position reports to logic (the user's setting; the app sets it back to false when the
    // receiver cannot start, with positionError saying why).
    property bool positionSharing: false
    property string positionError: ""
    // Set when the system keychain is missing: secrets are kept for this session only.
    property string secretsWarning: ""
    readonly property alias stack: stack

    width: 1280
    height: 800
    visible: true
    title: qsTr("Peek field")
    color: Theme.window

    // Plugin views follow the theme through the palette.
    palette.window: Theme.window
    palette.base: Theme.surface
    palette.text: Theme.text
    palette.windowText: Theme.text
    palette.buttonText: Theme.text
    palette.mid: Theme.border
    palette.placeholderText: Theme.subtleText
    font.pixelSize: Theme.fontSize
    font.bold: Theme.boldText

    header: StatusBar { onFailedActionsRequested: failedActions.open() }

    // Notices that stay until their cause is gone: no keychain, no position receiver.
    footer: Column {
        Repeater {
            model: [window.secretsWarning, window.positionError].filter(text => text !== "")
            delegate: Rectangle {
                required property string modelData
                width: window.width
                height: notice.implicitHeight + 16
                color: Theme.outdoor ? "#ffeb3b" : "#fff8e1"
                border.color: Theme.outdoor ? "#000000" : "#ffb300"
                Label {
                    id: notice
                    objectName: "notice"
                    anchors.fill: parent
                    anchors.margins: 8
                    text: parent.modelData
                    wrapMode: Text.Wrap
                    color: "#000000"
                    font.pixelSize: Theme.fontSize - 2
                }
            }
        }
    }

    FailedActions {
        id: failedActions
        anchors.centerIn: parent
        width: Math.min(window.width - 32, 720)
    }

    // Until the service serves this device: enrol, wait for approval, or why it is refused.
    DeviceGate {
        anchors.fill: parent
        visible: Peek.deviceGated
        z: 1
        fontSize: Theme.fontSize
        targetHeight: Theme.outdoor ? 64 : 56
    }

    StackView {
        id: stack
        anchors.fill: parent
        visible: !Peek.deviceGated
        initialItem: Home {
            onOpenRequested: plugin => window.open(plugin)
            positionSharing: window.positionSharing
            onOutdoorToggled: on => window.outdoor = on
            onPositionSharingToggled: on => window.positionSharing = on
        }
    }

    function open(plugin) {
        stack.push(pluginPage, {plugin: plugin})
    }

    // Opens startPage once its plugin is listed (at once from the device's copy, or after the
    // first fetch on a fresh device).
    function openStartPage() {
        if (startPage === "" || startPage === "home" || !Peek.plugins)
            return
        const row = Peek.plugins.rowOf(startPage)
        if (row >= 0) {
            startPage = ""
            open(Peek.plugins.get(row).plugin)
        }
    }
    Connections {
        target: Peek.plugins
        function onRevisionChanged() { window.openStartPage() }
    }
    // The plugins' background QML (plugin.json ui service: the inbox watching for new tasks),
    // for the whole session, from their bundles on the device.
    Repeater {
        model: Peek.plugins
        delegate: Loader {
            required property url serviceUrl
            active: serviceUrl.toString() !== ""
            source: serviceUrl
        }
    }

    // A plugin's notification: a banner over the page for a few seconds; a tap opens the plugin.
    Rectangle {
        id: banner
        objectName: "notificationBanner"
        property string plugin
        property alias title: bannerTitle.text
        property alias text: bannerText.text
        z: 10
        visible: false
        anchors.horizontalCenter: parent.horizontalCenter
        y: 12
        width: Math.min(parent.width - 24, 640)
        height: bannerColumn.implicitHeight + 24
        radius: 10
        color: Theme.outdoor ? "#000000" : "#263238"
        Column {
            id: bannerColumn
            anchors.fill: parent
            anchors.margins: 12
            spacing: 4
            Label {
                id: bannerTitle
                objectName: "notificationTitle"
                width: parent.width
                color: "white"
                font.pixelSize: Theme.fontSize + 2
                font.bold: true
                elide: Text.ElideRight
            }
            Label {
                id: bannerText
                width: parent.width
                color: "#cfd8dc"
                font.pixelSize: Theme.fontSize
                elide: Text.ElideRight
                visible: text !== ""
            }
        }
        TapHandler {
            onTapped: {
                banner.visible = false
                Peek.openPlugin(banner.plugin)
            }
        }
        Timer {
            id: bannerTimer
            interval: 8000
            onTriggered: banner.visible = false
        }
    }
    Connections {
        target: Peek
        function onNotificationRequested(plugin, title, text, sound) {
            banner.plugin = plugin
            banner.title = title
            banner.text = text
            banner.visible = true
            bannerTimer.restart()
        }
    }

    // A view opens another plugin's view by name (an inbox task's route).
    Connections {
        target: Peek
        function onOpenPluginRequested(name) {
            const row = Peek.plugins ? Peek.plugins.rowOf(name) : -1
            if (row >= 0)
                window.open(Peek.plugins.get(row).plugin)
        }
    }
    Component.onCompleted: {
        Theme.outdoor = outdoor
        openStartPage()
    }
    onOutdoorChanged: Theme.outdoor = outdoor

    Component {
        id: pluginPage
        PluginPage { onBackRequested: stack.pop() }
    }
}
