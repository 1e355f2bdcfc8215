// The tutorial plugin's StringInt rows, live from the field service (offline cache first).
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Peek

Page {
    id: page
    signal backRequested()

    header: ToolBar {
        implicitHeight: 56
        RowLayout {
            anchors.fill: parent
            ToolButton {
                objectName: "back"
                text: "‹ " + qsTr("Back")
                font.pixelSize: 20
                Layout.preferredHeight: 56
                Layout.preferredWidth: 112
                onClicked: page.backRequested()
            }
            Label {
                text: qsTr("Tutorial")
                font.pixelSize: 22
                Layout.fillWidth: true
            }
        }
    }

    TupleObserver {
        id: stringInts
        plugin: "peek_plugin_tutorial"
        tupleName: "peek_plugin_tutorial.StringIntTuple"
    }

    ListView {
        anchors.fill: parent
        clip: true
        model: stringInts
        ScrollIndicator.vertical: ScrollIndicator {}
        delegate: ItemDelegate {
            required property var model
            width: ListView.view.width
            height: 64
            contentItem: RowLayout {
                Label {
                    text: model.string1 ?? ""
                    font.pixelSize: 22
                    Layout.fillWidth: true
                    elide: Text.ElideRight
                }
                Label {
                    text: model.int1 ?? ""
                    font.pixelSize: 22
                    font.bold: true
                }
            }
        }
    }

    Label {
        anchors.centerIn: parent
        visible: stringInts.count === 0
        text: stringInts.error !== "" ? stringInts.error : qsTr("No rows yet")
        font.pixelSize: 18
        color: "#607d8b"
    }
}
