#pragma once
// What is kept of a secret a peer presents (a device token, a session token): its unkeyed
// BLAKE2b-256 hash in hex (the same as libsodium's crypto_generichash with 32 bytes). A random
// 256-bit secret needs no slow hash; what matters is that the stored value cannot be presented.
#include <QCryptographicHash>
#include <QString>

namespace peek {

inline QString secretHash(const QString &secret)
{
    return QString::fromLatin1(QCryptographicHash::hash(secret.toUtf8(), QCryptographicHash::Blake2b_256).toHex());
}

} // namespace peek
