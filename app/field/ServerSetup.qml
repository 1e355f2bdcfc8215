// First start without a known server: ask for the field service's address.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ApplicationWindow {
    id: window
    // Set by the app when the typed address is not usable.
    property string error: ""
    // While the app checks the address with the service.
    property bool checking: false
    property string mode: "field"
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
            text: window.mode === "office"
                  ? qsTr("Type the address of your Peek office service, e.g. peek.example.org:8002.")
                  : qsTr("Type the address of your Peek field service, e.g. peek.example.org:8000.")
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
            enabled: !window.checking
            onAccepted: window.connectRequested(text)
        }
        BusyIndicator {
            running: window.checking
            visible: running
            Layout.alignment: Qt.AlignHCenter
        }
        Label {
            objectName: "error"
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
            enabled: address.text.trim() !== "" && !window.checking
            Layout.fillWidth: true
            Layout.preferredHeight: 56
            onClicked: window.connectRequested(address.text)
        }
    }
}
