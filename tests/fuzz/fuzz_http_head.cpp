// The HTTP request head reader of the vortex ports (readHttpRequestHead) on any bytes, with the
// server's 16 KiB limit, then what Vortex::Server::inspect() does with the request it returns.
#include "fuzzcheck.h"

#include "vortex/httprequesthead.h"

#include <QUrlQuery>

using namespace peek;

namespace {
constexpr qsizetype kMaxHead = 16 * 1024; // as vortex.cpp's kMaxRequestHeader
}

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // A copy of the input's length: a socket's peek() hands over a QByteArray.
    const QByteArray received = fuzz::bytesOf(data, size);
    const HttpRequestHead head = readHttpRequestHead(received, kMaxHead);
    switch (head.status) {
    case HeadStatus::Incomplete:
        PEEK_FUZZ_CHECK(received.size() <= kMaxHead);
        PEEK_FUZZ_CHECK(!received.contains("\r\n\r\n"));
        break;
    case HeadStatus::TooLarge:
        PEEK_FUZZ_CHECK(received.size() > kMaxHead);
        PEEK_FUZZ_CHECK(
            !received.first(std::min(received.size(), kMaxHead + 4)).contains("\r\n\r\n"));
        break;
    case HeadStatus::Malformed:
        break;
    case HeadStatus::Complete: {
        PEEK_FUZZ_CHECK(head.length >= 4 && head.length <= std::min(received.size(), kMaxHead + 4));
        PEEK_FUZZ_CHECK(received.sliced(head.length - 4, 4) == "\r\n\r\n");
        PEEK_FUZZ_CHECK(received.indexOf("\r\n\r\n") == head.length - 4);
        PEEK_FUZZ_CHECK(head.request.headers.size() <= head.length);
        // One byte short of the blank line, the head is not complete yet.
        const HttpRequestHead shorter
            = readHttpRequestHead(received.first(head.length - 1), kMaxHead);
        PEEK_FUZZ_CHECK(shorter.status == HeadStatus::Incomplete
                        || shorter.status == HeadStatus::TooLarge);
        // What inspect() reads from the request.
        const QUrlQuery query(head.request.url);
        (void)head.request.url.path();
        (void)query.queryItemValue(QStringLiteral("vortexName"), QUrl::FullyDecoded);
        (void)query.queryItemValue(QStringLiteral("vortexUuid"), QUrl::FullyDecoded);
        (void)head.request.url.toString();
        break;
    }
    }
    // A tiny limit takes the TooLarge path on short inputs as well.
    (void)readHttpRequestHead(received, 8);
    return 0;
}
