// The peek app as a real process against a real peek-server with the tutorial plugin: it
// connects, renders its field home screen offscreen and writes a non-blank PNG; without a
// server (and none remembered) it renders the address screen instead.
#include "serverprocess.h"

#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using testing::Ports;
using testing::ServerProcess;

namespace {

// Runs peek with its settings and data kept in `home`; the exit code (-1: did not finish).
int runPeek(const QString &home, const QStringList &args, QByteArray *output)
{
    QProcess peek;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/config"));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/share"));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("QT_QUICK_BACKEND"), QStringLiteral("software"));
    peek.setProcessEnvironment(env);
    peek.setProcessChannelMode(QProcess::MergedChannels);
    peek.start(QStringLiteral(PEEK_APP_BIN), args);
    const bool finished = peek.waitForFinished(30000);
    *output = peek.readAll();
    if (!finished) {
        peek.kill();
        peek.waitForFinished();
        return -1;
    }
    return peek.exitStatus() == QProcess::NormalExit ? peek.exitCode() : -1;
}

// True when the image has at least two different pixel colours.
bool hasContent(const QImage &image)
{
    if (image.isNull())
        return false;
    const QRgb first = image.pixel(0, 0);
    for (int y = 0; y < image.height(); y += 2) {
        for (int x = 0; x < image.width(); x += 2) {
            if (image.pixel(x, y) != first)
                return true;
        }
    }
    return false;
}

} // namespace

class TestApp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fieldHomeScreenshotAgainstRealServer()
    {
        QTemporaryDir serverHome, appHome;
        const Ports ports;
        QVERIFY(testing::writeConfig(serverHome.path(), ports, {QStringLiteral("logic"), QStringLiteral("field")},
                                     {QStringLiteral("peek_plugin_tutorial")}));
        ServerProcess server(serverHome.path());
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());

        const QString png = appHome.filePath(QStringLiteral("home.png"));
        QByteArray output;
        const int code = runPeek(appHome.path(),
                                 {QStringLiteral("field"), QStringLiteral("--server"),
                                  QStringLiteral("ws://127.0.0.1:%1").arg(ports.field), QStringLiteral("--data"),
                                  appHome.filePath(QStringLiteral("data")), QStringLiteral("--screenshot"), png},
                                 &output);
        QVERIFY2(code == 0, output.constData());
        const QImage image(png);
        QVERIFY2(!image.isNull(), qPrintable(png));
        QVERIFY(hasContent(image));
        // It reached the service (the session's link came up).
        QVERIFY2(output.contains("connected to peek-field-service"), output.constData());

        // The address is remembered: a second start without --server renders the same home.
        const QString again = appHome.filePath(QStringLiteral("again.png"));
        QCOMPARE(runPeek(appHome.path(), {QStringLiteral("field"), QStringLiteral("--data"),
                                          appHome.filePath(QStringLiteral("data")),
                                          QStringLiteral("--screenshot"), again}, &output), 0);
        QVERIFY2(output.contains("connected to peek-field-service"), output.constData());
    }

    void firstStartWithoutServerShowsAddressScreen()
    {
        QTemporaryDir appHome;
        const QString png = appHome.filePath(QStringLiteral("setup.png"));
        QByteArray output;
        QCOMPARE(runPeek(appHome.path(), {QStringLiteral("field"), QStringLiteral("--screenshot"), png}, &output), 0);
        QVERIFY(hasContent(QImage(png)));
        QVERIFY(!output.contains("peek-field-service"));
    }

    void officeWindowScreenshotAgainstRealServer()
    {
        QTemporaryDir serverHome, appHome;
        const Ports ports;
        QVERIFY(testing::writeConfig(serverHome.path(), ports, {QStringLiteral("logic"), QStringLiteral("office")},
                                     {QStringLiteral("peek_plugin_tutorial")}));
        ServerProcess server(serverHome.path());
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());
        const QString png = appHome.filePath(QStringLiteral("office.png"));
        QByteArray output;
        const int code = runPeek(appHome.path(),
                                 {QStringLiteral("office"), QStringLiteral("--server"),
                                  QStringLiteral("ws://127.0.0.1:%1").arg(ports.office), QStringLiteral("--data"),
                                  appHome.filePath(QStringLiteral("data")), QStringLiteral("--size"),
                                  QStringLiteral("1280x800"), QStringLiteral("--screenshot"), png},
                                 &output);
        QVERIFY2(code == 0, output.constData());
        QVERIFY2(output.contains("connected to peek-office-service"), output.constData());
        const QImage image(png);
        QCOMPARE(image.size(), QSize(1280, 800));
        QVERIFY(hasContent(image));
    }

    void officeModeRefusesFieldOptions()
    {
        QTemporaryDir appHome;
        QByteArray output;
        QCOMPARE(runPeek(appHome.path(), {QStringLiteral("office"), QStringLiteral("--nmea"), QStringLiteral("x.nmea")},
                         &output),
                 2);
        QVERIFY2(output.contains("are for the field app"), output.constData());
        QCOMPARE(runPeek(appHome.path(), {QStringLiteral("admin"), QStringLiteral("--nmea"), QStringLiteral("x.nmea")}, &output), 2);
        QVERIFY2(output.contains("not for the admin window"), output.constData());
        QCOMPARE(runPeek(appHome.path(), {QStringLiteral("kiosk")}, &output), 2);
        QVERIFY2(output.contains("say the mode"), output.constData());
    }
};

QTEST_GUILESS_MAIN(TestApp)
#include "tst_app.moc"
