#include "payload.h"

#include "tuple/decodelimits.h"
#include "tuple/jsoncodec.h"

#include <libdeflate.h>

#include <algorithm>
#include <array>

namespace peek {

namespace zlib {

namespace {

// libdeflate: whole-buffer DEFLATE, about twice zlib's speed each way, writing and reading the
// same zlib streams (every peer, vortexpy's zlib included, reads what it writes). Its compressor
// state is large: each thread keeps one per level, and one decompressor.
struct ThreadCodecs
{
    libdeflate_compressor *compressors[13] = {};
    libdeflate_decompressor *decompressor = nullptr;

    ~ThreadCodecs()
    {
        for (libdeflate_compressor *c : compressors)
            if (c)
                libdeflate_free_compressor(c);
        if (decompressor)
            libdeflate_free_decompressor(decompressor);
    }

    libdeflate_compressor *compressor(int level)
    {
        level = std::clamp(level, 0, 12);
        if (!compressors[level])
            compressors[level] = libdeflate_alloc_compressor(level);
        return compressors[level];
    }

    libdeflate_decompressor *inflater()
    {
        if (!decompressor)
            decompressor = libdeflate_alloc_decompressor();
        return decompressor;
    }
};

ThreadCodecs &threadCodecs()
{
    thread_local ThreadCodecs codecs;
    return codecs;
}

} // namespace

QByteArray compress(const char *data, qsizetype size, int level)
{
    libdeflate_compressor *c = threadCodecs().compressor(level);
    if (!c)
        return {};
    QByteArray out(qsizetype(libdeflate_zlib_compress_bound(c, size_t(size))), Qt::Uninitialized);
    const size_t written = libdeflate_zlib_compress(c, data, size_t(size), out.data(), size_t(out.size()));
    if (written == 0)
        return {};
    out.resize(qsizetype(written));
    return out;
}

Result<QByteArray> uncompress(QByteArrayView data, qsizetype maxOutput)
{
    libdeflate_decompressor *d = threadCodecs().inflater();
    if (!d)
        return Error {QStringLiteral("no memory to start inflating")};
    // Whole-buffer: the output must fit the buffer, so a stream that does not is inflated again
    // into one twice the size, up to the cap. Payload JSON inflates 8-20x (12x for the benchmark
    // payload): 16x mostly fits at once. Nothing is allocated beyond the cap.
    qsizetype capacity = std::min(maxOutput, std::max<qsizetype>(1024, data.size() * 16));
    QByteArray out;
    while (true) {
        out.resize(capacity);
        size_t produced = 0;
        const libdeflate_result rc
            = libdeflate_zlib_decompress(d, data.data(), size_t(data.size()), out.data(), size_t(out.size()), &produced);
        if (rc == LIBDEFLATE_SUCCESS) {
            out.resize(qsizetype(produced));
            return out;
        }
        if (rc != LIBDEFLATE_INSUFFICIENT_SPACE)
            return Error {QStringLiteral("the payload is not a valid zlib stream (corrupt or truncated, %1 bytes)").arg(data.size())};
        if (capacity >= maxOutput)
            return Error {QStringLiteral("the payload inflates to more than %1 bytes (%2 compressed; "
                                         "limits.maxInflatedBytes, limits.maxInflateRatio)")
                              .arg(maxOutput)
                              .arg(data.size())};
        capacity = std::min(maxOutput, capacity * 2);
    }
}

} // namespace zlib

namespace base64 {

namespace {

constexpr uchar kInvalid = 0xff;

// The 6-bit value of each base64 character, kInvalid for all else (including '=').
constexpr std::array<uchar, 256> kDecodeTable = [] {
    std::array<uchar, 256> table{};
    table.fill(kInvalid);
    constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (uchar i = 0; i < 64; ++i)
        table[uchar(alphabet[i])] = i;
    return table;
}();

} // namespace

bool decode(QByteArrayView text, QByteArray &out)
{
    // The canonical form (length a multiple of 4, at most two '=' at the end, nothing but the
    // alphabet before them) is decoded here, four characters to three bytes at a time. Anything
    // else is left to Qt, which decides what it accepts (unpadded text) and what it rejects.
    const qsizetype n = text.size();
    const auto *in = reinterpret_cast<const uchar *>(text.data());
    if (n > 0 && n % 4 == 0) {
        const int padding = in[n - 1] != '=' ? 0 : in[n - 2] != '=' ? 1 : 2;
        const qsizetype whole = padding ? n - 4 : n; // groups without padding
        QByteArray bytes(n / 4 * 3 - padding, Qt::Uninitialized);
        char *o = bytes.data();
        uchar invalid = 0;
        for (qsizetype i = 0; i < whole; i += 4, o += 3) {
            const uchar a = kDecodeTable[in[i]], b = kDecodeTable[in[i + 1]],
                        c = kDecodeTable[in[i + 2]], d = kDecodeTable[in[i + 3]];
            invalid |= a | b | c | d; // only kInvalid has the top bits set
            const uint v = uint(a) << 18 | uint(b) << 12 | uint(c) << 6 | d;
            o[0] = char(v >> 16);
            o[1] = char(v >> 8);
            o[2] = char(v);
        }
        if (padding) {
            const uchar a = kDecodeTable[in[whole]], b = kDecodeTable[in[whole + 1]];
            const uchar c = padding == 1 ? kDecodeTable[in[whole + 2]] : 0;
            invalid |= a | b | c;
            const uint v = uint(a) << 18 | uint(b) << 12 | uint(c) << 6;
            o[0] = char(v >> 16);
            if (padding == 1)
                o[1] = char(v >> 8);
        }
        if (!(invalid & 0xc0)) {
            out = std::move(bytes);
            return true;
        }
    }
    auto decoded = QByteArray::fromBase64Encoding(text.toByteArray(),
                                                  QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return false;
    out = std::move(decoded.decoded);
    return true;
}

} // namespace base64

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
    return w.take();
}

Result<Payload> Payload::fromValue(const Value &decoded)
{
    const Dict &d = decoded.toDict();
    if (decoded.type() != Value::Type::Dict || d.value(QStringLiteral("_ct")).toString() != QLatin1String("rp"))
        return Error {QStringLiteral("not a payload (expected an object with \"_ct\":\"rp\")")};
    const Value *filt = d.find(QStringLiteral("filt"));
    const Value *tuples = d.find(QStringLiteral("tuples"));
    if (filt && !filt->isNull() && filt->type() != Value::Type::Dict)
        return Error {QStringLiteral("the payload's filt is not an object")};
    if (tuples && !tuples->isNull() && tuples->type() != Value::Type::List)
        return Error {QStringLiteral("the payload's tuples is not a list")};
    const auto &list = d.value(QStringLiteral("tuples")).toList();
    for (size_t i = 0; i < list.size(); ++i) {
        if (!list[i].isNull() && list[i].type() != Value::Type::Tuple)
            return Error {QStringLiteral("the payload's tuples[%1] is not a tuple").arg(i)};
    }
    Payload out;
    out.filt = d.value(QStringLiteral("filt")).toDict();
    out.tuples.reserve(list.size());
    for (const auto &v : list)
        out.tuples.push_back(v.toTuple());
    out.date = d.value(QStringLiteral("date")).toDateTime();
    return out;
}

Result<Payload> Payload::fromJson(QByteArrayView json)
{
    const Result<Value> v = json::decode(json);
    if (!v)
        return v.error();
    return fromValue(v.value());
}

QByteArray Payload::encode(int compressionLevel) const
{
    const QByteArray json = toJson();
    return zlib::compress(json.constData(), json.size(), compressionLevel).toBase64();
}

Result<QByteArray> Payload::decodeToJson(QByteArrayView encoded)
{
    QByteArray compressed;
    if (!base64::decode(encoded, compressed))
        return Error {QStringLiteral("the encoded payload is not valid base64")};
    return zlib::uncompress(compressed, qsizetype(DecodeLimits::current().inflateCap(compressed.size())));
}

Result<Payload> Payload::decode(QByteArrayView encoded)
{
    const Result<QByteArray> json = decodeToJson(encoded);
    if (!json)
        return json.error();
    return fromJson(json.value());
}

} // namespace peek
