// peek_test_kit: a plugin written only with the plugin kit (plugin/pluginkit.h), as a plugin
// author would, for tst_pluginkit: the Item table ({schema} migrations), an observable of its
// rows (provideTuples), actions applied in a transaction that notify the observable (onAction),
// a write outside an action (write), and field/office left to the default proxies.
#include "peek/plugin.h"
#include "peek/tuple.h"

namespace kit {

struct ItemTuple : peek::TypedTuple<ItemTuple>
{
    PEEK_PLUGIN_TUPLE(ItemTuple, id, name, done, changedBy)
    qint64 id = 0;
    QString name;
    bool done = false;
    QString changedBy;
};

// Flips an item's done.
struct ToggleItemAction : peek::TypedTuple<ToggleItemAction>
{
    PEEK_PLUGIN_ACTION(ToggleItemAction, itemId)
    qint64 itemId = 0;
};

// No fields of its own: only uuid and dateTime.
struct PingAction : peek::TypedTuple<PingAction>
{
    PEEK_PLUGIN_ACTION(PingAction)
};

PEEK_REGISTER_TUPLE(ItemTuple)
PEEK_REGISTER_TUPLE(ToggleItemAction)
PEEK_REGISTER_TUPLE(PingAction)

class KitLogic final : public peek::LogicHook
{
public:
    void start(peek::PluginContext &ctx) override
    {
        peek::provideTuples<ItemTuple>(ctx, QStringLiteral("SELECT id, name, done, changed_by FROM {schema}.\"Item\" ORDER BY id"));
        peek::onAction<ToggleItemAction, ItemTuple>(ctx, [](peek::PluginSql &sql, const ToggleItemAction &toggle) {
            const QString user = peek::currentCaller().userName; // "kit" when nobody is logged in
            return sql.changeOne(QStringLiteral("UPDATE {schema}.\"Item\" SET done = NOT done, changed_by = ? WHERE id = ?"),
                                 {user.isEmpty() ? QStringLiteral("kit") : user, toggle.itemId}, QStringLiteral("item %1").arg(toggle.itemId));
        });
        peek::onAction<PingAction>(ctx, [](peek::PluginSql &, const PingAction &) { return peek::Result<void>(); });
        // A write of the plugin's own (not an action): the third item, once.
        peek::write<ItemTuple>(ctx, [](peek::PluginSql &sql) -> peek::Result<qint64> {
            auto stored = sql.exec(QStringLiteral("INSERT INTO {schema}.\"Item\" (id, name) SELECT 3, 'written' "
                                                  "WHERE NOT EXISTS (SELECT 1 FROM {schema}.\"Item\" WHERE id = 3)"));
            if (!stored)
                return stored.error();
            return qint64(3);
        });
    }
};

} // namespace kit

PEEK_PLUGIN(KitPlugin, kit::KitLogic)

#include "kitplugin.moc"
