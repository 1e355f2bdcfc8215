// A switch sized for gloves: a 64×36 track with a large knob, the theme's colours, and the whole
// row (track and label) as the touch target.
import QtQuick
import QtQuick.Controls
import PeekApp

Switch {
    id: control
    implicitHeight: Theme.touchTarget
    font.pixelSize: Theme.fontSize
    spacing: 10

    indicator: Rectangle {
        implicitWidth: 64
        implicitHeight: 36
        x: control.leftPadding
        y: (control.height - height) / 2
        radius: height / 2
        color: control.checked ? Theme.accent : (Theme.outdoor ? "#ffffff" : "#cfd8dc")
        border.color: Theme.outdoor ? "#000000" : (control.checked ? Theme.accent : "#90a4ae")
        border.width: Theme.borderWidth + 1

        Rectangle {
            width: 30
            height: 30
            radius: 15
            y: 3
            x: control.checked ? parent.width - width - 3 : 3
            color: control.down ? Theme.pressed : "#ffffff"
            border.color: Theme.outdoor ? "#000000" : "#78909c"
            border.width: Theme.outdoor ? 2 : 1
        }
    }
    contentItem: Text {
        text: control.text
        font: control.font
        color: Theme.text
        verticalAlignment: Text.AlignVCenter
        leftPadding: control.indicator.width + control.spacing
    }
}
