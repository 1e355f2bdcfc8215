#pragma once

#include "secretstore.h"

#include <QHash>

// A SecretStore under the test's control: it keeps values in memory like a keychain would
// (persistent() is true), and can be told to fail every call or to never answer.
class FakeSecretStore final : public peek::app::SecretStore {
    Q_OBJECT
public:
    using SecretResult = peek::app::SecretResult;
    using SecretCallback = peek::app::SecretCallback;

    bool failing = false; // answer every call with an error
    bool silent = false; // never answer (a keychain waiting for the user)
    int calls = 0;
    QHash<QString, QByteArray> values;

    void read(const QString &key, SecretCallback done) override
    {
        const auto it = values.constFind(key);
        answer(std::move(done),
               it == values.cend() ? SecretResult::missing(key) : SecretResult::success(*it));
    }
    void write(const QString &key, const QByteArray &value, SecretCallback done = {}) override
    {
        if (!failing && !silent)
            values.insert(key, value);
        answer(std::move(done), SecretResult::success());
    }
    void remove(const QString &key, SecretCallback done = {}) override
    {
        if (!failing && !silent)
            values.remove(key);
        answer(std::move(done), SecretResult::success());
    }
    bool persistent() const override { return true; }

private:
    void answer(SecretCallback done, SecretResult result)
    {
        ++calls;
        if (silent)
            return;
        if (failing)
            result = SecretResult::failure(QStringLiteral("The fake keychain is broken."));
        QMetaObject::invokeMethod(
            this,
            [done = std::move(done), result] {
                if (done)
                    done(result);
            },
            Qt::QueuedConnection);
    }
};
