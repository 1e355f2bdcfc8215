#pragma once

#include <QString>

#include <functional>

class QQuickWindow;

namespace peek::app {

// --report-startup (the cold-start benchmark): after every frame of `window`, asks `ready`; the
// first time it says yes, prints "peek: ready in N ms (<describe()>)" counted from `startedAtMs`
// (ms since the epoch, when main() began) and quits the application.
void reportStartupWhenReady(QQuickWindow *window, std::function<bool()> ready, std::function<QString()> describe,
                            qint64 startedAtMs);

} // namespace peek::app
