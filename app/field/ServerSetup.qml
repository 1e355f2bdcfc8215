// First start without a known server: ask for the field service's address.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ApplicationWindow {
    id: window
    // Set by the app when the typed address is not usable.
    property string error: ""
    signal connectRequested(string address)

    width: 480
    height: 800
    visible: true
    title: qsTr("Peek: connect")

    ColumnLayout {
        anchors.centerIn: parent
        width: Math.min(parent.width - 48, 420)
        spacing: 16

        Label {
            text: qsTr("Connect to Peek")
            font.pixelSize: 28
            font.bold: true
        }
        Label {
            text: qsTr("Type the address of your Peek field service, e.g. peek.example.org:8000.")
            wrapMode: Text.WordWrap
            font.pixelSize: 16
            Layout.fillWidth: true
        }
        TextField {
            id: address
            objectName: "address"
            placeholderText: qsTr("host:port")
            font.pixelSize: 20
            inputMethodHints: Qt.ImhUrlCharactersOnly | Qt.ImhNoAutoUppercase
            Layout.fillWidth: true
            Layout.preferredHeight: 56
            onAccepted: window.connectRequested(text)
        }
        Label {
            visible: window.error !== ""
            text: window.error
            color: "#c62828"
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Button {
            objectName: "connect"
            text: qsTr("Connect")
            font.pixelSize: 20
            enabled: address.text.trim() !== ""
            Layout.fillWidth: true
            Layout.preferredHeight: 56
            onClicked: window.connectRequested(address.text)
        }
    }
}
