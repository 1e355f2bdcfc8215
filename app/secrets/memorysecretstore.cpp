#include "memorysecretstore.h"

namespace peek::app {

MemorySecretStore::MemorySecretStore(QObject *parent) : SecretStore(parent)
{
}

void MemorySecretStore::read(const QString &key, SecretCallback done)
{
    const auto it = m_values.constFind(key);
    answer(std::move(done),
           it == m_values.cend() ? SecretResult::missing(key) : SecretResult::success(*it));
}

void MemorySecretStore::write(const QString &key, const QByteArray &value, SecretCallback done)
{
    m_values.insert(key, value);
    answer(std::move(done), SecretResult::success());
}

void MemorySecretStore::remove(const QString &key, SecretCallback done)
{
    m_values.remove(key);
    answer(std::move(done), SecretResult::success());
}

QString MemorySecretStore::unavailableReason() const
{
    return QStringLiteral("Secrets are kept in memory for this session only.");
}

void MemorySecretStore::answer(SecretCallback done, SecretResult result)
{
    if (!done)
        return;
    // Queued to this object: answers come in call order and never inside the call, and are
    // dropped when the store is destroyed first.
    QMetaObject::invokeMethod(
        this, [done = std::move(done), result = std::move(result)] { done(result); },
        Qt::QueuedConnection);
}

} // namespace peek::app
