// The server log on real files in a temporary directory: the record layout with role and plugin
// taken from the category, level filtering, size rotation keeping two old files, records from many
// threads arriving whole, and the fallbacks when the file cannot be opened or rotated.
#include "service/logging.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <thread>
#include <vector>

using namespace peek;

namespace {

// time, level, role, plugin, message
const QRegularExpression kRecord(QStringLiteral(
    R"(^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) (DEBUG|INFO |WARN |ERROR|FATAL) (\S+) +(\S+) +(.*)$)"));

QStringList readLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

void writeBytes(const QString &path, const QByteArray &data)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(data), data.size());
}

// The numbers of the "line <n>" messages in a file, in file order.
QList<int> lineNumbers(const QString &path)
{
    static const QRegularExpression number(QStringLiteral("line (\\d+) "));
    QList<int> numbers;
    for (const QString &line : readLines(path)) {
        const auto match = number.match(line);
        if (match.hasMatch())
            numbers << match.captured(1).toInt();
    }
    return numbers;
}

// Redirects the process's stderr (fd 2) into a file while it lives.
class StderrCapture {
public:
    explicit StderrCapture(const QString &path) : m_path(path)
    {
        std::fflush(stderr);
        m_saved = ::dup(2);
        const int fd
            = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(fd, 2);
        ::close(fd);
    }
    ~StderrCapture() { restore(); }
    QStringList lines()
    {
        restore();
        return readLines(m_path);
    }

private:
    void restore()
    {
        if (m_saved < 0)
            return;
        std::fflush(stderr);
        ::dup2(m_saved, 2);
        ::close(m_saved);
        m_saved = -1;
    }
    QString m_path;
    int m_saved = -1;
};

QStringList g_captured;
void capturingHandler(QtMsgType, const QMessageLogContext &, const QString &message)
{
    g_captured << message;
}

} // namespace

class TestLogging : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void recordsNameTimeLevelRoleAndPlugin();
    void otherCategoriesGetDefaultRoleAndBrackets();
    void multiLineMessageContinuesIndented();
    void categoriesAreCreatedOncePerName();
    void levelHidesLowerMessages();
    void unknownLevelIsRefused();
    void rotationKeepsFileAndTwoOlder();
    void existingFileIsAppendedTo();
    void fullExistingFileIsRotatedAtInstall();
    void failedRotationFallsBackToStderrAndReportsOnce();
    void recordsFromManyThreadsArriveWhole();
    void directoryPathIsRefused();
    void uninstallRestoresPreviousHandler();

private:
    logging::Options fileOptions(const QString &name = QStringLiteral("peek-server.log")) const;
    static QString installError(const logging::Options &options);

    std::unique_ptr<QTemporaryDir> m_tmp;
};

void TestLogging::init()
{
    m_tmp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_tmp->isValid());
}

void TestLogging::cleanup()
{
    logging::uninstall();
    QLoggingCategory::setFilterRules(QString());
    m_tmp.reset();
}

// Options writing to peek-server.log (or `name`) in the test's directory, not to stderr.
logging::Options TestLogging::fileOptions(const QString &name) const
{
    logging::Options options;
    options.filePath = m_tmp->filePath(name);
    options.toStderr = false;
    return options;
}

// Empty when install() succeeds, else its error.
QString TestLogging::installError(const logging::Options &options)
{
    const auto installed = logging::install(options);
    return installed ? QString() : installed.error().message();
}

