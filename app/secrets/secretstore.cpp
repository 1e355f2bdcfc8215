#include "secretstore.h"

#include "base/secrethash.h"


namespace peek::app {

SecretResult SecretResult::success(QByteArray value)
{
    SecretResult result;
    result.ok = true;
    result.value = std::move(value);
    return result;
}

SecretResult SecretResult::missing(const QString &key)
{
    SecretResult result;
    result.notFound = true;
    result.error = QStringLiteral("No secret is stored under \"%1\".").arg(key);
    return result;
}

SecretResult SecretResult::failure(QString error)
{
    SecretResult result;
    result.error = std::move(error);
    return result;
}

QByteArray makeDeviceToken()
{
    return randomSecret();
}

void ensureDeviceToken(SecretStore *store, SecretCallback done)
{
    Q_ASSERT(store);
    const QString key = SecretStore::deviceTokenKey();
    store->read(key, [store, key, done = std::move(done)](const SecretResult &found) {
        if (found.ok && !found.value.isEmpty()) {
            done(found);
            return;
        }
        if (!found.ok && !found.notFound) {
            done(found);
            return;
        }
        store->write(key, makeDeviceToken(), [store, key, done](const SecretResult &written) {
            if (!written.ok) {
                done(written);
                return;
            }
            // Hand back what the store holds rather than what we wrote: calls are answered in
            // order, so two callers racing here both end up with the one token that was kept.
            store->read(key, done);
        });
    });
}

} // namespace peek::app
