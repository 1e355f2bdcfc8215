// Shown instead of the plugins while they are not served (Peek.deviceGated): enrol the device,
// wait for an admin's approval (moves on by itself), read why it was refused or revoked, or,
// once the device is served, log in.
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

    // ---- the device ----
    ColumnLayout {
        anchors.centerIn: parent
        width: Math.min(parent.width - 48, 560)
        spacing: 16
        visible: !Peek.deviceServed

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
            // Set once, not bound: what the user types must survive every status update.
            Component.onCompleted: text = Peek.deviceName !== "" ? Peek.deviceName : Peek.defaultDeviceName
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

    // ---- the user ----
    ColumnLayout {
        id: loginForm
        objectName: "loginForm"
        anchors.centerIn: parent
        width: Math.min(parent.width - 48, 560)
        spacing: 16
        visible: Peek.deviceServed
        readonly property var warningKeys: Object.keys(Peek.loginWarnings)

        function submit(accepted) {
            Peek.login(userName.text, password.text, accepted)
        }
        // A password is typed for one login: it does not stay in the form.
        Connections {
            target: Peek
            function onDeviceChanged() {
                if (Peek.userState === "loggedIn")
                    password.text = ""
            }
        }

        Label {
            text: qsTr("Log in")
            font.pixelSize: gate.fontSize + 10
            font.bold: true
            Layout.fillWidth: true
        }
        Label {
            text: qsTr("Log in to use %1.").arg(Peek.deviceName !== "" ? "“" + Peek.deviceName + "”" : qsTr("this device"))
            wrapMode: Text.WordWrap
            font.pixelSize: gate.fontSize
            Layout.fillWidth: true
        }
        TextField {
            id: userName
            objectName: "userName"
            Component.onCompleted: text = Peek.userName // the last user; set once, not bound
            placeholderText: qsTr("User name")
            inputMethodHints: Qt.ImhNoAutoUppercase | Qt.ImhNoPredictiveText
            font.pixelSize: gate.fontSize + 2
            Layout.fillWidth: true
            Layout.preferredHeight: gate.targetHeight
            onAccepted: password.forceActiveFocus()
        }
        TextField {
            id: password
            objectName: "password"
            placeholderText: qsTr("Password")
            echoMode: TextInput.Password
            font.pixelSize: gate.fontSize + 2
            Layout.fillWidth: true
            Layout.preferredHeight: gate.targetHeight
            onAccepted: if (logIn.enabled) loginForm.submit([])
        }
        Repeater {
            model: loginForm.warningKeys
            delegate: Label {
                required property string modelData
                objectName: "loginWarning"
                text: Peek.loginWarnings[modelData]
                wrapMode: Text.WordWrap
                font.pixelSize: gate.fontSize
                color: "#8a5a00"
                Layout.fillWidth: true
            }
        }
        Button {
            id: logIn
            objectName: "logIn"
            text: loginForm.warningKeys.length > 0 ? qsTr("Log in anyway") : qsTr("Log in")
            font.pixelSize: gate.fontSize + 2
            enabled: userName.text.trim() !== "" && password.text !== "" && Peek.connectionState === "online"
            Layout.fillWidth: true
            Layout.preferredHeight: gate.targetHeight
            onClicked: loginForm.submit(loginForm.warningKeys)
        }
        Label {
            objectName: "userMessage"
            visible: text !== "" && loginForm.warningKeys.length === 0
            text: Peek.userMessage
            color: "#c62828"
            wrapMode: Text.WordWrap
            font.pixelSize: gate.fontSize - 2
            Layout.fillWidth: true
        }
    }
}
