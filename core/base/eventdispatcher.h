#pragma once
// The event dispatcher of Peek's servers and load generators: on Linux, one on epoll, whose cost
// per loop iteration does not grow with the number of idle sockets (Qt's own dispatchers poll()
// every registered socket on every iteration: at 10,000 connected devices that, not the work,
// was the cost of each message). Elsewhere, Qt's own.
//
//   int main(int argc, char **argv) {
//       peek::installEventDispatcher();      // before the QCoreApplication is made
//       QCoreApplication app(argc, argv);
//
// Not for GUI processes: a QGuiApplication needs its platform's dispatcher (window system events).
#include "base/export.h"

#include <QAbstractEventDispatcher>
#include <QThread>

#include <memory>

namespace peek {

// A new epoll dispatcher for one thread (QThread::setEventDispatcher before start(), or
// QCoreApplication::setEventDispatcher before the application exists); nullptr where there is
// none (not Linux): the thread then gets Qt's.
PEEK_CORE_EXPORT QAbstractEventDispatcher *createEventDispatcher();

// Makes it the main thread's, unless PEEK_EVENT_DISPATCHER=qt says to keep Qt's (a comparison,
// a suspected dispatcher bug) or the thread has one already. Call before the QCoreApplication is
// made; returns the name of the dispatcher the thread runs on ("epoll" or "qt").
PEEK_CORE_EXPORT const char *installEventDispatcher();

// The same for a thread not started yet (I/O and service threads): the epoll dispatcher unless
// PEEK_EVENT_DISPATCHER=qt.
PEEK_CORE_EXPORT void useEventDispatcherOn(QThread *thread);

} // namespace peek
