#pragma once

#include "base/export.h"
#include "vortex.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QString>

#include <functional>
#include <map>

class QTcpSocket;

namespace peek {

// An answer to a plain HTTP request on a vortex port.
struct PEEK_CORE_EXPORT HttpResponse
{
    int status = 200;
    QByteArray contentType = "text/plain; charset=utf-8";
    QByteArray body;
    QByteArray extraHeaders; // complete "Name: value\r\n" lines

    static HttpResponse text(int status, const QByteArray &body);
    static HttpResponse json(const QJsonDocument &document, int status = 200);
    // The status line's reason phrase ("Not Found" for 404).
    static QByteArray reason(int status);
    // Writes the response (Connection: close) and closes the socket once it is sent.
    void writeTo(QTcpSocket *socket, bool withBody = true) const;
};

// The plain HTTP side of a vortex port: GET /health and the plugins' resources under
// /<plugin>/. Handlers run on the event loop and must answer quickly (no blocking work).
// Paths are matched by prefix, the longest first; a prefix ending in '/' also matches the path
// without it ("/peek_plugin_x" finds "/peek_plugin_x/").
class PEEK_CORE_EXPORT HttpRoutes
{
public:
    using Handler = std::function<HttpResponse(const HttpRequest &request)>;
    using Id = quint64;

    Id add(const QString &pathPrefix, Handler handler);
    // Serves the files under `directory` below `pathPrefix` (GET and HEAD; no listing; paths
    // that leave the directory are refused).
    Id addDirectory(const QString &pathPrefix, const QString &directory);
    void remove(Id id);

    // For Vortex::setHttpHandler: answers a request when a route matches, else returns false.
    bool handle(const HttpRequest &request, QTcpSocket *socket) const;
    // Installs handle() on the vortex.
    void serve(Vortex *vortex);

private:
    struct Route
    {
        QString prefix;
        Handler handler;
    };
    std::map<Id, Route> m_routes;
    Id m_nextId = 1;
};

} // namespace peek
