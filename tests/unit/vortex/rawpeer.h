#pragma once
// A bare WebSocket peer for transport tests: no vortex logic of its own, so a test controls
// exactly what goes on the wire (nothing, garbage, oversized messages, duplicate uuids).

#include "vortex/payloadenvelope.h"

#include <QSignalSpy>
#include <QTest>
#include <QNetworkRequest>
#include <QUrlQuery>
#include <QUuid>
#include <QWebSocket>

class RawPeer : public QObject
{
    Q_OBJECT
public:
    explicit RawPeer(QString uuid = QUuid::createUuid().toString(QUuid::WithoutBraces))
        : m_uuid(std::move(uuid))
    {
        connect(&socket, &QWebSocket::textMessageReceived, this, [this](const QString &m) {
            if (m == QLatin1String("."))
                ++heartbeats;
            else
                messages.append(m.toUtf8());
            Q_EMIT received();
        });
    }

    // Opens the connection and waits for the server's hello; with a join token, as a service.
    bool open(quint16 port, const QString &name = QStringLiteral("peek-field-app"), const QByteArray &joinToken = {})
    {
        QUrl url(QStringLiteral("ws://127.0.0.1:%1/vortexws").arg(port));
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("vortexName"), name);
        q.addQueryItem(QStringLiteral("vortexUuid"), m_uuid);
        url.setQuery(q);
        QNetworkRequest request(url);
        if (!joinToken.isEmpty())
            request.setRawHeader("X-Peek-Join-Token", joinToken);
        socket.open(request);
        // Refused (403, 503): the socket is unconnected again before any hello.
        (void)QTest::qWaitFor([this] { return !messages.isEmpty() || socket.state() == QAbstractSocket::UnconnectedState; }, 5000);
        return !messages.isEmpty();
    }
    // Sends a hello (the vortex protocol's first message) under another name.
    void hello(const QString &name)
    {
        send(peek::PayloadEnvelope(peek::Dict {{QStringLiteral("__vortexUuid__"), m_uuid},
                                               {QStringLiteral("__vortexName__"), name}}));
    }

    void send(const QByteArray &text) { socket.sendTextMessage(QString::fromUtf8(text)); }
    void send(const peek::PayloadEnvelope &e) { send(e.toVortexMsg()); }

    // Waits for the next non-heartbeat message after the ones already seen.
    bool waitForMessage(int count, int timeoutMs = 5000)
    {
        return QTest::qWaitFor([&] { return messages.size() >= count; }, timeoutMs);
    }
    bool waitForDisconnect(int timeoutMs = 5000)
    {
        return QTest::qWaitFor([this] { return socket.state() == QAbstractSocket::UnconnectedState; },
                               timeoutMs);
    }
    peek::PayloadEnvelope envelope(int i) const
    {
        peek::Result<peek::PayloadEnvelope> e = peek::PayloadEnvelope::fromVortexMsg(messages.value(i));
        return e ? std::move(e).value() : peek::PayloadEnvelope();
    }

    QWebSocket socket;
    QList<QByteArray> messages;
    int heartbeats = 0;

Q_SIGNALS:
    void received();

private:
    QString m_uuid;
};
