// Shown instead of the plugins while this device is not served (Peek.deviceGated): enrol it,
// wait for an admin's approval (moves on by itself), or read why it was refused or revoked.
// docs/identity.md describes the exchange; field and office apps both use this page.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Peek

Pane {
    id: gate
    objectName: "deviceGate"
    property int fontSize: 18
    property int targetHeight: 56
    readonly property string state_: Peek.deviceState
    readonly property bool canEnrol: state_ === "unknown" || state_ === "refused"
    padding: 24

    ColumnLayout {
        anchors.centerIn: parent
        width: Math.min(parent.width - 48, 560)
        spacing: 16

        Label {
            objectName: "deviceGateTitle"
            text: gate.state_ === "pending" ? qsTr("Waiting for approval")
                : gate.state_ === "revoked" ? qsTr("Access revoked")
                : gate.canEnrol ? qsTr("Enrol this device")
                : qsTr("Checking this device")
            font.pixelSize: gate.fontSize + 10
            font.bold: true
            Layout.fillWidth: true
            wrapMode: Text.WordWrap
        }
        Label {
            text: gate.state_ === "pending"
                  ? qsTr("An administrator must approve “%1” before it can be used. This screen moves on by itself once it is approved.").arg(Peek.deviceName)
                : gate.state_ === "revoked"
                  ? qsTr("An administrator revoked this device's access. Ask them to approve it again.")
                : gate.canEnrol
                  ? qsTr("Before this %1 device is used, the service must know it. Give it a name your administrator will recognise; they approve it.").arg(Peek.mode)
                : Peek.connectionState === "online"
                  ? qsTr("Asking the service whether this device may be used…")
                  : qsTr("The service cannot be reached. This device is checked as soon as it can be.")
            wrapMode: Text.WordWrap
            font.pixelSize: gate.fontSize
            Layout.fillWidth: true
        }
        BusyIndicator {
            running: gate.state_ === "" || gate.state_ === "pending"
            visible: running
            Layout.alignment: Qt.AlignHCenter
        }
        TextField {
            id: name
            objectName: "deviceName"
            visible: gate.canEnrol
            text: Peek.deviceName !== "" ? Peek.deviceName : Peek.defaultDeviceName
            placeholderText: qsTr("Device name")
            maximumLength: 100
            font.pixelSize: gate.fontSize + 2
            Layout.fillWidth: true
            Layout.preferredHeight: gate.targetHeight
            onAccepted: if (enrol.enabled) enrol.clicked()
        }
        Button {
            id: enrol
            objectName: "enrolDevice"
            visible: gate.canEnrol
            text: qsTr("Enrol")
            font.pixelSize: gate.fontSize + 2
            enabled: name.text.trim() !== "" && Peek.connectionState === "online"
            Layout.fillWidth: true
            Layout.preferredHeight: gate.targetHeight
            onClicked: Peek.enrolDevice(name.text)
        }
        Label {
            objectName: "deviceMessage"
            // The service's words for a refusal or a failure; the state's own text is above.
            visible: text !== ""
            text: Peek.deviceMessage
            color: "#c62828"
            wrapMode: Text.WordWrap
            font.pixelSize: gate.fontSize - 2
            Layout.fillWidth: true
        }
        Label {
            visible: gate.state_ === "pending"
            text: qsTr("Administrator: peek-server admin devices approve “%1”").arg(Peek.deviceName)
            color: "#5f6b7a"
            wrapMode: Text.WordWrap
            font.pixelSize: gate.fontSize - 4
            Layout.fillWidth: true
        }
    }
}
