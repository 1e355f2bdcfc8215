#include "service/tlsbundle.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSslCertificateExtension>
#include <QSslSocket>
#include <QStringList>

namespace peek {

namespace {

// ---- just enough DER to tell which public key a private key belongs to -------------------------
// Qt has no call for "the public half of this private key", so the key's DER (PKCS#1 for RSA,
// SEC1 for EC, either possibly wrapped in PKCS#8) and the certificate's SubjectPublicKeyInfo are
// read for the numbers both sides share: the RSA modulus and exponent, the EC public point.

struct Tlv {
    quint8 tag = 0;
    QByteArray content;
};

constexpr quint8 kInteger = 0x02;
constexpr quint8 kBitString = 0x03;
constexpr quint8 kOctetString = 0x04;
constexpr quint8 kSequence = 0x30;
constexpr quint8 kContext1 = 0xa1; // [1] EXPLICIT: the public key in a SEC1 EC private key

bool readTlv(const QByteArray &in, qsizetype &pos, Tlv &out)
{
    if (pos + 2 > in.size())
        return false;
    out.tag = quint8(in[pos++]);
    const quint8 first = quint8(in[pos++]);
    qsizetype length = first;
    if (first & 0x80) {
        const int bytes = first & 0x7f;
        if (bytes == 0 || bytes > 4 || pos + bytes > in.size())
            return false;
        length = 0;
        for (int i = 0; i < bytes; ++i)
            length = (length << 8) | quint8(in[pos++]);
    }
    if (length < 0 || pos + length > in.size())
        return false;
    out.content = in.mid(pos, length);
    pos += length;
    return true;
}

// The elements of a constructed value; empty when it does not parse.
QList<Tlv> elements(const QByteArray &content)
{
    QList<Tlv> out;
    qsizetype pos = 0;
    while (pos < content.size()) {
        Tlv tlv;
        if (!readTlv(content, pos, tlv))
            return {};
        out.append(tlv);
    }
    return out;
}

QList<Tlv> sequenceOf(const QByteArray &der)
{
    qsizetype pos = 0;
    Tlv top;
    if (!readTlv(der, pos, top) || top.tag != kSequence)
        return {};
    return elements(top.content);
}

QByteArray unsignedHex(QByteArray integer)
{
    while (integer.size() > 1 && integer.front() == '\0')
        integer.remove(0, 1);
    return integer.toHex();
}

QByteArray rsaId(const QByteArray &modulus, const QByteArray &exponent)
{
    return "rsa:" + unsignedHex(modulus) + ':' + unsignedHex(exponent);
}

// RSAPublicKey ::= SEQUENCE { modulus, publicExponent }
QByteArray rsaPublicId(const QByteArray &rsaPublicKey)
{
    const QList<Tlv> e = sequenceOf(rsaPublicKey);
    if (e.size() != 2 || e[0].tag != kInteger || e[1].tag != kInteger)
        return {};
    return rsaId(e[0].content, e[1].content);
}

QByteArray privateKeyId(const QByteArray &der, QSsl::KeyAlgorithm algorithm)
{
    const QList<Tlv> e = sequenceOf(der);
    // PKCS#8: SEQUENCE { version, AlgorithmIdentifier, OCTET STRING { the key as below } }
    if (e.size() >= 3 && e[0].tag == kInteger && e[1].tag == kSequence && e[2].tag == kOctetString)
        return privateKeyId(e[2].content, algorithm);
    if (algorithm == QSsl::Rsa) {
        // RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent, privateExponent, ... }
        if (e.size() < 3 || e[1].tag != kInteger || e[2].tag != kInteger)
            return {};
        return rsaId(e[1].content, e[2].content);
    }
    if (algorithm == QSsl::Ec) {
        // ECPrivateKey ::= SEQUENCE { version, privateKey, [0] parameters, [1] publicKey BIT STRING
        // }
        for (const Tlv &element : e) {
            if (element.tag != kContext1)
                continue;
            qsizetype pos = 0;
            Tlv bits;
            if (!readTlv(element.content, pos, bits) || bits.tag != kBitString
                || bits.content.isEmpty())
                return {};
            return "ec:" + bits.content.mid(1).toHex(); // after the unused-bits byte
        }
    }
    return {};
}

// SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier, subjectPublicKey BIT STRING }
QByteArray publicKeyId(const QSslKey &key)
{
    const QList<Tlv> e = sequenceOf(key.toDer());
    if (e.size() != 2 || e[1].tag != kBitString || e[1].content.isEmpty())
        return {};
    const QByteArray bits = e[1].content.mid(1);
    if (key.algorithm() == QSsl::Rsa)
        return rsaPublicId(bits);
    if (key.algorithm() == QSsl::Ec)
        return "ec:" + bits.toHex();
    return {};
}

// ---- the file ----------------------------------------------------------------------------------

struct PemBlock {
    QString label; // "CERTIFICATE", "PRIVATE KEY", "EC PRIVATE KEY", ...
    QByteArray text; // the whole block, BEGIN and END lines included
};

QList<PemBlock> pemBlocks(const QByteArray &data)
{
    static const QRegularExpression block(
        QStringLiteral("-----BEGIN ([A-Z0-9 ]+)-----.*?-----END \\1-----"),
        QRegularExpression::DotMatchesEverythingOption);
    QList<PemBlock> out;
    const QString text = QString::fromLatin1(data);
    for (auto it = block.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        out.append(PemBlock {m.captured(1), m.captured(0).toLatin1()});
    }
    return out;
}

QString describe(const QSslCertificate &certificate)
{
    QString name = certificate.subjectDisplayName();
    if (name.isEmpty())
        name = QStringLiteral("serial %1").arg(QString::fromLatin1(certificate.serialNumber()));
    return QStringLiteral("\"%1\"").arg(name);
}

// A CA certificate says so (basicConstraints CA:true); an old v1 root is at least self-signed.
bool isCa(const QSslCertificate &certificate)
{
    for (const QSslCertificateExtension &extension : certificate.extensions())
        if (extension.name() == QLatin1String("basicConstraints"))
            return extension.value().toMap().value(QStringLiteral("ca")).toBool();
    return certificate.isSelfSigned();
}

Error bundleError(const QString &path, const QString &what)
{
    return Error {
        QStringLiteral("TLS bundle %1: %2").arg(QDir::toNativeSeparators(path), what)};
}

} // namespace

Result<TlsBundle> TlsBundle::load(const QString &path)
{
    if (!QSslSocket::supportsSsl())
        return bundleError(path,
                           QStringLiteral("this build of Qt has no working TLS backend (%1); "
                                          "install the OpenSSL 3 libraries")
                               .arg(QSslSocket::activeBackend()));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return bundleError(path,
                           QStringLiteral("cannot read the file: %1").arg(file.errorString()));
    const QByteArray data = file.readAll();

    QList<QSslKey> keys;
    QList<QSslCertificate> certificates;
    int blockNumber = 0;
    for (const PemBlock &block : pemBlocks(data)) {
        ++blockNumber;
        if (block.label == QLatin1String("CERTIFICATE")) {
            const QSslCertificate certificate(block.text, QSsl::Pem);
            if (certificate.isNull())
                return bundleError(path,
                                   QStringLiteral("PEM block %1 (CERTIFICATE) is not a readable "
                                                  "certificate")
                                       .arg(blockNumber));
            certificates.append(certificate);
        } else if (block.label.endsWith(QLatin1String("PRIVATE KEY"))) {
            if (block.label.startsWith(QLatin1String("ENCRYPTED"))
                || block.text.contains("Proc-Type: 4,ENCRYPTED"))
                return bundleError(
                    path,
                    QStringLiteral("the private key (PEM block %1) is encrypted; the "
                                   "service cannot ask for a passphrase: store it "
                                   "unencrypted (e.g. `openssl pkey -in key.pem`) and "
                                   "protect the file's permissions instead")
                        .arg(blockNumber));
            QSslKey key;
            for (const QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec}) {
                key = QSslKey(block.text, algorithm, QSsl::Pem, QSsl::PrivateKey);
                if (!key.isNull())
                    break;
            }
            if (key.isNull())
                return bundleError(
                    path,
                    QStringLiteral("the private key (PEM block %1, %2) cannot be read; "
                                   "RSA and EC keys are supported")
                        .arg(blockNumber)
                        .arg(block.label));
            keys.append(key);
        }
        // Other blocks (EC PARAMETERS, ...) carry nothing the bundle needs.
    }

