#pragma once
// What every fuzz target shares: an invariant check that stops the run with a message (libFuzzer
// then saves the input), and silence for Qt's log lines (a fuzzer feeds millions of bad inputs).

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QtGlobal>

#include <cstdio>
#include <cstdlib>

#define PEEK_FUZZ_CHECK(condition)                                                                 \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__,         \
                         #condition);                                                              \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)

namespace peek::fuzz {

// Drops Qt's messages, except fatal ones (PEEK_FUZZ_VERBOSE=1 keeps them all).
inline void quietQt()
{
    if (qEnvironmentVariableIntValue("PEEK_FUZZ_VERBOSE"))
        return;
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &, const QString &message) {
        if (type == QtFatalMsg) {
            std::fprintf(stderr, "qFatal: %s\n", qPrintable(message));
            std::abort();
        }
    });
}

// The input as a view (APIs taking a view must not read past it: it ends without a NUL) ...
inline QByteArrayView viewOf(const uint8_t *data, size_t size)
{
    return QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size));
}
// ... and as a QByteArray of its own, as a socket or file would hand it over.
inline QByteArray bytesOf(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

} // namespace peek::fuzz

// Every target defines both; smoke_main.cpp calls them as libFuzzer would.
extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv);
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
