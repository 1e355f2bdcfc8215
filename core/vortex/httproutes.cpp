#include "httproutes.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMimeDatabase>
#include <QTcpSocket>

namespace peek {

HttpResponse HttpResponse::text(int status, const QByteArray &body)
{
    HttpResponse response;
    response.status = status;
    response.body = body;
    return response;
}

HttpResponse HttpResponse::json(const QJsonDocument &document, int status)
{
    HttpResponse response;
    response.status = status;
    response.contentType = "application/json";
    response.body = document.toJson(QJsonDocument::Indented);
    return response;
}

QByteArray HttpResponse::reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

void HttpResponse::writeTo(QTcpSocket *socket, bool withBody) const
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason(status)
        + "\r\nContent-Type: " + contentType + "\r\nConnection: close\r\n" + extraHeaders
        + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
    socket->write(withBody ? head + body : head);
    socket->disconnectFromHost();
}

HttpRoutes::Id HttpRoutes::add(const QString &pathPrefix, Handler handler)
{
    const Id id = m_nextId++;
    m_routes.emplace(id, Route{pathPrefix, std::move(handler)});
    return id;
}

HttpRoutes::Id HttpRoutes::addDirectory(const QString &pathPrefix, const QString &directory)
{
    const QString root = QDir(directory).canonicalPath();
    QString prefix = pathPrefix;
    if (!prefix.endsWith(u'/'))
        prefix += u'/';
    return add(prefix, [root, prefix](const HttpRequest &request) {
        if (request.method != "GET" && request.method != "HEAD") {
            HttpResponse refused = HttpResponse::text(405, "Only GET and HEAD are served here.\n");
            refused.extraHeaders = "Allow: GET, HEAD\r\n";
            return refused;
        }
        const QString relative = request.url.path().mid(prefix.size());
        const QString path = QFileInfo(root + u'/' + relative).canonicalFilePath();
        // canonicalFilePath resolves ".." and links: whatever lands outside the root is refused.
        if (root.isEmpty() || path.isEmpty() || !path.startsWith(root + u'/') || !QFileInfo(path).isFile())
            return HttpResponse::text(404, "No such file: " + request.url.path().toUtf8() + "\n");
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return HttpResponse::text(500, "Cannot read " + request.url.path().toUtf8() + "\n");
        HttpResponse response;
        response.contentType = QMimeDatabase().mimeTypeForFile(path, QMimeDatabase::MatchExtension).name().toUtf8();
        response.body = file.readAll();
        return response;
    });
}

void HttpRoutes::remove(Id id)
{
    m_routes.erase(id);
}

bool HttpRoutes::handle(const HttpRequest &request, QTcpSocket *socket) const
{
    const QString path = request.url.path();
    const Route *best = nullptr;
    for (const auto &[id, route] : m_routes) {
        const bool matches = path.startsWith(route.prefix)
            || (route.prefix.endsWith(u'/') && path == route.prefix.chopped(1));
        if (matches && (!best || route.prefix.size() > best->prefix.size()))
            best = &route;
    }
    if (!best)
        return false;
    HttpRequest asked = request;
    if (socket)
        asked.peer = socket->peerAddress();
    HttpResponse response;
    try {
        response = best->handler(asked);
    } catch (const std::exception &e) {
        response = HttpResponse::text(500, QByteArray("The handler of ") + path.toUtf8()
                                               + " failed: " + e.what() + "\n");
    }
    response.writeTo(socket, request.method != "HEAD");
    return true;
}

void HttpRoutes::serve(Vortex *vortex)
{
    vortex->setHttpHandler([this](const HttpRequest &request, QTcpSocket *socket) {
        return handle(request, socket);
    });
}

} // namespace peek
