// Plugin settings on SQLite and PostgreSQL: declared defaults, typed updates that persist,
// changed() on every Settings object of the plugin, refused bad values, the last of concurrent
// writes winning, and passwords stored as given but never shown.
#include "storagetest.h"

#include "storage/database.h"
#include "storage/settings.h"
#include "storage/sql.h"

#include <QLoggingCategory>
#include <QMutex>
#include <QSignalSpy>

using namespace peek;
using storagetest::scalar;

namespace {

QList<SettingDeclaration> declarations()
{
    return {
        {QStringLiteral("enabled"), SettingType::Bool, true, QStringLiteral("Serve the tutorial")},
        {QStringLiteral("port"), SettingType::Int, 8080,
         QStringLiteral("Port of the outside system")},
        {QStringLiteral("name"), SettingType::String, QStringLiteral("peek"),
         QStringLiteral("Display name")},
        {QStringLiteral("secret"),
         SettingType::Password,
         {},
         QStringLiteral("Password of the outside system")},
    };
}

std::unique_ptr<Settings> openSettings(Database &db, const QString &plugin)
{
    auto settings = Settings::open(db, plugin, declarations());
    if (!settings) {
        qWarning().noquote() << settings.error().message();
        return {};
    }
    return std::move(settings).value();
}

QVariant storedValue(Database &db, const QString &plugin, const QString &key)
{
    return scalar(
        db, QStringLiteral("SELECT value FROM \"PluginSetting\" WHERE plugin = ? AND name = ?"),
        {plugin, key});
}

// Collects every message logged while it lives.
class LogCapture {
public:
    LogCapture()
    {
        s_messages.clear();
        QLoggingCategory::setFilterRules(QStringLiteral("peek.*=true"));
        m_previous = qInstallMessageHandler(
            [](QtMsgType, const QMessageLogContext &, const QString &message) {
                QMutexLocker lock(&s_mutex);
                s_messages << message;
            });
    }
    ~LogCapture()
    {
        qInstallMessageHandler(m_previous);
        QLoggingCategory::setFilterRules(QString());
    }
    static QStringList messages()
    {
        QMutexLocker lock(&s_mutex);
        return s_messages;
    }

private:
    QtMessageHandler m_previous = nullptr;
    static inline QMutex s_mutex;
    static inline QStringList s_messages;
};

} // namespace

