#pragma once

#include "base/export.h"
#include "base/result.h"
#include "payload.h"

namespace peek {

// What travels on the wire: a filt (a copy of the payload's, so routers and caches never
// decompress), the encoded payload as it is, a result (null/true = success, else error text)
// and a date (docs/protocol.md §2).
class PEEK_CORE_EXPORT PayloadEnvelope
{
public:
    Dict filt;
    QByteArray data; // the encoded payload, or empty
    Value result;    // null or true: success; anything else: the error
    DateTime date = DateTime::currentUtc();

    PayloadEnvelope() = default;
    explicit PayloadEnvelope(Dict filt, QByteArray data = {}, Value result = {})
        : filt(std::move(filt)), data(std::move(data)), result(std::move(result))
    {
    }
    // Encodes the payload and copies its filt.
    static PayloadEnvelope fromPayload(const Payload &payload,
                                       int compressionLevel = kDefaultCompressionLevel);
    // A failure reply to a request: the request's filt, no data, the error text.
    static PayloadEnvelope error(const Dict &requestFilt, const QString &message);

    bool isSuccess() const;
    QString errorText() const; // empty on success

    Result<Payload> decodePayload() const;

    // How a peer writes vortex messages (docs/protocol.md §9, docs/protocol.md "Message forms"):
    // vortexpy sends plain JSON with the payload under "data"; vortexjs sends base64 of JSON
    // with the payload under "encodedPayload" and reads nothing else.
    enum class Form { Json, Base64EncodedPayload };

    // The vortex message: the envelope's JSON text (or the vortexjs form).
    QByteArray toVortexMsg(Form form = Form::Json) const;
    // A vortex message of ours rewritten in `form` (the JSON form is returned as it is).
    static QByteArray convertVortexMsg(const QByteArray &jsonMsg, Form form);
    // Reads a vortex message: JSON, or base64 of JSON (sniffed on the first byte). Accepts the
    // older "encodedPayload" key for data.
    static Result<PayloadEnvelope> fromVortexMsg(QByteArrayView msg);
    static Result<PayloadEnvelope> fromValue(const Value &decoded);
};

} // namespace peek
