// peek-server under a service manager (issue 17, docs/operations.md "Running under systemd"),
// played by this test as systemd would: a datagram socket named in NOTIFY_SOCKET receives READY=1
// with a status once the server serves, WATCHDOG=1 at least every WatchdogSec (WATCHDOG_USEC),
// STOPPING=1 on SIGTERM; with logging.journal on, every stderr line carries its syslog priority.
#include "serverprocess.h"

#include <QSocketNotifier>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

class TestSystemd : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void theServerTellsTheServiceManagerItIsReadyAliveAndStopping()
    {
        QTemporaryDir home, sockets;
        testing::Ports ports;
        QVERIFY(testing::writeConfig(home.path(), ports, {QStringLiteral("logic")}, {},
                                     QJsonObject {{QStringLiteral("logging"), QJsonObject {{QStringLiteral("journal"), true}}}}));
        const QByteArray path = sockets.filePath(QStringLiteral("notify")).toUtf8();
        const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        QVERIFY(fd >= 0);
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        QVERIFY(size_t(path.size()) < sizeof address.sun_path);
        std::memcpy(address.sun_path, path.constData(), size_t(path.size()));
        QVERIFY(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
        QStringList received;
        QSocketNotifier notifier(fd, QSocketNotifier::Read);
        connect(&notifier, &QSocketNotifier::activated, this, [&] {
            char buffer[4096];
            ssize_t n;
            while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0)
                received << QString::fromUtf8(buffer, int(n));
        });

        testing::ServerProcess server(home.path());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("NOTIFY_SOCKET"), QString::fromUtf8(path));
        env.insert(QStringLiteral("WATCHDOG_USEC"), QStringLiteral("300000")); // WatchdogSec=0.3
        server.process().setProcessEnvironment(env);
        QVERIFY2(server.start(), (server.output() + server.errors()).constData());
        QTRY_VERIFY_WITH_TIMEOUT(received.filter(QStringLiteral("READY=1")).size() == 1, 10000);
        QVERIFY2(received.filter(QStringLiteral("READY=1")).front().contains(QStringLiteral("STATUS=serving logic from ")),
                 qPrintable(received.join(u'|')));
        // Alive: several watchdog pings, each within the interval (3 take at least 0.3 s).
        QTRY_VERIFY_WITH_TIMEOUT(received.filter(QStringLiteral("WATCHDOG=1")).size() >= 3, 10000);

        server.terminate();
        QVERIFY(server.process().waitForFinished(20000));
        QTRY_VERIFY_WITH_TIMEOUT(received.contains(QStringLiteral("STOPPING=1")), 5000);
        ::close(fd);

        // The journal reads stderr: every line starts with a syslog priority ("<6>" info).
        const QList<QByteArray> lines = server.errors().split('\n');
        int withPriority = 0;
        for (const QByteArray &line : lines) {
            if (line.isEmpty())
                continue;
            QVERIFY2(line.size() > 3 && line[0] == '<' && line[2] == '>', line.constData());
            ++withPriority;
        }
        QVERIFY(withPriority > 0);
        QVERIFY2(server.errors().contains("<6>"), server.errors().left(300).constData());
    }
};

QTEST_GUILESS_MAIN(TestSystemd)
#include "tst_systemd.moc"
