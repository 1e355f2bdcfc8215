import QtQuick
import QtTest
import Peek
import PeekTest

// TupleObserver: a list model of the tuples a selector names, live from the service.
TestCase {
    name: "TupleObserver"

    TupleObserver { id: items; plugin: "test_qml"; tupleName: "test_qml.Item" }
    Repeater {
        id: rows
        model: items
        delegate: Item {
            property string s: model.string1
            property int n: model.int1
            property int itemId: model.id
            property var t: model.tuple
        }
    }

    Component {
        id: observerComponent
        TupleObserver { plugin: "test_qml"; tupleName: "test_qml.Item"; selector: {cacheTest: 1} }
    }

    function test_servesTheOfflineCacheFirstWhenTheServiceIsDown() {
        tryCompare(Peek, "connectionState", "online", 10000)
        const first = createTemporaryObject(observerComponent, this)
        tryCompare(first, "count", 3, 10000)
        tryVerify(function() { return !first.fromCache }, 10000)
        // The last watcher of its selector lets go: the client forgets it, the device's cache keeps it.
        first.tupleName = ""

        TestServer.stopField()
        tryCompare(Peek, "connectionState", "offline", 10000)
        const second = createTemporaryObject(observerComponent, this)
        compare(second.count, 3) // at once, from the device's cache
        verify(second.fromCache)
        compare(second.get(1).string1, TestServer.logicString(1))

        TestServer.startField()
        tryVerify(function() { return !second.fromCache }, 10000, "fresh data did not replace the cached")
        compare(second.count, 3)
    }

    function test_fillsFromTheServerWithOneRolePerField() {
        compare(items.observable, "test_qml") // defaults to the plugin
        tryCompare(items, "count", 3, 10000)
        tryCompare(rows, "count", 3, 5000)
        tryVerify(function() { return !items.fromCache }, 10000)
        compare(items.error, "")
        for (let i = 0; i < 3; ++i) {
            compare(rows.itemAt(i).itemId, i)
            compare(rows.itemAt(i).n, (i + 1) * 10)
            compare(rows.itemAt(i).s, TestServer.logicString(i))
            compare(rows.itemAt(i).t._type, "test_qml.Item")
            compare(rows.itemAt(i).t.string1, TestServer.logicString(i))
        }
        compare(items.get(1).int1, 20)
        compare(items.get(1)._type, "test_qml.Item")
    }

    function test_showsAnUpdateFromTheServer() {
        tryCompare(rows, "count", 3, 10000)
        const value = "updated-" + Date.now()
        TestServer.setLogicString(0, value)
        tryCompare(rows.itemAt(0), "s", value, 10000)
        compare(items.get(0).string1, value)
    }

    function test_resubscribesWhenItsPropertiesChange() {
        tryCompare(items, "count", 3, 10000)
        items.tupleName = ""
        compare(items.count, 0)
        verify(items.error.length > 0, "no error without a tupleName")
        items.tupleName = "test_qml.Item"
        tryCompare(items, "count", 3, 10000)
        compare(items.error, "")
        // Another selector is another subscription, served as well.
        items.selector = {zone: 1}
        tryCompare(items, "count", 3, 10000)
        tryVerify(function() { return !items.fromCache }, 10000)
        compare(items.selector.zone, 1)
    }
}
