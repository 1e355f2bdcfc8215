// peek_plugin_tutorial: the original Peek plugin tutorial as a native plugin.
//   logic:        the StringInt table (migrations/), settings, the observable of StringIntTuple,
//                 the action processor (toggle capitals, add to an int), RPC addInts and
//                 addStringInt for the agent, a call of the agent's subInts, the published API
//   field/office: proxies of the observable and the actions for the apps, the QML views over HTTP
//   agent:        serves subInts for logic and calls addInts / addStringInt once linked to logic
#include "api/tutorialapi.h"
#include "inboxapi.h" // the inbox's published API: a row's last editor hears of changes

#include "tutorialrpc.h"
#include "tutorialtasks.h"
#include "tutorialtuples.h"

#include "peek/action.h"
#include "peek/observable.h"
#include "peek/plugin.h"
#include "peek/rpc.h"
#include "peek/storage.h"

#include <QHash>
#include <QMutex>
#include <QRandomGenerator>
#include <QSqlQuery>

namespace tutorial {
namespace {

const QString kStringIntType = QString::fromLatin1(StringIntTuple::kTupleType);

Q_LOGGING_CATEGORY(lcTutorialStore, "peek.logic.peek_plugin_tutorial.store")

// Text for a NOT NULL column (Qt binds a null QString as NULL).
QString nonNull(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

// A change to a row, for its editor before it: who changed it, and what it is now.
struct ChangeNotice
{
    qint64 id = 0;
    QString string1;
    QString previousEditor; // who changed the row before (empty: nobody from a device)
    QString editor;         // who changed it now
    QString device;
};

// Notices made inside an action's transaction (a database thread), taken once it committed (the
// event loop), by the action's uuid.
class ChangeNotices
{
public:
    void put(const QString &uuid, ChangeNotice notice)
    {
        QMutexLocker lock(&m_mutex);
        m_notices.insert(uuid, std::move(notice));
    }
    std::optional<ChangeNotice> take(const QString &uuid)
    {
        QMutexLocker lock(&m_mutex);
        auto it = m_notices.find(uuid);
        if (it == m_notices.end())
            return std::nullopt;
        ChangeNotice notice = std::move(*it);
        m_notices.erase(it);
        return notice;
    }

private:
    QMutex m_mutex;
    QHash<QString, ChangeNotice> m_notices;
};

// Tells the row's previous editor, through the inbox (when it runs), that someone else changed
// it: one task per row and editor, replaced by the next change, gone once completed.
void tellPreviousEditor(peek::PluginContext &ctx, const ChangeNotice &notice)
{
    if (notice.previousEditor.isEmpty() || notice.previousEditor == notice.editor)
        return;
    auto *inbox = ctx.otherPluginApi<inbox::InboxApi>(QStringLiteral("peek_plugin_inbox"));
    if (!inbox)
        return;
    inbox::NewTask task;
    task.pluginName = ctx.pluginName();
    task.uniqueId = QStringLiteral("StringInt-%1-for-%2").arg(notice.id).arg(notice.previousEditor);
    task.userName = notice.previousEditor;
    const QString editor = notice.editor.isEmpty() ? QStringLiteral("An operator") : notice.editor;
    task.title = QStringLiteral("%1 changed \"%2\"").arg(editor, notice.string1);
    task.description = QStringLiteral("Row %1 of the tutorial, which you changed last, was changed by %2%3.")
                           .arg(notice.id)
                           .arg(notice.editor.isEmpty() ? QStringLiteral("an operator") : notice.editor,
                                notice.device.isEmpty() ? QString() : QStringLiteral(" on ") + notice.device);
    task.routePath = ctx.pluginName();
    task.notify = inbox::Banner | inbox::Sound;
    task.autoDelete = inbox::Completed;
    const QLoggingCategory &log = ctx.log();
    peek::onFinished(&ctx, inbox->addTask(task), [&log, task](const QFuture<qint64> &added) {
        try {
            if (peek::hasResult(added))
                qCInfo(log).noquote() << "told" << task.userName << "of the change to StringInt" << task.uniqueId;
        } catch (const std::exception &e) {
            qCWarning(log).noquote() << "the inbox refused the task for" << task.userName << ":" << e.what();
        }
    });
}

// A storage failure: the whole story to the log, what a peer may read to the error answer.
[[noreturn]] void failWith(const peek::Error &error)
{
    qCWarning(lcTutorialStore).noquote() << error.message();
    throw std::runtime_error(error.peerMessage().toStdString());
}

// The StringInt table. Reads run on the observable's worker threads, writes on the database's
// pool; observers are told on the event loop once a write is stored.
class StringIntStore
{
public:
    explicit StringIntStore(peek::PluginContext &ctx)
        : m_ctx(ctx), m_db(ctx.database()), m_schema(ctx.schema()), m_observable(ctx.observable())
    {
    }

    std::vector<peek::TuplePtr> load() const
    {
        auto rows = m_db.runSync(QStringList {m_schema}, [this](QSqlDatabase &db) {
            return peek::PluginSql(db, m_schema)
                .tuples<StringIntTuple>(QStringLiteral("SELECT id, string1, int1, changed_by, changed_on FROM {schema}.\"StringInt\" "
                                                       "ORDER BY id"));
        });
        if (!rows)
            failWith(rows.error());
        return std::move(rows).value();
    }

    // Inserts (string1, int1), or sets int1 where string1 is already stored; the row's id. In a
    // transaction on the pool; observers are told on the event loop once it is stored, while the
    // plugin runs (a stopped plugin's writes still complete in the database; nobody is left to tell).
    QFuture<qint64> upsert(const QString &string1, qint64 int1)
    {
        return peek::write<StringIntTuple>(m_ctx, [string1, int1](peek::PluginSql &sql) -> peek::Result<qint64> {
            auto existing = sql.exec(QStringLiteral("SELECT id FROM {schema}.\"StringInt\" WHERE string1 = ?"), {string1});
            if (!existing)
                return existing.error();
            if (existing.value().next()) {
                const qint64 id = existing.value().value(0).toLongLong();
                auto updated = sql.exec(QStringLiteral("UPDATE {schema}.\"StringInt\" SET int1 = ? WHERE id = ?"), {int1, id});
                if (!updated)
                    return updated.error();
                return id;
            }
            auto next = sql.nextId(QStringLiteral("StringInt"));
            if (!next)
                return next.error();
            const qint64 id = next.value();
            auto inserted = sql.exec(QStringLiteral("INSERT INTO {schema}.\"StringInt\" (id, string1, int1) VALUES (?, ?, ?)"),
                                     {id, string1, int1});
            if (!inserted)
                return inserted.error();
            return id;
        });
    }

    // The actions' changes, run inside the transaction the action processor opened (which also
    // records the action as applied: exactly once). Errors refuse the action.
    // Both return the notice for the row's previous editor.
    static peek::Result<ChangeNotice> toggleCaps(QSqlDatabase &db, const QString &schema, qint64 id)
    {
        auto before = rowBefore(db, schema, id);
        if (!before)
            return before;
        const QString current = before.value().string1;
        const QString toggled = current == current.toUpper() ? current.toLower() : current.toUpper();
        auto updated = peek::sql::exec(db, QStringLiteral("UPDATE %1.\"StringInt\" SET string1 = ?, changed_by = ?, changed_on = ? "
                                                          "WHERE id = ?").arg(schema),
                                       {toggled, nonNull(before.value().editor), nonNull(before.value().device), id});
        if (!updated)
            return updated.error();
        before.value().string1 = toggled;
        return before;
    }

    static peek::Result<ChangeNotice> addToInt(QSqlDatabase &db, const QString &schema, qint64 id, qint64 offset)
    {
        auto before = rowBefore(db, schema, id);
        if (!before)
            return before;
        auto updated = peek::sql::exec(db, QStringLiteral("UPDATE %1.\"StringInt\" SET int1 = int1 + ?, changed_by = ?, changed_on = ? "
                                                          "WHERE id = ?").arg(schema),
                                       {offset, nonNull(before.value().editor), nonNull(before.value().device), id});
        if (!updated)
            return updated.error();
        return before;
    }

    // The row as it is before a change, and who makes the change: the caller the field or
    // office service vouched for (the platform's caller of this action).
    static peek::Result<ChangeNotice> rowBefore(QSqlDatabase &db, const QString &schema, qint64 id)
    {
        auto row = peek::sql::exec(db, QStringLiteral("SELECT string1, changed_by FROM %1.\"StringInt\" WHERE id = ?").arg(schema), {id});
        if (!row)
            return row.error();
        if (!row.value().next())
            return peek::Error {QStringLiteral("There is no StringInt row with id %1").arg(id)};
        const peek::PeerIdentity &caller = peek::currentCaller();
        return ChangeNotice {id, row.value().value(0).toString(), row.value().value(1).toString(), caller.userName, caller.deviceName};
    }

    // Tells the observers that the rows changed (after a commit, on the event loop).
    void notifyChanged() { m_observable.notifyOfTupleUpdateForTuple(kStringIntType); }

    QFuture<qint64> count()
    {
        return m_db.run(QStringList {m_schema}, [schema = m_schema](QSqlDatabase &db) {
                   return peek::sql::scalar(db, QStringLiteral("SELECT COUNT(*) FROM %1.\"StringInt\"").arg(schema));
               })
            .then([](const peek::Result<QVariant> &r) {
                if (!r)
                    failWith(r.error());
                return r.value().toLongLong();
            });
    }

private:
    peek::PluginContext &m_ctx;
    peek::Database &m_db;
    QString m_schema;
    peek::TupleDataObservableHandler &m_observable;
};

// What the tutorial publishes to other plugins on logic.
class TutorialLogicApi final : public QObject, public TutorialApi
{
    Q_OBJECT
    Q_INTERFACES(tutorial::TutorialApi)
public:
    TutorialLogicApi(StringIntStore *store, peek::PluginContext &ctx) : m_store(store), m_ctx(ctx) { }
    QFuture<qint64> addStringInt(const QString &string1, qint64 int1) override { return m_store->upsert(string1, int1); }
    QFuture<qint64> stringIntCount() override { return m_store->count(); }
    QFuture<qint64> pickRandomNumber(qint64 max) override
    {
        return peek::thenOn(this, m_ctx.queueTask(tasks::pickRandomNumber(), {max}).result,
                            [](const peek::Value &number) { return number.toInt(); });
    }
    QFuture<qint64> countPrimes(qint64 below) override
    {
        return peek::thenOn(this, m_ctx.queueTask(tasks::countPrimes(), {below}).result,
                            [](const peek::Value &count) { return count.toInt(); });
    }

private:
    StringIntStore *m_store;
    peek::PluginContext &m_ctx;
};

class LogicHook final : public peek::PluginRoleHook
{
public:
    void load(peek::PluginContext &ctx) override
    {
        ctx.declareSettings({
            {QStringLiteral("greeting"), peek::SettingType::String, QStringLiteral("Hello from the Peek tutorial"),
             QStringLiteral("The text the tutorial's views greet their users with")},
            {QStringLiteral("subIntsOnAgentLink"), peek::SettingType::Bool, true,
             QStringLiteral("Call the agent's subInts whenever an agent links to logic")},
        });
    }

    void start(peek::PluginContext &ctx) override
    {
        // Per-user data: the caller's own answer (its field and office proxies are per caller).
        ctx.observable(QStringLiteral("tutorialWhoAmI"))
            .addTupleProvider(QString::fromLatin1(WhoAmITuple::kTupleType), [](const peek::Dict &, const peek::TupleSelector &) {
                const peek::PeerIdentity &caller = peek::currentCaller();
                auto me = std::make_shared<WhoAmITuple>();
                me->userName = caller.userName;
                me->deviceName = caller.deviceName;
                for (const QString &role : caller.userRoles)
                    me->roles.push_back(peek::Value(role));
                return peek::ProvidedTuples {{me}, {}};
            });
        auto &observable = ctx.observable();
        m_store = std::make_unique<StringIntStore>(ctx);
        StringIntStore *store = m_store.get();
        observable.addTupleProvider(kStringIntType, [store](const peek::Dict &, const peek::TupleSelector &) {
            return peek::ProvidedTuples {store->load(), {}};
        });

        // Each action is applied exactly once, even across a crash: its change and the record
        // that it was applied are committed together by the platform. The delegates receive
        // only tuples of their declared type (the platform checks every field).
        auto &actions = ctx.actionProcessor();
        QObject *context = &ctx;
        const QString schema = ctx.schema();
        auto notices = std::make_shared<ChangeNotices>();
        auto changed = [store, notices, plugin = &ctx](const auto &action) {
            store->notifyChanged();
            if (auto notice = notices->take(action.uuid))
                tellPreviousEditor(*plugin, *notice);
        };
        actions.applyInTransaction<StringCapToggleActionTuple>(
            [schema, notices](QSqlDatabase &db, const StringCapToggleActionTuple &toggle) -> peek::Result<std::vector<peek::TuplePtr>> {
                auto done = StringIntStore::toggleCaps(db, schema, toggle.stringIntId);
                if (!done)
                    return done.error();
                notices->put(toggle.uuid, std::move(done).value());
                return std::vector<peek::TuplePtr> {};
            },
            changed);
        actions.applyInTransaction<AddIntValueActionTuple>(
            [schema, notices](QSqlDatabase &db, const AddIntValueActionTuple &add) -> peek::Result<std::vector<peek::TuplePtr>> {
                auto done = StringIntStore::addToInt(db, schema, add.stringIntId, add.offset);
                if (!done)
                    return done.error();
                notices->put(add.uuid, std::move(done).value());
                return std::vector<peek::TuplePtr> {};
            },
            changed);

        // The admin view's table editor: admins add, change and delete StringInt rows (the
        // platform applies the edits; the check keeps string1 filled and unique and says who
        // changed the row, as the actions do).
        peek::TableEdits stringInts;
        stringInts.tupleType = kStringIntType;
        stringInts.table = schema + QStringLiteral(".\"StringInt\"");
        stringInts.columns = {{QStringLiteral("id"), QStringLiteral("id")},
                              {QStringLiteral("string1"), QStringLiteral("string1")},
                              {QStringLiteral("int1"), QStringLiteral("int1")},
                              {QStringLiteral("changedBy"), QStringLiteral("changed_by")},
                              {QStringLiteral("changedOn"), QStringLiteral("changed_on")}};
        stringInts.readOnly = {QStringLiteral("changedBy"), QStringLiteral("changedOn")};
        stringInts.check = [schema](QSqlDatabase &db, peek::Tuple &row, const peek::Tuple *) -> peek::Result<void> {
            auto &stringInt = dynamic_cast<StringIntTuple &>(row);
            stringInt.string1 = stringInt.string1.trimmed();
            if (stringInt.string1.isEmpty() || stringInt.string1.size() > 200)
                return peek::Error {QStringLiteral("string1 must be 1 to 200 characters")};
            auto same = peek::sql::exec(db, QStringLiteral("SELECT id FROM %1.\"StringInt\" WHERE string1 = ? AND id <> ?").arg(schema),
                                        {stringInt.string1, stringInt.id});
            if (!same)
                return same.error();
            if (same.value().next())
                return peek::Error {QStringLiteral("row %1 already has the string \"%2\"").arg(same.value().value(0).toLongLong()).arg(stringInt.string1)};
            const peek::PeerIdentity &caller = peek::currentCaller();
            stringInt.changedBy = nonNull(caller.userName);
            stringInt.changedOn = nonNull(caller.deviceName);
            return {};
        };
        ctx.acceptTableEdits({stringInts});

        ctx.listen(rpc::addInts(), [](const peek::ValueList &args, const peek::Dict &) {
            if (args.size() != 2)
                throw std::invalid_argument("addInts takes two ints");
            return peek::Value(peek::rpcArgument<qint64>(args, 0, "a") + peek::rpcArgument<qint64>(args, 1, "b"));
        });
        ctx.listenAsync(rpc::addStringInt(), [store](const peek::ValueList &args, const peek::Dict &) {
            if (args.size() != 2)
                throw std::invalid_argument("addStringInt takes a string and an int");
            const QString string1 = peek::rpcArgument<QString>(args, 0, "string1");
            const qint64 int1 = peek::rpcArgument<qint64>(args, 1, "int1");
            return store->upsert(string1, int1).then([](qint64 id) { return peek::Value(id); });
        });

        // Logic -> agent: whenever an agent links up, ask it for 10 - 3 and store the answer.
        peek::Vortex *vortex = ctx.vortex();
        const QLoggingCategory &log = ctx.log();
        peek::Settings *settings = &ctx.settings();
        auto askAgent = [vortex, store, context, settings, &log](const peek::PeerInfo &peer) {
            if (peer.vortexName != peek::Role(peek::Role::Agent).vortexName() || !settings->boolValue(QStringLiteral("subIntsOnAgentLink")))
                return;
            peek::onFinished(context, rpc::subInts().call(vortex, {10, 3}), [store, &log](const QFuture<peek::Value> &answered) {
                try {
                    if (!peek::hasResult(answered))
                        return; // the call was cancelled: logic is shutting down
                    const qint64 difference = answered.result().toInt();
                    qCInfo(log) << "the agent's subInts(10, 3) answered" << difference;
                    store->upsert(QStringLiteral("logic called the agent's subInts(10, 3)"), difference);
                } catch (const std::exception &e) {
                    qCWarning(log) << "the agent's subInts failed:" << e.what();
                }
            });
        };
        auto connection = QObject::connect(vortex, &peek::Vortex::peerConnected, context, askAgent);
        ctx.onStop([connection] { QObject::disconnect(connection); });
        for (const peek::PeerInfo &peer : vortex->peers()) // agents linked before the plugin started
            askAgent(peer);

        ctx.publishApi(new TutorialLogicApi(store, ctx));
        qCInfo(ctx.log()).noquote() << "tutorial ready:" << ctx.settings().stringValue(QStringLiteral("greeting"));
    }

    void unload(peek::PluginContext &) override { m_store.reset(); }

private:
    std::unique_ptr<StringIntStore> m_store;
};

// Field and office: the apps reach logic's observable and actions through these proxies.
class ProxyHook final : public peek::PluginRoleHook
{
public:
    void start(peek::PluginContext &ctx) override
    {
        ctx.proxyObservable();
        ctx.proxyObservable(QStringLiteral("tutorialWhoAmI")).setPerCaller(true);
        ctx.proxyActions();
        ctx.addHttpDirectory(QStringLiteral("qml"), QStringLiteral("qml"));
        ctx.addHttpDirectory(QStringLiteral("icons"), QStringLiteral("icons"));
    }
};

class AgentHook final : public peek::PluginRoleHook
{
public:
    void start(peek::PluginContext &ctx) override
    {
        ctx.listen(rpc::subInts(), [](const peek::ValueList &args, const peek::Dict &) {
            if (args.size() != 2)
                throw std::invalid_argument("subInts takes two ints");
            return peek::Value(peek::rpcArgument<qint64>(args, 0, "a") - peek::rpcArgument<qint64>(args, 1, "b"));
        });
        peek::Vortex *vortex = ctx.vortex();
        QObject *context = &ctx;
        const QLoggingCategory &log = ctx.log();
        auto callLogic = [vortex, context, &log] {
            auto stored = peek::thenOn(context, rpc::addInts().call(vortex, {1, 2}), [vortex, &log](const peek::Value &sum) {
                qCInfo(log) << "logic's addInts(1, 2) answered" << sum.toInt();
                return rpc::addStringInt().call(vortex, {QStringLiteral("agent called logic's addInts(1, 2)"), sum});
            }).unwrap();
            peek::onFinished(context, stored, [&log](const QFuture<peek::Value> &done) {
                try {
                    if (peek::hasResult(done))
                        qCInfo(log) << "logic stored the agent's row as StringInt" << done.result().toInt();
                } catch (const std::exception &e) {
                    qCWarning(log) << "calling logic failed:" << e.what();
                }
            });
        };
        auto connection = QObject::connect(vortex, &peek::Vortex::peerConnected, context, [callLogic](const peek::PeerInfo &peer) {
            if (peer.vortexName == peek::Role(peek::Role::Logic).vortexName())
                callLogic();
        });
        ctx.onStop([connection] { QObject::disconnect(connection); });
        if (vortex->isConnectedTo(peek::Role(peek::Role::Logic).vortexName()))
            callLogic();
    }
};

// Worker: the tasks logic queues. Handlers run on the worker's threads, several at once.
class WorkerHook final : public peek::PluginRoleHook
{
public:
    void start(peek::PluginContext &ctx) override
    {
        ctx.addTask(tasks::pickRandomNumber(), [](const peek::TaskCall &call) {
            const qint64 max = call.args.empty() ? 100 : peek::rpcArgument<qint64>(call.args, 0, "max");
            if (max <= 0)
                throw std::invalid_argument("pickRandomNumber takes a positive maximum");
            return peek::Value(qint64(QRandomGenerator::global()->bounded(max)));
        });
        ctx.addTask(tasks::countPrimes(), [](const peek::TaskCall &call) {
            const qint64 below = call.args.size() == 1 ? peek::rpcArgument<qint64>(call.args, 0, "below") : -1;
            if (below < 0 || below > 2'000'000'000)
                throw std::invalid_argument("countPrimes takes one number from 0 to 2,000,000,000");
            std::vector<bool> composite(size_t(std::max<qint64>(below, 2)), false);
            qint64 count = 0;
            for (qint64 n = 2; n < below; ++n) {
                if (composite[size_t(n)])
                    continue;
                ++count;
                for (qint64 m = n * n; m < below; m += n)
                    composite[size_t(m)] = true;
                if ((n & 0xffff) == 0 && call.cancelled())
                    throw std::runtime_error("countPrimes was cancelled");
            }
            return peek::Value(count);
        });
    }
};

} // namespace

class TutorialPlugin final : public QObject, public peek::PeekPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID PeekPlugin_iid FILE "plugin.json")
    Q_INTERFACES(peek::PeekPlugin)
public:
    std::unique_ptr<peek::PluginRoleHook> createHook(peek::Role role) override
    {
        if (role == peek::Role::Logic)
            return std::make_unique<LogicHook>();
        if (role == peek::Role::Field || role == peek::Role::Office)
            return std::make_unique<ProxyHook>();
        if (role == peek::Role::Agent)
            return std::make_unique<AgentHook>();
        if (role == peek::Role::Worker)
            return std::make_unique<WorkerHook>();
        return nullptr;
    }
};

} // namespace tutorial

#include "tutorialplugin.moc"
