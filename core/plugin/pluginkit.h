#pragma once
// The plugin kit: what most plugins write again and again, written once (docs/plugins.md "The
// short way"). A plugin with a table, an observable of its rows and an action needs:
//
//   struct NoteTuple : peek::TypedTuple<NoteTuple> {
//       PEEK_PLUGIN_TUPLE(NoteTuple, id, text, done)          // "peek_plugin_notes.NoteTuple"
//       qint64 id = 0; QString text; bool done = false;
//   };
//   struct ToggleNoteAction : peek::TypedTuple<ToggleNoteAction> {
//       PEEK_PLUGIN_ACTION(ToggleNoteAction, noteId)          // + uuid, dateTime
//       qint64 noteId = 0;
//   };
//   class NotesLogic final : public peek::LogicHook {
//       void start(peek::PluginContext &ctx) override {
//           peek::provideTuples<NoteTuple>(ctx, "SELECT id, text, done FROM {schema}.\"Note\"");
//           peek::onAction<ToggleNoteAction, NoteTuple>(ctx, [](peek::PluginSql &sql, const ToggleNoteAction &a) {
//               return sql.changeOne("UPDATE {schema}.\"Note\" SET done = NOT done WHERE id = ?", {a.noteId});
//           });
//       }
//   };
//   PEEK_PLUGIN(NotesPlugin, NotesLogic)   // field and office proxy logic by default
//   #include "notesplugin.moc"
//
// `{schema}` in a plugin's SQL (its migrations too) stands for the plugin's schema.
#include "action/tupleactionprocessor.h"
#include "base/export.h"
#include "base/result.h"
#include "base/role.h"
#include "observable/tupledataobservablehandler.h"
#include "plugin/peekplugin.h"
#include "plugin/plugincontext.h"
#include "storage/database.h"
#include "storage/sql.h"
#include "tuple/datetime.h"
#include "tuple/tuple.h"
#include "tuple/tupleselector.h"
#include "vortex/caller.h"
#include "vortex/futurecontext.h"

#include <QFuture>
#include <QObject>
#include <QStringList>
#include <QVariantList>

#include <array>
#include <type_traits>
#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace peek {

// ---- hooks that say their roles, for PEEK_PLUGIN ----

template <Role::Id... Roles>
class HookOn : public PluginRoleHook
{
public:
    static constexpr std::array<Role::Id, sizeof...(Roles)> kRoles {Roles...};
};
using LogicHook = HookOn<Role::Logic>;
using FieldHook = HookOn<Role::Field>;
using OfficeHook = HookOn<Role::Office>;
using AppHook = HookOn<Role::Field, Role::Office>; // both app-facing roles
using AgentHook = HookOn<Role::Agent>;
using WorkerHook = HookOn<Role::Worker>;

// What field and office run for a plugin that gives them no hook of its own: the apps reach
// logic's default observable and action processor through proxies, and the plugin's qml/ and
// icons/ folders (when it has them) are served under /<plugin>/qml and /<plugin>/icons.
class PEEK_API AppProxyHook : public PluginRoleHook
{
public:
    // perCaller: the default observable's answers are each caller's own (device and user: the
    // provider reads peek::currentCaller()), so the proxy keeps them apart.
    explicit AppProxyHook(bool perCaller = false) : m_perCaller(perCaller) { }
    void start(PluginContext &context) override;

private:
    bool m_perCaller;
};

// For PEEK_PLUGIN: field and office proxies like the default, for an observable that answers
// each user with their own data (an inbox, "my jobs").
class PEEK_API PerCallerAppHook : public HookOn<Role::Field, Role::Office>
{
public:
    void start(PluginContext &context) override { AppProxyHook(true).start(context); }
};

// The base PEEK_PLUGIN's class derives from: one hook per role, from the hook types it names.
class PEEK_API Plugin : public QObject, public PeekPlugin
{
    Q_OBJECT
    Q_INTERFACES(peek::PeekPlugin)
public:
    std::unique_ptr<PluginRoleHook> createHook(Role role) override;

protected:
    template <typename... Hooks>
    void addHooks()
    {
        (addHook<Hooks>(), ...);
    }
    template <typename Hook>
    void addHook()
    {
        for (Role::Id role : Hook::kRoles)
            m_hooks[role] = [] { return std::unique_ptr<PluginRoleHook>(new Hook); };
    }

private:
    std::map<Role::Id, std::function<std::unique_ptr<PluginRoleHook>()>> m_hooks;
};

