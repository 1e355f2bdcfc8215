#pragma once
// What is kept of a secret a peer presents (a device token, a session token): its unkeyed
// BLAKE2b-256 hash in hex (the same as libsodium's crypto_generichash with 32 bytes). A random
// 256-bit secret needs no slow hash; what matters is that the stored value cannot be presented.
#include <QByteArray>
#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QString>

namespace peek {

// A new secret: 256 bits from the operating system's secure source, as URL-safe base64 without
// padding (43 characters). Join tokens, device tokens and session tokens are made this way.
inline QByteArray randomSecret()
{
    quint32 bits[8];
    QRandomGenerator::system()->fillRange(bits);
    return QByteArray(reinterpret_cast<const char *>(bits), sizeof bits)
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

inline QString secretHash(const QString &secret)
{
    return QString::fromLatin1(QCryptographicHash::hash(secret.toUtf8(), QCryptographicHash::Blake2b_256).toHex());
}

} // namespace peek
