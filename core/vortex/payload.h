#pragma once

#include "base/export.h"
#include "base/result.h"
#include "tuple/tuple.h"

#include <QByteArray>

#include <vector>

namespace peek {

// The compression level Peek uses when it encodes a payload (libdeflate's scale, 0-12; the
// reference uses zlib's 9, 4 for RPC; any level decodes). From bench/codec_bench (10,000 tuples,
// 946 KB of JSON, 2 cores): libdeflate's level 1 deflates in 1.3 ms to 108 KB of base64, what
// zlib's level 6 gave in ~4.6 ms; its level 5 gives 87 KB in 3.3 ms, level 6 83 KB in 6.8 ms.
// Level 1 keeps a whole 10,000-tuple encode within 2.5 ms.
constexpr int kDefaultCompressionLevel = 1;

namespace zlib {
// A plain zlib stream (78 xx header), not Qt's qCompress framing; made and read with libdeflate
// (level 0-12).
PEEK_CORE_EXPORT QByteArray compress(const char *data, qsizetype size, int level);
// Inflates a zlib stream of any level; an Error for a broken stream or one that inflates to
// more than maxOutput bytes.
PEEK_CORE_EXPORT Result<QByteArray> uncompress(QByteArrayView data, qsizetype maxOutput = qsizetype(1) << 31);
} // namespace zlib

namespace base64 {
// Standard base64 decoding with QByteArray::AbortOnBase64DecodingErrors semantics: false for
// text Qt would reject. Several times faster than Qt on the padded form peers send.
PEEK_CORE_EXPORT bool decode(QByteArrayView text, QByteArray &out);
} // namespace base64

// A Vortex payload: a routing filt, a list of tuples and a date (docs/protocol.md §2).
class PEEK_CORE_EXPORT Payload
{
public:
    Dict filt;
    std::vector<TuplePtr> tuples;
    DateTime date = DateTime::currentUtc();

    Payload() = default;
    explicit Payload(Dict filt, std::vector<TuplePtr> tuples = {})
        : filt(std::move(filt)), tuples(std::move(tuples))
    {
    }

    // The payload's JSON text: {"_ct":"rp","_c":"vortex.Payload.Payload","filt",…}.
    QByteArray toJson() const;
    static Result<Payload> fromJson(QByteArrayView json);
    static Result<Payload> fromValue(const Value &decoded);

    // base64(zlib(json)): what travels in an envelope's data.
    QByteArray encode(int compressionLevel = kDefaultCompressionLevel) const;
    static Result<Payload> decode(QByteArrayView encoded);
    // Just the JSON text inside an encoded payload.
    static Result<QByteArray> decodeToJson(QByteArrayView encoded);
};

} // namespace peek
