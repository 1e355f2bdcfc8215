// GET /metrics (issue 17, docs/operations.md "Monitoring") on a real peek-server with logic and
// field: the Prometheus text format as promtool reads it, counters that move when a client
// connects and acts, every port serving it, and who may read it (loopback, the join token, the
// configured bearer token; nobody else).
#include "action/tupleactionprocessor.h"
#include "action/tupleactions.h"
#include "tuple/tuple.h"
#include "vortex/futurecontext.h"
#include "vortex/vortex.h"

#include "serverprocess.h"

#include <QHostAddress>
#include <QNetworkInterface>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace peek;

namespace {

constexpr int kWaitMs = 20000;
const QByteArray kScrapeToken = "scrape-token-for-the-test-0123456789";

// The value of the first sample whose line starts with `series` (name and labels as written).
double sample(const QByteArray &metrics, const QByteArray &series)
{
    for (const QByteArray &line : metrics.split('\n'))
        if (line.startsWith(series + ' '))
            return line.mid(series.size() + 1).toDouble();
    return -1;
}

// GET /metrics from `host` with these extra header lines (no join token unless among them).
testing::HttpAnswer scrape(const QHostAddress &host, quint16 port, const QByteArray &headers = {})
{
    return testing::httpGet(port, "/metrics", 5000, nullptr, {}, host, headers);
}

} // namespace

class TestMetrics : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    testing::Ports m_ports;
    std::unique_ptr<testing::ServerProcess> m_server;

    QByteArray metrics(quint16 port) { return scrape(QHostAddress::LocalHost, port).body; }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(testing::writeConfig(m_home.path(), m_ports, {QStringLiteral("logic"), QStringLiteral("field")},
                                     {QStringLiteral("peek_plugin_tutorial")},
                                     QJsonObject {{QStringLiteral("metrics"), QJsonObject {{QStringLiteral("token"), QString::fromLatin1(kScrapeToken)}}}}));
        // On every address, so a scraper from another address can be played (see whoMayRead).
        m_server = std::make_unique<testing::ServerProcess>(m_home.path(), QStringList {QStringLiteral("--listen"), QStringLiteral("0.0.0.0")});
        QVERIFY2(m_server->start(), (m_server->output() + m_server->errors()).constData());
    }

    // Every port answers in the text format, and promtool (Prometheus's own checker) reads it.
    void promtoolReadsTheMetricsOfEveryPort()
    {
        for (const quint16 port : {m_ports.field, m_ports.logicAdmin, m_ports.logicDataExchange}) {
            const testing::HttpAnswer answer = scrape(QHostAddress::LocalHost, port);
            QCOMPARE(answer.status, 200);
            QVERIFY2(answer.body.contains("# TYPE peek_vortex_messages_received_total counter"), answer.body.left(400).constData());
            QVERIFY(answer.body.contains("process_cpu_seconds_total"));
            QVERIFY(answer.body.contains("peek_plugin_state{service=\"logic\",plugin=\"peek_plugin_tutorial\""));
            QProcess promtool;
            promtool.start(QStringLiteral("promtool"), {QStringLiteral("check"), QStringLiteral("metrics")});
            QVERIFY2(promtool.waitForStarted(10000), "promtool is not installed (Debian package prometheus; packaging/install-deps.sh)");
            promtool.write(answer.body);
            promtool.closeWriteChannel();
            QVERIFY(promtool.waitForFinished(30000));
            QVERIFY2(promtool.exitCode() == 0, (promtool.readAllStandardOutput() + promtool.readAllStandardError()).constData());
        }
    }

    // A client connects to the field service and pushes an action that logic applies: the field
    // service's connections and messages, and logic's action latency, count it.
    void countersMoveWhenAClientConnectsAndActs()
    {
        const QByteArray before = metrics(m_ports.field);
        const QByteArray opened = "peek_vortex_connections_opened_total{vortex=\"peek-field-service\"}";
        const QByteArray received = "peek_vortex_messages_received_total{vortex=\"peek-field-service\"}";
        const QByteArray actions = "peek_action_seconds_count{plugin=\"peek_plugin_tutorial\",processor=\"peek_plugin_tutorial\"}";
        QVERIFY(sample(before, opened) >= 0);

        Vortex device(QStringLiteral("peek-field-app"));
        device.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_ports.field)));
        QTRY_VERIFY_WITH_TIMEOUT(device.isConnectedTo(QStringLiteral("peek-field-service")), kWaitMs);
        auto toggle = std::make_shared<GenericTuple>(QStringLiteral("peek_plugin_tutorial.StringCapToggleActionTuple"),
                                                     Dict {{QStringLiteral("stringIntId"), qint64(1)}});
        action::stamp(*toggle);
        QFuture<std::vector<TuplePtr>> answer = pushAction(&device, QStringLiteral("peek_plugin_tutorial"),
                                                           QStringLiteral("peek_plugin_tutorial"), toggle,
                                                           QStringLiteral("peek-field-service"), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(answer.isFinished(), kWaitMs);
        QVERIFY2(resultOf(answer, QStringLiteral("cancelled")), qPrintable(resultOf(answer, QStringLiteral("cancelled")).error().message()));

        const QByteArray after = metrics(m_ports.field);
        QVERIFY2(sample(after, opened) >= sample(before, opened) + 1, qPrintable(QStringLiteral("%1 -> %2").arg(sample(before, opened)).arg(sample(after, opened))));
        QVERIFY2(sample(after, received) >= sample(before, received) + 2, after.constData()); // the hello and the action
        QVERIFY2(sample(after, actions) == sample(before, actions) + 1, qPrintable(QStringLiteral("%1 -> %2").arg(sample(before, actions)).arg(sample(after, actions))));
        QCOMPARE(sample(after, "peek_connections{service=\"field\",peer=\"device\"}"), 1.0);
        device.close();
        QTRY_COMPARE_WITH_TIMEOUT(sample(metrics(m_ports.field), "peek_connections{service=\"field\",peer=\"device\"}"), 0.0, kWaitMs);
    }

    // Loopback reads the metrics; from another address only the join token or the configured
    // bearer token does, and a wrong token is refused.
    void whoMayRead()
    {
        QHostAddress other;
        for (const QHostAddress &a : QNetworkInterface::allAddresses())
            if (!a.isLoopback() && a.protocol() == QAbstractSocket::IPv4Protocol)
                other = a;
        if (other.isNull())
            QSKIP("this machine has no address but loopback: a scraper from elsewhere cannot be played");
        QCOMPARE(scrape(other, m_ports.field).status, 403);
        QCOMPARE(scrape(other, m_ports.field, "Authorization: Bearer wrong-token\r\n").status, 403);
        QCOMPARE(scrape(other, m_ports.field, "Authorization: Bearer " + kScrapeToken + "\r\n").status, 200);
        QCOMPARE(scrape(other, m_ports.field, "X-Peek-Join-Token: " + testing::kJoinToken + "\r\n").status, 200);
        QVERIFY2(scrape(other, m_ports.field).body.contains("metrics.token"), "the refusal says how to be allowed");
    }

    void cleanupTestCase()
    {
        if (m_server)
            m_server->terminate();
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