// ---- SQL on the plugin's schema ----

// One connection's work with `{schema}` replaced by the plugin's schema in every statement, and
// a null QString bound as '' (a plugin's empty text; QVariant() binds NULL).
class PEEK_API PluginSql
{
public:
    PluginSql(QSqlDatabase &db, QString schema) : m_db(db), m_schema(std::move(schema)) { }

    QSqlDatabase &db() const { return m_db; }
    const QString &schema() const { return m_schema; }
    QString statement(const QString &text) const;

    Result<QSqlQuery> exec(const QString &statement, const QVariantList &bindValues = {}) const;
    Result<QVariant> scalar(const QString &statement, const QVariantList &bindValues = {}) const;
    // A statement that must change exactly one row (UPDATE/DELETE ... WHERE id = ?): none
    // changed is an error saying so (`what` names the row for it: "note 7").
    Result<void> changeOne(const QString &statement, const QVariantList &bindValues = {}, const QString &what = {}) const;
    // The id a new row of `table` (of the plugin's schema, e.g. "Item") takes: one more than the
    // largest `column`, 1 for an empty table. Inside a write (onAction, write) it is the
    // transaction's own: on SQLite no other write runs meanwhile; on PostgreSQL a concurrent
    // insert of the same id fails on the key and that write is refused, not merged.
    Result<qint64> nextId(const QString &table, const QString &column = QStringLiteral("id")) const;
    // The rows of a query as tuples of T: each column sets the field of its name, or of its name
    // in camelCase (changed_by -> changedBy). A column no field takes is an error.
    template <typename T>
    Result<std::vector<TuplePtr>> tuples(const QString &statement, const QVariantList &bindValues = {}) const
    {
        return tuplesOf([] { return TuplePtr(std::make_shared<T>()); }, statement, bindValues);
    }
    Result<std::vector<TuplePtr>> tuplesOf(const std::function<TuplePtr()> &make, const QString &statement,
                                           const QVariantList &bindValues = {}) const;

private:
    QSqlDatabase &m_db;
    QString m_schema;
};

// ---- observables, actions, writes ----

namespace detail {
PEEK_API void provideTuplesOf(PluginContext &context, const QString &tupleType, std::function<TuplePtr()> make,
                              QString statement, std::function<QVariantList(const TupleSelector &)> bindValues);
PEEK_API void notifyChanged(PluginContext &context, const QStringList &tupleTypes);
// An error of the plugin's database work: logged in full, thrown with what a peer may read.
[[noreturn]] PEEK_API void failWith(PluginContext &context, const Error &error);
} // namespace detail

// The default observable serves tuples of T from this query (run on the observable's worker
// threads, so it may take its time).
template <typename T>
void provideTuples(PluginContext &context, QString statement, QVariantList bindValues = {})
{
    detail::provideTuplesOf(context, QString::fromUtf8(T::kTupleType), [] { return TuplePtr(std::make_shared<T>()); },
                            std::move(statement), [bindValues](const TupleSelector &) { return bindValues; });
}

// The same with bind values made for each request from its selector and the caller
// (peek::currentCaller(), on the provider's thread): "... WHERE user_name = ?" with
// [](const peek::TupleSelector &) { return QVariantList {peek::currentCaller().userName}; }.
template <typename T>
void provideTuples(PluginContext &context, QString statement, std::function<QVariantList(const TupleSelector &)> bindValues)
{
    detail::provideTuplesOf(context, QString::fromUtf8(T::kTupleType), [] { return TuplePtr(std::make_shared<T>()); },
                            std::move(statement), std::move(bindValues));
}

// The tuple type names of Tuples (NoteTuple -> "peek_plugin_notes.NoteTuple").
template <typename... Tuples>
QStringList tupleTypes()
{
    return QStringList {QString::fromUtf8(Tuples::kTupleType)...};
}

