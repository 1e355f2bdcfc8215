// Table edits (acceptTableEdits, the server side of the Peek QML module's TableEditor) on a real
// SQLite file and a real PostgreSQL: rows added, changed and deleted through
// vortex.TupleUpdateAction, all or nothing, only for the table's roles; every malformed,
// oversized, mistyped or stale change refused with what was wrong, and the processor keeps
// serving.
#include "pgrequired.h"
#include "action/tupleactionprocessor.h"
#include "action/tupletableedits.h"
#include "storage/database.h"
#include "storage/sql.h"
#include "tuple/tupleregistry.h"
#include "vortex/caller.h"
#include "vortex/futurecontext.h"
#include "vortex/payload.h"
#include "vortex/payloadresponse.h"

#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace peek;

namespace {

const QString kPlugin = QStringLiteral("test_edits");

struct ItemTuple : TypedTuple<ItemTuple>
{
    PEEK_TUPLE(ItemTuple, "test_edits.ItemTuple", id, name, qty, changedBy)
    qint64 id = 0;
    QString name;
    qint64 qty = 0;
    QString changedBy;
};

PeerIdentity person(const QString &name, const QStringList &roles)
{
    PeerIdentity p;
    p.userName = name;
    p.userRoles = roles;
    return p;
}

Value row(qint64 id, const QString &name, qint64 qty, const QString &changedBy = {})
{
    return Dict {{QStringLiteral("id"), id}, {QStringLiteral("name"), name}, {QStringLiteral("qty"), qty},
                 {QStringLiteral("changedBy"), changedBy}};
}

Value change(const Value &oldRow, const Value &newRow)
{
    return Dict {{QStringLiteral("old"), oldRow}, {QStringLiteral("new"), newRow}};
}

} // namespace

