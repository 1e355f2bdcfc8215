#pragma once
// Tuples and payloads written as a client on the reference implementation writes them (JSON,
// zlib, base64), for tests and benchmarks that speak only the wire protocol.
#include "vortex/payload.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace testing {

// A tuple of `type` with `fields` ({"_ct": "rt", "_c": type, ...}).
inline QJsonObject tupleJson(const QString &type, QJsonObject fields)
{
    fields.insert(QStringLiteral("_ct"), QStringLiteral("rt"));
    fields.insert(QStringLiteral("_c"), type);
    return fields;
}

// A payload holding `tuple`, as an envelope's data (compressed, base64).
inline QByteArray payloadData(const QJsonObject &tuple)
{
    const QByteArray json = R"({"_ct":"rp","filt":{},"tuples":[)" + QJsonDocument(tuple).toJson(QJsonDocument::Compact)
        + R"(],"date":null})";
    return peek::zlib::compress(json.constData(), json.size(), 6).toBase64();
}

} // namespace testing
