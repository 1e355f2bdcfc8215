#pragma once
// Logic's side of the table editor (the Peek QML module's TableEditor, docs/plugins.md "Table
// editors"): a plugin names the tables an editor may change, each shown as one of its tuple
// types, and the platform applies vortex.TupleUpdateAction to them — rows added, changed and
// deleted in one transaction, exactly once, only for callers with one of the table's roles.
//
// A change is {old, new} (the protocol's tupleChanges, docs/protocol.md §7):
//   - old null, new the fields  → a row is added (the key is assigned when it is missing or 0);
//   - old the row as the editor showed it, new the fields to set → that row is changed, provided
//     it still holds what `old` says of its columns (else: changed by someone else, reload);
//   - old the row, new null → the row is deleted.
// Only the declared columns are read or written; a field outside them is refused by name.
#include "base/export.h"
#include "tupleactionprocessor.h"

#include <QSqlDatabase>

#include <functional>
#include <utility>
#include <vector>

namespace peek {

struct PEEK_API TableEdits
{
    QString tupleType;                             // a registered typed tuple ("my_plugin.ItemTuple")
    QString table;                                 // as written in SQL, e.g. pl_my."Item" (ctx.schema())
    QString key = QStringLiteral("id");           // the field that names a row (an integer column)
    std::vector<std::pair<QString, QString>> columns; // field -> column; the key among them
    QStringList readOnly;                          // fields of columns an editor may not set (check does)
    QStringList roles {QStringLiteral("admin")};   // the caller needs one of them; empty: anybody served
    // Checks a row about to be stored (before: the row as it was, null for a new one) and may
    // complete it (who changed it, say), inside the transaction (e.g. a uniqueness the user
    // should read about); an error refuses the whole action.
    std::function<Result<void>(QSqlDatabase &, Tuple &row, const Tuple *before)> check;
};

// What one applied action did to one table (for the log and the audit).
struct PEEK_API TableEditSummary
{
    QString tupleType;
    int added = 0;
    int changed = 0;
    int deleted = 0;
    QStringList keys; // the keys of the changed and deleted rows, as text
    QString text() const; // "added 1, changed 2 (3, 4) of my_plugin.ItemTuple"
};

// Installs the delegate of vortex.TupleUpdateAction on `processor` (one per processor) for
// these tables; the action's tupleSelector.name picks the table. `applied` runs on the event
// loop after each commit, with currentCaller() set (notify the observers, audit). The answer's
// tuples are the added and changed rows as stored. Throws std::invalid_argument when a table is
// declared wrongly (no such tuple type, the key not among the columns, a column name that is
// not a plain identifier).
PEEK_API void acceptTableEdits(TupleActionProcessor &processor, std::vector<TableEdits> tables,
                               std::function<void(const TableEditSummary &)> applied = {});

// At most this many changes in one action.
inline constexpr int kMaxTableChanges = 1000;

} // namespace peek