void TestLogging::recordsNameTimeLevelRoleAndPlugin()
{
    logging::Options options = fileOptions();
    options.level = QStringLiteral("debug");
    QCOMPARE(installError(options), QString());

    qCInfo(logging::pluginCategory(QStringLiteral("logic"), QStringLiteral("peek_plugin_tutorial")),
           "tutorial started");
    qCWarning(logging::roleCategory(QStringLiteral("field")), "field is slow");
    qCDebug(logging::pluginCategory(QStringLiteral("agent"), QStringLiteral("peek_core_device")),
            "a detail");
    qCCritical(logging::roleCategory(QStringLiteral("worker")), "broken");
    logging::uninstall();

    const QStringList lines = readLines(options.filePath);
    QCOMPARE(lines.size(), 4);
    for (const QString &line : lines) {
        const auto match = kRecord.match(line);
        QVERIFY2(match.hasMatch(), qPrintable(line));
        QVERIFY2(QDateTime::fromString(match.captured(1), QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz"))
                     .isValid(),
                 qPrintable(line));
    }
    // Columns: level 5, role 6, plugin 24, one space after each.
    QCOMPARE(lines[0].mid(24),
             QStringLiteral("INFO  logic  peek_plugin_tutorial     tutorial started"));
    QCOMPARE(lines[1].mid(24),
             QStringLiteral("WARN  field  -                        field is slow"));
    QCOMPARE(lines[2].mid(24), QStringLiteral("DEBUG agent  peek_core_device         a detail"));
    QCOMPARE(lines[3].mid(24), QStringLiteral("ERROR worker -                        broken"));
}

void TestLogging::otherCategoriesGetDefaultRoleAndBrackets()
{
    logging::Options options = fileOptions();
    options.defaultRole = QStringLiteral("logic,field");
    QCOMPARE(installError(options), QString());

    static QLoggingCategory vortex("peek.vortex");
    static QLoggingCategory ssl("qt.network.ssl");
    static QLoggingCategory notARole("peek.storage.database");
    qCInfo(vortex, "connected");
    qCWarning(ssl, "handshake failed");
    qCInfo(notARole, "migrated");
    qInfo("plain");
    logging::uninstall();

    QStringList lines = readLines(options.filePath);
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines[0].mid(24),
             QStringLiteral("INFO  logic,field -                        [peek.vortex] connected"));
    QCOMPARE(lines[1].mid(24),
             QStringLiteral(
                 "WARN  logic,field -                        [qt.network.ssl] handshake failed"));
    QCOMPARE(lines[2].mid(24),
             QStringLiteral(
                 "INFO  logic,field -                        [peek.storage.database] migrated"));
    QCOMPARE(lines[3].mid(24), QStringLiteral("INFO  logic,field -                        plain"));

    // Without a default role the role column says "-".
    options.defaultRole.clear();
    QCOMPARE(installError(options), QString());
    qCInfo(vortex, "again");
    logging::uninstall();
    lines = readLines(options.filePath);
    QCOMPARE(lines.size(), 5);
    QCOMPARE(lines[4].mid(24),
             QStringLiteral("INFO  -      -                        [peek.vortex] again"));
}

void TestLogging::multiLineMessageContinuesIndented()
{
    logging::Options options = fileOptions();
    QCOMPARE(installError(options), QString());

    qCWarning(logging::roleCategory(QStringLiteral("logic")), "first\nsecond\r\nthird\n");
    qCInfo(logging::roleCategory(QStringLiteral("logic")), "next");
    logging::uninstall();

    const QStringList lines = readLines(options.filePath);
    QCOMPARE(lines.size(), 4);
    QVERIFY(lines[0].endsWith(QStringLiteral(" first")));
    QCOMPARE(lines[1], QStringLiteral("  second"));
    QCOMPARE(lines[2], QStringLiteral("  third"));
    QVERIFY(kRecord.match(lines[3]).hasMatch());
    QVERIFY(lines[3].endsWith(QStringLiteral(" next")));
}

void TestLogging::categoriesAreCreatedOncePerName()
{
    const QLoggingCategory &a
        = logging::pluginCategory(QStringLiteral("office"), QStringLiteral("peek_plugin_diagram"));
    const QLoggingCategory &b
        = logging::pluginCategory(QStringLiteral("office"), QStringLiteral("peek_plugin_diagram"));
    const QLoggingCategory &c
        = logging::pluginCategory(QStringLiteral("field"), QStringLiteral("peek_plugin_diagram"));
    QCOMPARE(&a, &b);
    QVERIFY(&a != &c);
    QCOMPARE(QByteArray(a.categoryName()), QByteArray("peek.office.peek_plugin_diagram"));
    QCOMPARE(QByteArray(c.categoryName()), QByteArray("peek.field.peek_plugin_diagram"));
    const QLoggingCategory &role = logging::roleCategory(QStringLiteral("office"));
    QCOMPARE(&role, &logging::roleCategory(QStringLiteral("office")));
    QCOMPARE(QByteArray(role.categoryName()), QByteArray("peek.office"));
}

