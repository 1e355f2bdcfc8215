// The admin window's host of a plugin's own admin view (ui.admin in its plugin.json, from the
// bundle logic serves): loads the view with the plugin's settings (key, value, description each)
// and passes its setRequested(key, value) on to the window, which saves the setting at logic.
import QtQuick
import QtQuick.Controls

Pane {
    id: host
    objectName: "adminViewHost"
    padding: 0
    property url source
    property var settings: []
    readonly property Item view: loader.item
    readonly property string error: loader.status === Loader.Error ? qsTr("The view could not be loaded.") : ""
    signal setRequested(string key, var value)

    onSourceChanged: loader.setSource(host.source, {settings: host.settings})
    onSettingsChanged: if (loader.item) loader.item.settings = host.settings

    Loader {
        id: loader
        anchors.fill: parent
    }
    Connections {
        target: loader.item
        ignoreUnknownSignals: true
        function onSetRequested(key, value) { host.setRequested(key, value) }
    }
    Label {
        anchors.centerIn: parent
        visible: host.error.length > 0
        text: host.error
    }
}
