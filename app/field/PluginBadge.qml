// A plugin's number (plugin.json ui badge: the inbox's unread tasks), read from the field `field`
// of the one tuple of type `tupleName` its observable serves; 0 when it has none.
import QtQuick
import Peek

Item {
    id: badge
    property string plugin
    property string tupleName
    property string field
    readonly property int count: {
        source.revision
        return source.count > 0 ? Number(source.get(0)[badge.field] ?? 0) : 0
    }

    TupleObserver {
        id: source
        plugin: badge.tupleName !== "" ? badge.plugin : ""
        tupleName: badge.tupleName
    }
}