void TestLogging::levelHidesLowerMessages()
{
    logging::Options options = fileOptions();
    options.level = QStringLiteral("info");
    QCOMPARE(installError(options), QString());

    const QLoggingCategory &plugin
        = logging::pluginCategory(QStringLiteral("logic"), QStringLiteral("peek_plugin_levels"));
    const QLoggingCategory &role = logging::roleCategory(QStringLiteral("logic"));
    qCDebug(plugin, "info-debug");
    qCDebug(role, "info-role-debug");
    qCInfo(plugin, "info-info");
    qCWarning(plugin, "info-warning");

    QVERIFY(logging::setLevel(QStringLiteral("error")));
    qCInfo(plugin, "error-info");
    qCWarning(plugin, "error-warning");
    qCWarning(role, "error-role-warning");
    qCCritical(plugin, "error-critical");

    QVERIFY(logging::setLevel(QStringLiteral("warning")));
    qCInfo(plugin, "warning-info");
    qCWarning(plugin, "warning-warning");

    QVERIFY(logging::setLevel(QStringLiteral("debug")));
    qCDebug(plugin, "debug-debug");
    logging::uninstall();

    QStringList messages;
    for (const QString &line : readLines(options.filePath))
        messages << line.section(QLatin1Char(' '), -1);
    QCOMPARE(messages,
             (QStringList {QStringLiteral("info-info"), QStringLiteral("info-warning"),
                           QStringLiteral("error-critical"), QStringLiteral("warning-warning"),
                           QStringLiteral("debug-debug")}));
}

void TestLogging::unknownLevelIsRefused()
{
    const auto set = logging::setLevel(QStringLiteral("verbose"));
    QVERIFY(!set);
    QString error = set.error().message();
    QVERIFY2(error.contains(QStringLiteral("\"verbose\"")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("debug, info, warning or error")), qPrintable(error));

    logging::Options options;
    options.filePath = m_tmp->filePath(QStringLiteral("peek-server.log"));
    options.level = QStringLiteral("loud");
    error = installError(options);
    QVERIFY(!error.isEmpty());
    QVERIFY2(error.contains(QStringLiteral("\"loud\"")), qPrintable(error));
    QVERIFY(!QFileInfo::exists(options.filePath));
}

void TestLogging::rotationKeepsFileAndTwoOlder()
{
    logging::Options options;
    options.filePath = m_tmp->filePath(QStringLiteral("peek-server.log"));
    options.maxFileBytes = 4096;
    options.toStderr = false;
    QCOMPARE(installError(options), QString());

    const QLoggingCategory &category
        = logging::pluginCategory(QStringLiteral("logic"), QStringLiteral("peek_plugin_tutorial"));
    const int count = 600; // about 60 kB: many rotations
    for (int i = 0; i < count; ++i)
        qCInfo(category, "line %04d of the rotation test", i);
    logging::uninstall();

    const QString path = options.filePath;
    QVERIFY(QFileInfo::exists(path));
    QVERIFY(QFileInfo::exists(path + QStringLiteral(".1")));
    QVERIFY(QFileInfo::exists(path + QStringLiteral(".2")));
    QVERIFY(!QFileInfo::exists(path + QStringLiteral(".3")));
    QCOMPARE(QDir(m_tmp->path()).entryList(QDir::Files).size(), 3);
    for (const QString &file : {path, path + QStringLiteral(".1"), path + QStringLiteral(".2")}) {
        QVERIFY2(QFileInfo(file).size() <= options.maxFileBytes, qPrintable(file));
        QVERIFY2(QFileInfo(file).size() > options.maxFileBytes / 2, qPrintable(file));
    }

    const QList<int> current = lineNumbers(path);
    const QList<int> older = lineNumbers(path + QStringLiteral(".1"));
    const QList<int> oldest = lineNumbers(path + QStringLiteral(".2"));
    QVERIFY(!current.isEmpty() && !older.isEmpty() && !oldest.isEmpty());
    QCOMPARE(current.last(), count - 1);
    // Consecutive without gaps across the three files: no record lost at a rotation.
    const QList<int> all = oldest + older + current;
    for (int i = 1; i < all.size(); ++i)
        QCOMPARE(all[i], all[i - 1] + 1);
    QVERIFY(older.last() < current.first());
    QVERIFY(oldest.last() < older.first());
}

