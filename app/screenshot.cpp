#include "screenshot.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <cstdio>

namespace peek::app {

void screenshotWhenSettled(QObject *context, std::function<bool()> settled,
                           std::function<QImage()> grab, const QString &path, int maxWaitMs)
{
    constexpr int kPollMs = 50;
    constexpr int kSettleMs = 400; // for the first data after the screen settled, and its frame
    auto *poll = new QTimer(context);
    poll->setInterval(kPollMs);
    QElapsedTimer clock;
    clock.start();
    QObject::connect(poll, &QTimer::timeout, context,
                     [context, poll, clock, maxWaitMs, settled = std::move(settled),
                      grab = std::move(grab), path] {
        if (!settled() && clock.elapsed() < maxWaitMs)
            return;
        poll->stop();
        poll->deleteLater();
        QTimer::singleShot(kSettleMs, context, [grab, path] {
            const QImage image = grab();
            if (image.isNull() || !image.save(path, "PNG")) {
                std::fprintf(stderr, "peek: cannot write the screenshot %s\n", qPrintable(path));
                QCoreApplication::exit(1);
                return;
            }
            std::fprintf(stdout, "peek: screenshot written to %s\n", qPrintable(path));
            QCoreApplication::exit(0);
        });
    });
    poll->start();
}

} // namespace peek::app
