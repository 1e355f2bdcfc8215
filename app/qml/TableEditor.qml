// A table of one of a plugin's tuple types that its admin view (or any view) lists, adds to,
// edits and deletes from (docs/plugins.md "Table editors"): the rows come live from the plugin's
// observable (TupleObserver), the edits go to its action processor as vortex.TupleUpdateAction
// (TupleEditor), which logic applies with acceptTableEdits — or refuses, and the editor says why.
//
//   TableEditor {
//       plugin: "my_plugin"; tupleName: "my_plugin.ItemTuple"; title: qsTr("Items")
//       columns: [{field: "id", title: qsTr("Id"), editable: false, width: 60},
//                 {field: "name", title: qsTr("Name"), fill: true},
//                 {field: "qty", title: qsTr("Quantity"), type: "int"}]
//   }
//
// A column: field, title, type ("string" (default), "int", "real", "bool"), editable (default
// true), width (default 160), fill (takes the width left). Keyboard: Up/Down choose a row, Enter
// or F2 edits it, Delete deletes it (after a confirmation), Insert adds one; in an edited row
// Enter saves and Escape cancels.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Peek

Pane {
    id: editor

    property string plugin
    property string observable: ""   // the plugin's name when empty
    property string processor: ""    // the plugin's name when empty
    property string tupleName
    property string keyField: "id"
    property string title
    property var columns: []
    property bool confirmDeletes: true

    readonly property int count: rows.count
    // The rows as shown (a TupleObserver: get(i) gives row i's fields).
    readonly property TupleObserver model: rows
    readonly property bool busy: edits.busy
    // What the last edit failed with, or why a typed value does not fit its column; "" when fine.
    readonly property string error: problem
    // The row being edited (its key), or undefined; adding: the new row is open.
    property var editingKey: undefined
    property bool adding: false
    property string problem: ""

    // An edit the service applied.
    signal edited()

    function columnWidth(column) { return column.width ? column.width : 160 }
    // The typed values of a row's inputs ({field: text or checked}), or null (and `problem` says
    // which) when one does not fit its column's type. In a new row an empty number is left out
    // (the table's default).
    function typed(inputs, adding) {
        const out = {}
        for (let i = 0; i < columns.length; ++i) {
            const column = columns[i]
            if (column.editable === false || !(column.field in inputs))
                continue
            const raw = inputs[column.field]
            const name = column.title || column.field
            if (adding && (column.type === "int" || column.type === "real") && String(raw).trim() === "")
                continue
            if (column.type === "bool") {
                out[column.field] = raw === true
            } else if (column.type === "int") {
                const text = String(raw).trim()
                if (!/^-?[0-9]+$/.test(text)) {
                    problem = qsTr("%1 must be a whole number.").arg(name)
                    return null
                }
                out[column.field] = parseInt(text, 10)
            } else if (column.type === "real") {
                const text = String(raw).trim()
                const number = Number(text)
                if (text === "" || isNaN(number)) {
                    problem = qsTr("%1 must be a number.").arg(name)
                    return null
                }
                out[column.field] = number
            } else {
                out[column.field] = String(raw)
            }
        }
        return out
    }
    function startAdding() {
        if (edits.busy)
            return
        editingKey = undefined
        problem = ""
        adding = true
        newRow.open()
    }
    function startEditing(row) {
        if (edits.busy || row < 0 || row >= rows.count)
            return
        adding = false
        problem = ""
        list.currentIndex = row
        editingKey = rows.get(row)[keyField]
    }
    function cancel() {
        adding = false
        editingKey = undefined
        problem = ""
        list.forceActiveFocus()
    }
    function saveNew(inputs) {
        const values = typed(inputs, true)
        if (values !== null)
            edits.add(values)
    }
    function saveRow(row, inputs) {
        const values = typed(inputs, false)
        if (values === null)
            return
        const before = rows.get(row)
        const changed = {}
        let any = false
        for (const field in values) {
            if (values[field] !== before[field]) {
                changed[field] = values[field]
                any = true
            }
        }
        if (!any) {
            cancel()
            return
        }
        edits.change(before, changed)
    }
    function askToDelete(row) {
        if (edits.busy || row < 0 || row >= rows.count)
            return
        if (!confirmDeletes) {
            edits.remove(rows.get(row))
            return
        }
        confirm.row = row
        confirm.key = rows.get(row)[keyField]
        confirm.open()
    }

    TupleObserver {
        id: rows
        plugin: editor.plugin
        observable: editor.observable
        tupleName: editor.tupleName
    }
    TupleEditor {
        id: edits
        plugin: editor.plugin
        processor: editor.processor
        tupleName: editor.tupleName
        onFinished: (ok, error) => {
            if (!ok) {
                editor.problem = error
                return
            }
            editor.adding = false
            editor.editingKey = undefined
            editor.problem = ""
            list.forceActiveFocus()
            editor.edited()
        }
        onErrorChanged: if (error.length > 0) editor.problem = error
    }

    // One row's cells: labels, or inputs while it is edited. Self-contained (inline components
    // do not see the editor's ids): the columns come in, accepted/cancelled go out.
    component Cells: RowLayout {
        id: cells
        property var columns: []
        property var row: ({})
        property bool editing: false
        signal accepted()
        signal cancelled()
        spacing: 0

        function columnWidth(column) { return column.width ? column.width : 160 }
        function display(column, value) {
            if (value === undefined || value === null)
                return ""
            if (column.type === "bool")
                return value ? "\u2713" : ""
            return String(value)
        }
        // {field: text or checked} of the editable columns.
        function inputs() {
            const out = {}
            for (let i = 0; i < cellRepeater.count; ++i) {
                const cell = cellRepeater.itemAt(i)
                if (cell && cell.editable)
                    out[cell.column.field] = cell.input()
            }
            return out
        }
        function focusFirst() {
            for (let i = 0; i < cellRepeater.count; ++i) {
                const cell = cellRepeater.itemAt(i)
                if (cell && cell.editable) {
                    cell.takeFocus()
                    return
                }
            }
        }
        function reset() {
            for (let i = 0; i < cellRepeater.count; ++i) {
                const cell = cellRepeater.itemAt(i)
                if (cell)
                    cell.reset()
            }
        }

        Repeater {
            id: cellRepeater
            model: cells.columns
            delegate: Item {
                id: cell
                required property var modelData
                readonly property var column: modelData
                readonly property bool editable: cells.editing && column.editable !== false
                readonly property var shown: cells.row ? cells.row[column.field] : undefined

                function input() { return column.type === "bool" ? check.checked : field.text }
                function takeFocus() {
                    if (column.type === "bool") {
                        check.forceActiveFocus()
                    } else {
                        field.forceActiveFocus()
                        field.selectAll()
                    }
                }
                function reset() {
                    field.text = cells.display({}, shown)
                    check.checked = shown === true
                }
                onEditableChanged: if (editable) reset()

                Layout.preferredWidth: cells.columnWidth(column)
                Layout.fillWidth: column.fill === true
                implicitHeight: Math.max(label.implicitHeight + 12, field.implicitHeight)

                Label {
                    id: label
                    visible: !cell.editable
                    anchors.verticalCenter: parent.verticalCenter
                    width: parent.width - 8
                    x: 4
                    text: cells.display(cell.column, cell.shown)
                    elide: Text.ElideRight
                }
                TextField {
                    id: field
                    objectName: "edit_" + cell.column.field
                    visible: cell.editable && cell.column.type !== "bool"
                    anchors.verticalCenter: parent.verticalCenter
                    width: parent.width - 8
                    inputMethodHints: cell.column.type === "int" || cell.column.type === "real"
                                      ? Qt.ImhFormattedNumbersOnly : Qt.ImhNone
                    Keys.onReturnPressed: cells.accepted()
                    Keys.onEnterPressed: cells.accepted()
                    Keys.onEscapePressed: cells.cancelled()
                }
                CheckBox {
                    id: check
                    objectName: "edit_" + cell.column.field
                    visible: cell.editable && cell.column.type === "bool"
                    anchors.verticalCenter: parent.verticalCenter
                    Keys.onReturnPressed: cells.accepted()
                    Keys.onEscapePressed: cells.cancelled()
                }
            }
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 6

        RowLayout {
            Layout.fillWidth: true
            Label {
                text: editor.title
                font.bold: true
                visible: text.length > 0
            }
            Label {
                text: rows.fromCache ? qsTr("%n row(s), from the cache", "", rows.count) : qsTr("%n row(s)", "", rows.count)
                opacity: 0.7
            }
            Item { Layout.fillWidth: true }
            BusyIndicator {
                running: edits.busy
                visible: running
                Layout.preferredHeight: 24
                Layout.preferredWidth: 24
            }
            Button {
                objectName: "addRow"
                text: qsTr("Add row")
                enabled: !edits.busy && !editor.adding
                onClicked: editor.startAdding()
            }
        }

        Label {
            objectName: "editError"
            Layout.fillWidth: true
            visible: text.length > 0
            text: editor.problem.length > 0 ? editor.problem : rows.error
            color: "#b00020"
            wrapMode: Text.Wrap
        }

        // The column titles.
        RowLayout {
            Layout.fillWidth: true
            spacing: 0
            Repeater {
                model: editor.columns
                delegate: Label {
                    required property var modelData
                    Layout.preferredWidth: editor.columnWidth(modelData)
                    Layout.fillWidth: modelData.fill === true
                    leftPadding: 4
                    text: modelData.title || modelData.field
                    font.bold: true
                    elide: Text.ElideRight
                }
            }
            Item { Layout.preferredWidth: 172 } // the two buttons of a row
        }
        Rectangle { Layout.fillWidth: true; height: 1; color: editor.palette.mid }

        // The new row, while it is added.
        RowLayout {
            id: newRow
            objectName: "newRow"
            Layout.fillWidth: true
            visible: editor.adding
            spacing: 0
            function open() {
                newCells.reset()
                newCells.focusFirst()
            }
            Cells {
                id: newCells
                Layout.fillWidth: true
                columns: editor.columns
                editing: editor.adding
                onAccepted: editor.saveNew(newCells.inputs())
                onCancelled: editor.cancel()
            }
            Button {
                objectName: "saveRow"
                text: qsTr("Save")
                enabled: !edits.busy
                onClicked: editor.saveNew(newCells.inputs())
                Layout.preferredWidth: 86
            }
            Button {
                objectName: "cancelRow"
                text: qsTr("Cancel")
                onClicked: editor.cancel()
                Layout.preferredWidth: 86
            }
        }

        ListView {
            id: list
            objectName: "rows"
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.minimumHeight: 80
            clip: true
            model: rows
            focus: true
            keyNavigationEnabled: true
            activeFocusOnTab: true
            ScrollBar.vertical: ScrollBar {}
            Keys.onPressed: event => {
                if (editor.editingKey !== undefined || editor.adding)
                    return
                if (event.key === Qt.Key_Return || event.key === Qt.Key_Enter || event.key === Qt.Key_F2) {
                    editor.startEditing(list.currentIndex)
                    event.accepted = true
                } else if (event.key === Qt.Key_Delete) {
                    editor.askToDelete(list.currentIndex)
                    event.accepted = true
                } else if (event.key === Qt.Key_Insert) {
                    editor.startAdding()
                    event.accepted = true
                }
            }

            delegate: Rectangle {
                id: line
                required property var tuple
                required property int index
                readonly property bool editing: editor.editingKey !== undefined && tuple[editor.keyField] === editor.editingKey
                width: ListView.view.width
                implicitHeight: Math.max(lineCells.implicitHeight, editButton.implicitHeight) + 2
                color: ListView.isCurrentItem ? Qt.rgba(editor.palette.highlight.r, editor.palette.highlight.g,
                                                        editor.palette.highlight.b, 0.18)
                                              : index % 2 ? editor.palette.alternateBase : editor.palette.base

                onEditingChanged: if (editing) lineCells.focusFirst()

                MouseArea {
                    anchors.fill: parent
                    onClicked: list.currentIndex = line.index
                    onDoubleClicked: editor.startEditing(line.index)
                }
                RowLayout {
                    anchors.fill: parent
                    spacing: 0
                    Cells {
                        id: lineCells
                        Layout.fillWidth: true
                        columns: editor.columns
                        row: line.tuple
                        editing: line.editing
                        onAccepted: editor.saveRow(line.index, lineCells.inputs())
                        onCancelled: editor.cancel()
                    }
                    Button {
                        id: editButton
                        objectName: line.editing ? "saveRow_" + line.tuple[editor.keyField] : "editRow_" + line.tuple[editor.keyField]
                        text: line.editing ? qsTr("Save") : qsTr("Edit")
                        enabled: !edits.busy
                        flat: !line.editing
                        Layout.preferredWidth: 86
                        onClicked: line.editing ? editor.saveRow(line.index, lineCells.inputs()) : editor.startEditing(line.index)
                    }
                    Button {
                        objectName: line.editing ? "cancelRow_" + line.tuple[editor.keyField] : "deleteRow_" + line.tuple[editor.keyField]
                        text: line.editing ? qsTr("Cancel") : qsTr("Delete")
                        enabled: line.editing || !edits.busy
                        flat: !line.editing
                        Layout.preferredWidth: 86
                        onClicked: line.editing ? editor.cancel() : editor.askToDelete(line.index)
                    }
                }
            }

            Label {
                anchors.centerIn: parent
                visible: rows.count === 0 && !editor.adding
                text: qsTr("No rows yet.")
                opacity: 0.6
            }
        }
    }

    Dialog {
        id: confirm
        objectName: "confirmDelete"
        property int row: -1
        property var key
        parent: Overlay.overlay
        anchors.centerIn: parent
        modal: true
        title: qsTr("Delete row %1?").arg(String(key))
        standardButtons: Dialog.Ok | Dialog.Cancel
        Label { text: qsTr("The row is deleted for everyone. This cannot be undone.") }
        onAccepted: {
            // The row may have moved meanwhile: delete the one with this key.
            for (let i = 0; i < rows.count; ++i) {
                if (rows.get(i)[editor.keyField] === key) {
                    edits.remove(rows.get(i))
                    return
                }
            }
        }
    }
}
