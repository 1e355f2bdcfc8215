#include "payload.h"

#include "../tuple/jsoncodec.h"

#include <zlib.h>

#include <algorithm>

namespace peek {

namespace zlib {

namespace {

// zlib's deflate state is ~256 KiB: allocating it per message made the heap grow and shrink
// (brk + page faults) on every RPC. Each thread keeps its streams and resets them instead.
struct ThreadStreams
{
    z_stream deflaters[10] = {};
    bool deflaterReady[10] = {};
    z_stream inflater = {};
    bool inflaterReady = false;

    ~ThreadStreams()
    {
        for (int i = 0; i < 10; ++i)
            if (deflaterReady[i])
                deflateEnd(&deflaters[i]);
        if (inflaterReady)
            inflateEnd(&inflater);
    }

    z_stream *deflater(int level)
    {
        level = std::clamp(level, 0, 9);
        if (!deflaterReady[level]) {
            if (deflateInit(&deflaters[level], level) != Z_OK)
                return nullptr;
            deflaterReady[level] = true;
        } else {
            deflateReset(&deflaters[level]);
        }
        return &deflaters[level];
    }

    z_stream *inflaterStream()
    {
        if (!inflaterReady) {
            if (inflateInit(&inflater) != Z_OK)
                return nullptr;
            inflaterReady = true;
        } else {
            inflateReset(&inflater);
        }
        return &inflater;
    }
};

ThreadStreams &threadStreams()
{
    thread_local ThreadStreams streams;
    return streams;
}

} // namespace

QByteArray compress(const char *data, qsizetype size, int level)
{
    z_stream *zs = threadStreams().deflater(level);
    if (!zs)
        return {};
    QByteArray out(qsizetype(deflateBound(zs, uLong(size))), Qt::Uninitialized);
    zs->next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data));
    zs->avail_in = uInt(size);
    zs->next_out = reinterpret_cast<Bytef *>(out.data());
    zs->avail_out = uInt(out.size());
    if (deflate(zs, Z_FINISH) != Z_STREAM_END)
        return {};
    out.resize(out.size() - qsizetype(zs->avail_out));
    return out;
}

QByteArray uncompress(QByteArrayView data, QString *error, qsizetype maxOutput)
{
    z_stream *zsp = threadStreams().inflaterStream();
    if (!zsp) {
        if (error)
            *error = QStringLiteral("zlib could not start inflating");
        return {};
    }
    z_stream &zs = *zsp;
    // Compressed JSON usually expands 5-10x; grow as needed.
    QByteArray out(std::max<qsizetype>(1024, data.size() * 8), Qt::Uninitialized);
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
    zs.avail_in = uInt(data.size());
    qsizetype produced = 0;
    int rc = Z_OK;
    while (true) {
        zs.next_out = reinterpret_cast<Bytef *>(out.data() + produced);
        zs.avail_out = uInt(out.size() - produced);
        rc = inflate(&zs, Z_NO_FLUSH);
        produced = out.size() - qsizetype(zs.avail_out);
        if (rc == Z_STREAM_END)
            break;
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            if (error)
                *error = QStringLiteral("the payload is not a valid zlib stream (%1)")
                             .arg(QString::fromLatin1(zs.msg ? zs.msg : "corrupt data"));
            return {};
        }
        if (zs.avail_out == 0) {
            if (out.size() >= maxOutput) {
                if (error)
                    *error = QStringLiteral("the payload inflates to more than %1 bytes").arg(maxOutput);
                return {};
            }
            out.resize(std::min(maxOutput, out.size() * 2));
        } else if (zs.avail_in == 0) {
            if (error)
                *error = QStringLiteral("the payload's zlib stream is truncated");
            return {};
        }
    }
    out.resize(produced);
    return out;
}

} // namespace zlib

QByteArray Payload::toJson() const
{
    JsonWriter w;
    w.reserve(64 + tuples.size() * 96);
    w.writeRaw("{\"_ct\":\"rp\",\"_c\":\"vortex.Payload.Payload\",\"filt\":");
    w.writeDict(filt);
    w.writeRaw(",\"tuples\":[");
    bool first = true;
    for (const auto &t : tuples) {
        if (!first)
            w.writeRaw(",", 1);
        first = false;
        if (t)
            w.writeTuple(*t);
        else
            w.writeRaw("null");
    }
    w.writeRaw("],\"date\":");
    w.writeValue(date.isValid() ? Value(date) : Value());
    w.writeRaw("}", 1);
    return w.toByteArray();
}

bool Payload::fromValue(const Value &decoded, Payload &out, QString *error)
{
    const Dict &d = decoded.toDict();
    if (decoded.type() != Value::Type::Dict || d.value(QStringLiteral("_ct")).toString() != QLatin1String("rp")) {
        if (error)
            *error = QStringLiteral("not a payload (expected an object with \"_ct\":\"rp\")");
        return false;
    }
    out.filt = d.value(QStringLiteral("filt")).toDict();
    out.tuples.clear();
    const auto &list = d.value(QStringLiteral("tuples")).toList();
    out.tuples.reserve(list.size());
    for (const auto &v : list)
        out.tuples.push_back(v.toTuple());
    out.date = d.value(QStringLiteral("date")).toDateTime();
    return true;
}

bool Payload::fromJson(QByteArrayView json, Payload &out, QString *error)
{
    QString why;
    const Value v = json::decode(json, &why);
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return false;
    }
    return fromValue(v, out, error);
}

QByteArray Payload::encode(int compressionLevel) const
{
    const QByteArray json = toJson();
    return zlib::compress(json.constData(), json.size(), compressionLevel).toBase64();
}

QByteArray Payload::decodeToJson(QByteArrayView encoded, QString *error)
{
    const auto decoded = QByteArray::fromBase64Encoding(encoded.toByteArray(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        if (error)
            *error = QStringLiteral("the encoded payload is not valid base64");
        return {};
    }
    return zlib::uncompress(*decoded, error);
}

bool Payload::decode(QByteArrayView encoded, Payload &out, QString *error)
{
    QString why;
    const QByteArray json = decodeToJson(encoded, &why);
    if (json.isNull() || !why.isEmpty()) {
        if (error)
            *error = why;
        return false;
    }
    return fromJson(json, out, error);
}

} // namespace peek
