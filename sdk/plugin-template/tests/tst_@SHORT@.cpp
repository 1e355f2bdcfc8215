// @PLUGIN@ on a real logic and field service in this process, driven as a field app would.
#include "peek/testing.h"

#include <QTest>

namespace {

const QString kItem = QStringLiteral("@PLUGIN@.ItemTuple");

peek::TuplePtr toggle(qint64 itemId)
{
    return std::make_shared<peek::GenericTuple>(QStringLiteral("@PLUGIN@.ToggleItemAction"),
                                                peek::Dict {{QStringLiteral("itemId"), itemId}});
}

bool done(const std::vector<peek::TuplePtr> &items, qint64 id)
{
    for (const auto &item : items)
        if (item->field(QStringLiteral("id")).toInt() == id)
            return item->field(QStringLiteral("done")).toBool();
    return false;
}

} // namespace

class Test@CLASS@ : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        const auto started = m_peek.start();
        QVERIFY2(started, qPrintable(started.error().message()));
    }

    void listsTheItems()
    {
        const auto items = m_peek.tuples(peek::TupleSelector(kItem));
        QVERIFY2(items, qPrintable(items.error().message()));
        QCOMPARE(int(items.value().size()), 2);
        QCOMPARE(items.value().front()->field(QStringLiteral("name")).toString(), QStringLiteral("Check the pump"));
    }

    void toggleTicksAnItemOff()
    {
        const auto pushed = m_peek.pushAction(toggle(2));
        QVERIFY2(pushed, qPrintable(pushed.error().message()));
        const auto items = m_peek.tuples(peek::TupleSelector(kItem), [](const auto &items) { return done(items, 2); });
        QVERIFY2(items, qPrintable(items.error().message()));
    }

    void anItemThatIsNotThereIsRefused()
    {
        const auto pushed = m_peek.pushAction(toggle(99));
        QVERIFY(!pushed);
        QVERIFY2(pushed.error().message().contains(QStringLiteral("there is no item 99")), qPrintable(pushed.error().message()));
    }

private:
    peek::testing::PluginHarness m_peek {{{QStringLiteral("@PLUGIN@")}, {QStringLiteral(PLUGINS_DIR)}}};
};

QTEST_MAIN(Test@CLASS@)
#include "tst_@SHORT@.moc"
