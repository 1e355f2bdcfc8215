import QtQuick
import Peek

// A small status line for app chrome: the link to the service and the action queue.
Text {
    readonly property string state_: Peek.connectionState
    text: Peek.failedActions > 0
          ? qsTr("%1 · %2 queued · %3 failed").arg(state_).arg(Peek.queuedActions).arg(Peek.failedActions)
          : Peek.queuedActions > 0 ? qsTr("%1 · %2 queued").arg(state_).arg(Peek.queuedActions) : state_
    color: state_ === "online" ? "darkgreen" : state_ === "connecting" ? "darkorange" : "darkred"
}
