// The tutorial's office view: the StringInt rows in a compact table for a desktop; the same
// requests as the field view. `stringInts` is provided by the office app.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Pane {
    id: view
    required property var stringInts
    signal toggleCapsRequested(int stringIntId)
    signal addToIntRequested(int stringIntId, int offset)

    ColumnLayout {
        anchors.fill: parent
        Label { text: qsTr("Tutorial — StringInt rows"); font.bold: true }
        ListView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            model: view.stringInts
            delegate: RowLayout {
                required property int id
                required property string string1
                required property int int1
                width: ListView.view.width
                Label { text: id; Layout.preferredWidth: 40 }
                Label { text: string1; Layout.fillWidth: true; elide: Text.ElideRight }
                Label { text: int1; Layout.preferredWidth: 60 }
                ToolButton { text: qsTr("Aa"); onClicked: view.toggleCapsRequested(id) }
                ToolButton { text: "−"; onClicked: view.addToIntRequested(id, -1) }
                ToolButton { text: "+"; onClicked: view.addToIntRequested(id, 1) }
            }
        }
    }
}
