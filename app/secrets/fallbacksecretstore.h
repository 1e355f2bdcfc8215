#pragma once

#include "secretstore.h"

#include <QHash>
#include <QTimer>

#include <deque>
#include <memory>

namespace peek::app {

// The store the app uses: the system keychain when it works, else memory for this session.
//
// On construction it probes the keychain once: it writes a random value under
// "peek-keychain-probe", reads it back and removes it. Calls made meanwhile are queued (none is
// lost or reordered) and run when the probe is done; ready() says so. If the probe fails or
// gets no answer within Options::probeTimeoutMs (a keychain asking the user to unlock it may
// take a while), the store keeps secrets in memory from then on: persistent() turns false,
// unavailableReason() says so in a sentence for the UI, qWarning() logs what failed and what to
// do, and persistentChanged(false) is emitted.
//
// A keychain call that fails later (the daemon went away, access was refused) switches to
// memory the same way, and the call is then answered from memory. Values read or written while
// the keychain worked are remembered for the session, so nothing the app saw is lost by the
// switch. Calls run one at a time, in order.
class FallbackSecretStore final : public SecretStore {
    Q_OBJECT
public:
    struct Options {
        int probeTimeoutMs = 30000;
    };

    // Probes a KeychainSecretStore for service, e.g. "peek-field".
    explicit FallbackSecretStore(const QString &service, QObject *parent = nullptr);
    FallbackSecretStore(const QString &service, const Options &options, QObject *parent = nullptr);
    // Probes primary instead (taken over; tests hand in a fake).
    FallbackSecretStore(std::unique_ptr<SecretStore> primary, const Options &options,
                        QObject *parent = nullptr);
    ~FallbackSecretStore() override;

    void read(const QString &key, SecretCallback done) override;
    void write(const QString &key, const QByteArray &value, SecretCallback done = {}) override;
    void remove(const QString &key, SecretCallback done = {}) override;

    // true while the probe runs (assumed until it says otherwise), then its outcome.
    bool persistent() const override { return m_mode != Mode::Memory; }
    QString unavailableReason() const override { return m_reason; }
    // The probe is done: persistent() is final unless the keychain fails later.
    bool isReady() const { return m_mode != Mode::Probing; }

    static QString probeKey() { return QStringLiteral("peek-keychain-probe"); }

Q_SIGNALS:
    void ready();

private:
    enum class Mode { Probing, Keychain, Memory };
    struct Call {
        enum Kind { Read, Write, Remove } kind;
        QString key;
        QByteArray value;
        SecretCallback done;
    };

    void startProbe();
    void probeDone(const QString &failure);
    void switchToMemory(const QString &reason, const QString &failure);
    void enqueue(Call call);
    void runNext();
    void runInKeychain(Call call);
    void runInMemory(Call call);
    void finish(const Call &call, const SecretResult &result);

    std::unique_ptr<SecretStore> m_primary;
    Mode m_mode = Mode::Probing;
    QString m_reason;
    QTimer m_probeTimer;
    int m_probeTimeoutMs;
    std::deque<Call> m_calls;
    bool m_running = false;
    QHash<QString, QByteArray> m_session; // what this session read or wrote
};

} // namespace peek::app
