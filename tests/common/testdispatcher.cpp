// Linked into every test (peek_add_test): a test without a GUI runs on the epoll event dispatcher,
// as peek-server does (PEEK_EVENT_DISPATCHER=qt runs it on Qt's, for a comparison). A GUI test
// keeps its platform's: its QTEST_MAIN makes a QGuiApplication (QT_GUI_LIB), whose window system
// events only the platform's dispatcher delivers.
#include "base/eventdispatcher.h"

#ifndef QT_GUI_LIB
namespace {
// Before main(): the dispatcher must be there before the QCoreApplication is made.
[[maybe_unused]] const char *const kDispatcher = peek::installEventDispatcher();
} // namespace
#endif
