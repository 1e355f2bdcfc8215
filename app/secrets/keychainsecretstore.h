#pragma once

#include "secretstore.h"

namespace QKeychain {
class Job;
}

namespace peek::app {

// Secrets in the system keychain through QtKeychain (on Linux the Secret Service of
// gnome-keyring or KWallet, on macOS the Keychain, on Windows the Credential Store), under one
// service name, e.g. "peek-field". Values are stored as binary data.
//
// It does not check that a keychain is there: persistent() is always true and a missing
// keychain shows as failed calls. The app uses FallbackSecretStore, which probes this store and
// falls back to memory.
//
// Use it from the main thread. QtKeychain runs one job at a time, process-wide, in call order.
class KeychainSecretStore final : public SecretStore {
    Q_OBJECT
public:
    explicit KeychainSecretStore(const QString &service, QObject *parent = nullptr);
    ~KeychainSecretStore() override;

    QString service() const { return m_service; }

    void read(const QString &key, SecretCallback done) override;
    void write(const QString &key, const QByteArray &value, SecretCallback done = {}) override;
    void remove(const QString &key, SecretCallback done = {}) override;

    bool persistent() const override { return true; }

private:
    void start(QKeychain::Job *job, std::function<void(QKeychain::Job *)> finished);

    QString m_service;
};

} // namespace peek::app
