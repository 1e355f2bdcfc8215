#include "admin/backup.h"

#include "service/serviceconfig.h"
#include "storage/databaselocation.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QProcess>
#include <QSaveFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUuid>
#include <QVersionNumber>

#include <JlCompress.h>

#include <cstdio>

namespace peek::admin {

namespace {

constexpr int kFormat = 1;
const QString kManifest = QStringLiteral("manifest.json");
// What of a home goes into a backup besides the databases (docs/operations.md).
const QStringList kHomeParts {QStringLiteral("config.json"), QStringLiteral("plugin-files"), QStringLiteral("packages")};

int failed(const QString &why, int code = 1)
{
    std::fprintf(stderr, "peek-server: %s\n", qPrintable(why));
    return code;
}

void say(const QString &line)
{
    std::printf("%s\n", qPrintable(line));
    std::fflush(stdout);
}

QString sizeText(qint64 bytes)
{
    if (bytes >= 1024 * 1024)
        return QStringLiteral("%1 MB").arg(double(bytes) / (1024 * 1024), 0, 'f', 1);
    if (bytes >= 1024)
        return QStringLiteral("%1 KB").arg(double(bytes) / 1024, 0, 'f', 1);
    return QStringLiteral("%1 bytes").arg(bytes);
}

// The locks of the processes running on a home: <home>/run/peek-server.<roles joined by +>.lock.
const QString kLockName = QStringLiteral("peek-server.%1.lock");

QString runDirectory(const QString &home)
{
    return QDir(home).absoluteFilePath(QStringLiteral("run"));
}

QString lockPath(const QString &home, const QStringList &roles)
{
    QStringList sorted = roles;
    sorted.sort();
    return QDir(runDirectory(home)).absoluteFilePath(kLockName.arg(sorted.join(u'+')));
}

// The database a home's config names (the default: <home>/peek.sqlite).
Result<DatabaseLocation> databaseOf(const QString &home, const ServiceConfig &config)
{
    const QString url = config.stringValue(QStringLiteral("storage.url"));
    return DatabaseLocation::parse(url.isEmpty() ? QDir(home).absoluteFilePath(QStringLiteral("peek.sqlite")) : url);
}

// Copies `from` (a file or a directory, recursively) to `to`; false with `why` on failure.
bool copyTree(const QString &from, const QString &to, QString *why)
{
    const QFileInfo info(from);
    if (info.isFile()) {
        QDir().mkpath(QFileInfo(to).absolutePath());
        if (!QFile::copy(from, to)) {
            *why = QStringLiteral("cannot copy %1 to %2").arg(from, to);
            return false;
        }
        return true;
    }
    QDirIterator it(from, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        if (!copyTree(file, QDir(to).absoluteFilePath(QDir(from).relativeFilePath(file)), why))
            return false;
    }
    return QDir().mkpath(to) || (*why = QStringLiteral("cannot create %1").arg(to), false);
}

// libpq's environment for a PostgreSQL location (the password never on a command line).
QProcessEnvironment pgEnvironment(const DatabaseLocation &db)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!db.host.isEmpty())
        env.insert(QStringLiteral("PGHOST"), db.host);
    env.insert(QStringLiteral("PGPORT"), QString::number(db.port));
    if (!db.user.isEmpty())
        env.insert(QStringLiteral("PGUSER"), db.user);
    if (!db.password.isEmpty())
        env.insert(QStringLiteral("PGPASSWORD"), db.password);
    env.insert(QStringLiteral("PGDATABASE"), db.databaseName);
    return env;
}

bool runTool(const QString &program, const QStringList &args, const QProcessEnvironment &env, QString *why)
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(program, args);
    if (!process.waitForStarted(10000)) {
        *why = QStringLiteral("cannot run %1: %2 (install the PostgreSQL client, Debian postgresql-client)")
                   .arg(program, process.errorString());
        return false;
    }
    process.waitForFinished(-1);
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        *why = QStringLiteral("%1 failed: %2").arg(program, QString::fromUtf8(process.readAllStandardError()).trimmed());
        return false;
    }
    return true;
}

