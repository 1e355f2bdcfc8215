// The epoll event dispatcher (base/eventdispatcher.h) as the main thread's and a worker thread's:
// socket notifiers (read, write, disabled, deleted by another's handler, one busy socket among a
// thousand idle ones), timers of every type (precise, coarse, very coarse, single shot, zero,
// killed in their own handler), posted events and deleteLater, wake-ups from other threads,
// interrupt, nested loops, the flags that exclude sockets or timers, and TCP through Qt's own
// sockets on top of it.
#include "base/eventdispatcher.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QPointer>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <vector>

namespace {

constexpr int kWaitMs = 10000;

// A connected pair of local stream sockets, closed with it.
struct SocketPair
{
    int fd[2] = {-1, -1};
    SocketPair() { (void)::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd); }
    ~SocketPair()
    {
        for (int f : fd)
            if (f >= 0)
                ::close(f);
    }
    bool ok() const { return fd[0] >= 0 && fd[1] >= 0; }
    void send(int side, char c = 'x') const { (void)!::write(fd[side], &c, 1); }
    void drain(int side) const
    {
        char buf[256];
        while (::read(fd[side], buf, sizeof buf) > 0) {
        }
    }
};

// A socket pair whose reading end counts, and drains, each activation of its read notifier.
struct CountedReader
{
    SocketPair pair;
    QSocketNotifier read {pair.fd[1], QSocketNotifier::Read};
    int reads = 0;
    CountedReader()
    {
        QObject::connect(&read, &QSocketNotifier::activated, &read, [this] {
            ++reads;
            pair.drain(1);
        });
    }
};

// Counts its timer events, and may kill its timer or run a nested loop from one.
class TimerCounter : public QObject
{
public:
    int count = 0;
    int killAfter = 0; // kill the timer on this event (0: never)
    std::function<void()> onTimer;

protected:
    void timerEvent(QTimerEvent *event) override
    {
        ++count;
        if (killAfter && count == killAfter)
            killTimer(event->timerId());
        if (onTimer)
            onTimer();
    }
};

class PostedCounter : public QObject
{
public:
    int count = 0;
    bool event(QEvent *e) override
    {
        if (e->type() == QEvent::User) {
            ++count;
            return true;
        }
        return QObject::event(e);
    }
};

} // namespace

class TestEventDispatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void theMainThreadRunsOnIt()
    {
        QVERIFY2(QString::fromLatin1(QCoreApplication::eventDispatcher()->metaObject()->className()).contains(QLatin1String("Epoll")),
                 QCoreApplication::eventDispatcher()->metaObject()->className());
    }

    void readAndWriteNotifiers()
    {
        CountedReader reader;
        QVERIFY(reader.pair.ok());
        const SocketPair &pair = reader.pair;
        QSocketNotifier &read = reader.read;
        int &reads = reader.reads;
        pair.send(0);
        QTRY_COMPARE_WITH_TIMEOUT(reads, 1, kWaitMs);
        // Level-triggered: drained, it stays quiet; written again, it fires again.
        QCoreApplication::processEvents();
        QCOMPARE(reads, 1);
        pair.send(0);
        QTRY_COMPARE_WITH_TIMEOUT(reads, 2, kWaitMs);
        // Disabled, it says nothing however much arrives; enabled again, it does.
        read.setEnabled(false);
        pair.send(0);
        QCoreApplication::processEvents();
        QCoreApplication::processEvents();
        QCOMPARE(reads, 2);
        read.setEnabled(true);
        QTRY_COMPARE_WITH_TIMEOUT(reads, 3, kWaitMs);

        // A write notifier on the other end of the same pair: writable at once.
        QSocketNotifier write(pair.fd[0], QSocketNotifier::Write);
        int writes = 0;
        connect(&write, &QSocketNotifier::activated, this, [&] {
            ++writes;
            write.setEnabled(false);
        });
        QTRY_COMPARE_WITH_TIMEOUT(writes, 1, kWaitMs);
    }

    // A read and a write notifier on one descriptor: the read handler deletes the write notifier,
    // which must then not be sent anything (and nothing crashes).
    void aNotifierDeletedByAnotherHandlerIsNotActivated()
    {
        SocketPair pair;
        QVERIFY(pair.ok());
        auto *write = new QSocketNotifier(pair.fd[1], QSocketNotifier::Write);
        QPointer<QSocketNotifier> watched(write);
        int writes = 0;
        connect(write, &QSocketNotifier::activated, this, [&] { ++writes; });
        QSocketNotifier read(pair.fd[1], QSocketNotifier::Read);
        int reads = 0;
        connect(&read, &QSocketNotifier::activated, this, [&] {
            ++reads;
            pair.drain(1);
            delete watched.data();
        });
        // Disabled until the read is ready, so both are ready in the same epoll answer.
        write->setEnabled(false);
        pair.send(0);
        write->setEnabled(true);
        QTRY_VERIFY_WITH_TIMEOUT(reads >= 1, kWaitMs);
        QVERIFY(watched.isNull());
        const int writesBefore = writes;
        QCoreApplication::processEvents();
        QCOMPARE(writes, writesBefore);
    }

    // A thousand idle connections and one that talks: the one is served, every message.
    void oneBusySocketAmongAThousandIdleOnes()
    {
        std::vector<std::unique_ptr<SocketPair>> idle;
        std::vector<std::unique_ptr<QSocketNotifier>> idleNotifiers;
        int idleActivations = 0;
        for (int i = 0; i < 1000; ++i) {
            idle.push_back(std::make_unique<SocketPair>());
            QVERIFY(idle.back()->ok());
            idleNotifiers.push_back(std::make_unique<QSocketNotifier>(idle.back()->fd[1], QSocketNotifier::Read));
            connect(idleNotifiers.back().get(), &QSocketNotifier::activated, this, [&] { ++idleActivations; });
        }
        SocketPair busy;
        QSocketNotifier read(busy.fd[1], QSocketNotifier::Read);
        int received = 0;
        connect(&read, &QSocketNotifier::activated, this, [&] {
            char buf[64];
            ssize_t n;
            while ((n = ::read(busy.fd[1], buf, sizeof buf)) > 0)
                received += int(n);
        });
        for (int i = 0; i < 500; ++i) {
            busy.send(0);
            QTRY_COMPARE_WITH_TIMEOUT(received, i + 1, kWaitMs);
        }
        QCOMPARE(idleActivations, 0);
    }

    void timersOfEveryType_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("intervalMs");
        QTest::newRow("precise") << int(Qt::PreciseTimer) << 20;
        QTest::newRow("coarse") << int(Qt::CoarseTimer) << 20;
        QTest::newRow("very coarse") << int(Qt::VeryCoarseTimer) << 1000;
    }

    // A repeating timer of each type fires again and again, never before its interval has passed;
    // the dispatcher knows it (registeredTimers, remainingTime) until it is killed.
    void timersOfEveryType()
    {
        QFETCH(int, type);
        QFETCH(int, intervalMs);
        TimerCounter counter;
        QElapsedTimer clock;
        clock.start();
        std::vector<qint64> firedAt;
        counter.onTimer = [&] { firedAt.push_back(clock.elapsed()); };
        const int id = counter.startTimer(intervalMs, Qt::TimerType(type));
        QVERIFY(id > 0);
        const auto timers = QCoreApplication::eventDispatcher()->registeredTimers(&counter);
        QCOMPARE(timers.size(), 1);
        QCOMPARE(timers.front().timerId, id);
        QCOMPARE(int(timers.front().timerType), type);
        QVERIFY(QCoreApplication::eventDispatcher()->remainingTime(id) <= intervalMs);
        QTRY_VERIFY_WITH_TIMEOUT(counter.count >= 2, kWaitMs);
        QVERIFY2(firedAt.front() >= intervalMs - 1, qPrintable(QString::number(firedAt.front())));
        counter.killTimer(id);
        QCOMPARE(QCoreApplication::eventDispatcher()->remainingTime(id), -1);
        QVERIFY(QCoreApplication::eventDispatcher()->registeredTimers(&counter).isEmpty());
        const int count = counter.count;
        QCoreApplication::processEvents();
        QCOMPARE(counter.count, count);
    }

    void singleShotAndKilledInItsOwnHandler()
    {
        bool fired = false;
        QTimer::singleShot(5, this, [&] { fired = true; });
        QTRY_VERIFY_WITH_TIMEOUT(fired, kWaitMs);

        TimerCounter counter;
        counter.killAfter = 3;
        counter.startTimer(1, Qt::PreciseTimer);
        QTRY_COMPARE_WITH_TIMEOUT(counter.count, 3, kWaitMs);
        bool later = false; // the loop runs on past many of its intervals; a killed timer stays quiet
        QTimer::singleShot(20, this, [&] { later = true; });
        QTRY_VERIFY_WITH_TIMEOUT(later, kWaitMs);
        QCOMPARE(counter.count, 3);
    }

    // A zero timer fires on every iteration without starving posted events or other timers.
    void zeroTimersDoNotStarveTheLoop()
    {
        TimerCounter zero;
        zero.startTimer(0);
        PostedCounter posted;
        QCoreApplication::postEvent(&posted, new QEvent(QEvent::User));
        bool other = false;
        QTimer::singleShot(10, this, [&] { other = true; });
        QTRY_VERIFY_WITH_TIMEOUT(posted.count == 1 && other, kWaitMs);
        QVERIFY(zero.count > 1);
    }

    void postedEventsAndDeleteLater()
    {
        PostedCounter posted;
        for (int i = 0; i < 100; ++i)
            QCoreApplication::postEvent(&posted, new QEvent(QEvent::User));
        QTRY_COMPARE_WITH_TIMEOUT(posted.count, 100, kWaitMs);
        QPointer<QObject> doomed(new QObject);
        doomed->deleteLater();
        QTRY_VERIFY_WITH_TIMEOUT(doomed.isNull(), kWaitMs);
    }

    // Another thread's post wakes the loop blocked in epoll_wait with nothing else to do.
    void anotherThreadWakesTheLoop()
    {
        PostedCounter posted;
        std::unique_ptr<QThread> poster(QThread::create([&posted] {
            for (int i = 0; i < 50; ++i) {
                QCoreApplication::postEvent(&posted, new QEvent(QEvent::User));
                QThread::usleep(200);
            }
        }));
        poster->start();
        QEventLoop loop;
        QTimer guard;
        guard.setSingleShot(true);
        connect(&guard, &QTimer::timeout, &loop, &QEventLoop::quit);
        guard.start(kWaitMs);
        while (posted.count < 50 && guard.isActive())
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
        QCOMPARE(posted.count, 50);
        QVERIFY(poster->wait(kWaitMs));
    }

    // Wake-ups race with the loop draining them: two threads post to a third as fast as they can,
    // so posts land while it drains its wake-ups; every event is still delivered (a wake-up lost to
    // the race leaves the loop asleep with events waiting), and a quit() still ends the thread.
    void noWakeUpIsLostBetweenThreads()
    {
        QThread worker;
        worker.setEventDispatcher(peek::createEventDispatcher());
        worker.start();
        struct Counter : QObject
        {
            std::atomic<int> count {0};
            bool event(QEvent *e) override
            {
                if (e->type() != QEvent::User)
                    return QObject::event(e);
                ++count;
                return true;
            }
        } counter;
        counter.moveToThread(&worker);
        constexpr int kPosters = 2;
        constexpr int kEach = 100000;
        std::vector<std::unique_ptr<QThread>> posters;
        for (int p = 0; p < kPosters; ++p) {
            posters.emplace_back(QThread::create([&counter] {
                for (int i = 0; i < kEach; ++i) {
                    QCoreApplication::postEvent(&counter, new QEvent(QEvent::User));
                    if (i % 64 == 0)
                        QThread::yieldCurrentThread(); // let the worker drain in between
                }
            }));
            posters.back()->start();
        }
        for (auto &poster : posters)
            QVERIFY(poster->wait(60000));
        QTRY_COMPARE_WITH_TIMEOUT(counter.count.load(), kPosters * kEach, 30000);
        QMetaObject::invokeMethod(&counter, [&counter] { counter.moveToThread(QCoreApplication::instance()->thread()); },
                                  Qt::BlockingQueuedConnection);
        worker.quit();
        QVERIFY(worker.wait(kWaitMs));
    }

    // interrupt() from another thread ends a processEvents that would otherwise wait for ever.
    void interruptEndsAWait()
    {
        QAbstractEventDispatcher *dispatcher = QCoreApplication::eventDispatcher();
        std::unique_ptr<QThread> interrupter(QThread::create([dispatcher] {
            QThread::msleep(20);
            dispatcher->interrupt();
        }));
        interrupter->start();
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents); // returns: interrupted
        QVERIFY(interrupter->wait(kWaitMs));
        // And QEventLoop::exit from another thread ends an exec().
        QEventLoop loop;
        std::unique_ptr<QThread> quitter(QThread::create([&loop] {
            QThread::msleep(20);
            loop.exit(7);
        }));
        quitter->start();
        QCOMPARE(loop.exec(), 7);
        QVERIFY(quitter->wait(kWaitMs));
    }

    // A timer's handler runs a nested loop that waits for another timer: the inner one fires,
    // and the outer repeating timer is not sent again while its handler still runs.
    void nestedLoops()
    {
        TimerCounter outer;
        int nestedEntries = 0;
        int reentered = 0;
        bool inNested = false;
        bool innerFired = false;
        outer.onTimer = [&] {
            if (inNested) {
                ++reentered;
                return;
            }
            if (nestedEntries > 0)
                return;
            ++nestedEntries;
            inNested = true;
            QEventLoop nested;
            QTimer::singleShot(30, &nested, [&] {
                innerFired = true;
                nested.quit();
            });
            nested.exec();
            inNested = false;
        };
        const int id = outer.startTimer(1, Qt::PreciseTimer);
        QTRY_VERIFY_WITH_TIMEOUT(innerFired, kWaitMs);
        QCOMPARE(nestedEntries, 1);
        QCOMPARE(reentered, 0); // its 1 ms interval passed many times in the nested loop: not sent
        const int after = outer.count;
        QTRY_VERIFY_WITH_TIMEOUT(outer.count > after, kWaitMs); // and it fires again after it
        outer.killTimer(id);
    }

    // A socket handler that runs a nested loop (as a modal wait would): sockets that were ready in
    // the same wait are still each served once per message, none twice, none lost.
    void aNestedLoopInASocketHandler()
    {
        std::vector<std::unique_ptr<CountedReader>> readers;
        for (int i = 0; i < 8; ++i)
            readers.push_back(std::make_unique<CountedReader>());
        bool nestedRan = false;
        connect(&readers[0]->read, &QSocketNotifier::activated, this, [&] {
            if (nestedRan)
                return;
            nestedRan = true;
            QEventLoop nested;
            QTimer::singleShot(20, &nested, &QEventLoop::quit);
            nested.exec();
        });
        for (int round = 1; round <= 3; ++round) {
            for (auto &reader : readers)
                reader->pair.send(0);
            QTRY_VERIFY_WITH_TIMEOUT(std::all_of(readers.begin(), readers.end(), [round](const auto &r) { return r->reads >= round; }),
                                     kWaitMs);
            for (auto &reader : readers)
                QCOMPARE(reader->reads, round);
        }
        QVERIFY(nestedRan);
    }

    // processEvents' flags: sockets excluded, a readable socket waits; timers excluded, a due
    // timer waits; each is served by the next plain call.
    void excludeFlags()
    {
        CountedReader reader;
        reader.pair.send(0);
        QCoreApplication::processEvents(QEventLoop::ExcludeSocketNotifiers);
        QCOMPARE(reader.reads, 0);
        QTRY_COMPARE_WITH_TIMEOUT(reader.reads, 1, kWaitMs);

        TimerCounter counter;
        const int id = counter.startTimer(0);
        QCoreApplication::processEvents(QEventLoop::X11ExcludeTimers);
        QCOMPARE(counter.count, 0);
        QTRY_VERIFY_WITH_TIMEOUT(counter.count > 0, kWaitMs);
        counter.killTimer(id);
    }

    // Qt's sockets on top: a TCP server and a client exchange data both ways.
    void tcpThroughQtSockets()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QTRY_VERIFY_WITH_TIMEOUT(server.hasPendingConnections(), kWaitMs);
        std::unique_ptr<QTcpSocket> accepted(server.nextPendingConnection());
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::ConnectedState, kWaitMs);
        const QByteArray big(1 << 20, 'p'); // more than one write's worth: write notifiers at work
        client.write(big);
        QByteArray got;
        QTRY_VERIFY_WITH_TIMEOUT((got += accepted->readAll()).size() == big.size(), kWaitMs);
        accepted->write("pong");
        QTRY_VERIFY_WITH_TIMEOUT(client.bytesAvailable() == 4, kWaitMs);
        QCOMPARE(client.readAll(), QByteArray("pong"));
    }

    // A worker thread with a dispatcher of its own: its timers and queued calls run there.
    void aWorkerThreadOfItsOwn()
    {
        QThread worker;
        QAbstractEventDispatcher *dispatcher = peek::createEventDispatcher();
        QVERIFY(dispatcher);
        worker.setEventDispatcher(dispatcher);
        worker.start();
        QObject context;
        context.moveToThread(&worker);
        std::atomic<int> ticks {0};
        std::atomic<bool> onWorker {false};
        QMetaObject::invokeMethod(&context, [&] {
            onWorker = QThread::currentThread() == &worker && QThread::currentThread()->eventDispatcher() == dispatcher;
            auto *timer = new QTimer(&context);
            connect(timer, &QTimer::timeout, &context, [&] { ++ticks; });
            timer->start(2);
        });
        QTRY_VERIFY_WITH_TIMEOUT(ticks.load() >= 3, kWaitMs);
        QVERIFY(onWorker.load());
        QMetaObject::invokeMethod(&context, [&context] { context.moveToThread(QCoreApplication::instance()->thread()); },
                                  Qt::BlockingQueuedConnection);
        worker.quit();
        QVERIFY(worker.wait(kWaitMs));
    }
};

int main(int argc, char **argv)
{
    qunsetenv("PEEK_EVENT_DISPATCHER"); // this test is of the epoll one, whatever the environment says
    if (qstrcmp(peek::installEventDispatcher(), "epoll") != 0) {
        qCritical("tst_eventdispatcher: no epoll dispatcher on this platform");
        return 1;
    }
    QCoreApplication app(argc, argv);
    TestEventDispatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_eventdispatcher.moc"