class TestTableEdits : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    QString m_schema;
    std::unique_ptr<Vortex> m_logic;
    std::unique_ptr<TupleActionProcessor> m_processor;
    std::unique_ptr<Vortex> m_field;
    QStringList m_applied; // the summaries, in order

    bool open(const QString &url)
    {
        auto db = Database::open(url.isEmpty() ? m_dir.filePath(QUuid::createUuid().toString(QUuid::Id128) + QStringLiteral(".sqlite")) : url);
        if (!db) {
            qWarning() << db.error().message();
            return false;
        }
        m_db = std::move(db).value();
        m_schema = QStringLiteral("pl_edits_%1").arg(QUuid::createUuid().toString(QUuid::Id128).left(8));
        if (!m_db->ensureSchema(m_schema))
            return false;
        const auto made = m_db->runSync(QStringList {m_schema}, [this](QSqlDatabase &c) -> Result<void> {
            auto q = sql::exec(c, QStringLiteral("CREATE TABLE %1.\"Item\" (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL, "
                                                 "qty INTEGER NOT NULL DEFAULT 0, changed_by VARCHAR(50) NOT NULL DEFAULT '')")
                                   .arg(m_schema));
            return q ? Result<void> {} : Result<void> {q.error()};
        });
        if (!made)
            return false;
        m_logic = std::make_unique<Vortex>(QStringLiteral("peek-logic-service"));
        m_processor = std::make_unique<TupleActionProcessor>(&*m_logic, kPlugin, kPlugin,
                                                             std::make_unique<DatabaseProcessedActionStore>(m_db.get(), m_schema));
        TableEdits items;
        items.tupleType = QString::fromLatin1(ItemTuple::kTupleType);
        items.table = m_schema + QStringLiteral(".\"Item\"");
        items.columns = {{QStringLiteral("id"), QStringLiteral("id")},
                         {QStringLiteral("name"), QStringLiteral("name")},
                         {QStringLiteral("qty"), QStringLiteral("qty")},
                         {QStringLiteral("changedBy"), QStringLiteral("changed_by")}};
        items.readOnly = {QStringLiteral("changedBy")};
        items.check = [](QSqlDatabase &, Tuple &r, const Tuple *) -> Result<void> {
            auto &item = dynamic_cast<ItemTuple &>(r);
            if (item.name.trimmed().isEmpty())
                return Error {QStringLiteral("an item needs a name")};
            item.changedBy = currentCaller().userName;
            return {};
        };
        acceptTableEdits(*m_processor, {items}, [this](const TableEditSummary &s) { m_applied << s.text(); });
        m_field = std::make_unique<Vortex>(QStringLiteral("peek-field-service"));
        m_field->connectLocal(&*m_logic);
        return true;
    }

    void dropSchema(const QString &url)
    {
        if (!url.isEmpty() && m_db)
            (void)m_db->runSync([this](QSqlDatabase &c) { return sql::exec(c, QStringLiteral("DROP SCHEMA %1 CASCADE").arg(m_schema)); });
    }

    // Sends one TupleUpdateAction for `type` as the field service would for `caller`; the answer.
    PayloadEnvelope edit(const ValueList &changes, const PeerIdentity &caller = person(QStringLiteral("root"), {QStringLiteral("admin")}),
                         const QString &type = QString::fromLatin1(ItemTuple::kTupleType))
    {
        auto action = std::make_shared<TupleUpdateAction>();
        action->tupleSelector = std::make_shared<TupleSelector>(type);
        action->tupleChanges = changes;
        action::stamp(*action);
        Dict filt = action::processorFilt(kPlugin, kPlugin);
        filt.insert(kCallerKey, callerValue(caller));
        auto answer = PayloadResponse::send(&*m_field, PayloadEnvelope::fromPayload(Payload(filt, {action})),
                                            QStringLiteral("peek-logic-service"), 10000);
        if (!QTest::qWaitFor([&] { return answer.isFinished(); }, 15000))
            return PayloadEnvelope::error({}, QStringLiteral("no answer"));
        auto result = resultOf(answer, QStringLiteral("cancelled"));
        return result ? result.value() : PayloadEnvelope::error({}, result.error().message()); // a refusal
    }

    // The rows as stored, "id name qty changedBy" each, by id.
    QStringList rows()
    {
        auto read = m_db->runSync(QStringList {m_schema}, [this](QSqlDatabase &c) -> Result<QStringList> {
            auto q = sql::exec(c, QStringLiteral("SELECT id, name, qty, changed_by FROM %1.\"Item\" ORDER BY id").arg(m_schema));
            if (!q)
                return q.error();
            QStringList out;
            while (q.value().next())
                out << QStringLiteral("%1 %2 %3 %4").arg(q.value().value(0).toString(), q.value().value(1).toString(),
                                                          q.value().value(2).toString(), q.value().value(3).toString());
            return out;
        });
        return read ? read.value() : QStringList {QStringLiteral("unreadable: ") + read.error().message()};
    }

    static QList<Value> stored(const PayloadEnvelope &answer)
    {
        QList<Value> out;
        if (auto p = answer.decodePayload())
            for (const TuplePtr &t : p.value().tuples)
                out << Value(t->fieldsAsDict());
        return out;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(TupleRegistry::instance().registerType<ItemTuple>()); }

    void anAdminAddsChangesAndDeletesRows_data()
    {
        QTest::addColumn<QString>("url");
        QTest::newRow("sqlite") << QString();
        QTest::newRow("postgresql") << qEnvironmentVariable("PEEK_TEST_PG_URL");
    }

    // Added (the key assigned, the check's stamp stored), changed, deleted; each answered with
    // the rows as stored and summarised for the log and the audit.
    void anAdminAddsChangesAndDeletesRows()
    {
        QFETCH(QString, url);
        if (QByteArray(QTest::currentDataTag()) == "postgresql")
            PEEK_REQUIRE_POSTGRES(!url.isEmpty(), QStringLiteral("PEEK_TEST_PG_URL is not set"));
        m_applied.clear();
        QVERIFY(open(url));
        const PayloadEnvelope added = edit({change(Value(), Dict {{QStringLiteral("name"), QStringLiteral("bolt")},
                                                                 {QStringLiteral("qty"), 3.0}})}); // JavaScript's 3
        QVERIFY2(added.isSuccess(), qPrintable(added.errorText()));
        QCOMPARE(stored(added).size(), 1);
        QCOMPARE(stored(added).front().toDict().value(QStringLiteral("id")).toInt(), 1);
        const PayloadEnvelope second = edit({change(Value(), Dict {{QStringLiteral("name"), QStringLiteral("nut")}})});
        QVERIFY2(second.isSuccess(), qPrintable(second.errorText()));
        QCOMPARE(rows(), (QStringList {QStringLiteral("1 bolt 3 root"), QStringLiteral("2 nut 0 root")}));

        const PayloadEnvelope changed = edit({change(row(1, QStringLiteral("bolt"), 3, QStringLiteral("root")),
                                                     Dict {{QStringLiteral("qty"), 5}, {QStringLiteral("name"), QStringLiteral("M6 bolt")}})},
                                             person(QStringLiteral("ana"), {QStringLiteral("field"), QStringLiteral("admin")}));
        QVERIFY2(changed.isSuccess(), qPrintable(changed.errorText()));
        QCOMPARE(stored(changed).front().toDict().value(QStringLiteral("name")).toString(), QStringLiteral("M6 bolt"));
        QCOMPARE(rows(), (QStringList {QStringLiteral("1 M6 bolt 5 ana"), QStringLiteral("2 nut 0 root")}));

        const PayloadEnvelope deleted = edit({change(row(2, QStringLiteral("nut"), 0, QStringLiteral("root")), Value())});
        QVERIFY2(deleted.isSuccess(), qPrintable(deleted.errorText()));
        QCOMPARE(rows(), (QStringList {QStringLiteral("1 M6 bolt 5 ana")}));
        // A caller without a user name leaves changedBy a null text: stored as '', not NULL (the
        // column is NOT NULL).
        const PayloadEnvelope nameless = edit({change(Value(), Dict {{QStringLiteral("name"), QStringLiteral("washer")}})},
                                              person(QString(), {QStringLiteral("admin")}));
        QVERIFY2(nameless.isSuccess(), qPrintable(nameless.errorText()));
        QCOMPARE(rows(), (QStringList {QStringLiteral("1 M6 bolt 5 ana"), QStringLiteral("2 washer 0 ")}));
        QCOMPARE(m_applied, (QStringList {QStringLiteral("added 1 of test_edits.ItemTuple"), QStringLiteral("added 1 of test_edits.ItemTuple"),
                                          QStringLiteral("changed 1 (1) of test_edits.ItemTuple"),
                                          QStringLiteral("deleted 1 (2) of test_edits.ItemTuple"),
                                          QStringLiteral("added 1 of test_edits.ItemTuple")}));
        dropSchema(url);
    }

    // Every bad edit is answered with what was wrong and changes nothing; the next good one works.
    void badEditsAreRefusedWithTheReason()
    {
        QVERIFY(open({}));
        QVERIFY(edit({change(Value(), Dict {{QStringLiteral("name"), QStringLiteral("bolt")}, {QStringLiteral("qty"), 3}})}).isSuccess());
        const QStringList before = rows();
        const PeerIdentity admin = person(QStringLiteral("root"), {QStringLiteral("admin")});
        const Value bolt = row(1, QStringLiteral("bolt"), 3, QStringLiteral("root"));
        Value nested = QStringLiteral("deep");
        for (int i = 0; i < 60; ++i)
            nested = ValueList {nested};
        ValueList tooMany;
        for (int i = 0; i <= kMaxTableChanges; ++i)
            tooMany.push_back(change(Value(), Dict {{QStringLiteral("name"), QStringLiteral("n%1").arg(i)}}));

        const struct
        {
            const char *what;
            ValueList changes;
            PeerIdentity caller;
            QString type;
            QString expected;
        } cases[] = {
            {"a user without the admin role", {change(Value(), Dict {{QStringLiteral("name"), QStringLiteral("x")}})},
             person(QStringLiteral("jo"), {QStringLiteral("field")}), {}, QStringLiteral("needs the role admin: jo does not have it")},
            {"nobody logged in", {change(Value(), Dict {{QStringLiteral("name"), QStringLiteral("x")}})}, PeerIdentity {}, {},
             QStringLiteral("nobody logged in")},
            {"a table nobody declared", {change(Value(), Dict {})}, admin, QStringLiteral("test_edits.SecretTuple"),
             QStringLiteral("no table of test_edits can be edited here: its tupleSelector names test_edits.SecretTuple")},
            {"no changes", {}, admin, {}, QStringLiteral("has no changes")},
            {"too many changes", tooMany, admin, {}, QStringLiteral("at most 1000 go in one action")},
            {"a change that is not {old, new}", {Value(QStringLiteral("add everything"))}, admin, {},
             QStringLiteral("expected {old, new}, got str")},
            {"old of the wrong type", {Dict {{QStringLiteral("old"), 7}, {QStringLiteral("new"), Value()}}}, admin, {},
             QStringLiteral("old and new must each be the row's fields or null")},
            {"neither old nor new", {change(Value(), Value())}, admin, {}, QStringLiteral("neither old nor new")},
            {"a field that is not a column", {change(Value(), Dict {{QStringLiteral("name"), QStringLiteral("x")}, {QStringLiteral("secret"), 1}})},
             admin, {}, QStringLiteral("has no editable field 'secret'")},
            {"a read-only field", {change(bolt, Dict {{QStringLiteral("changedBy"), QStringLiteral("mallory")}})}, admin, {},
             QStringLiteral("changedBy of test_edits.ItemTuple is not editable")},
            {"a mistyped value", {change(bolt, Dict {{QStringLiteral("qty"), QStringLiteral("many")}})}, admin, {},
             QStringLiteral("test_edits.ItemTuple.qty cannot hold a value of type str")},
            {"a deeply nested value", {change(bolt, Dict {{QStringLiteral("name"), nested}})}, admin, {},
             QStringLiteral("test_edits.ItemTuple.name cannot hold a value of type list")},
            {"a row changed meanwhile", {change(row(1, QStringLiteral("bolt"), 2), Dict {{QStringLiteral("qty"), 9}})}, admin, {},
             QStringLiteral("row 1 of test_edits.ItemTuple was changed meanwhile (qty is now \"3\"): reload and edit it again")},
            {"a row that is not there", {change(row(42, QStringLiteral("x"), 0), Value())}, admin, {},
             QStringLiteral("test_edits.ItemTuple has no row 42")},
            {"old without the key", {change(Dict {{QStringLiteral("name"), QStringLiteral("bolt")}}, Value())}, admin, {},
             QStringLiteral("old does not say which row (its id)")},
            {"a key changed", {change(bolt, Dict {{QStringLiteral("id"), 7}})}, admin, {}, QStringLiteral("a row's id cannot be changed")},
            {"a key already taken", {change(Value(), Dict {{QStringLiteral("id"), 1}, {QStringLiteral("name"), QStringLiteral("y")}})}, admin, {},
             QStringLiteral("test_edits.ItemTuple already has a row 1")},
            {"the plugin's check", {change(bolt, Dict {{QStringLiteral("name"), QStringLiteral("  ")}})}, admin, {},
             QStringLiteral("an item needs a name")},
            {"a good change, then a bad one: neither", {change(bolt, Dict {{QStringLiteral("qty"), 4}}), change(Value(), Dict {})}, admin, {},
             QStringLiteral("change 2 of 2: an item needs a name")},
        };
        for (const auto &c : cases) {
            const PayloadEnvelope answer
                = edit(c.changes, c.caller, c.type.isEmpty() ? QString::fromLatin1(ItemTuple::kTupleType) : c.type);
            QVERIFY2(!answer.isSuccess(), c.what);
            QVERIFY2(answer.errorText().contains(c.expected), qPrintable(QStringLiteral("%1: %2").arg(QLatin1String(c.what), answer.errorText())));
            QCOMPARE(rows(), before);
        }
        // Still serving.
        const PayloadEnvelope good = edit({change(bolt, Dict {{QStringLiteral("qty"), 4}})});
        QVERIFY2(good.isSuccess(), qPrintable(good.errorText()));
        QCOMPARE(rows(), (QStringList {QStringLiteral("1 bolt 4 root")}));
    }

    // A table declared wrongly is the plugin author's mistake, told at start.
    void aWrongDeclarationIsRefusedAtOnce()
    {
        Vortex logic(QStringLiteral("peek-logic-service"));
        TupleActionProcessor processor(&logic, kPlugin, kPlugin);
        const auto refused = [&processor](TableEdits edits, const char *expected) {
            try {
                acceptTableEdits(processor, {std::move(edits)});
            } catch (const std::invalid_argument &e) {
                return QString::fromUtf8(e.what()).contains(QLatin1String(expected));
            }
            return false;
        };
        TableEdits good;
        good.tupleType = QString::fromLatin1(ItemTuple::kTupleType);
        good.table = QStringLiteral("pl_x.\"Item\"");
        good.columns = {{QStringLiteral("id"), QStringLiteral("id")}, {QStringLiteral("name"), QStringLiteral("name")}};
        TableEdits unknown = good;
        unknown.tupleType = QStringLiteral("test_edits.NoSuchTuple");
        QVERIFY(refused(unknown, "no such tuple type is registered"));
        TableEdits noKey = good;
        noKey.key = QStringLiteral("name2");
        QVERIFY(refused(noKey, "the key name2 is not among the columns"));
        TableEdits injected = good;
        injected.columns.push_back({QStringLiteral("qty"), QStringLiteral("qty\"; DROP TABLE x; --")});
        QVERIFY(refused(injected, "is not a field of the tuple and a plain column name"));
        TableEdits notAField = good;
        notAField.columns.push_back({QStringLiteral("colour"), QStringLiteral("colour")});
        QVERIFY(refused(notAField, "colour -> colour"));
    }
};

QTEST_GUILESS_MAIN(TestTableEdits)
#include "tst_tableedits.moc"