void TestLogging::existingFileIsAppendedTo()
{
    logging::Options options = fileOptions();
    writeBytes(options.filePath, "from the last run\n");
    QCOMPARE(installError(options), QString());
    qCInfo(logging::roleCategory(QStringLiteral("logic")), "this run");
    logging::uninstall();

    const QStringList lines = readLines(options.filePath);
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines[0], QStringLiteral("from the last run"));
    QVERIFY(lines[1].endsWith(QStringLiteral(" this run")));
    QVERIFY(!QFileInfo::exists(options.filePath + QStringLiteral(".1")));
}

void TestLogging::fullExistingFileIsRotatedAtInstall()
{
    logging::Options options;
    options.filePath = m_tmp->filePath(QStringLiteral("peek-server.log"));
    options.maxFileBytes = 4096;
    options.toStderr = false;
    const QByteArray old = QByteArray(5000, 'x') + '\n';
    writeBytes(options.filePath, old);
    writeBytes(options.filePath + QStringLiteral(".1"), "one run ago\n");
    QCOMPARE(installError(options), QString());
    QCOMPARE(QFileInfo(options.filePath).size(), 0);
    qCInfo(logging::roleCategory(QStringLiteral("logic")), "this run");
    logging::uninstall();

    const QStringList lines = readLines(options.filePath);
    QCOMPARE(lines.size(), 1);
    QVERIFY(lines[0].endsWith(QStringLiteral(" this run")));
    QCOMPARE(QFileInfo(options.filePath + QStringLiteral(".1")).size(), old.size());
    QCOMPARE(readLines(options.filePath + QStringLiteral(".2")),
             QStringList {QStringLiteral("one run ago")});
}

void TestLogging::failedRotationFallsBackToStderrAndReportsOnce()
{
    logging::Options options;
    options.filePath = m_tmp->filePath(QStringLiteral("logs/peek-server.log"));
    options.maxFileBytes = 4096;
    options.toStderr = false;
    // A non-empty directory where the oldest rotated file goes cannot be deleted, even by root.
    QVERIFY(QDir(m_tmp->path()).mkpath(QStringLiteral("logs/peek-server.log.2/blocker")));
    QCOMPARE(installError(options), QString());

    const QLoggingCategory &category = logging::roleCategory(QStringLiteral("logic"));
    const int count = 100; // about 10 kB: the file fills up part way through
    QStringList captured;
    {
        StderrCapture capture(m_tmp->filePath(QStringLiteral("stderr.txt")));
        for (int i = 0; i < count; ++i)
            qCInfo(category, "line %04d of the failure test", i);
        logging::uninstall();
        captured = capture.lines();
    }

    const QList<int> inFile = lineNumbers(options.filePath);
    QVERIFY(!inFile.isEmpty());
    QVERIFY(QFileInfo(options.filePath).size() <= options.maxFileBytes);
    QList<int> onStderr;
    int reports = 0;
    for (const QString &line : captured) {
        if (line.contains(QStringLiteral("cannot rotate the log file"))) {
            ++reports;
            QVERIFY2(line.contains(QStringLiteral("[peek.logging]")), qPrintable(line));
            QVERIFY2(line.contains(QStringLiteral("peek-server.log.2")), qPrintable(line));
            continue;
        }
        static const QRegularExpression number(QStringLiteral("line (\\d+) "));
        const auto match = number.match(line);
        if (match.hasMatch())
            onStderr << match.captured(1).toInt();
    }
    QCOMPARE(reports, 1);
    // Every record either in the file or on stderr, in order, none twice.
    const QList<int> all = inFile + onStderr;
    QCOMPARE(all.size(), count);
    for (int i = 0; i < count; ++i)
        QCOMPARE(all[i], i);
    QVERIFY(!QFileInfo::exists(options.filePath + QStringLiteral(".1")));
}