    if (keys.isEmpty() && certificates.isEmpty())
        return bundleError(
            path,
            QStringLiteral("no private key and no certificate found; the file should "
                           "hold, in PEM, the service's private key, its certificate "
                           "and the CA certificate(s)"));
    if (keys.size() > 1)
        return bundleError(path,
                           QStringLiteral("%1 private keys found; it should hold exactly one, the "
                                          "service's")
                               .arg(keys.size()));

    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const QSslCertificate &certificate : std::as_const(certificates)) {
        if (certificate.expiryDate() < now)
            return bundleError(path,
                               QStringLiteral("the certificate %1 expired on %2; renew it")
                                   .arg(describe(certificate),
                                        certificate.expiryDate().toUTC().toString(Qt::ISODate)));
        if (certificate.effectiveDate() > now)
            return bundleError(path,
                               QStringLiteral("the certificate %1 is not valid before %2 (is this "
                                              "machine's clock right?)")
                                   .arg(describe(certificate),
                                        certificate.effectiveDate().toUTC().toString(Qt::ISODate)));
    }

    TlsBundle bundle;
    bundle.m_filePath = path;
    if (keys.isEmpty()) {
        // A client-only bundle: CAs to verify servers with. A service certificate here means the
        // key was forgotten, and the service would silently serve without TLS.
        for (const QSslCertificate &certificate : std::as_const(certificates))
            if (!isCa(certificate))
                return bundleError(
                    path,
                    QStringLiteral("no private key found, but the certificate %1 is a "
                                   "service certificate; add its private key (or keep "
                                   "only CA certificates for a client-only bundle)")
                        .arg(describe(certificate)));
        bundle.m_caCertificates = certificates;
        return bundle;
    }

    const QSslKey &key = keys.first();
    const QByteArray keyId = privateKeyId(key.toDer(), key.algorithm());
    qsizetype match = -1;
    if (!keyId.isEmpty()) {
        for (qsizetype i = 0; i < certificates.size() && match < 0; ++i)
            if (publicKeyId(certificates[i].publicKey()) == keyId)
                match = i;
    }
    if (match < 0) {
        QStringList names;
        for (const QSslCertificate &certificate : std::as_const(certificates))
            names.append(describe(certificate));
        return bundleError(
            path,
            QStringLiteral("no certificate matches the private key (certificates found: "
                           "%1); add the certificate issued for this key, or the key "
                           "the certificate was issued for")
                .arg(names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", "))));
    }
    bundle.m_key = key;
    bundle.m_certificate = certificates.takeAt(match);
    bundle.m_caCertificates = certificates;
    if (bundle.m_caCertificates.isEmpty() && bundle.m_certificate.isSelfSigned())
        bundle.m_caCertificates.append(bundle.m_certificate);
    return bundle;
}

Result<std::optional<TlsBundle>> TlsBundle::loadFromHome(const QString &homeDir)
{
    const QString path = QDir(homeDir).filePath(QString::fromLatin1(kFileName));
    if (!QFileInfo::exists(path))
        return std::optional<TlsBundle>();
    Result<TlsBundle> bundle = load(path);
    if (!bundle)
        return bundle.error();
    return std::optional<TlsBundle>(std::move(bundle).value());
}

QSslConfiguration TlsBundle::serverConfiguration() const
{
    if (!hasIdentity())
        return {};
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    // The service certificate first, then the intermediates clients may lack; roots are theirs.
    QList<QSslCertificate> chain {m_certificate};
    for (const QSslCertificate &certificate : m_caCertificates)
        if (!certificate.isSelfSigned())
            chain.append(certificate);
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(m_key);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    return configuration;
}

QSslConfiguration TlsBundle::clientConfiguration() const
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    if (!m_caCertificates.isEmpty())
        configuration.setCaCertificates(m_caCertificates); // replaces the system's store
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    return configuration;
}

} // namespace peek
