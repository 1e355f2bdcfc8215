#include "payloadresponse.h"

#include "vortex.h"

#include <QPromise>

namespace peek {

const QString PayloadResponse::kUnavailableKey = QStringLiteral("peekUnavailable");

QFuture<PayloadEnvelope> PayloadResponse::send(Vortex *vortex, PayloadEnvelope request,
                                               const QString &destVortexName, int timeoutMs)
{
    auto promise = std::make_shared<QPromise<PayloadEnvelope>>();
    QFuture<PayloadEnvelope> future = promise->future();
    promise->start();

    // One connection carries the request, and only its answer counts (docs/threats.md rule 1).
    const quint64 via = vortex->connectionTo(destVortexName);
    if (via == 0) {
        promise->setException(std::make_exception_ptr(NotConnectedError(
            QStringLiteral("%1 is not connected to %2; the request was not sent")
                .arg(vortex->name(), destVortexName))));
        promise->finish();
        return future;
    }

    const QString messageId = vortex->nextMessageId();
    request.filt.insert(PayloadRouter::kMessageIdKey, messageId);

    QPointer<Vortex> guard(vortex);
    auto deadline = std::make_shared<quint64>(0);
    auto finish = [guard, messageId, deadline, promise](const std::function<void()> &complete) {
        if (guard) {
            guard->router().removeResponseWaiter(messageId);
            guard->cancelDeadline(*deadline);
        }
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
        }, via);
    *deadline = vortex->addDeadline(timeoutMs, [finish, promise, timeoutMs, destVortexName] {
        finish([&] {
            promise->setException(std::make_exception_ptr(TimeoutError(
                QStringLiteral("no answer from %1 within %2 ms").arg(destVortexName).arg(timeoutMs))));
        });
    });
    vortex->sendToConnection(via, request.toVortexMsg());
    return future;
}

} // namespace peek
