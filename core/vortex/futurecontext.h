#pragma once
// Continuations that run on a QObject's thread only while the object lives.
//
// Qt 6.4's QFuture::then(context, f) / onFailed(context, f) / onCanceled(context, f) assert (and
// in release builds never complete) when the context object is destroyed before the future
// finishes, which is exactly what happens when a plugin or a processor stops while its database
// work or a remote call is still running. These helpers hold the context in a QPointer: when it
// is gone, the continuation is dropped and the future they return is cancelled.

#include "base/result.h"

#include <QCoreApplication>
#include <QFuture>
#include <QThread>
#include <QMetaObject>
#include <QPointer>
#include <QPromise>

#include <memory>
#include <type_traits>

namespace peek {

// Runs fn(finished) on context's thread once `future` has finished (with a result, an exception
// or cancelled); fn inspects it (isCanceled(), result() which rethrows a failure). Nothing runs
// if context is gone by then. A future that finishes on context's thread (a reply that arrived,
// or one already finished when this is called) runs fn at once, without an event-loop turn.
//
// A future may also finish on a pool thread while context is being destroyed on its own thread,
// so whether context still lives is decided on context's thread, never on the pool thread: the
// finished future is posted to an object that outlives context on that thread (the application
// object for the main thread, where every Peek context lives) and the guard is checked there.
template <typename T, typename Fn>
void onFinished(QObject *context, QFuture<T> future, Fn fn)
{
    QPointer<QObject> guard(context);
    QObject *mailbox = QCoreApplication::instance();
    if (!mailbox || mailbox->thread() != context->thread())
        mailbox = context; // a context on another thread must outlive its futures
    auto shared = std::make_shared<Fn>(std::move(fn));
    auto post = [guard, mailbox, shared](QFuture<T> finished) {
        if (QThread::currentThread() == mailbox->thread()) { // no other thread can delete context now
            if (guard)
                (*shared)(finished);
            return;
        }
        QMetaObject::invokeMethod(
            mailbox,
            [guard, shared, finished] {
                if (guard)
                    (*shared)(finished);
            },
            Qt::QueuedConnection);
    };
    // Qt calls a continuation for a result or an exception, but only onCanceled for a plain
    // cancellation: both hand the finished future on.
    future.then(QtFuture::Launch::Sync, post).onCanceled([post, future] { post(future); });
}

// For a finished future: true when it completed (result() is safe to call), false when it was
// cancelled without a result; rethrows the exception it failed with.
template <typename T>
bool hasResult(QFuture<T> finished)
{
    if (!finished.isCanceled() || finished.resultCount() > 0)
        return true;
    finished.waitForFinished(); // rethrows the failure, if that is why it ended
    return false;
}

// A finished future's value, or why it has none: the text of the exception it failed with, or
// `whenCancelled` when it was cancelled without a result.
template <typename T>
Result<T> resultOf(QFuture<T> finished, const QString &whenCancelled)
{
    try {
        if (hasResult(finished))
            return finished.result();
        return Error {whenCancelled};
    } catch (const std::exception &e) {
        return Error {QString::fromUtf8(e.what())};
    } catch (...) {
        return Error {QStringLiteral("an unknown exception")};
    }
}

template <typename T, typename Fn>
struct ThenResult
{
    using type = std::invoke_result_t<Fn &, T>;
};
template <typename Fn>
struct ThenResult<void, Fn>
{
    using type = std::invoke_result_t<Fn &>;
};

// future.then(context, fn) that is safe when context goes first: fn(result) runs on context's
// thread; a failure of `future` or an exception of fn fails the returned future, a cancelled
// `future` or a context that is gone cancels it.
template <typename T, typename Fn>
auto thenOn(QObject *context, QFuture<T> future, Fn fn)
{
    using R = typename ThenResult<T, Fn>::type;
    auto promise = std::make_shared<QPromise<R>>();
    QFuture<R> result = promise->future();
    promise->start();
    // Without a run, the last copy of the promise goes with the dropped continuation, and
    // QPromise's destructor cancels and finishes the future.
    onFinished(context, std::move(future), [promise, fn = std::move(fn)](QFuture<T> finished) mutable {
        try {
            if (!hasResult(finished)) {
                promise->future().cancel();
            } else if constexpr (std::is_void_v<T> && std::is_void_v<R>) {
                fn();
            } else if constexpr (std::is_void_v<T>) {
                promise->addResult(fn());
            } else if constexpr (std::is_void_v<R>) {
                fn(finished.result());
            } else {
                promise->addResult(fn(finished.result()));
            }
        } catch (...) {
            promise->setException(std::current_exception());
        }
        promise->finish();
    });
    return result;
}

} // namespace peek
