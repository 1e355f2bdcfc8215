#pragma once

#include "base/export.h"
#include "base/result.h"

#include <QList>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QString>

#include <optional>

namespace peek {

// The TLS material of one service home: `<home>/peek-ssl-bundle.pem`, one PEM file holding
//   - the service's private key (RSA or EC, unencrypted), at most one;
//   - the service's certificate: the one whose public key matches that key;
//   - the CA certificate(s): every other certificate (a root, and intermediates if any).
// Blocks may come in any order; other PEM blocks (EC PARAMETERS, ...) are ignored.
//
// With a key, the service serves wss:// and https:// (serverConfiguration()) and its clients
// verify servers against the bundle's CAs (clientConfiguration()). A bundle of CA certificates
// only (no key, no service certificate) is a client-only bundle: hasIdentity() is false and
// serverConfiguration() is a null QSslConfiguration.
class PEEK_CORE_EXPORT TlsBundle final {
public:
    static constexpr const char *kFileName = "peek-ssl-bundle.pem";

    // Reads and checks one bundle file. Refused, with a message naming the file: unreadable,
    // no key and no certificate, a key with no certificate matching it, a service certificate
    // without its key, an unreadable or encrypted key or certificate, a certificate that has
    // expired or is not valid yet.
    static Result<TlsBundle> load(const QString &path);
    // `<homeDir>/peek-ssl-bundle.pem`: an empty optional when there is no such file (TLS off),
    // an error when it exists but cannot be used.
    static Result<std::optional<TlsBundle>> loadFromHome(const QString &homeDir);

    TlsBundle() = default; // empty: no identity, no CA

    QString filePath() const { return m_filePath; }
    // True when the bundle holds a private key and its certificate (it can serve TLS).
    bool hasIdentity() const { return !m_key.isNull(); }
    QSslKey key() const { return m_key; }
    QSslCertificate certificate() const { return m_certificate; }
    // Every certificate but the service's (a self-signed service certificate with no other
    // certificate in the file is its own CA, so it is listed here too).
    QList<QSslCertificate> caCertificates() const { return m_caCertificates; }

    // For serving: the service certificate, intermediates from the bundle, the key; TLS 1.2 or
    // later; clients are not asked for a certificate. A null configuration (isNull()) when the
    // bundle has no identity: check hasIdentity() first.
    QSslConfiguration serverConfiguration() const;
    // For dialling wss:// / https://: the peer must present a certificate that chains to one of
    // the bundle's CAs (and only those: the system's CA store is not used) and names the host
    // dialled; TLS 1.2 or later. A bundle without any CA certificate falls back to the system's
    // CA store.
    QSslConfiguration clientConfiguration() const;

private:
    QString m_filePath;
    QSslKey m_key;
    QSslCertificate m_certificate;
    QList<QSslCertificate> m_caCertificates;
};

} // namespace peek
