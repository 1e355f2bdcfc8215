import QtQuick
import QtTest
import Peek
import PeekTest

// ActionPusher: actions go through the device's durable queue to logic, online or not.
TestCase {
    name: "ActionPusher"

    ActionPusher { id: pusher; plugin: "test_qml" }
    ActionPusher { id: noPlugin }
    TupleObserver { id: items; plugin: "test_qml"; tupleName: "test_qml.Item" }
    Repeater {
        id: rows
        model: items
        delegate: Item { property string s: model.string1 }
    }

    function test_aPushChangesTheValueAndTheObserverShowsIt() {
        tryCompare(Peek, "connectionState", "online", 10000)
        tryCompare(rows, "count", 3, 10000)
        compare(pusher.processor, "test_qml") // defaults to the plugin
        const value = "pushed-" + Date.now()
        verify(pusher.push("test_qml.SetString", {id: 1, string1: value}), pusher.error)
        compare(pusher.error, "")
        verify(Peek.queuedActions >= 1, "the action was not queued")
        tryCompare(Peek, "queuedActions", 0, 10000)
        tryVerify(function() { return TestServer.logicString(1) === value }, 10000, "logic did not apply the action")
        tryCompare(rows.itemAt(1), "s", value, 10000)
        compare(Peek.failedActions, 0)
    }

    function test_aPushWhileOfflineIsDeliveredWhenTheServiceIsBack() {
        tryCompare(Peek, "connectionState", "online", 10000)
        TestServer.stopField()
        tryCompare(Peek, "connectionState", "offline", 10000)
        const value = "offline-" + Date.now()
        verify(pusher.push("test_qml.SetString", {id: 0, string1: value}), pusher.error)
        compare(Peek.queuedActions, 1)
        verify(TestServer.logicString(0) !== value)
        TestServer.startField()
        tryCompare(Peek, "connectionState", "online", 10000)
        tryCompare(Peek, "queuedActions", 0, 15000)
        tryVerify(function() { return TestServer.logicString(0) === value }, 10000, "logic did not apply the action")
        tryCompare(rows.itemAt(0), "s", value, 10000)
    }

    function test_aPushIsRefusedWithAReason() {
        verify(!noPlugin.push("test_qml.SetString", {id: 0, string1: "x"}))
        verify(noPlugin.error.indexOf("plugin") >= 0, noPlugin.error)
        verify(!pusher.push("", {}))
        verify(pusher.error.length > 0)
        verify(pusher.push("test_qml.SetString", {id: 0, string1: TestServer.logicString(0)}))
        compare(pusher.error, "")
        tryCompare(Peek, "queuedActions", 0, 10000)
    }
}
