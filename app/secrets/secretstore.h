#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

#include <functional>

namespace peek::app {

// The outcome of one secret operation. ok: done (a read found the value); notFound: a read or
// remove found no such key (ok is false then, error names the key); otherwise error says what
// failed in words a person can act on.
struct SecretResult {
    bool ok = false;
    bool notFound = false;
    QByteArray value; // the secret, for a successful read
    QString error;

    static SecretResult success(QByteArray value = {});
    static SecretResult missing(const QString &key);
    static SecretResult failure(QString error);
};

using SecretCallback = std::function<void(const SecretResult &)>;

// Where the app keeps its secrets: an asynchronous key -> bytes store. Implementations:
// KeychainSecretStore (the system keychain through QtKeychain), MemorySecretStore (this process
// only) and FallbackSecretStore (the keychain when it works, memory when it does not: what the
// app uses).
//
// Calls are answered in the order they were made, always later from the event loop (never
// inside read()/write()/remove()), so a read after a write sees the written value. A callback
// is not called once the store is destroyed; capture a QPointer when its receiver may die
// first. The done callback of write() and remove() may be empty.
//
// The keys the app uses (values are UTF-8 unless said otherwise):
//   "deviceToken"                     this device's random 256-bit token (base64url, 43 chars);
//                                     see ensureDeviceToken()
//   "rememberedUser"                  the user name the login screen offers
//   "userToken"                       the logged-in user's session token (peek_core_user), presented
//                                     again after a restart
//   "serverCredentials/<host:port>"   the credentials for one server, e.g.
//                                     "serverCredentials/peek.example.org:8011"
class SecretStore : public QObject {
    Q_OBJECT
public:
    static QString deviceTokenKey() { return QStringLiteral("deviceToken"); }
    static QString rememberedUserKey() { return QStringLiteral("rememberedUser"); }
    static QString userTokenKey() { return QStringLiteral("userToken"); }
    static QString serverCredentialsKey(const QString &hostAndPort)
    {
        return QStringLiteral("serverCredentials/") + hostAndPort;
    }

    using QObject::QObject;

    virtual void read(const QString &key, SecretCallback done) = 0;
    virtual void write(const QString &key, const QByteArray &value, SecretCallback done = {}) = 0;
    // Removing a key that is not there succeeds (notFound is not an error for remove).
    virtual void remove(const QString &key, SecretCallback done = {}) = 0;

    // false: secrets last only as long as this process; unavailableReason() says why.
    virtual bool persistent() const = 0;
    // Empty while persistent(); else one sentence for people (the UI may show it as is).
    virtual QString unavailableReason() const { return {}; }

Q_SIGNALS:
    // persistent() changed (a FallbackSecretStore found the keychain unusable).
    void persistentChanged(bool persistent);
};

// Reads "deviceToken" and, when there is none, makes a random 256-bit token
// (QRandomGenerator::system(), base64url without padding) and writes it. done gets the token
// as value (ok), or the error of the read or write that failed. The app calls it at start; the
// token then stays the same for as long as the store keeps it.
void ensureDeviceToken(SecretStore *store, SecretCallback done);

// A fresh random device token as ensureDeviceToken() makes it.
QByteArray makeDeviceToken();

} // namespace peek::app
