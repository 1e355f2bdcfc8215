#include "awaitsecret.h"
#include "fakesecretstore.h"
#include "fallbacksecretstore.h"
#include "memorysecretstore.h"

#include <QPointer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace peek::app;

namespace {

// What ensureDeviceToken makes: 256 random bits in base64url without padding.
bool looksLikeDeviceToken(const QByteArray &token)
{
    static const QRegularExpression shape(QStringLiteral("^[A-Za-z0-9_-]{43}$"));
    return shape.match(QString::fromLatin1(token)).hasMatch()
        && QByteArray::fromBase64(token, QByteArray::Base64UrlEncoding).size() == 32;
}

} // namespace

class TestSecretStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();

    void memoryStoreRoundTripsBinaryValues();
    void memoryStoreSaysNotFoundForMissingKeys();
    void memoryStoreRemovesKeys();
    void memoryStoreAnswersLaterInCallOrder();
    void memoryStoreDropsAnswersWhenDestroyed();
    void keysAreTheDocumentedOnes();

    void ensureDeviceTokenCreatesOnceThenReturnsTheSame();
    void ensureDeviceTokenCallersRacingGetOneToken();
    void ensureDeviceTokenPassesOnFailures();

    void fallbackWithoutKeychainKeepsSecretsForTheSession();
    void fallbackWithWorkingKeychainUsesIt();
    void fallbackSwitchesToMemoryWhenKeychainFailsLater();
    void fallbackGivesUpOnASilentKeychain();
};

void TestSecretStore::initTestCase()
{
    // No Secret Service: the session bus address leads nowhere. Set before anything dials it.
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/peek-test-bus");
}

void TestSecretStore::memoryStoreRoundTripsBinaryValues()
{
    MemorySecretStore store;
    QVERIFY(!store.persistent());
    QVERIFY(!store.unavailableReason().isEmpty());

    const QByteArray binary("\0\x01\xff secret\n", 11);
    QVERIFY(writeSecret(&store, QStringLiteral("k"), binary).ok);
    SecretResult read = readSecret(&store, QStringLiteral("k"));
    QVERIFY2(read.ok, qPrintable(read.error));
    QCOMPARE(read.value, binary);

    QVERIFY(writeSecret(&store, QStringLiteral("k"), "second").ok);
    QCOMPARE(readSecret(&store, QStringLiteral("k")).value, QByteArray("second"));
}

void TestSecretStore::memoryStoreSaysNotFoundForMissingKeys()
{
    MemorySecretStore store;
    const SecretResult read = readSecret(&store, QStringLiteral("rememberedUser"));
    QVERIFY(!read.ok);
    QVERIFY(read.notFound);
    QVERIFY(read.value.isEmpty());
    QVERIFY2(read.error.contains(QStringLiteral("rememberedUser")), qPrintable(read.error));
}

void TestSecretStore::memoryStoreRemovesKeys()
{
    MemorySecretStore store;
    QVERIFY(writeSecret(&store, QStringLiteral("k"), "v").ok);
    QVERIFY(removeSecret(&store, QStringLiteral("k")).ok);
    QVERIFY(readSecret(&store, QStringLiteral("k")).notFound);
    // Removing what is not there is not an error.
    QVERIFY(removeSecret(&store, QStringLiteral("k")).ok);
}

void TestSecretStore::memoryStoreAnswersLaterInCallOrder()
{
    MemorySecretStore store;
    QStringList answers;
    store.write(QStringLiteral("k"), "1", [&](const SecretResult &) { answers << "write 1"; });
    store.read(QStringLiteral("k"), [&](const SecretResult &r) { answers << "read " + r.value; });
    store.write(QStringLiteral("k"), "2", [&](const SecretResult &) { answers << "write 2"; });
    store.remove(QStringLiteral("k"), [&](const SecretResult &) { answers << "remove"; });
    store.read(QStringLiteral("k"),
               [&](const SecretResult &r) { answers << (r.notFound ? "notFound" : "found"); });
    QVERIFY(answers.isEmpty()); // never answered inside the call
    QTRY_COMPARE_WITH_TIMEOUT(answers.size(), 5, 5000);
    QCOMPARE(answers, QStringList({"write 1", "read 1", "write 2", "remove", "notFound"}));
}

