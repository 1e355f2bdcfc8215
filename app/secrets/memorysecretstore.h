#pragma once

#include "secretstore.h"

#include <QHash>

namespace peek::app {

// Secrets kept in this process only (persistent() is false): the fake of unit tests, and what a
// FallbackSecretStore behaves like when there is no system keychain.
class MemorySecretStore final : public SecretStore {
    Q_OBJECT
public:
    explicit MemorySecretStore(QObject *parent = nullptr);

    void read(const QString &key, SecretCallback done) override;
    void write(const QString &key, const QByteArray &value, SecretCallback done = {}) override;
    void remove(const QString &key, SecretCallback done = {}) override;

    bool persistent() const override { return false; }
    QString unavailableReason() const override;

private:
    void answer(SecretCallback done, SecretResult result);

    QHash<QString, QByteArray> m_values;
};

} // namespace peek::app
