// The device's offline action queue across a real process crash: actions queued by a client
// process that is killed with SIGKILL are delivered, in order and once, after it restarts.
#include "action/tupleactionprocessor.h"
#include "action/tupleactions.h"

#include "testports.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace peek;

class TestActions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void queuedActionsSurviveKill9AndArriveInOrder()
    {
        QTemporaryDir dir;
        const QString queueFile = dir.filePath(QStringLiteral("device-queue.sqlite"));
        const quint16 fieldPort = testing::freePort();

        // 1. The client queues while the server is down, and is killed mid-way.
        QProcess client;
        client.start(QStringLiteral(PEEK_ACTION_CLIENT_BIN),
                     {QStringLiteral("queue"), queueFile, QString::number(fieldPort), QStringLiteral("200")});
        QByteArray out;
        QVERIFY(QTest::qWaitFor([&] {
            out += client.readAllStandardOutput();
            return out.contains("queued 20\n") || client.state() == QProcess::NotRunning;
        }, 20000));
        client.kill(); // SIGKILL: no chance to flush or clean up
        QVERIFY(client.waitForFinished(5000));
        out += client.readAllStandardOutput();
        const int confirmed = int(out.count("queued "));
        QVERIFY2(confirmed >= 21, out.constData());

        // 2. The server comes up: logic with a processor behind a field proxy.
        VortexOptions o;
        o.reconnectMinMs = 50;
        Vortex logic(QStringLiteral("peek-logic-service"), o);
        QList<qint64> applied;
        TupleActionProcessor processor(&logic, QStringLiteral("test_action"), QStringLiteral("test_action"));
        processor.setDelegate(QStringLiteral("vortex.TupleGenericAction"),
                              TupleActionProcessor::SyncDelegate([&](const TuplePtr &a) {
                                  applied.append(a->field(QStringLiteral("data")).toDict().value(QStringLiteral("n")).toInt());
                                  return std::vector<TuplePtr>{};
                              }));
        QVERIFY(logic.listen(QHostAddress::LocalHost, 0));
        Vortex field(QStringLiteral("peek-field-service"), o);
        TupleActionProcessorProxy proxy(&field, QStringLiteral("test_action"), QStringLiteral("test_action"));
        QVERIFY(field.listen(QHostAddress::LocalHost, fieldPort));
        field.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(logic.serverPort())));
        QVERIFY(QTest::qWaitFor([&] { return field.isConnectedTo(logic.name()); }, 5000));

        // 3. The restarted client drains its queue.
        QProcess restarted;
        restarted.start(QStringLiteral(PEEK_ACTION_CLIENT_BIN), {QStringLiteral("drain"), queueFile, QString::number(fieldPort)});
        QVERIFY(QTest::qWaitFor([&] { return restarted.state() == QProcess::NotRunning; }, 60000));
        const QByteArray drained = restarted.readAllStandardOutput();
        QCOMPARE(restarted.exitCode(), 0);
        QVERIFY2(drained.contains("drained") || drained.contains("pending 0"), drained.constData());

        // Every confirmed action arrived, in order, once (more may have been queued before the kill).
        QVERIFY(applied.size() >= confirmed);
        for (int i = 0; i < applied.size(); ++i)
            QCOMPARE(applied[i], qint64(i));
    }
};

QTEST_GUILESS_MAIN(TestActions)
#include "tst_actions.moc"