void TestLogging::recordsFromManyThreadsArriveWhole()
{
    logging::Options options;
    options.filePath = m_tmp->filePath(QStringLiteral("peek-server.log"));
    options.maxFileBytes = 64 * 1024; // rotations happen while the threads write
    options.keepRotated = 50;
    options.toStderr = false;
    QCOMPARE(installError(options), QString());

    const int threadCount = 8;
    const int perThread = 1000;
    std::vector<std::thread> threads;
    for (int t = 0; t < threadCount; ++t) {
        threads.emplace_back([t] {
            const QLoggingCategory &category = logging::pluginCategory(
                QStringLiteral("worker"), QStringLiteral("peek_plugin_thread%1").arg(t));
            for (int i = 0; i < perThread; ++i)
                qCInfo(category, "thread %d message %d with some text to make it longer", t, i);
        });
    }
    for (auto &thread : threads)
        thread.join();
    logging::uninstall();

    QStringList files
        = QDir(m_tmp->path()).entryList({QStringLiteral("peek-server.log*")}, QDir::Files);
    QVERIFY2(files.size() > 2, qPrintable(files.join(QLatin1Char(' '))));
    static const QRegularExpression message(QStringLiteral(
        "^peek_plugin_thread(\\d) +thread (\\d) message (\\d+) with some text to make it longer$"));
    QList<int> nextPerThread(threadCount, 0);
    int total = 0;
    // Oldest file first, so each thread's messages come in the order it sent them.
    std::sort(files.begin(), files.end(), [](const QString &a, const QString &b) {
        return QFileInfo(a).suffix().toInt() > QFileInfo(b).suffix().toInt();
    });
    QCOMPARE(files.last(), QStringLiteral("peek-server.log"));
    for (const QString &file : files) {
        QVERIFY(QFileInfo(m_tmp->filePath(file)).size() <= options.maxFileBytes);
        for (const QString &line : readLines(m_tmp->filePath(file))) {
            const auto record = kRecord.match(line);
            QVERIFY2(record.hasMatch(), qPrintable(line));
            QCOMPARE(record.captured(3), QStringLiteral("worker"));
            const auto match = message.match(line.mid(record.capturedStart(4)));
            QVERIFY2(match.hasMatch(), qPrintable(line));
            const int t = match.captured(2).toInt();
            QCOMPARE(match.captured(1).toInt(), t);
            QCOMPARE(match.captured(3).toInt(), nextPerThread[t]);
            ++nextPerThread[t];
            ++total;
        }
    }
    QCOMPARE(total, threadCount * perThread);
}

void TestLogging::directoryPathIsRefused()
{
    logging::Options options;
    options.filePath = m_tmp->path();
    QString error = installError(options);
    QVERIFY(!error.isEmpty());
    QVERIFY2(error.startsWith(QStringLiteral("cannot open %1 for writing: ").arg(m_tmp->path())),
             qPrintable(error));
    QVERIFY2(error.size() > QStringLiteral("cannot open %1 for writing: ").arg(m_tmp->path()).size(),
             qPrintable(error));

    options.filePath = m_tmp->filePath(QStringLiteral("missing/peek-server.log"));
    error = installError(options);
    QVERIFY(!error.isEmpty());
    QVERIFY2(error.startsWith(QStringLiteral("cannot open %1 for writing: ").arg(options.filePath)),
             qPrintable(error));
}

void TestLogging::uninstallRestoresPreviousHandler()
{
    g_captured.clear();
    const QtMessageHandler testHandler = qInstallMessageHandler(capturingHandler);

    logging::Options options = fileOptions();
    QCOMPARE(installError(options), QString());
    qInfo("to the file");
    // Installing again replaces the options but keeps the handler to restore.
    options.filePath = m_tmp->filePath(QStringLiteral("other.log"));
    QCOMPARE(installError(options), QString());
    qInfo("to the other file");
    logging::uninstall();
    qInfo("to the previous handler");
    qInstallMessageHandler(testHandler);

    QCOMPARE(g_captured, QStringList {QStringLiteral("to the previous handler")});
    QCOMPARE(readLines(m_tmp->filePath(QStringLiteral("peek-server.log"))).size(), 1);
    QCOMPARE(readLines(m_tmp->filePath(QStringLiteral("other.log"))).size(), 1);
}

QTEST_GUILESS_MAIN(TestLogging)
#include "tst_logging.moc"
