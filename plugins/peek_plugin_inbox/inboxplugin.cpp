// peek_plugin_inbox on logic: the Task and Activity tables, each user's own tasks and activities
// (the observable answers per caller), the actions their devices send back, and the API other
// plugins give users tasks with. Field and office proxy it per caller and serve the views.
#include "api/inboxapi.h"
#include "inboxstore.h"
#include "inboxtuples.h"

namespace inbox {

PEEK_REGISTER_TUPLE(TaskTuple)
PEEK_REGISTER_TUPLE(ActivityTuple)
PEEK_REGISTER_TUPLE(UnreadCountTuple)
PEEK_REGISTER_TUPLE(TaskUpdateAction)
PEEK_REGISTER_TUPLE(TaskDeleteAction)
PEEK_REGISTER_TUPLE(ActivityDeleteAction)

namespace {

// The caller's own rows: the user the field or office service vouched for.
QVariantList callerUser(const peek::TupleSelector &)
{
    return {peek::currentCaller().userName};
}

// What the inbox publishes to other plugins on logic.
class LogicApi final : public QObject, public InboxApi
{
    Q_OBJECT
    Q_INTERFACES(inbox::InboxApi)
public:
    explicit LogicApi(peek::PluginContext &ctx) : m_ctx(ctx) { }

    QFuture<qint64> addTask(const NewTask &task) override
    {
        qCInfo(m_ctx.log()).noquote() << "task" << task.uniqueId << "of" << task.pluginName << "for" << task.userName;
        return peek::write<TaskTuple, UnreadCountTuple>(m_ctx, [task](peek::PluginSql &sql) { return store::addTask(sql, task); });
    }
    QFuture<bool> completeTask(const QString &pluginName, const QString &uniqueId) override
    {
        return peek::write<TaskTuple, UnreadCountTuple>(m_ctx, [=](peek::PluginSql &sql) { return store::completeTask(sql, pluginName, uniqueId); });
    }
    QFuture<bool> removeTask(const QString &pluginName, const QString &uniqueId) override
    {
        return peek::write<TaskTuple, UnreadCountTuple>(m_ctx, [=](peek::PluginSql &sql) { return store::removeTask(sql, pluginName, uniqueId); });
    }
    QFuture<qint64> addActivity(const NewActivity &activity) override
    {
        return peek::write<ActivityTuple>(m_ctx, [activity](peek::PluginSql &sql) { return store::addActivity(sql, activity); });
    }
    QFuture<bool> removeActivity(const QString &pluginName, const QString &uniqueId) override
    {
        return peek::write<ActivityTuple>(m_ctx, [=](peek::PluginSql &sql) { return store::removeActivity(sql, pluginName, uniqueId); });
    }

private:
    peek::PluginContext &m_ctx;
};

class Logic final : public peek::LogicHook
{
public:
    void start(peek::PluginContext &ctx) override
    {
        // Newest first, as the apps list them.
        peek::provideTuples<TaskTuple>(ctx,
                                       QStringLiteral("SELECT %1 FROM {schema}.\"Task\" WHERE user_name = ? ORDER BY date_time DESC, id DESC")
                                           .arg(QLatin1String(store::kTaskColumns)),
                                       callerUser);
        peek::provideTuples<ActivityTuple>(
            ctx,
            QStringLiteral("SELECT %1 FROM {schema}.\"Activity\" WHERE user_name = ? ORDER BY date_time DESC, id DESC")
                .arg(QLatin1String(store::kActivityColumns)),
            callerUser);
        peek::provideTuples<UnreadCountTuple>(
            ctx,
            QStringLiteral("SELECT COUNT(*) AS unread FROM {schema}.\"Task\" WHERE user_name = ? AND (state_flags & %1) = 0")
                .arg(Selected | Completed),
            callerUser);
        peek::onAction<TaskUpdateAction, TaskTuple, UnreadCountTuple>(ctx, [](peek::PluginSql &sql, const TaskUpdateAction &update) {
            return store::updateTask(sql, peek::currentCaller().userName, update);
        });
        peek::onAction<TaskDeleteAction, TaskTuple, UnreadCountTuple>(ctx, [](peek::PluginSql &sql, const TaskDeleteAction &removal) {
            return store::deleteTask(sql, peek::currentCaller().userName, removal.taskId);
        });
        peek::onAction<ActivityDeleteAction, ActivityTuple>(ctx, [](peek::PluginSql &sql, const ActivityDeleteAction &removal) {
            return store::deleteActivity(sql, peek::currentCaller().userName, removal.activityId);
        });
        ctx.publishApi(new LogicApi(ctx));
    }
};

} // namespace

} // namespace inbox

PEEK_PLUGIN(InboxPlugin, inbox::Logic, peek::PerCallerAppHook)

#include "inboxplugin.moc"
