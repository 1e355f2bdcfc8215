#include "startupreport.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QQuickWindow>

#include <cstdio>

namespace peek::app {

void reportStartupWhenReady(QQuickWindow *window, std::function<bool()> ready, std::function<QString()> describe,
                            qint64 startedAtMs)
{
    // Checked after every frame: the first frame after the view exists shows it.
    QObject::connect(window, &QQuickWindow::frameSwapped, window, [ready, describe, startedAtMs] {
        if (!ready())
            return;
        std::fprintf(stdout, "peek: ready in %lld ms (%s)\n",
                     static_cast<long long>(QDateTime::currentMSecsSinceEpoch() - startedAtMs), qPrintable(describe()));
        std::fflush(stdout);
        QCoreApplication::exit(0);
    });
    window->update();
}

} // namespace peek::app
