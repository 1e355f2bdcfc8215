#include "httprequesthead.h"

#include <QList>

namespace peek {

HttpRequestHead readHttpRequestHead(QByteArrayView received, qsizetype maxHead)
{
    HttpRequestHead head;
    const QByteArrayView bytes = received.first(std::min(received.size(), maxHead + 4));
    const qsizetype end = bytes.indexOf("\r\n\r\n");
    if (end < 0) {
        head.status = bytes.size() > maxHead ? HeadStatus::TooLarge : HeadStatus::Incomplete;
        return head;
    }
    const qsizetype lineEnd = bytes.indexOf("\r\n"); // found: at `end` at the latest
    const QList<QByteArray> requestLine = bytes.first(lineEnd).toByteArray().split(' ');
    if (requestLine.size() != 3 || !requestLine[2].startsWith("HTTP/")) {
        head.status = HeadStatus::Malformed;
        return head;
    }
    head.status = HeadStatus::Complete;
    // No header lines at all (lineEnd == end): an empty block, not the bytes after the head.
    const QByteArrayView headers
        = lineEnd < end ? bytes.sliced(lineEnd + 2, end - lineEnd - 2) : QByteArrayView();
    head.request = HttpRequest {
        requestLine[0], QUrl(QStringLiteral("http://local") + QString::fromLatin1(requestLine[1])),
        headers.toByteArray()};
    head.length = end + 4;
    return head;
}

} // namespace peek