void TestSecretStore::memoryStoreDropsAnswersWhenDestroyed()
{
    bool called = false;
    auto *store = new MemorySecretStore;
    store->write(QStringLiteral("k"), "v", [&](const SecretResult &) { called = true; });
    delete store;
    QCoreApplication::processEvents();
    QCoreApplication::sendPostedEvents();
    QVERIFY(!called);
}

void TestSecretStore::keysAreTheDocumentedOnes()
{
    QCOMPARE(SecretStore::deviceTokenKey(), QStringLiteral("deviceToken"));
    QCOMPARE(SecretStore::rememberedUserKey(), QStringLiteral("rememberedUser"));
    QCOMPARE(SecretStore::serverCredentialsKey(QStringLiteral("peek.example.org:8011")),
             QStringLiteral("serverCredentials/peek.example.org:8011"));
}

void TestSecretStore::ensureDeviceTokenCreatesOnceThenReturnsTheSame()
{
    MemorySecretStore store;
    const SecretResult first = ensureToken(&store);
    QVERIFY2(first.ok, qPrintable(first.error));
    QVERIFY2(looksLikeDeviceToken(first.value), first.value.constData());
    QCOMPARE(readSecret(&store, SecretStore::deviceTokenKey()).value, first.value);

    const SecretResult second = ensureToken(&store);
    QVERIFY(second.ok);
    QCOMPARE(second.value, first.value);

    // A token is random: a fresh store gets another one.
    MemorySecretStore other;
    QVERIFY(ensureToken(&other).value != first.value);
}

void TestSecretStore::ensureDeviceTokenCallersRacingGetOneToken()
{
    MemorySecretStore store;
    QList<QByteArray> tokens;
    ensureDeviceToken(&store, [&](const SecretResult &r) { tokens << r.value; });
    ensureDeviceToken(&store, [&](const SecretResult &r) { tokens << r.value; });
    QTRY_COMPARE_WITH_TIMEOUT(tokens.size(), 2, 5000);
    QCOMPARE(tokens.at(0), tokens.at(1));
    QCOMPARE(readSecret(&store, SecretStore::deviceTokenKey()).value, tokens.at(0));
}

void TestSecretStore::ensureDeviceTokenPassesOnFailures()
{
    FakeSecretStore store;
    store.failing = true;
    const SecretResult result = ensureToken(&store);
    QVERIFY(!result.ok);
    QVERIFY(!result.notFound);
    QCOMPARE(result.error, QStringLiteral("The fake keychain is broken."));
    QVERIFY(result.value.isEmpty());
}

void TestSecretStore::fallbackWithoutKeychainKeepsSecretsForTheSession()
{
    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("kept in memory for this session only")));
    FallbackSecretStore store(QStringLiteral("peek-test-nokeychain"));
    QSignalSpy persistentChanged(&store, &SecretStore::persistentChanged);
    QSignalSpy ready(&store, &FallbackSecretStore::ready);

    // Calls made while the probe runs wait for it; none is lost.
    QList<SecretResult> early;
    store.write(QStringLiteral("rememberedUser"), "jane",
                [&](const SecretResult &r) { early << r; });
    store.read(QStringLiteral("rememberedUser"), [&](const SecretResult &r) { early << r; });
    QVERIFY(!store.isReady());

    QVERIFY(ready.wait(20000));
    QVERIFY(store.isReady());
    QVERIFY(!store.persistent());
    QCOMPARE(persistentChanged.size(), 1);
    QCOMPARE(persistentChanged.at(0).at(0).toBool(), false);
    QCOMPARE(store.unavailableReason(),
             QStringLiteral("No system keychain (Secret Service) is available: secrets are kept "
                            "for this session only."));

    QTRY_COMPARE_WITH_TIMEOUT(early.size(), 2, 5000);
    QVERIFY(early.at(0).ok);
    QVERIFY(early.at(1).ok);
    QCOMPARE(early.at(1).value, QByteArray("jane"));

    // And it keeps working for the session.
    const QString key = SecretStore::serverCredentialsKey(QStringLiteral("peek.example.org:8011"));
    QVERIFY(readSecret(&store, key).notFound);
    QVERIFY(writeSecret(&store, key, "user:pw").ok);
    QCOMPARE(readSecret(&store, key).value, QByteArray("user:pw"));
    QVERIFY(removeSecret(&store, key).ok);
    QVERIFY(readSecret(&store, key).notFound);
    const SecretResult token = ensureToken(&store);
    QVERIFY2(token.ok, qPrintable(token.error));
    QCOMPARE(ensureToken(&store).value, token.value);
    QCOMPARE(persistentChanged.size(), 1);
}

