// The field app's two looks: standard, and a high-contrast outdoor theme for bright sunlight
// (black on white, heavier borders and type, saturated state colours). Plugin views follow it
// through the window's palette.
pragma Singleton
import QtQuick

QtObject {
    property bool outdoor: false

    readonly property color window: outdoor ? "#ffffff" : "#eceff1"
    readonly property color surface: "#ffffff"
    readonly property color text: outdoor ? "#000000" : "#212121"
    readonly property color subtleText: outdoor ? "#000000" : "#607d8b"
    readonly property color border: outdoor ? "#000000" : "#b0bec5"
    readonly property int borderWidth: outdoor ? 3 : 1
    readonly property color accent: outdoor ? "#0d47a1" : "#1565c0"
    readonly property color barBackground: outdoor ? "#000000" : "#263238"
    readonly property color barText: outdoor ? "#ffffff" : "#eceff1"
    readonly property color online: outdoor ? "#00c853" : "#2e7d32"
    readonly property color connecting: outdoor ? "#ffab00" : "#ef6c00"
    readonly property color offline: outdoor ? "#d50000" : "#c62828"
    readonly property color pressed: outdoor ? "#ffeb3b" : "#b0bec5"
    readonly property int fontSize: outdoor ? 20 : 18
    readonly property bool boldText: outdoor
    // The smallest touch target (gloves): 56 px, 64 outdoors.
    readonly property int touchTarget: outdoor ? 64 : 56
}
