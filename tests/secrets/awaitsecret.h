#pragma once

#include "secretstore.h"

#include <QTest>

#include <memory>
#include <optional>

// Makes one store call and waits (running the event loop) for its answer; a call with no
// answer within timeoutMs gives a failure saying so.
template <typename Call> peek::app::SecretResult awaitSecret(Call call, int timeoutMs = 20000)
{
    using peek::app::SecretResult;
    // Shared: a late answer after a timeout must not write to a dead stack frame.
    auto answer = std::make_shared<std::optional<SecretResult>>();
    call([answer](const SecretResult &result) { *answer = result; });
    if (!QTest::qWaitFor([&] { return answer->has_value(); }, timeoutMs))
        return SecretResult::failure(QStringLiteral("no answer within %1 ms").arg(timeoutMs));
    return **answer;
}

inline peek::app::SecretResult readSecret(peek::app::SecretStore *store, const QString &key)
{
    return awaitSecret([&](peek::app::SecretCallback done) { store->read(key, done); });
}

inline peek::app::SecretResult writeSecret(peek::app::SecretStore *store, const QString &key,
                                           const QByteArray &value)
{
    return awaitSecret([&](peek::app::SecretCallback done) { store->write(key, value, done); });
}

inline peek::app::SecretResult removeSecret(peek::app::SecretStore *store, const QString &key)
{
    return awaitSecret([&](peek::app::SecretCallback done) { store->remove(key, done); });
}

inline peek::app::SecretResult ensureToken(peek::app::SecretStore *store)
{
    return awaitSecret(
        [&](peek::app::SecretCallback done) { peek::app::ensureDeviceToken(store, done); });
}
