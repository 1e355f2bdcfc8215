#pragma once

#include "base/export.h"
#include "vortex.h"

#include <QByteArrayView>

namespace peek {

// Reading an HTTP request head from the bytes received so far.
enum class HeadStatus {
    Incomplete, // no blank line yet, still within the limit: wait for more bytes
    Complete, // `request` and `length` are set
    TooLarge, // no blank line within the first maxHead + 4 bytes (HTTP 431)
    Malformed, // the request line is not "METHOD TARGET HTTP/x" (HTTP 400)
};

struct HttpRequestHead {
    HeadStatus status = HeadStatus::Incomplete;
    HttpRequest request; // method, url (http://local + target), the raw header block
    qsizetype length = 0; // bytes of the head with its blank line: the body starts here
};

// Parses the head at the start of `received` (what a socket has buffered): the request line split
// on spaces into exactly three parts (the last one starting with "HTTP/"), then the header lines,
// ending at the first "\r\n\r\n". Only the first `maxHead` + 4 bytes are looked at, so a head of
// up to `maxHead` bytes plus its blank line is complete.
PEEK_CORE_EXPORT HttpRequestHead readHttpRequestHead(QByteArrayView received, qsizetype maxHead);

} // namespace peek
