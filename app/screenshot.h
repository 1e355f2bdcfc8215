#pragma once

#include <QImage>
#include <QString>

#include <functional>

class QObject;

namespace peek::app {

// --screenshot for every window of the app: checks `settled` every 50 ms until it says yes (or
// `maxWaitMs` passed), gives the first data a moment (400 ms) to be drawn, then writes `grab()`
// to `path` as a PNG and quits the application (exit code 0, or 1 with a message when it cannot
// write). Stops quietly when `context` is destroyed first.
void screenshotWhenSettled(QObject *context, std::function<bool()> settled,
                           std::function<QImage()> grab, const QString &path,
                           int maxWaitMs = 5000);

} // namespace peek::app
