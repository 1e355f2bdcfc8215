// The inbox on a real logic and field service in this process: the tutorial's change sends the
// row's last editor a task, which only that user sees; they read and complete it (auto-deleted),
// and another user cannot touch it.
#include "peek/testing.h"

#include <QTest>

namespace {

const QString kTask = QStringLiteral("peek_plugin_inbox.TaskTuple");
const QString kPassword = QStringLiteral("a long enough password 1");

peek::TuplePtr toggleRow(qint64 id)
{
    return std::make_shared<peek::GenericTuple>(QStringLiteral("peek_plugin_tutorial.StringCapToggleActionTuple"),
                                                peek::Dict {{QStringLiteral("stringIntId"), id}});
}

peek::TuplePtr updateTask(qint64 id, int state)
{
    return std::make_shared<peek::GenericTuple>(
        QStringLiteral("peek_plugin_inbox.TaskUpdateAction"),
        peek::Dict {{QStringLiteral("taskId"), id}, {QStringLiteral("stateFlags"), state}, {QStringLiteral("notificationSentFlags"), 0}});
}

} // namespace

class TestInbox : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        auto done = m_peek.start();
        QVERIFY2(done, qPrintable(done.error().message()));
        for (const QString &user : {QStringLiteral("ann"), QStringLiteral("bob")}) {
            done = m_peek.addUser(user, kPassword);
            QVERIFY2(done, qPrintable(done.error().message()));
        }
    }

    void aChangeSendsTheLastEditorATask()
    {
        // Ann changes row 1, then Bob does: Ann, its last editor before Bob, hears of it.
        for (const QString &user : {QStringLiteral("ann"), QStringLiteral("bob")}) {
            auto done = m_peek.logIn(user, kPassword);
            QVERIFY2(done, qPrintable(done.error().message()));
            done = m_peek.pushAction(toggleRow(1), QStringLiteral("peek_plugin_tutorial"));
            QVERIFY2(done, qPrintable(done.error().message()));
        }
        // Bob's inbox stays empty.
        auto bobs = m_peek.tuples(peek::TupleSelector(kTask), {}, QStringLiteral("peek_plugin_inbox"));
        QVERIFY2(bobs, qPrintable(bobs.error().message()));
        QCOMPARE(int(bobs.value().size()), 0);

        auto login = m_peek.logIn(QStringLiteral("ann"), kPassword);
        QVERIFY2(login, qPrintable(login.error().message()));
        auto anns = m_peek.tuples(peek::TupleSelector(kTask), [](const auto &tasks) { return tasks.size() == 1; },
                                  QStringLiteral("peek_plugin_inbox"));
        QVERIFY2(anns, qPrintable(anns.error().message()));
        const peek::TuplePtr &task = anns.value().front();
        QVERIFY2(task->field(QStringLiteral("title")).toString().startsWith(QStringLiteral("bob changed \"")),
                 qPrintable(task->field(QStringLiteral("title")).toString()));
        QCOMPARE(task->field(QStringLiteral("userName")).toString(), QStringLiteral("ann"));
        QCOMPARE(task->field(QStringLiteral("routePath")).toString(), QStringLiteral("peek_plugin_tutorial"));
        QCOMPARE(task->field(QStringLiteral("stateFlags")).toInt(), 0); // unread
        QCOMPARE(task->field(QStringLiteral("notificationRequiredFlags")).toInt(), 3); // banner and sound
        m_taskId = task->field(QStringLiteral("id")).toInt();
        // The home tile's number.
        auto unread = m_peek.tuples(peek::TupleSelector(QStringLiteral("peek_plugin_inbox.UnreadCountTuple")),
                                    [](const auto &counts) { return counts.size() == 1; }, QStringLiteral("peek_plugin_inbox"));
        QVERIFY2(unread, qPrintable(unread.error().message()));
        QCOMPARE(unread.value().front()->field(QStringLiteral("unread")).toInt(), 1);
    }

    void anotherUserCannotTouchIt()
    {
        auto login = m_peek.logIn(QStringLiteral("bob"), kPassword);
        QVERIFY2(login, qPrintable(login.error().message()));
        const auto refused = m_peek.pushAction(updateTask(m_taskId, 8), QStringLiteral("peek_plugin_inbox"));
        QVERIFY(!refused);
        QVERIFY2(refused.error().message().contains(QStringLiteral("there is no task %1 in bob's inbox").arg(m_taskId)),
                 qPrintable(refused.error().message()));
    }

    void readThenCompletedIsDeleted()
    {
        auto done = m_peek.logIn(QStringLiteral("ann"), kPassword);
        QVERIFY2(done, qPrintable(done.error().message()));
        done = m_peek.pushAction(updateTask(m_taskId, 2), QStringLiteral("peek_plugin_inbox"));
        QVERIFY2(done, qPrintable(done.error().message()));
        auto read = m_peek.tuples(
            peek::TupleSelector(kTask),
            [](const auto &tasks) { return tasks.size() == 1 && tasks.front()->field(QStringLiteral("stateFlags")).toInt() == 2; },
            QStringLiteral("peek_plugin_inbox"));
        QVERIFY2(read, qPrintable(read.error().message()));
        auto unread = m_peek.tuples(peek::TupleSelector(QStringLiteral("peek_plugin_inbox.UnreadCountTuple")),
                                    [](const auto &counts) {
                                        return counts.size() == 1 && counts.front()->field(QStringLiteral("unread")).toInt() == 0;
                                    },
                                    QStringLiteral("peek_plugin_inbox"));
        QVERIFY2(unread, qPrintable(unread.error().message()));

        const auto badFlags = m_peek.pushAction(updateTask(m_taskId, 64), QStringLiteral("peek_plugin_inbox"));
        QVERIFY(!badFlags);
        QVERIFY2(badFlags.error().message().contains(QStringLiteral("stateFlags takes the bits")), qPrintable(badFlags.error().message()));

        // The tutorial's tasks delete themselves once completed.
        done = m_peek.pushAction(updateTask(m_taskId, 8), QStringLiteral("peek_plugin_inbox"));
        QVERIFY2(done, qPrintable(done.error().message()));
        auto gone = m_peek.tuples(peek::TupleSelector(kTask), [](const auto &tasks) { return tasks.empty(); },
                                  QStringLiteral("peek_plugin_inbox"));
        QVERIFY2(gone, qPrintable(gone.error().message()));
    }

private:
    peek::testing::PluginHarness m_peek {
        {{QStringLiteral("peek_plugin_inbox"), QStringLiteral("peek_plugin_tutorial")}, {QStringLiteral(PLUGINS_DIR)}}};
    qint64 m_taskId = 0;
};

QTEST_MAIN(TestInbox)
#include "tst_inbox.moc"
