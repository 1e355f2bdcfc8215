// @PLUGIN@ on logic: the Item table, an observable of its rows and the action that ticks one
// off. Field and office serve the views and pass the apps' requests to logic (the default).
#include "@SHORT@tuples.h"

namespace @SHORT@ {

PEEK_REGISTER_TUPLE(ItemTuple)
PEEK_REGISTER_TUPLE(ToggleItemAction)

class Logic final : public peek::LogicHook
{
public:
    void load(peek::PluginContext &ctx) override
    {
        ctx.declareSettings({{QStringLiteral("heading"), peek::SettingType::String, QStringLiteral("@TITLE@"),
                              QStringLiteral("What the views call the list")}});
    }

    void start(peek::PluginContext &ctx) override
    {
        peek::provideTuples<ItemTuple>(ctx, QStringLiteral("SELECT id, name, done FROM {schema}.\"Item\" ORDER BY id"));
        peek::onAction<ToggleItemAction, ItemTuple>(ctx, [](peek::PluginSql &sql, const ToggleItemAction &toggle) {
            return sql.changeOne(QStringLiteral("UPDATE {schema}.\"Item\" SET done = NOT done WHERE id = ?"), {toggle.itemId},
                                 QStringLiteral("item %1").arg(toggle.itemId));
        });
        qCInfo(ctx.log()).noquote() << "ready:" << ctx.settings().stringValue(QStringLiteral("heading"));
    }
};

} // namespace @SHORT@

PEEK_PLUGIN(@CLASS@Plugin, @SHORT@::Logic)

#include "@SHORT@plugin.moc"