// A consistent copy of one SQLite file while others write to it: VACUUM INTO (SQLite 3.27).
bool vacuumInto(const QString &source, const QString &target, QString *why)
{
    const QString name = QStringLiteral("peek-backup-%1").arg(QUuid::createUuid().toString(QUuid::Id128));
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(source);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=30000"));
        if (!db.open()) {
            *why = QStringLiteral("cannot open %1: %2").arg(source, db.lastError().text());
        } else {
            QSqlQuery q(db);
            ok = q.exec(QStringLiteral("VACUUM INTO '%1'").arg(QString(target).replace(u'\'', QStringLiteral("''"))));
            if (!ok)
                *why = QStringLiteral("cannot copy %1: %2").arg(source, q.lastError().text());
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

} // namespace

std::unique_ptr<QLockFile> lockHome(const QString &home, const QStringList &roles, QString *why)
{
    const QString path = lockPath(home, roles);
    QDir().mkpath(QFileInfo(path).absolutePath());
    auto lock = std::make_unique<QLockFile>(path);
    lock->setStaleLockTime(0); // a lock of a process that is gone is taken over, never aged out
    if (lock->tryLock(0))
        return lock;
    qint64 pid = 0;
    QString host, app;
    lock->getLockInfo(&pid, &host, &app);
    if (why)
        *why = QStringLiteral("another peek-server (pid %1) runs the roles %2 on the home %3: stop it first, or give this one "
                              "another home")
                   .arg(pid)
                   .arg(roles.join(u','), home);
    return nullptr;
}

bool homeInUse(const QString &home, QString *who)
{
    const QDir run(runDirectory(home));
    for (const QString &name : run.entryList({kLockName.arg(QStringLiteral("*"))}, QDir::Files)) {
        QLockFile lock(run.absoluteFilePath(name));
        lock.setStaleLockTime(0);
        if (lock.tryLock(0)) {
            lock.unlock();
            continue;
        }
        qint64 pid = 0;
        QString host, app;
        lock.getLockInfo(&pid, &host, &app);
        if (who)
            *who = QStringLiteral("a peek-server (pid %1, roles %2)").arg(pid).arg(name.section(u'.', 1, 1).replace(u'+', u','));
        return true;
    }
    return false;
}

int backup(const QStringList &arguments)
{
    QString to;
    QString home = QDir::homePath() + QStringLiteral("/.peek");
    for (int i = 0; i < arguments.size(); ++i) {
        if (arguments[i] == QLatin1String("--to") && i + 1 < arguments.size())
            to = arguments[++i];
        else if (arguments[i] == QLatin1String("--home") && i + 1 < arguments.size())
            home = arguments[++i];
        else
            return failed(QStringLiteral("usage: peek-server backup --to FILE [--home DIR]"), 2);
    }
    if (to.isEmpty())
        return failed(QStringLiteral("usage: peek-server backup --to FILE [--home DIR]"), 2);
    home = QDir(home).absolutePath();
    if (!QFileInfo::exists(QDir(home).absoluteFilePath(ServiceConfig::fileName())))
        return failed(QStringLiteral("%1 is not a Peek home (no config.json): name it with --home").arg(home));
    auto config = ServiceConfig::load(home);
    if (!config)
        return failed(QStringLiteral("cannot read the home %1: %2").arg(home, config.error().message()));
    auto db = databaseOf(home, config.value());
    if (!db)
        return failed(db.error().message());

    QTemporaryDir staging(QFileInfo(to).absolutePath() + QStringLiteral("/.peek-backup-XXXXXX"));
    if (!staging.isValid())
        return failed(QStringLiteral("cannot make a working directory beside %1: %2").arg(to, staging.errorString()));
    QString why;
    QJsonArray databases;
    const QString dbDir = staging.filePath(QStringLiteral("database"));
    QDir().mkpath(dbDir);
    if (db.value().backend == DatabaseBackend::Sqlite) {
        // The main file and the plugins' files beside it (one per schema).
        const QDir dir(db.value().sqliteDirectory());
        QStringList files {QFileInfo(db.value().sqlitePath).fileName()};
        for (const QString &file : dir.entryList({QStringLiteral("*.sqlite")}, QDir::Files))
            if (!files.contains(file))
                files << file;
        for (const QString &file : files) {
            const QString source = dir.absoluteFilePath(file);
            if (!QFileInfo::exists(source))
                continue;
            say(QStringLiteral("backup: database %1 (%2)...").arg(file, sizeText(QFileInfo(source).size())));
            if (!vacuumInto(source, QDir(dbDir).absoluteFilePath(file), &why))
                return failed(why);
            databases.append(file);
        }
    } else {
        say(QStringLiteral("backup: database %1 (pg_dump)...").arg(db.value().displayString()));
        if (!runTool(QStringLiteral("pg_dump"),
                     {QStringLiteral("--format=custom"), QStringLiteral("--no-owner"), QStringLiteral("--file"),
                      QDir(dbDir).absoluteFilePath(QStringLiteral("peek.pgdump"))},
                     pgEnvironment(db.value()), &why))
            return failed(why);
        databases.append(QStringLiteral("peek.pgdump"));
    }
    for (const QString &part : kHomeParts) {
        const QString source = QDir(home).absoluteFilePath(part);
        if (!QFileInfo::exists(source))
            continue;
        say(QStringLiteral("backup: %1...").arg(part));
        if (!copyTree(source, staging.filePath(QStringLiteral("home/") + part), &why))
            return failed(why);
    }
    const QJsonObject manifest {{QStringLiteral("format"), QStringLiteral("peek-backup")},
                                {QStringLiteral("formatVersion"), kFormat},
                                {QStringLiteral("platformVersion"), QStringLiteral(PEEK_VERSION)},
                                {QStringLiteral("createdAt"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
                                {QStringLiteral("home"), home},
                                {QStringLiteral("storage"), db.value().backend == DatabaseBackend::Sqlite ? QStringLiteral("sqlite")
                                                                                                        : QStringLiteral("postgresql")},
                                {QStringLiteral("databases"), databases}};
    QFile manifestFile(staging.filePath(kManifest));
    if (!manifestFile.open(QIODevice::WriteOnly) || manifestFile.write(QJsonDocument(manifest).toJson()) <= 0)
        return failed(QStringLiteral("cannot write the manifest: %1").arg(manifestFile.errorString()));
    manifestFile.close();
    say(QStringLiteral("backup: writing %1...").arg(to));
    const QString partial = to + QStringLiteral(".partial");
    QFile::remove(partial);
    if (!JlCompress::compressDir(partial, staging.path(), true))
        return failed(QStringLiteral("cannot write %1 (disk full? permissions?)").arg(partial));
    QFile::remove(to);
    if (!QFile::rename(partial, to))
        return failed(QStringLiteral("cannot move %1 to %2").arg(partial, to));
    say(QStringLiteral("backup: %1 written (%2): Peek %3, %4 database file(s)")
            .arg(to, sizeText(QFileInfo(to).size()), QStringLiteral(PEEK_VERSION))
            .arg(databases.size()));
    return 0;
}

int restore(const QStringList &arguments)
{
    QString from, home, storageUrl;
    for (int i = 0; i < arguments.size(); ++i) {
        if (arguments[i] == QLatin1String("--home") && i + 1 < arguments.size())
            home = arguments[++i];
        else if (arguments[i] == QLatin1String("--storage-url") && i + 1 < arguments.size())
            storageUrl = arguments[++i];
        else if (!arguments[i].startsWith(QLatin1String("--")) && from.isEmpty())
            from = arguments[i];
        else
            return failed(QStringLiteral("usage: peek-server restore FILE --home DIR [--storage-url URL]"), 2);
    }
    if (from.isEmpty() || home.isEmpty())
        return failed(QStringLiteral("usage: peek-server restore FILE --home DIR [--storage-url URL]"), 2);
    home = QDir(home).absolutePath();
    if (!QDir().mkpath(home))
        return failed(QStringLiteral("cannot create the home %1").arg(home));

    // Nobody may run on the home meanwhile: the lock of every role set is taken for the restore.
    QString who;
    if (homeInUse(home, &who))
        return failed(QStringLiteral("%1 runs on %2: stop it before restoring into that home").arg(who, home));
    QString why;
    auto lock = lockHome(home, {QStringLiteral("restore")}, &why);
    if (!lock)
        return failed(QStringLiteral("another restore runs into %1").arg(home));

    // The archive: every entry inside it, a manifest this platform can read.
    const QStringList entries = JlCompress::getFileList(from);
    if (entries.isEmpty())
        return failed(QStringLiteral("%1 is not a Peek backup (not a readable zip archive)").arg(from));
    for (const QString &entry : entries)
        if (entry.startsWith(u'/') || entry.contains(QLatin1String("..")) || entry.contains(u'\\'))
            return failed(QStringLiteral("%1 is refused: its entry '%2' would leave the restore directory").arg(from, entry.left(200)));
    QTemporaryDir unpacked(home + QStringLiteral("/../.peek-restore-XXXXXX"));
    if (!unpacked.isValid())
        return failed(QStringLiteral("cannot make a working directory beside %1: %2").arg(home, unpacked.errorString()));
    say(QStringLiteral("restore: reading %1...").arg(from));
    if (JlCompress::extractDir(from, unpacked.path()).isEmpty())
        return failed(QStringLiteral("cannot unpack %1").arg(from));
    QFile manifestFile(unpacked.filePath(kManifest));
    const QJsonObject manifest = manifestFile.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(manifestFile.readAll()).object()
                                                                       : QJsonObject();
    if (manifest.value(QStringLiteral("format")).toString() != QLatin1String("peek-backup"))
        return failed(QStringLiteral("%1 is not a Peek backup (no manifest)").arg(from));
    if (manifest.value(QStringLiteral("formatVersion")).toInt() > kFormat)
        return failed(QStringLiteral("%1 is of a newer backup format (%2) than this peek-server reads (%3)")
                          .arg(from)
                          .arg(manifest.value(QStringLiteral("formatVersion")).toInt())
                          .arg(kFormat));
    const QString made = manifest.value(QStringLiteral("platformVersion")).toString();
    if (QVersionNumber::fromString(made) > QVersionNumber::fromString(QStringLiteral(PEEK_VERSION)))
        return failed(QStringLiteral("%1 was made by Peek %2, newer than this peek-server (%3): restore it with Peek %2 or newer")
                          .arg(from, made, QStringLiteral(PEEK_VERSION)));
    if (QDir(home).exists() && QFileInfo::exists(QDir(home).absoluteFilePath(QStringLiteral("config.json"))))
        return failed(QStringLiteral("%1 already holds an installation (config.json): restore into a new, empty home").arg(home));

    // The home's files, then the database where the restored home will look for it.
    for (const QString &part : kHomeParts) {
        const QString source = unpacked.filePath(QStringLiteral("home/") + part);
        if (!QFileInfo::exists(source))
            continue;
        say(QStringLiteral("restore: %1...").arg(part));
        if (!copyTree(source, QDir(home).absoluteFilePath(part), &why))
            return failed(why);
    }
    auto config = ServiceConfig::load(home);
    if (!config)
        return failed(QStringLiteral("the restored config.json cannot be read: %1").arg(config.error().message()));
    const QString storage = manifest.value(QStringLiteral("storage")).toString();
    const QJsonArray databases = manifest.value(QStringLiteral("databases")).toArray();
    if (storage == QLatin1String("sqlite")) {
        // Into the new home (the old path may not exist here); config.json says so when it named one.
        if (!storageUrl.isEmpty())
            return failed(QStringLiteral("%1 holds SQLite files: they go into the home, --storage-url is for PostgreSQL").arg(from));
        for (const QJsonValue &file : databases) {
            const QString name = QFileInfo(file.toString()).fileName();
            say(QStringLiteral("restore: database %1...").arg(name));
            if (!copyTree(unpacked.filePath(QStringLiteral("database/") + name), QDir(home).absoluteFilePath(name), &why))
                return failed(why);
        }
        if (!config.value().stringValue(QStringLiteral("storage.url")).isEmpty())
            (void)config.value().setString(QStringLiteral("storage.url"), QDir(home).absoluteFilePath(QStringLiteral("peek.sqlite")));
    } else {
        const QString url = storageUrl.isEmpty() ? config.value().stringValue(QStringLiteral("storage.url")) : storageUrl;
        auto db = DatabaseLocation::parse(url);
        if (!db || db.value().backend != DatabaseBackend::PostgreSql)
            return failed(QStringLiteral("%1 holds a PostgreSQL dump: name the (new, empty) database with --storage-url "
                                         "postgresql://user@host:port/db")
                              .arg(from));
        say(QStringLiteral("restore: database %1 (pg_restore)...").arg(db.value().displayString()));
        if (!runTool(QStringLiteral("pg_restore"),
                     {QStringLiteral("--no-owner"), QStringLiteral("--exit-on-error"), QStringLiteral("--dbname"),
                      db.value().databaseName, unpacked.filePath(QStringLiteral("database/peek.pgdump"))},
                     pgEnvironment(db.value()), &why))
            return failed(why);
        if (auto set = config.value().setString(QStringLiteral("storage.url"), url); !set)
            return failed(set.error().message());
    }
    say(QStringLiteral("restore: %1 restored into %2 (made by Peek %3 on %4)")
            .arg(from, home, made, manifest.value(QStringLiteral("createdAt")).toString()));
    return 0;
}

} // namespace peek::admin