class TestSettings : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void defaultsApplyUntilAValueIsStored_data() { storagetest::backendRows(); }
    void defaultsApplyUntilAValueIsStored()
    {
        STORAGE_BACKEND();
        QTemporaryDir dir;
        STORAGE_OPEN(db, dir);
        auto settings = openSettings(*db, storagetest::uniqueName(QStringLiteral("pl_defaults")));
        QVERIFY(settings);
        QCOMPARE(settings->value(QStringLiteral("enabled")), QVariant(true));
        QCOMPARE(settings->value(QStringLiteral("port")), QVariant(8080));
        QCOMPARE(settings->value(QStringLiteral("name")), QVariant(QStringLiteral("peek")));
        QCOMPARE(settings->value(QStringLiteral("secret")), QVariant(QString()));
        QVERIFY(settings->boolValue(QStringLiteral("enabled")));
        QCOMPARE(settings->intValue(QStringLiteral("port")), 8080);
        QVERIFY(!settings->isStored(QStringLiteral("port")));
        QVERIFY(!settings->value(QStringLiteral("unknown")).isValid());
        QCOMPARE(settings->declarations().size(), 4);
        QCOMPARE(settings->declaration(QStringLiteral("port"))->description,
                 QStringLiteral("Port of the outside system"));
    }

    void updatesAreStoredAndOutliveTheProcess_data() { storagetest::backendRows(); }
    void updatesAreStoredAndOutliveTheProcess()
    {
        STORAGE_BACKEND();
        QTemporaryDir dir;
        const QString plugin = storagetest::uniqueName(QStringLiteral("pl_persist"));
        {
            STORAGE_OPEN(db, dir);
            auto settings = openSettings(*db, plugin);
            QVERIFY(settings);
            STORAGE_VERIFY(settings->setValueSync(QStringLiteral("port"), 9090));
            STORAGE_VERIFY(settings->setValueSync(QStringLiteral("enabled"), false));
            STORAGE_VERIFY(
                settings
                    ->setValue(QStringLiteral("name"), QStringLiteral("Peek; \"quoted\" 'name'"))
                    .result());
            STORAGE_VERIFY(settings->setValueSync(QStringLiteral("secret"), QStringLiteral("x")));
            STORAGE_VERIFY(settings->resetSync(QStringLiteral("secret")));
            QCOMPARE(settings->intValue(QStringLiteral("port")), 9090);
            QVERIFY(settings->isStored(QStringLiteral("port")));
            QCOMPARE(storedValue(*db, plugin, QStringLiteral("port")).toString(),
                     QStringLiteral("9090"));
            QCOMPARE(scalar(*db,
                            QStringLiteral("SELECT COUNT(*) FROM \"PluginSetting\" WHERE plugin = "
                                           "? AND name = 'secret'"),
                            {plugin})
                         .toInt(),
                     0); // reset: no row
        }
        // Everything closed: a new Database and Settings read what was stored.
        STORAGE_OPEN(db, dir);
        auto settings = openSettings(*db, plugin);
        QVERIFY(settings);
        QCOMPARE(settings->value(QStringLiteral("port")), QVariant(9090));
        QCOMPARE(settings->value(QStringLiteral("enabled")), QVariant(false));
        QCOMPARE(settings->stringValue(QStringLiteral("name")),
                 QStringLiteral("Peek; \"quoted\" 'name'"));
        QVERIFY(!settings->isStored(QStringLiteral("secret")));

        // Another plugin's settings are its own.
        auto other = openSettings(*db, plugin + QStringLiteral("_other"));
        QVERIFY(other);
        QCOMPARE(other->intValue(QStringLiteral("port")), 8080);
    }

    void changesAreSignalledToEveryObjectOfThePlugin_data() { storagetest::backendRows(); }
    void changesAreSignalledToEveryObjectOfThePlugin()
    {
        STORAGE_BACKEND();
        QTemporaryDir dir;
        STORAGE_OPEN(db, dir);
        STORAGE_OPEN(sameDatabaseAgain, dir); // another Database object, same database
        const QString plugin = storagetest::uniqueName(QStringLiteral("pl_signals"));
        auto a = openSettings(*db, plugin);
        auto b = openSettings(*db, plugin);
        auto c = openSettings(*sameDatabaseAgain, plugin);
        auto otherPlugin = openSettings(*db, plugin + QStringLiteral("_other"));
        QVERIFY(a && b && c && otherPlugin);
        QSignalSpy spyA(a.get(), &Settings::changed);
        QSignalSpy spyB(b.get(), &Settings::changed);
        QSignalSpy spyC(c.get(), &Settings::changed);
        QSignalSpy spyOther(otherPlugin.get(), &Settings::changed);

        // Written here: every object of this thread hears it before setValueSync returns.
        STORAGE_VERIFY(a->setValueSync(QStringLiteral("name"), QStringLiteral("changed")));
        const QVariantList expected = {QStringLiteral("name"), QStringLiteral("changed")};
        QCOMPARE(spyA.size(), 1);
        QCOMPARE(spyA.first(), expected);
        QCOMPARE(spyB.size(), 1);
        QCOMPARE(spyB.first(), expected);
        QCOMPARE(spyC.size(), 1);
        QCOMPARE(spyC.first(), expected);
        QCOMPARE(b->stringValue(QStringLiteral("name")), QStringLiteral("changed"));

        // Written on a pool thread: heard here through the event loop.
        auto written = b->setValue(QStringLiteral("port"), 1234);
        QTRY_COMPARE(spyA.size(), 2);
        QTRY_COMPARE(spyB.size(), 2);
        QTRY_COMPARE(spyC.size(), 2);
        STORAGE_VERIFY(written.result());
        QCOMPARE(spyA.last(), (QVariantList {QStringLiteral("port"), 1234}));
        QCOMPARE(spyC.last(), (QVariantList {QStringLiteral("port"), 1234}));
        QCOMPARE(a->intValue(QStringLiteral("port")), 1234);

        // Storing the same value again changes nothing and says nothing; a reset says the default.
        STORAGE_VERIFY(a->setValueSync(QStringLiteral("name"), QStringLiteral("changed")));
        QCOMPARE(spyA.size(), 2);
        STORAGE_VERIFY(c->resetSync(QStringLiteral("name")));
        QCOMPARE(spyA.size(), 3);
        QCOMPARE(spyA.last(), (QVariantList {QStringLiteral("name"), QStringLiteral("peek")}));

        QCOMPARE(spyOther.size(), 0);
    }

    void badValuesAndUnknownKeysAreRefused_data() { storagetest::backendRows(); }
    void badValuesAndUnknownKeysAreRefused()
    {
        STORAGE_BACKEND();
        QTemporaryDir dir;
        STORAGE_OPEN(db, dir);
        auto settings = openSettings(*db, storagetest::uniqueName(QStringLiteral("pl_types")));
        QVERIFY(settings);
        QSignalSpy spy(settings.get(), &Settings::changed);

        auto notAnInt = settings->setValueSync(QStringLiteral("port"), QStringLiteral("eighty"));
        QVERIFY(!notAnInt);
        QVERIFY2(notAnInt.error().message().contains(QStringLiteral("'port'")),
                 qPrintable(notAnInt.error().message()));
        QVERIFY2(notAnInt.error().message().contains(QStringLiteral("an int")),
                 qPrintable(notAnInt.error().message()));
        auto tooBig = settings->setValue(QStringLiteral("port"), qlonglong(1) << 40).result();
        QVERIFY(!tooBig);
        auto notABool
            = settings->setValue(QStringLiteral("enabled"), QStringLiteral("maybe")).result();
        QVERIFY(!notABool);
        auto notText = settings->setValueSync(QStringLiteral("name"), 5);
        QVERIFY(!notText);
        auto unknown = settings->setValueSync(QStringLiteral("colour"), QStringLiteral("red"));
        QVERIFY(!unknown);
        QVERIFY2(unknown.error().message().contains(QStringLiteral("no setting 'colour'")),
                 qPrintable(unknown.error().message()));
        QVERIFY(!settings->resetSync(QStringLiteral("colour")));
        QCOMPARE(settings->intValue(QStringLiteral("port")), 8080);
        QCOMPARE(spy.size(), 0);

        // Text that reads as the type is accepted, as an admin form sends it.
        STORAGE_VERIFY(settings->setValueSync(QStringLiteral("port"), QStringLiteral(" 81 ")));
        STORAGE_VERIFY(settings->setValueSync(QStringLiteral("enabled"), QStringLiteral("FALSE")));
        QCOMPARE(settings->value(QStringLiteral("port")), QVariant(81));
        QCOMPARE(settings->value(QStringLiteral("enabled")), QVariant(false));
    }

    void badDeclarationsAreRefused()
    {
        QTemporaryDir dir;
        auto db = Database::open(dir.filePath(QStringLiteral("peek.sqlite")));
        STORAGE_VERIFY(db);
        auto twice = Settings::open(*db.value(), QStringLiteral("pl_decl"),
                                    {{QStringLiteral("a"), SettingType::Int, 1, {}},
                                     {QStringLiteral("a"), SettingType::Int, 2, {}}});
        QVERIFY(!twice);
        QVERIFY2(twice.error().message().contains(
                     QStringLiteral("'a' of plugin pl_decl is declared twice")),
                 qPrintable(twice.error().message()));
        auto wrongDefault = Settings::open(
            *db.value(), QStringLiteral("pl_decl"),
            {{QStringLiteral("on"), SettingType::Bool, QStringLiteral("yes"), {}}});
        QVERIFY(!wrongDefault);
        QVERIFY2(
            wrongDefault.error().message().contains(QStringLiteral("its default must be a bool")),
            qPrintable(wrongDefault.error().message()));
    }

    void theLastOfConcurrentWritesWins_data() { storagetest::backendRows(); }
    void theLastOfConcurrentWritesWins()
    {
        STORAGE_BACKEND();
        QTemporaryDir dir;
        DatabaseOptions options;
        options.maxThreads = 4;
        STORAGE_OPEN(db, dir, options);
        const QString plugin = storagetest::uniqueName(QStringLiteral("pl_race"));
        auto settings = openSettings(*db, plugin);
        QVERIFY(settings);
        QSignalSpy spy(settings.get(), &Settings::changed);
        QList<QFuture<Result<void>>> writes;
        for (int i = 1; i <= 40; ++i)
            writes << settings->setValue(QStringLiteral("port"), i);
        for (auto &write : writes)
            STORAGE_VERIFY(write.result());
        QCOMPARE(settings->intValue(QStringLiteral("port")), 40);
        QCOMPARE(storedValue(*db, plugin, QStringLiteral("port")).toString(), QStringLiteral("40"));
        // Listeners hear values in the order they were stored, ending with the last.
        QTRY_VERIFY(!spy.isEmpty() && spy.last().at(1).toInt() == 40);
        int previous = 0;
        for (const auto &signal : std::as_const(spy)) {
            QVERIFY(signal.at(1).toInt() > previous);
            previous = signal.at(1).toInt();
        }
    }

    void passwordsAreStoredAsGivenButNeverShown_data() { storagetest::backendRows(); }
    void passwordsAreStoredAsGivenButNeverShown()
    {
        STORAGE_BACKEND();
        QTemporaryDir dir;
        const QString secret = QStringLiteral("hunter2; 'drop' \"table\"");
        const QString plugin = storagetest::uniqueName(QStringLiteral("pl_secret"));
        QString debugText;
        {
            LogCapture capture;
            STORAGE_OPEN(db, dir);
            auto settings = openSettings(*db, plugin);
            QVERIFY(settings);
            STORAGE_VERIFY(settings->setValueSync(QStringLiteral("secret"), secret));
            STORAGE_VERIFY(settings->setValue(QStringLiteral("port"), 99).result());
            QCOMPARE(settings->stringValue(QStringLiteral("secret")), secret);
            QCOMPARE(storedValue(*db, plugin, QStringLiteral("secret")).toString(), secret);
            QCOMPARE(settings->displayValue(QStringLiteral("secret")),
                     QString::fromLatin1(Settings::kMask));
            QCOMPARE(settings->displayValue(QStringLiteral("port")), QStringLiteral("99"));

            QDebug(&debugText) << *settings;
            qDebug() << *settings;

            // A wrong value for a password is not shown either.
            auto refused = settings->setValueSync(QStringLiteral("secret"), 424242);
            QVERIFY(!refused);
            QVERIFY2(!refused.error().message().contains(QStringLiteral("424242")),
                     qPrintable(refused.error().message()));
            qWarning().noquote() << refused.error().message();

            QVERIFY(!LogCapture::messages().isEmpty()); // the capture works: it saw the debug line
            for (const QString &message : LogCapture::messages()) {
                QVERIFY2(!message.contains(QStringLiteral("hunter2")), qPrintable(message));
                QVERIFY2(!message.contains(QStringLiteral("424242")), qPrintable(message));
            }
        }
        QVERIFY2(debugText.contains(plugin), qPrintable(debugText));
        QVERIFY2(debugText.contains(QStringLiteral("secret=********")), qPrintable(debugText));
        QVERIFY2(debugText.contains(QStringLiteral("port=99")), qPrintable(debugText));
        QVERIFY2(!debugText.contains(QStringLiteral("hunter2")), qPrintable(debugText));
    }
};

QTEST_GUILESS_MAIN(TestSettings)
#include "tst_settings.moc"
