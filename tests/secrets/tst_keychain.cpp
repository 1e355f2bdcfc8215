// The real system keychain: run by run-with-keyring.sh inside a private D-Bus session with an
// unlocked gnome-keyring-daemon in a scratch HOME (ctest does it; see CMakeLists.txt).

#include "awaitsecret.h"
#include "fallbacksecretstore.h"
#include "keychainsecretstore.h"

#include <QAbstractEventDispatcher>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

#include <memory>

using namespace peek::app;

namespace {

const QString kService = QStringLiteral("peek-test-keychain");

std::unique_ptr<FallbackSecretStore> openStore()
{
    auto store = std::make_unique<FallbackSecretStore>(kService);
    if (!store->isReady())
        QSignalSpy(store.get(), &FallbackSecretStore::ready).wait(30000);
    return store;
}

} // namespace

class TestKeychain : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void fallbackStoreFindsThePersistentKeychain();
    void secretOutlivesTheStoreThatWroteIt();
    void removedSecretIsNotFound();
    void deviceTokenIsStableAcrossStores();
    void callsQueuedBeforeTheProbeAreAnsweredInOrder();
};

void TestKeychain::initTestCase()
{
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
        QFAIL("No D-Bus session: run this test through tests/secrets/run-with-keyring.sh.");
    qInfo("event dispatcher: %s", QAbstractEventDispatcher::instance()->metaObject()->className());
}

void TestKeychain::fallbackStoreFindsThePersistentKeychain()
{
    auto store = openStore();
    QVERIFY(store->isReady());
    QVERIFY2(store->persistent(), qPrintable(store->unavailableReason()));
    QVERIFY(store->unavailableReason().isEmpty());
}

void TestKeychain::secretOutlivesTheStoreThatWroteIt()
{
    const QString key = SecretStore::serverCredentialsKey(QStringLiteral("peek.example.org:8011"));
    const QByteArray value("user\0pass\xff", 10); // binary survives
    {
        auto store = openStore();
        QVERIFY(store->persistent());
        const SecretResult written = writeSecret(store.get(), key, value);
        QVERIFY2(written.ok, qPrintable(written.error));
    }
    // A new store object knows nothing by itself: the value comes from the keychain.
    auto store = openStore();
    const SecretResult read = readSecret(store.get(), key);
    QVERIFY2(read.ok, qPrintable(read.error));
    QCOMPARE(read.value, value);

    // And it is really in the Secret Service, where other tools see it (QtKeychain's schema:
    // user = key, server = service, binary data as base64).
    // libsecret-tools is a build dependency (packaging/debian-build-deps.txt): its absence is a
    // broken install, not a reason to check less.
    const QString secretTool = QStandardPaths::findExecutable(QStringLiteral("secret-tool"));
    QVERIFY2(!secretTool.isEmpty(), "secret-tool is not installed (Debian package libsecret-tools)");
    QProcess lookup;
    lookup.start(secretTool, {"lookup", "user", key, "server", kService});
    QVERIFY(lookup.waitForFinished(20000));
    QCOMPARE(lookup.exitCode(), 0);
    QCOMPARE(QByteArray::fromBase64(lookup.readAllStandardOutput().trimmed()), value);
}

void TestKeychain::removedSecretIsNotFound()
{
    const QString key = SecretStore::rememberedUserKey();
    {
        auto store = openStore();
        QVERIFY(writeSecret(store.get(), key, "jane").ok);
        QCOMPARE(readSecret(store.get(), key).value, QByteArray("jane"));
        const SecretResult removed = removeSecret(store.get(), key);
        QVERIFY2(removed.ok, qPrintable(removed.error));
        QVERIFY(readSecret(store.get(), key).notFound);
    }
    auto store = openStore();
    const SecretResult read = readSecret(store.get(), key);
    QVERIFY2(read.notFound, qPrintable(read.error));
    QVERIFY(!read.ok);
    QVERIFY(store->persistent()); // notFound is an answer, not a broken keychain
    // Removing what is not there is fine too.
    QVERIFY(removeSecret(store.get(), key).ok);

    KeychainSecretStore plain(kService);
    QVERIFY(readSecret(&plain, key).notFound);
    QVERIFY(readSecret(&plain, FallbackSecretStore::probeKey()).notFound); // probe cleaned up
}

void TestKeychain::deviceTokenIsStableAcrossStores()
{
    QByteArray token;
    {
        auto store = openStore();
        const SecretResult first = ensureToken(store.get());
        QVERIFY2(first.ok, qPrintable(first.error));
        QCOMPARE(first.value.size(), 43);
        token = first.value;
    }
    auto store = openStore();
    const SecretResult second = ensureToken(store.get());
    QVERIFY2(second.ok, qPrintable(second.error));
    QCOMPARE(second.value, token);
    QVERIFY(store->persistent());
}

void TestKeychain::callsQueuedBeforeTheProbeAreAnsweredInOrder()
{
    FallbackSecretStore store(kService);
    QStringList answers;
    store.write(QStringLiteral("k"), "1",
                [&](const SecretResult &r) { answers << (r.ok ? "w1" : r.error); });
    store.read(QStringLiteral("k"), [&](const SecretResult &r) { answers << "r" + r.value; });
    store.write(QStringLiteral("k"), "2",
                [&](const SecretResult &r) { answers << (r.ok ? "w2" : r.error); });
    store.read(QStringLiteral("k"), [&](const SecretResult &r) { answers << "r" + r.value; });
    store.remove(QStringLiteral("k"),
                 [&](const SecretResult &r) { answers << (r.ok ? "rm" : r.error); });
    QTRY_COMPARE_WITH_TIMEOUT(answers.size(), 5, 30000);
    QCOMPARE(answers, QStringList({"w1", "r1", "w2", "r2", "rm"}));
    QVERIFY(store.persistent());
}

QTEST_GUILESS_MAIN(TestKeychain)
#include "tst_keychain.moc"
