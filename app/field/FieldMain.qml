// The field app's window: the status bar on top at all times, below it a stack of pages that
// starts at home (one tile per plugin). Touch-first: every target is at least 56 px.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import Peek

ApplicationWindow {
    id: window
    // "" or "home": the tiles; "tutorial": the tutorial page (for screenshots and deep links).
    property string startPage: ""

    width: 480
    height: 800
    visible: true
    title: qsTr("Peek field")

    header: StatusBar {}

    StackView {
        id: stack
        anchors.fill: parent
        initialItem: home
    }

    Component.onCompleted: {
        if (startPage === "tutorial")
            stack.push(tutorialPage)
    }

    Component {
        id: tutorialPage
        TutorialPage { onBackRequested: stack.pop() }
    }

    Component {
        id: home
        Page {
            title: qsTr("Home")
            // First cut: the tutorial tile is written here. Later the tiles come from the
            // plugins' "ui.field" entries (showHome) that the service lists.
            GridView {
                id: tiles
                anchors.fill: parent
                anchors.margins: 16
                cellWidth: 160
                cellHeight: 160
                model: [{ title: qsTr("Tutorial"), page: "tutorial" }]
                delegate: HomeTile {
                    required property var modelData
                    width: tiles.cellWidth - 16
                    height: tiles.cellHeight - 16
                    title: modelData.title
                    onClicked: stack.push(tutorialPage)
                }
            }
        }
    }
}
