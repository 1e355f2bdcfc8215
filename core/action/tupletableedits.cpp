#include "tupletableedits.h"

#include "storage/sql.h"
#include "tuple/tupleregistry.h"
#include "vortex/caller.h"

#include <QRegularExpression>

#include <memory>

namespace peek {

namespace {

struct Table
{
    TableEdits edits;
    QString keyColumn;
    QString columnList; // "a", "b", ... quoted, in the order of edits.columns
};

const QString *columnOf(const TableEdits &edits, const QString &field)
{
    for (const auto &[f, column] : edits.columns)
        if (f == field)
            return &column;
    return nullptr;
}

QString keyText(const Value &key)
{
    return key.type() == Value::Type::String ? key.toString() : QString::number(key.toInt());
}

// The fields of `fields` set on `row`, every one a declared column (the key only when allowed),
// each of the field's type.
Result<void> setFields(const TableEdits &edits, Tuple &row, const Dict &fields, bool keyAllowed, const QString &which)
{
    for (const auto &[field, value] : fields) {
        if (field == QLatin1String("_type"))
            continue;
        if (!columnOf(edits, field))
            return Error {QStringLiteral("%1: %2 has no editable field '%3'").arg(which, edits.tupleType, field.left(80))};
        if (field == edits.key && !keyAllowed)
            continue; // checked by the caller against the row's key
        if (edits.readOnly.contains(field))
            return Error {QStringLiteral("%1: %2 of %3 is not editable").arg(which, field, edits.tupleType)};
        if (auto set = row.setField(field, value); !set)
            return Error {QStringLiteral("%1: %2").arg(which, set.error().what)};
    }
    return {};
}

// The row with `key` as stored, or null when there is none.
Result<TuplePtr> loadRow(QSqlDatabase &db, const Table &t, const Value &key)
{
    auto query = sql::exec(db, QStringLiteral("SELECT %1 FROM %2 WHERE %3 = ?").arg(t.columnList, t.edits.table, t.keyColumn),
                           {key.toVariant()});
    if (!query)
        return query.error();
    if (!query.value().next())
        return TuplePtr {};
    TuplePtr row = TupleRegistry::instance().create(t.edits.tupleType);
    for (int i = 0; i < int(t.edits.columns.size()); ++i) {
        const QVariant stored = query.value().value(i);
        if (auto set = row->setField(t.edits.columns[size_t(i)].first, stored.isNull() ? Value() : Value::fromVariant(stored)); !set)
            return Error {QStringLiteral("the stored row %1 of %2 does not fit the tuple").arg(keyText(key), t.edits.tupleType),
                          {}, set.error().what};
    }
    return row;
}

Result<void> store(QSqlDatabase &db, const Table &t, const Tuple &row, bool insert)
{
    QVariantList values;
    QStringList assignments;
    for (const auto &[field, column] : t.edits.columns) {
        if (!insert && field == t.edits.key)
            continue;
        const Value v = row.field(field);
        values << (v.isNull() ? QVariant() : v.toVariant());
        assignments << sql::quoteIdentifier(column) + QStringLiteral(" = ?");
    }
    if (insert) {
        QStringList marks;
        for (int i = 0; i < values.size(); ++i)
            marks << QStringLiteral("?");
        auto done = sql::exec(db, QStringLiteral("INSERT INTO %1 (%2) VALUES (%3)").arg(t.edits.table, t.columnList, marks.join(u',')),
                              sql::textNotNull(values));
        return done ? Result<void> {} : Result<void> {done.error()};
    }
    values << row.field(t.edits.key).toVariant();
    auto done = sql::exec(db, QStringLiteral("UPDATE %1 SET %2 WHERE %3 = ?").arg(t.edits.table, assignments.join(u','), t.keyColumn),
                          sql::textNotNull(values));
    return done ? Result<void> {} : Result<void> {done.error()};
}

// `value` as the field's type would hold it (an editor's 3.0 is the row's 3).
Value asField(const Tuple &prototype, const QString &field, const Value &value)
{
    TuplePtr scratch = prototype.clone();
    return scratch->setField(field, value) ? scratch->field(field) : value;
}

Result<std::vector<TuplePtr>> apply(QSqlDatabase &db, const std::vector<Table> &tables, const TupleUpdateAction &action)
{
    const QString type = action.tupleSelector ? action.tupleSelector->name : QString();
    const Table *t = nullptr;
    for (const Table &candidate : tables)
        if (candidate.edits.tupleType == type)
            t = &candidate;
    if (!t)
        return Error {QStringLiteral("no table of %1 can be edited here: its tupleSelector names %2")
                          .arg(tables.empty() ? QStringLiteral("this plugin") : tables.front().edits.tupleType.section(u'.', 0, 0),
                               type.isEmpty() ? QStringLiteral("nothing") : type.left(120))};
    const TableEdits &edits = t->edits;
    const PeerIdentity &caller = currentCaller();
    if (!edits.roles.isEmpty() && std::none_of(edits.roles.begin(), edits.roles.end(), [&caller](const QString &role) {
            return caller.userRoles.contains(role);
        }))
        return Error {QStringLiteral("editing %1 needs the role %2: %3 does not have it")
                          .arg(type, edits.roles.join(QStringLiteral(" or ")),
                               caller.userName.isEmpty() ? QStringLiteral("nobody logged in") : caller.userName)};
    if (action.tupleChanges.empty())
        return Error {QStringLiteral("the edit of %1 has no changes").arg(type)};
    if (int(action.tupleChanges.size()) > kMaxTableChanges)
        return Error {QStringLiteral("the edit of %1 has %2 changes; at most %3 go in one action")
                          .arg(type)
                          .arg(action.tupleChanges.size())
                          .arg(kMaxTableChanges)};

    const TuplePtr prototype = TupleRegistry::instance().create(type);
    std::vector<TuplePtr> stored;
    for (int i = 0; i < int(action.tupleChanges.size()); ++i) {
        const QString which = QStringLiteral("change %1 of %2").arg(i + 1).arg(action.tupleChanges.size());
        const Value &change = action.tupleChanges[size_t(i)];
        if (change.type() != Value::Type::Dict)
            return Error {QStringLiteral("%1: expected {old, new}, got %2").arg(which, QString::fromUtf8(Value::typeName(change.type())))};
        const Dict &c = change.toDict();
        const Value *oldValue = c.find(QStringLiteral("old"));
        const Value *newValue = c.find(QStringLiteral("new"));
        const auto dictOrNull = [](const Value *v) { return !v || v->isNull() || v->type() == Value::Type::Dict; };
        if (!dictOrNull(oldValue) || !dictOrNull(newValue))
            return Error {QStringLiteral("%1: old and new must each be the row's fields or null").arg(which)};
        const bool hasOld = oldValue && !oldValue->isNull();
        const bool hasNew = newValue && !newValue->isNull();
        if (!hasOld && !hasNew)
            return Error {QStringLiteral("%1: neither old nor new: nothing to do").arg(which)};

        if (!hasOld) { // a new row
            TuplePtr row = prototype->clone();
            if (auto set = setFields(edits, *row, newValue->toDict(), true, which); !set)
                return set.error();
            Value key = row->field(edits.key);
            if (key.isNull() || (key.type() == Value::Type::Int && key.toInt() == 0)) {
                auto next = sql::scalar(db, QStringLiteral("SELECT COALESCE(MAX(%1), 0) + 1 FROM %2").arg(t->keyColumn, edits.table));
                if (!next)
                    return next.error();
                if (auto set = row->setField(edits.key, Value(next.value().toLongLong())); !set)
                    return Error {QStringLiteral("%1: %2").arg(which, set.error().what)};
            } else if (auto existing = loadRow(db, *t, key); !existing || existing.value()) {
                return existing ? Error {QStringLiteral("%1: %2 already has a row %3").arg(which, type, keyText(key))}
                                : existing.error();
            }
            if (edits.check)
                if (auto ok = edits.check(db, *row, nullptr); !ok)
                    return ok.error().context(which);
            if (auto done = store(db, *t, *row, true); !done)
                return done.error().context(QStringLiteral("%1: adding the row").arg(which));
            stored.push_back(row);
            continue;
        }

        const Dict &old = oldValue->toDict();
        const Value *key = old.find(edits.key);
        if (!key || key->isNull())
            return Error {QStringLiteral("%1: old does not say which row (its %2)").arg(which, edits.key)};
        auto current = loadRow(db, *t, *key);
        if (!current)
            return current.error();
        if (!current.value())
            return Error {QStringLiteral("%1: %2 has no row %3 (deleted meanwhile?): reload and try again")
                              .arg(which, type, keyText(*key))};
        const Tuple &before = *current.value();
        // The row as the editor showed it: a column it names that now holds something else was
        // changed by someone else meanwhile.
        for (const auto &[field, value] : old) {
            if (!columnOf(edits, field) || field == edits.key)
                continue;
            if (!(asField(*prototype, field, value) == before.field(field)))
                return Error {QStringLiteral("%1: row %2 of %3 was changed meanwhile (%4 is now \"%5\"): reload and edit it again")
                                  .arg(which, keyText(*key), type, field, before.field(field).toString().left(80))};
        }
        if (!hasNew) {
            auto deleted = sql::exec(db, QStringLiteral("DELETE FROM %1 WHERE %2 = ?").arg(edits.table, t->keyColumn),
                                     {key->toVariant()});
            if (!deleted)
                return deleted.error().context(QStringLiteral("%1: deleting row %2").arg(which, keyText(*key)));
            continue;
        }
        const Dict &fields = newValue->toDict();
        if (const Value *newKey = fields.find(edits.key); newKey && !(asField(*prototype, edits.key, *newKey) == before.field(edits.key)))
            return Error {QStringLiteral("%1: a row's %2 cannot be changed").arg(which, edits.key)};
        TuplePtr row = before.clone();
        if (auto set = setFields(edits, *row, fields, false, which); !set)
            return set.error();
        if (edits.check)
            if (auto ok = edits.check(db, *row, &before); !ok)
                return ok.error().context(which);
        if (auto done = store(db, *t, *row, false); !done)
            return done.error().context(QStringLiteral("%1: changing row %2").arg(which, keyText(*key)));
        stored.push_back(row);
    }
    return stored;
}

TableEditSummary summarise(const std::vector<Table> &tables, const TupleUpdateAction &action)
{
    TableEditSummary s;
    s.tupleType = action.tupleSelector ? action.tupleSelector->name : QString();
    QString key;
    for (const Table &t : tables)
        if (t.edits.tupleType == s.tupleType)
            key = t.edits.key;
    for (const Value &change : action.tupleChanges) {
        const Dict c = change.toDict();
        const Value *oldValue = c.find(QStringLiteral("old"));
        const Value *newValue = c.find(QStringLiteral("new"));
        const bool hasOld = oldValue && oldValue->type() == Value::Type::Dict;
        const bool hasNew = newValue && newValue->type() == Value::Type::Dict;
        if (!hasOld) {
            ++s.added;
            continue;
        }
        ++(hasNew ? s.changed : s.deleted);
        if (const Value *k = oldValue->toDict().find(key); k && s.keys.size() < 20)
            s.keys << keyText(*k);
    }
    return s;
}

} // namespace

QString TableEditSummary::text() const
{
    QStringList parts;
    if (added)
        parts << QStringLiteral("added %1").arg(added);
    if (changed)
        parts << QStringLiteral("changed %1").arg(changed);
    if (deleted)
        parts << QStringLiteral("deleted %1").arg(deleted);
    QString out = parts.join(QStringLiteral(", "));
    if (!keys.isEmpty())
        out += QStringLiteral(" (%1)").arg(keys.join(QStringLiteral(", ")));
    return out + QStringLiteral(" of ") + tupleType;
}

void acceptTableEdits(TupleActionProcessor &processor, std::vector<TableEdits> tables,
                      std::function<void(const TableEditSummary &)> applied)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    auto checked = std::make_shared<std::vector<Table>>();
    for (TableEdits &edits : tables) {
        const TuplePtr prototype = TupleRegistry::instance().create(edits.tupleType);
        if (!prototype || prototype->isGeneric())
            throw std::invalid_argument(QStringLiteral("table edits of %1: no such tuple type is registered").arg(edits.tupleType).toStdString());
        const QString *keyColumn = columnOf(edits, edits.key);
        if (!keyColumn)
            throw std::invalid_argument(
                QStringLiteral("table edits of %1: the key %2 is not among the columns").arg(edits.tupleType, edits.key).toStdString());
        QStringList columns;
        for (const auto &[field, column] : edits.columns) {
            if (!plain.match(column).hasMatch() || !prototype->fieldNames().contains(field))
                throw std::invalid_argument(QStringLiteral("table edits of %1: %2 -> %3 is not a field of the tuple and a plain column name")
                                                .arg(edits.tupleType, field, column)
                                                .toStdString());
            columns << sql::quoteIdentifier(column);
        }
        const QString quotedKey = sql::quoteIdentifier(*keyColumn);
        checked->push_back(Table {std::move(edits), quotedKey, columns.join(u',')});
    }
    processor.applyInTransaction<TupleUpdateAction>(
        [checked](QSqlDatabase &db, const TupleUpdateAction &action) {
            Result<std::vector<TuplePtr>> done = apply(db, *checked, action);
            // One change (an editor's usual edit): no "change 1 of 1: " before what failed.
            const QString one = QStringLiteral("change 1 of 1: ");
            if (!done && done.error().what.startsWith(one))
                return Result<std::vector<TuplePtr>> {
                    Error {done.error().what.mid(one.size()), done.error().statement, done.error().cause}};
            return done;
        },
        [checked, applied](const TupleUpdateAction &action) {
            if (applied)
                applied(summarise(*checked, action));
        });
}

} // namespace peek
