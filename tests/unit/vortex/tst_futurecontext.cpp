// Continuations bound to a QObject: they run on its thread while it lives, and a context that
// goes first (a plugin stopping while its work runs) cancels them instead of crashing.
#include "vortex/futurecontext.h"

#include <QPromise>
#include <QTest>

#include <stdexcept>

using namespace peek;

class TestFutureContext : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void runsWithTheResultOnTheContextsThread()
    {
        QObject context;
        QPromise<int> promise;
        promise.start();
        auto doubled = thenOn(&context, promise.future(), [&context](int v) {
            if (QThread::currentThread() != context.thread())
                throw std::logic_error("ran on the wrong thread");
            return v * 2;
        });
        promise.addResult(21);
        promise.finish();
        QTRY_VERIFY_WITH_TIMEOUT(doubled.isFinished(), 5000);
        QCOMPARE(doubled.result(), 42);
    }

    void aFailureReachesTheResult()
    {
        QObject context;
        QPromise<int> promise;
        promise.start();
        auto next = thenOn(&context, promise.future(), [](int v) { return v; });
        promise.setException(std::make_exception_ptr(std::runtime_error("the database is gone")));
        promise.finish();
        QTRY_VERIFY_WITH_TIMEOUT(next.isFinished(), 5000);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, next.result());
    }

    void aPlainCancellationIsHandedOn()
    {
        QObject context;
        bool sawCancel = false;
        auto promise = std::make_unique<QPromise<int>>();
        promise->start();
        onFinished(&context, promise->future(), [&](QFuture<int> finished) { sawCancel = !hasResult(finished); });
        promise.reset(); // dies unfinished: cancelled
        QTRY_VERIFY_WITH_TIMEOUT(sawCancel, 5000);
    }

    void aContextThatGoesFirstCancelsInsteadOfCrashing()
    {
        auto context = std::make_unique<QObject>();
        QPromise<int> promise;
        promise.start();
        bool ran = false;
        auto next = thenOn(context.get(), promise.future(), [&ran](int v) {
            ran = true;
            return v;
        });
        context.reset();
        promise.addResult(1);
        promise.finish();
        QTRY_VERIFY_WITH_TIMEOUT(next.isFinished(), 5000);
        QVERIFY(next.isCanceled());
        QVERIFY(!ran);
    }
};

QTEST_GUILESS_MAIN(TestFutureContext)
#include "tst_futurecontext.moc"
