// RPC between two vortexes over real WebSockets on loopback (docs/protocol.md §8).
#include "tuple/tupleregistry.h"
#include "vortex/rpc.h"
#include "vortex/vortex.h"

#include <QPromise>
#include <QSignalSpy>
#include <QTest>

using namespace peek;

namespace {

struct StringIntTuple : TypedTuple<StringIntTuple>
{
    PEEK_TUPLE(StringIntTuple, "test_rpc.StringIntTuple", id, int1, string1)
    qint64 id = 0;
    qint64 int1 = 0;
    QString string1;
};
PEEK_REGISTER_TUPLE(StringIntTuple)

const QString kLogic = QStringLiteral("peek-logic-service");
const QString kAgent = QStringLiteral("peek-agent-service");
const QString kField = QStringLiteral("peek-field-service");

const Rpc addInts(QStringLiteral("test_rpc.addInts"),
                  {QStringLiteral("test_rpc"), kLogic, {kAgent}, 30000});
const Rpc addStringInt(QStringLiteral("test_rpc.addStringInt"), {QStringLiteral("test_rpc"), kLogic, {}, 30000});
const Rpc neverAnswers(QStringLiteral("test_rpc.neverAnswers"), {QStringLiteral("test_rpc"), kLogic, {}, 300});
const Rpc fails(QStringLiteral("test_rpc.fails"), {QStringLiteral("test_rpc"), kLogic, {}, 30000});

template <typename T>
bool waitFinished(const QFuture<T> &f)
{
    return QTest::qWaitFor([&] { return f.isFinished(); }, 10000);
}

template <typename E, typename T>
QString failureOf(const QFuture<T> &f)
{
    try {
        f.result();
    } catch (const E &e) {
        return e.message();
    } catch (const std::exception &e) {
        return QStringLiteral("unexpected exception: ") + QString::fromUtf8(e.what());
    }
    return QStringLiteral("no exception");
}

} // namespace

class TestRpc : public QObject
{
    Q_OBJECT

    std::unique_ptr<Vortex> m_logic;
    std::unique_ptr<Vortex> m_agent;
    std::unique_ptr<Vortex> m_field;
    std::vector<std::unique_ptr<QPromise<Value>>> m_unkeptPromises;

    std::unique_ptr<Vortex> connectedClient(const QString &name)
    {
        auto v = std::make_unique<Vortex>(name);
        QSignalSpy up(v.get(), &Vortex::peerConnected);
        v->connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_logic->serverPort())));
        if (!up.wait(5000))
            return {};
        return v;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_logic = std::make_unique<Vortex>(kLogic);
        QVERIFY(m_logic->listen(QHostAddress::LocalHost, 0));
        addInts.listen(m_logic.get(), [](const ValueList &args, const Dict &kwargs) {
            return Value(args.at(0).toInt() + args.at(1).toInt() + kwargs.value(QStringLiteral("extra")).toInt());
        });
        addStringInt.listen(m_logic.get(), [](const ValueList &args, const Dict &) {
            auto in = std::dynamic_pointer_cast<StringIntTuple>(args.at(0).toTuple());
            if (!in)
                throw std::runtime_error("expected a StringIntTuple");
            auto out = std::make_shared<StringIntTuple>(*in);
            out->int1 += 1;
            out->string1 = out->string1.toUpper();
            return Value(TuplePtr(out));
        });
        neverAnswers.listenAsync(m_logic.get(), [this](const ValueList &, const Dict &) {
            // A result that never comes: the promise is kept, never finished.
            m_unkeptPromises.push_back(std::make_unique<QPromise<Value>>());
            m_unkeptPromises.back()->start();
            return m_unkeptPromises.back()->future();
        });
        fails.listen(m_logic.get(), [](const ValueList &args, const Dict &) -> Value {
            throw std::runtime_error(("cannot process " + args.at(0).toString().toStdString()).c_str());
        });
        m_agent = connectedClient(kAgent);
        QVERIFY(m_agent);
        m_field = connectedClient(kField);
        QVERIFY(m_field);
    }

    void roundTripWithValuesAndKwargs()
    {
        auto f = addInts.call(m_agent.get(), {5, 7}, Dict{{QStringLiteral("extra"), 30}});
        QVERIFY(waitFinished(f));
        QCOMPARE(f.result().toInt(), 42);
    }

    void tuplesTravelAsArgumentsAndResults()
    {
        auto in = std::make_shared<StringIntTuple>();
        in->id = 3;
        in->int1 = 9;
        in->string1 = QStringLiteral("hello");
        auto f = addStringInt.call(m_field.get(), {Value(TuplePtr(in))});
        QVERIFY(waitFinished(f));
        auto out = std::dynamic_pointer_cast<StringIntTuple>(f.result().toTuple());
        QVERIFY(out);
        QCOMPARE(out->id, 3);
        QCOMPARE(out->int1, 10);
        QCOMPARE(out->string1, QStringLiteral("HELLO"));
    }

    void aSlowCalleeTimesOut()
    {
        auto f = neverAnswers.call(m_agent.get(), {});
        QVERIFY(waitFinished(f));
        QVERIFY(failureOf<TimeoutError>(f).contains(kLogic));
    }

    void acceptOnlyFromRejectsOtherVortexes()
    {
        auto f = addInts.call(m_field.get(), {1, 2});
        QVERIFY(waitFinished(f));
        const QString error = failureOf<RemoteError>(f);
        QVERIFY2(error.contains(QStringLiteral("does not accept calls from peek-field-service")), qPrintable(error));
    }

    void theCalleesErrorReachesTheCaller()
    {
        auto f = fails.call(m_agent.get(), {QStringLiteral("order 66")});
        QVERIFY(waitFinished(f));
        QCOMPARE(failureOf<RemoteError>(f), QStringLiteral("cannot process order 66"));
        auto badArgs = addStringInt.call(m_agent.get(), {1});
        QVERIFY(waitFinished(badArgs));
        QCOMPARE(failureOf<RemoteError>(badArgs), QStringLiteral("expected a StringIntTuple"));
    }

    void callingWithoutAConnectionFailsAtOnce()
    {
        Vortex lonely(kAgent);
        auto f = addInts.call(&lonely, {1, 2});
        QVERIFY(f.isFinished());
        QVERIFY(failureOf<NotConnectedError>(f).contains(kLogic));
    }

    void manyCallsInFlightAllComplete()
    {
        QList<QFuture<Value>> calls;
        for (int i = 0; i < 200; ++i)
            calls.append(addInts.call(m_agent.get(), {i, i}));
        for (int i = 0; i < calls.size(); ++i) {
            QVERIFY(waitFinished(calls[i]));
            QCOMPARE(calls[i].result().toInt(), 2 * i);
        }
    }

    void aCancelledResultIsAnErrorNotACrash()
    {
        const Rpc cancelled(QStringLiteral("test_rpc.cancelled"), {QStringLiteral("test_rpc"), kLogic, {}, 5000});
        cancelled.listenAsync(m_logic.get(), [](const ValueList &, const Dict &) {
            return QPromise<Value>().future(); // the promise dies unfinished: cancelled
        });
        auto f = cancelled.call(m_agent.get(), {});
        QVERIFY(waitFinished(f));
        QVERIFY(failureOf<RemoteError>(f).contains(QStringLiteral("cancelled")));
    }

    void cleanupTestCase()
    {
        for (auto &p : m_unkeptPromises)
            p->finish();
        m_field.reset();
        m_agent.reset();
        m_logic.reset();
    }
};

QTEST_GUILESS_MAIN(TestRpc)
#include "tst_rpc.moc"