// The default action processor applies actions of ActionT with `apply`, a
// Result<void>(peek::PluginSql &, const ActionT &), in a transaction that also records the action
// as applied (exactly once, docs/plugins.md "Actions"); an error refuses the action and rolls
// back. After the commit the default observable is told the Changed tuples changed, `after` runs
// (on the event loop, peek::currentCaller() still the action's sender: tell another plugin), then
// the device gets its answer:
//   peek::onAction<ToggleNoteAction, NoteTuple>(ctx, [](peek::PluginSql &sql, const ToggleNoteAction &a) { ... });
template <typename ActionT, typename... Changed, typename Apply>
void onAction(PluginContext &context, Apply apply, std::function<void(const ActionT &)> after = {})
{
    const QString schema = context.schema();
    PluginContext *ctx = &context;
    context.actionProcessor().applyInTransaction<ActionT>(
        [apply = std::move(apply), schema](QSqlDatabase &db, const ActionT &action) -> Result<std::vector<TuplePtr>> {
            PluginSql sql(db, schema);
            if (Result<void> done = apply(sql, action); !done)
                return done.error();
            return std::vector<TuplePtr> {};
        },
        [ctx, after = std::move(after)](const ActionT &action) {
            detail::notifyChanged(*ctx, tupleTypes<Changed...>());
            if (after)
                after(action);
        });
}

// Runs `work`, a Result<R>(peek::PluginSql &) with R not void, in a transaction on the database's
// pool; after the commit, on the event loop and while the plugin runs, the default observable is
// told the Changed tuples changed. The future has the work's value; an error is logged and fails
// the future with what a peer may read:
//   QFuture<qint64> id = peek::write<NoteTuple>(ctx, [text](peek::PluginSql &sql) { ... });
template <typename... Changed, typename Work>
auto write(PluginContext &context, Work work) -> QFuture<typename std::invoke_result_t<Work &, PluginSql &>::ValueType>
{
    using R = typename std::invoke_result_t<Work &, PluginSql &>::ValueType;
    static_assert(!std::is_void_v<R>, "peek::write needs work that returns a value (Result<bool>, say)");
    const QString schema = context.schema();
    auto written = context.database().run(QStringList {schema}, [work = std::move(work), schema](QSqlDatabase &db) -> Result<R> {
        sql::Transaction transaction(db);
        if (auto begun = transaction.begin(); !begun)
            return begun.error();
        PluginSql sql(db, schema);
        Result<R> result = work(sql);
        if (!result)
            return result;
        if (auto committed = transaction.commit(); !committed)
            return committed.error();
        return result;
    });
    PluginContext *ctx = &context;
    return thenOn(ctx, written, [ctx](const Result<R> &result) {
        if (!result)
            detail::failWith(*ctx, result.error());
        detail::notifyChanged(*ctx, tupleTypes<Changed...>());
        return result.value();
    });
}

} // namespace peek

// ---- declarations ----

// The tuple type name "<plugin>.<Class>": peek_add_plugin defines PEEK_PLUGIN_NAME as the
// plugin's name, so the name is written once (plugin.json) for the whole plugin.
#define PEEK_PLUGIN_TUPLE(Class, ...) PEEK_TUPLE(Class, PEEK_PLUGIN_NAME "." #Class, __VA_ARGS__)

// An action tuple: PEEK_PLUGIN_TUPLE plus the two fields every action carries, `uuid` (the
// platform fills it; it makes the action apply once) and `dateTime` (when it was made).
#define PEEK_PLUGIN_ACTION(Class, ...)                                                             \
    PEEK_TUPLE(Class, PEEK_PLUGIN_NAME "." #Class, __VA_ARGS__ __VA_OPT__(,) uuid, dateTime)        \
    QString uuid;                                                                                  \
    ::peek::DateTime dateTime;

// The plugin's entry point, from its hooks (each a peek::LogicHook, AppHook, AgentHook, ... that
// says its roles). Field and office default to peek::AppProxyHook. Write it in one .cpp file,
// which then ends with #include "<file>.moc" (peek_add_plugin runs moc on it).
#define PEEK_PLUGIN(Class, ...)                                                                    \
    class Class final : public ::peek::Plugin                                                      \
    {                                                                                              \
        Q_OBJECT                                                                                   \
        Q_PLUGIN_METADATA(IID PeekPlugin_iid FILE "plugin.json")                                   \
    public:                                                                                        \
        Class() { addHooks<__VA_ARGS__>(); }                                                       \
    };
