// admin_window_bench: the admin window's start to a filled dashboard (issue 16, "Measure"),
// against a real peek-server (logic and field in one process, SQLite) with N devices on record.
// The window starts as it does on an admin's desktop with a remembered session: it dials logic's
// admin port, resumes the session from the keychain (here a memory store that a first login
// filled), watches services, devices and users, and reads the tasks; the clock stops when the
// dashboard shows both services and every device, and the Devices table holds them all.
//
// --plugins N puts N plugins on record (the two core plugins, the tutorial, and copies of the
// no-op plugin under names of their own in <home>/plugins), each running on logic and field.
//
//   QT_QPA_PLATFORM=offscreen build/bench/admin_window_bench [--devices 1000] [--plugins 50] [--rounds 10]
#include "../tests/integration/serverprocess.h"

#include "adminwindow.h"
#include "memorysecretstore.h"
#include "rowtablemodel.h"

#include <QApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <algorithm>
#include <cstdio>

using namespace peek;
using peek::app::AdminWindow;

namespace {

bool insertDevices(const QString &home, int count)
{
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("devices"));
        db.setDatabaseName(home + QStringLiteral("/core_device.sqlite"));
        ok = db.open() && db.transaction();
        QSqlQuery q(db);
        ok = ok && q.prepare(QStringLiteral("INSERT INTO \"DeviceInfo\" (device_id, description, device_type, token_hash, state, "
                                            "platform, app_version, created_us) VALUES (?, ?, 'field', ?, ?, 'linux', '1.0', ?)"));
        for (int i = 0; ok && i < count; ++i) {
            q.addBindValue(QUuid::createUuid().toString(QUuid::WithoutBraces));
            q.addBindValue(QStringLiteral("truck-%1").arg(i, 4, 10, QLatin1Char('0')));
            q.addBindValue(QString(64, u'0'));
            q.addBindValue(i % 10 == 0 ? QStringLiteral("pending") : QStringLiteral("approved"));
            q.addBindValue(QDateTime::currentMSecsSinceEpoch() * 1000);
            ok = q.exec();
            if (!ok)
                std::fprintf(stderr, "insert failed: %s\n", qPrintable(q.lastError().text()));
        }
        ok = ok && db.commit();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("devices"));
    return ok;
}

// Copies of the no-op plugin (its library and plugin.json, renamed) into <home>/plugins; their names.
QStringList copyNoopPlugins(const QString &home, int count)
{
    const QString noop = QStringLiteral(PEEK_NOOP_PLUGIN_DIR);
    QFile json(noop + QStringLiteral("/plugin.json"));
    if (!json.open(QIODevice::ReadOnly))
        return {};
    const QByteArray metadata = json.readAll();
    QStringList names;
    for (int i = 1; i <= count; ++i) {
        const QString name = QStringLiteral("peek_plugin_bench%1").arg(i, 2, 10, QLatin1Char('0'));
        const QString dir = home + QStringLiteral("/plugins/") + name;
        QJsonObject o = QJsonDocument::fromJson(metadata).object();
        o.insert(QStringLiteral("name"), name);
        o.insert(QStringLiteral("roles"), QJsonArray {QStringLiteral("logic"), QStringLiteral("field")});
        QFile out(dir + QStringLiteral("/plugin.json"));
        if (!QDir().mkpath(dir) || !out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(o).toJson()) <= 0
            || !QFile::copy(noop + QStringLiteral("/libpeek_plugin_noop.so"), dir + QStringLiteral("/lib") + name + QStringLiteral(".so")))
            return {};
        names << name;
    }
    return names;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("PeekBench"));
    int devices = 1000, rounds = 10, plugins = 50;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--devices"))
            devices = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--rounds"))
            rounds = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--plugins"))
            plugins = args[i + 1].toInt();
    }
    QTemporaryDir home;
    const testing::Ports ports;
    // The core plugins and the tutorial are three; the rest are copies of the no-op plugin.
    const QStringList copies = copyNoopPlugins(home.path(), std::max(0, plugins - 3));
    if (copies.size() != std::max(0, plugins - 3)) {
        std::fprintf(stderr, "cannot copy the no-op plugin from %s\n", PEEK_NOOP_PLUGIN_DIR);
        return 1;
    }
    if (!testing::writeConfig(home.path(), ports, {QStringLiteral("logic"), QStringLiteral("field")},
                              QStringList {QStringLiteral("peek_plugin_tutorial")} + copies))
        return 1;
    {
        testing::ServerProcess first(home.path()); // creates the schemas
        if (!first.start())
            return 1;
        first.terminate();
    }
    if (!insertDevices(home.path(), devices))
        return 1;
    testing::ServerProcess server(home.path());
    if (!server.start())
        return 1;
    if (testing::runAdmin(home.path(), {QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("root"),
                                        QStringLiteral("--roles"), QStringLiteral("admin")},
                          "correct horse battery\n")
            .code != 0)
        return 1;
    peek::app::MemorySecretStore secrets;
    AdminWindow::Options options;
    options.serverUrl = QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(ports.logicAdmin));
    options.size = QSize(1280, 800);
    options.startPage = QStringLiteral("dashboard");
    {
        AdminWindow login(options, &secrets);
        login.show();
        if (!QTest::qWaitFor([&] { return login.state() == QLatin1String("login"); }, 20000))
            return 1;
        login.userEdit()->setText(QStringLiteral("root"));
        login.passwordEdit()->setText(QStringLiteral("correct horse battery"));
        login.loginButton()->click();
        if (!QTest::qWaitFor([&] { return login.state() == QLatin1String("ready"); }, 20000))
            return 1;
    }
    const QString pending = QStringLiteral("%1 waiting for approval").arg((devices + 9) / 10);
    std::vector<double> ms;
    for (int r = 0; r < rounds; ++r) {
        QElapsedTimer clock;
        clock.start();
        AdminWindow window(options, &secrets);
        window.show();
        const bool filled = QTest::qWaitFor([&] {
            return window.state() == QLatin1String("ready") && window.dashboardText()->text().contains(QLatin1String("Services (2)"))
                   && window.dashboardText()->text().contains(pending) && window.model(QStringLiteral("devices"))->rowCount() == devices;
        }, 60000);
        if (!filled) {
            std::fprintf(stderr, "round %d: the dashboard did not fill within 60 s\n", r + 1);
            return 1;
        }
        ms.push_back(clock.nsecsElapsed() / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    std::printf("admin window start to a filled dashboard, %d devices and %d plugins on record, %d rounds: median %.0f ms, "
                "min %.0f ms, max %.0f ms\n",
                devices, plugins, rounds, ms[ms.size() / 2], ms.front(), ms.back());
    server.terminate();
    return 0;
}