void TestSecretStore::fallbackWithWorkingKeychainUsesIt()
{
    auto fake = std::make_unique<FakeSecretStore>();
    FakeSecretStore *keychain = fake.get();
    FallbackSecretStore store(std::move(fake), {});
    QSignalSpy persistentChanged(&store, &SecretStore::persistentChanged);
    QSignalSpy ready(&store, &FallbackSecretStore::ready);
    QVERIFY(ready.wait(5000));
    QVERIFY(store.persistent());
    QVERIFY(store.unavailableReason().isEmpty());
    QVERIFY(keychain->values.isEmpty()); // the probe cleaned up after itself
    QCOMPARE(keychain->calls, 3); // write, read back, remove

    QVERIFY(writeSecret(&store, QStringLiteral("k"), "v").ok);
    QCOMPARE(keychain->values.value(QStringLiteral("k")), QByteArray("v"));
    keychain->values.insert(QStringLiteral("k"), "changed elsewhere");
    QCOMPARE(readSecret(&store, QStringLiteral("k")).value, QByteArray("changed elsewhere"));
    QVERIFY(removeSecret(&store, QStringLiteral("k")).ok);
    QVERIFY(!keychain->values.contains(QStringLiteral("k")));
    QCOMPARE(persistentChanged.size(), 0);
}

void TestSecretStore::fallbackSwitchesToMemoryWhenKeychainFailsLater()
{
    auto fake = std::make_unique<FakeSecretStore>();
    FakeSecretStore *keychain = fake.get();
    FallbackSecretStore store(std::move(fake), {});
    QSignalSpy persistentChanged(&store, &SecretStore::persistentChanged);
    QVERIFY(QSignalSpy(&store, &FallbackSecretStore::ready).wait(5000));
    QVERIFY(writeSecret(&store, QStringLiteral("rememberedUser"), "jane").ok);
    QVERIFY(writeSecret(&store, QStringLiteral("gone"), "x").ok);
    QVERIFY(removeSecret(&store, QStringLiteral("gone")).ok);

    keychain->failing = true;
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(QStringLiteral("fake keychain is broken")));
    // The failed call is answered from memory, with what the session already knew.
    const SecretResult read = readSecret(&store, QStringLiteral("rememberedUser"));
    QVERIFY2(read.ok, qPrintable(read.error));
    QCOMPARE(read.value, QByteArray("jane"));
    QVERIFY(!store.persistent());
    QCOMPARE(persistentChanged.size(), 1);
    QVERIFY(store.unavailableReason().contains(QStringLiteral("session only")));
    QVERIFY(readSecret(&store, QStringLiteral("gone")).notFound);

    const int keychainCalls = keychain->calls;
    QVERIFY(writeSecret(&store, QStringLiteral("k"), "v").ok);
    QCOMPARE(readSecret(&store, QStringLiteral("k")).value, QByteArray("v"));
    QCOMPARE(keychain->calls, keychainCalls); // memory from now on
    QCOMPARE(persistentChanged.size(), 1);
}

void TestSecretStore::fallbackGivesUpOnASilentKeychain()
{
    auto fake = std::make_unique<FakeSecretStore>();
    fake->silent = true;
    FallbackSecretStore::Options options;
    options.probeTimeoutMs = 200;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("did not answer within")));
    FallbackSecretStore store(std::move(fake), options);
    QPointer<FallbackSecretStore> guard(&store);
    SecretResult early;
    store.write(QStringLiteral("k"), "v");
    store.read(QStringLiteral("k"), [&](const SecretResult &r) { early = r; });
    QVERIFY(QSignalSpy(&store, &FallbackSecretStore::ready).wait(5000));
    QVERIFY(!store.persistent());
    QTRY_VERIFY_WITH_TIMEOUT(early.ok, 5000);
    QCOMPARE(early.value, QByteArray("v"));
}

QTEST_GUILESS_MAIN(TestSecretStore)
#include "tst_secretstore.moc"
