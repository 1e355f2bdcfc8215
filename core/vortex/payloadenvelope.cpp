#include "payloadenvelope.h"

#include "tuple/jsoncodec.h"

namespace peek {

PayloadEnvelope PayloadEnvelope::fromPayload(const Payload &payload, int compressionLevel)
{
    PayloadEnvelope e(payload.filt, payload.encode(compressionLevel));
    e.date = payload.date;
    return e;
}

PayloadEnvelope PayloadEnvelope::error(const Dict &requestFilt, const QString &message)
{
    return PayloadEnvelope(requestFilt, {}, Value(message.isEmpty() ? QStringLiteral("error") : message));
}

bool PayloadEnvelope::isSuccess() const
{
    return result.isNull() || (result.type() == Value::Type::Bool && result.toBool());
}

QString PayloadEnvelope::errorText() const
{
    if (isSuccess())
        return {};
    const QString text = result.toString();
    return text.isEmpty() ? QString::fromUtf8(json::encode(result)) : text;
}

Result<Payload> PayloadEnvelope::decodePayload() const
{
    if (data.isEmpty())
        return Error {QStringLiteral("the envelope carries no payload")};
    return Payload::decode(data);
}

QByteArray PayloadEnvelope::toVortexMsg(Form form) const
{
    JsonWriter w;
    w.reserve(size_t(data.size()) + 256);
    w.writeRaw("{\"_ct\":\"rpe\",\"_c\":\"vortex.PayloadEnvelope.PayloadEnvelope\",\"filt\":");
    w.writeDict(filt);
    w.writeRaw(form == Form::Json ? ",\"data\":" : ",\"encodedPayload\":");
    if (data.isEmpty()) {
        w.writeRaw("null");
    } else {
        // Encoded payloads are base64: plain ASCII that needs no escaping.
        w.writeRaw("\"", 1);
        w.writeRaw(data.constData(), size_t(data.size()));
        w.writeRaw("\"", 1);
    }
    w.writeRaw(",\"result\":");
    w.writeValue(result);
    w.writeRaw(",\"date\":");
    w.writeValue(date.isValid() ? Value(date) : Value());
    w.writeRaw("}", 1);
    return form == Form::Json ? w.take() : w.take().toBase64();
}

QByteArray PayloadEnvelope::convertVortexMsg(const QByteArray &jsonMsg, Form form)
{
    if (form == Form::Json || jsonMsg == ".")
        return jsonMsg;
    const Result<PayloadEnvelope> envelope = fromVortexMsg(jsonMsg);
    if (!envelope)
        return jsonMsg.toBase64(); // not ours to fix: at least in the form the peer reads
    return envelope.value().toVortexMsg(form);
}

namespace {

bool isBase64Text(QStringView text)
{
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (!((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '+' || u == '/'
              || u == '='))
            return false;
    }
    return true;
}

} // namespace

Result<PayloadEnvelope> PayloadEnvelope::fromValue(const Value &decoded)
{
    const Dict &d = decoded.toDict();
    if (decoded.type() != Value::Type::Dict || d.value(QStringLiteral("_ct")).toString() != QLatin1String("rpe"))
        return Error {QStringLiteral("not a payload envelope (expected an object with \"_ct\":\"rpe\")")};
    const Value *filt = d.find(QStringLiteral("filt"));
    if (!filt || filt->type() != Value::Type::Dict)
        return Error {QStringLiteral("the payload envelope has no filt object")};
    PayloadEnvelope out;
    out.filt = filt->toDict();
    const Value *data = d.find(QStringLiteral("data"));
    if (!data || data->isNull())
        data = d.find(QStringLiteral("encodedPayload"));
    if (data && !data->isNull()) {
        // An encoded payload is base64 text; anything else (a quote, a backslash, non-ASCII)
        // would be written back raw by toVortexMsg() when the envelope is forwarded.
        if (data->type() != Value::Type::String || !isBase64Text(data->toStringView()))
            return Error {QStringLiteral("the payload envelope's data is not base64 text")};
        out.data = data->toString().toLatin1();
    }
    out.result = d.value(QStringLiteral("result"));
    out.date = d.value(QStringLiteral("date")).toDateTime();
    return out;
}

Result<PayloadEnvelope> PayloadEnvelope::fromVortexMsg(QByteArrayView msg)
{
    QByteArray fromBase64;
    if (!msg.isEmpty() && msg.front() != '{') {
        if (!base64::decode(msg, fromBase64) || fromBase64.isEmpty() || fromBase64.front() != '{')
            return Error {QStringLiteral("the vortex message is neither JSON nor base64 of JSON")};
        msg = fromBase64;
    }
    const Result<Value> v = json::decode(msg);
    if (!v)
        return Error {QStringLiteral("the vortex message is not valid JSON: %1").arg(v.error().what)};
    return fromValue(v.value());
}

} // namespace peek
