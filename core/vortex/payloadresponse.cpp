#include "payloadresponse.h"

#include "vortex.h"

#include <QPromise>
#include <QTimer>

namespace peek {

const QString PayloadResponse::kUnavailableKey = QStringLiteral("peekUnavailable");

QFuture<PayloadEnvelope> PayloadResponse::send(Vortex *vortex, PayloadEnvelope request,
                                               const QString &destVortexName, int timeoutMs)
{
    auto promise = std::make_shared<QPromise<PayloadEnvelope>>();
    QFuture<PayloadEnvelope> future = promise->future();
    promise->start();

    if (!vortex->isConnectedTo(destVortexName)) {
        promise->setException(std::make_exception_ptr(NotConnectedError(
            QStringLiteral("%1 is not connected to %2; the request was not sent")
                .arg(vortex->name(), destVortexName))));
        promise->finish();
        return future;
    }

    const QString messageId = vortex->nextMessageId();
    request.filt.insert(PayloadRouter::kMessageIdKey, messageId);

    auto *timer = new QTimer(vortex);
    timer->setSingleShot(true);
    QPointer<Vortex> guard(vortex);
    auto finish = [guard, messageId, timer, promise](const std::function<void()> &complete) {
        if (guard)
            guard->router().removeResponseWaiter(messageId);
        timer->stop();
        timer->deleteLater();
        complete();
        promise->finish();
    };

    vortex->router().addResponseWaiter(
        messageId, [finish, promise](const PayloadEnvelope &reply, const MessageSource &) {
            finish([&] {
                if (reply.isSuccess())
                    promise->addResult(reply);
                else if (reply.filt.value(kUnavailableKey).toBool())
                    promise->setException(std::make_exception_ptr(UnavailableError(reply.errorText())));
                else
                    promise->setException(std::make_exception_ptr(RemoteError(reply.errorText())));
            });
        });
    QObject::connect(timer, &QTimer::timeout, vortex, [finish, promise, timeoutMs, destVortexName] {
        finish([&] {
            promise->setException(std::make_exception_ptr(TimeoutError(
                QStringLiteral("no answer from %1 within %2 ms").arg(destVortexName).arg(timeoutMs))));
        });
    });
    timer->start(timeoutMs);
    vortex->send(request, destVortexName);
    return future;
}

} // namespace peek
