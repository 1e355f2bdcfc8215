import QtQuick
import QtTest
import Peek
import PeekTest

// The Peek singleton: the session's mode, link state, action counts and last sync time.
TestCase {
    name: "Peek"

    ActionPusher { id: pusher; plugin: "test_qml" }
    TupleObserver { id: items; plugin: "test_qml"; tupleName: "test_qml.Item" }
    ConnectionBadge { id: badge }

    function test_modeAndServerUrlComeFromTheSession() {
        compare(Peek.mode, "field")
        verify(Peek.serverUrl.startsWith("ws://127.0.0.1:"), Peek.serverUrl)
    }

    function test_connectionStateBecomesOnline() {
        tryCompare(Peek, "connectionState", "online", 10000)
        tryCompare(badge, "text", "online", 5000)
    }

    function test_connectionStateIsOfflineWhileTheServiceIsDownAndOnlineAgainAfter() {
        tryCompare(Peek, "connectionState", "online", 10000)
        TestServer.stopField()
        tryCompare(Peek, "connectionState", "offline", 10000)
        TestServer.startField()
        tryCompare(Peek, "connectionState", "online", 10000)
    }

    function test_lastSyncTimeMovesWhenFreshTuplesArrive() {
        tryCompare(items, "count", 3, 10000)
        tryVerify(function() { return !items.fromCache }, 10000)
        const before = new Date()
        TestServer.setLogicString(2, "sync-" + before.getTime())
        tryVerify(function() { return Peek.lastSyncTime.getTime() >= before.getTime() }, 10000,
                  "lastSyncTime did not move after an update")
    }

    function test_aRefusedActionIsCountedAsFailedAndCanBeRetriedAndDiscarded() {
        tryCompare(Peek, "connectionState", "online", 10000)
        compare(Peek.failedActions, 0)
        verify(pusher.push("test_qml.SetString", {id: 2, string1: "refuse"}), pusher.error)
        tryCompare(Peek, "failedActions", 1, 10000)
        compare(Peek.queuedActions, 0)

        compare(Peek.retryFailedActions(), 1)
        // Refused again: back in the failed list.
        tryCompare(Peek, "queuedActions", 0, 10000)
        tryCompare(Peek, "failedActions", 1, 10000)

        compare(Peek.discardFailedActions(), 1)
        compare(Peek.failedActions, 0)
        verify(TestServer.logicString(2) !== "refuse")
    }
}
