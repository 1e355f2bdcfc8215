// The tutorial's field view: the StringInt rows as large touch rows; tap the string to toggle
// its capitals, the - and + buttons change the int. The field app provides `stringInts` (a model
// with roles id, string1, int1, fed by the observable) and carries out the requests as actions.
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
        model: view.stringInts
        spacing: 4
        delegate: ItemDelegate {
            required property int id
            required property string string1
            required property int int1
            width: ListView.view.width
            height: 72
            contentItem: RowLayout {
                spacing: 12
                Label {
                    text: string1
                    font.pixelSize: 22
                    Layout.fillWidth: true
                    elide: Text.ElideRight
                    TapHandler { onTapped: view.toggleCapsRequested(id) }
                }
                Button { text: "−"; font.pixelSize: 22; implicitWidth: 64; onClicked: view.addToIntRequested(id, -1) }
                Label { text: int1; font.pixelSize: 22; horizontalAlignment: Text.AlignHCenter; Layout.minimumWidth: 56 }
                Button { text: "+"; font.pixelSize: 22; implicitWidth: 64; onClicked: view.addToIntRequested(id, 1) }
            }
        }
    }
}
