#include "fallbacksecretstore.h"

#include "keychainsecretstore.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcSecrets, "peek.app.secrets")

namespace peek::app {

namespace {

const char *const kWhatToDo
    = "To keep them across restarts, run a Secret Service provider in the desktop session "
      "(gnome-keyring-daemon or KWallet, unlocked) and restart Peek.";

} // namespace

FallbackSecretStore::FallbackSecretStore(const QString &service, QObject *parent)
    : FallbackSecretStore(service, Options(), parent)
{
}

FallbackSecretStore::FallbackSecretStore(const QString &service, const Options &options,
                                         QObject *parent)
    : FallbackSecretStore(std::make_unique<KeychainSecretStore>(service), options, parent)
{
}

FallbackSecretStore::FallbackSecretStore(std::unique_ptr<SecretStore> primary,
                                         const Options &options, QObject *parent)
    : SecretStore(parent), m_primary(std::move(primary)), m_probeTimeoutMs(options.probeTimeoutMs)
{
    Q_ASSERT(m_primary);
    m_primary->setParent(nullptr); // owned by m_primary, destroyed before our members
    startProbe();
}

FallbackSecretStore::~FallbackSecretStore() = default;

void FallbackSecretStore::startProbe()
{
    m_probeTimer.setSingleShot(true);
    connect(&m_probeTimer, &QTimer::timeout, this, [this] {
        probeDone(QStringLiteral("The system keychain did not answer within %1 s.")
                      .arg(m_probeTimeoutMs / 1000.0));
    });
    m_probeTimer.start(m_probeTimeoutMs);

    // Write, read back, remove: only a keychain that keeps what it is given counts. Each step
    // is ignored once the probe is over (it timed out).
    const QByteArray probe = makeDeviceToken();
    const QString key = probeKey();
    m_primary->write(key, probe, [this, key, probe](const SecretResult &written) {
        if (isReady())
            return;
        if (!written.ok)
            return probeDone(written.error);
        m_primary->read(key, [this, key, probe](const SecretResult &read) {
            if (isReady())
                return;
            if (!read.ok)
                return probeDone(read.error);
            if (read.value != probe)
                return probeDone(QStringLiteral(
                    "The system keychain gave back a different value than was written."));
            m_primary->remove(key, [this](const SecretResult &removed) {
                if (!isReady())
                    probeDone(removed.ok ? QString() : removed.error);
            });
        });
    });
}

void FallbackSecretStore::probeDone(const QString &failure)
{
    m_probeTimer.stop();
    if (failure.isEmpty()) {
        m_mode = Mode::Keychain;
        qCDebug(lcSecrets) << "secrets are kept in the system keychain";
    } else {
        switchToMemory(QStringLiteral("No system keychain (Secret Service) is available: secrets "
                                      "are kept for this session only."),
                       failure);
    }
    Q_EMIT ready();
    runNext();
}

void FallbackSecretStore::switchToMemory(const QString &reason, const QString &failure)
{
    if (m_mode == Mode::Memory)
        return;
    m_mode = Mode::Memory;
    m_reason = reason;
    qCWarning(lcSecrets).noquote() << failure
                                   << "Secrets (device token, remembered user, server "
                                      "credentials) are kept in memory for this session only."
                                   << kWhatToDo;
    Q_EMIT persistentChanged(false);
}

void FallbackSecretStore::read(const QString &key, SecretCallback done)
{
    enqueue({Call::Read, key, {}, std::move(done)});
}

void FallbackSecretStore::write(const QString &key, const QByteArray &value, SecretCallback done)
{
    enqueue({Call::Write, key, value, std::move(done)});
}

void FallbackSecretStore::remove(const QString &key, SecretCallback done)
{
    enqueue({Call::Remove, key, {}, std::move(done)});
}

void FallbackSecretStore::enqueue(Call call)
{
    m_calls.push_back(std::move(call));
    runNext();
}

void FallbackSecretStore::runNext()
{
    if (m_running || m_mode == Mode::Probing || m_calls.empty())
        return;
    m_running = true;
    Call call = std::move(m_calls.front());
    m_calls.pop_front();
    if (m_mode == Mode::Keychain)
        runInKeychain(std::move(call));
    else
        runInMemory(std::move(call));
}

void FallbackSecretStore::runInKeychain(Call call)
{
    // The callback owns the call; it is copied once more to hand it on to memory on failure.
    auto answered = [this, call](const SecretResult &result) {
        if (result.ok || result.notFound) {
            if (call.kind == Call::Write)
                m_session.insert(call.key, call.value);
            else if (call.kind == Call::Remove || result.notFound)
                m_session.remove(call.key);
            else
                m_session.insert(call.key, result.value);
            finish(call, result);
            return;
        }
        switchToMemory(QStringLiteral("The system keychain stopped working: secrets are kept "
                                      "for this session only."),
                       result.error);
        runInMemory(call);
    };
    switch (call.kind) {
    case Call::Read:
        m_primary->read(call.key, std::move(answered));
        break;
    case Call::Write:
        m_primary->write(call.key, call.value, std::move(answered));
        break;
    case Call::Remove:
        m_primary->remove(call.key, std::move(answered));
        break;
    }
}

void FallbackSecretStore::runInMemory(Call call)
{
    SecretResult result;
    switch (call.kind) {
    case Call::Read: {
        const auto it = m_session.constFind(call.key);
        result
            = it == m_session.cend() ? SecretResult::missing(call.key) : SecretResult::success(*it);
        break;
    }
    case Call::Write:
        m_session.insert(call.key, call.value);
        result = SecretResult::success();
        break;
    case Call::Remove:
        m_session.remove(call.key);
        result = SecretResult::success();
        break;
    }
    // Answered from the event loop like every other call (never inside read()/write()).
    QMetaObject::invokeMethod(
        this, [this, call = std::move(call), result] { finish(call, result); },
        Qt::QueuedConnection);
}

void FallbackSecretStore::finish(const Call &call, const SecretResult &result)
{
    m_running = false;
    runNext(); // starts the next call first: done() may destroy this store
    if (call.done)
        call.done(result);
}

} // namespace peek::app
