// The tutorial's field view: the StringInt rows as large touch rows; tap the string to toggle
// its capitals, the - and + buttons change the int. The field app provides `stringInts` (a model
// with roles id, string1, int1, fed by the observable) and carries out the requests as actions.
// `title` is for the host to show (e.g. in its tool bar); the view has no header of its own.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Page {
    id: view
    required property var stringInts
    signal toggleCapsRequested(int stringIntId)
    signal addToIntRequested(int stringIntId, int offset)

    title: qsTr("Tutorial")

    ListView {
        anchors.fill: parent
        clip: true
        model: view.stringInts
        ScrollIndicator.vertical: ScrollIndicator {}

        delegate: Rectangle {
            id: row
            required property int id
            required property string string1
            required property int int1

            width: ListView.view.width
            height: 72
            color: view.palette.base

            RowLayout {
                anchors.fill: parent
                anchors.leftMargin: 8
                anchors.rightMargin: 8
                spacing: 12

                // The whole string area (full row height) is the tap target for toggling capitals.
                ItemDelegate {
                    text: row.string1
                    font.pixelSize: 22
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    Accessible.description: qsTr("Tap to toggle capitals")
                    onClicked: view.toggleCapsRequested(row.id)
                }
                Button {
                    text: "−"
                    font.pixelSize: 26
                    Layout.preferredWidth: 72
                    Layout.preferredHeight: 56
                    Accessible.name: qsTr("Subtract one")
                    onClicked: view.addToIntRequested(row.id, -1)
                }
                Label {
                    text: row.int1
                    font.pixelSize: 22
                    horizontalAlignment: Text.AlignHCenter
                    Layout.minimumWidth: 56
                }
                Button {
                    text: "+"
                    font.pixelSize: 26
                    Layout.preferredWidth: 72
                    Layout.preferredHeight: 56
                    Accessible.name: qsTr("Add one")
                    onClicked: view.addToIntRequested(row.id, 1)
                }
            }

            Rectangle {   // row separator
                anchors.left: parent.left
                anchors.right: parent.right
                anchors.bottom: parent.bottom
                height: 1
                color: view.palette.mid
            }
        }
    }
}
