#include "database.h"

#include "sql.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QMutex>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QThread>
#include <QThreadPool>

#include <atomic>

Q_LOGGING_CATEGORY(lcDatabase, "peek.storage.database")

namespace peek {

namespace {

constexpr int kDefaultMaxAttached = 10; // SQLITE_MAX_ATTACHED when not set at build time

// A number per native thread, never reused (a QThread* can be, once its thread is gone).
quint64 currentThreadToken()
{
    static std::atomic<quint64> next {1};
    thread_local const quint64 token = next.fetch_add(1);
    return token;
}

std::atomic<quint64> g_nextDatabaseId {1};

QString sqlErrorText(const QSqlError &error)
{
    const QString text = error.text().trimmed();
    return text.isEmpty() ? QStringLiteral("unknown error") : text;
}

} // namespace

struct Database::Shared {
    DatabaseLocation location;
    DatabaseOptions options;
    QString connectionPrefix; // "peek-storage-<n>-"
    std::atomic<int> maxAttached {kDefaultMaxAttached};

    struct Connection {
        QString name;
        QMetaObject::Connection finishedHook;
        QStringList attached; // schemas attached to it, least recently used first
    };

    mutable QMutex mutex;
    QHash<quint64, Connection> connections; // by thread token
    QStringList schemas; // ensured, in order
    quint64 nextConnection = 1;
    bool warnedAboutAttachLimit = false;

    // Closes the connection of a thread (called on that thread when it finishes).
    void dropConnection(quint64 token)
    {
        Connection connection;
        {
            QMutexLocker lock(&mutex);
            auto it = connections.find(token);
            if (it == connections.end())
                return;
            connection = it.value();
            connections.erase(it);
        }
        QObject::disconnect(connection.finishedHook);
        QSqlDatabase::removeDatabase(connection.name);
        qCDebug(lcDatabase) << "closed connection" << connection.name;
    }

    Result<QString> openConnection();
    Result<void> setUpConnection(QSqlDatabase &db);
    Result<void> prepareSchemas(quint64 token, QSqlDatabase &db, const QStringList &wanted);
};

Result<QString> Database::Shared::openConnection()
{
    const bool sqlite = location.backend == DatabaseBackend::Sqlite;
    const QString driver = sqlite ? QStringLiteral("QSQLITE") : QStringLiteral("QPSQL");
    if (!QSqlDatabase::isDriverAvailable(driver)) {
        return Error {QStringLiteral("cannot open %1: the Qt SQL driver %2 is not installed "
                                            "(Debian package %3)")
                                 .arg(location.displayString(), driver,
                                      sqlite ? QStringLiteral("libqt6sql6-sqlite")
                                             : QStringLiteral("libqt6sql6-psql")),
                             {},
                             {}};
    }
    QString name;
    {
        QMutexLocker lock(&mutex);
        name = connectionPrefix + QString::number(nextConnection++);
    }
    Result<void> ready;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(driver, name);
        if (sqlite) {
            db.setDatabaseName(location.sqlitePath);
            db.setConnectOptions(
                QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(options.busyTimeoutMs));
        } else {
            db.setHostName(location.host);
            db.setPort(location.port);
            db.setUserName(location.user);
            db.setPassword(location.password);
            db.setDatabaseName(location.databaseName);
            QString connectOptions
                = QStringLiteral("connect_timeout=%1").arg(options.connectTimeoutSeconds);
            if (!location.connectOptions.isEmpty())
                connectOptions += QLatin1Char(';') + location.connectOptions;
            db.setConnectOptions(connectOptions);
        }
        if (!db.open()) {
            ready = Error {
                QStringLiteral("cannot open the database %1").arg(location.displayString()),
                {},
                sqlErrorText(db.lastError())};
        } else {
            ready = setUpConnection(db);
            if (!ready)
                db.close();
        }
    }
    if (!ready) {
        QSqlDatabase::removeDatabase(name);
        return ready.error();
    }
    qCDebug(lcDatabase) << "opened connection" << name << "to" << location.displayString() << "on"
                        << QThread::currentThread();
    return name;
}

Result<void> Database::Shared::setUpConnection(QSqlDatabase &db)
{
    const QString what
        = QStringLiteral("cannot set up a connection to %1").arg(location.displayString());
    if (location.backend == DatabaseBackend::PostgreSql) {
        // IF NOT EXISTS and friends would otherwise print NOTICEs on stderr.
        auto quiet = sql::exec(db, QStringLiteral("SET client_min_messages TO warning"), {}, what);
        return quiet ? Result<void>() : quiet.error();
    }
    // WAL lets readers work while one thread writes; it is a property of the file (set again on
    // every connection, which is free once the file is in WAL mode).
    auto mode = sql::scalar(db, QStringLiteral("PRAGMA journal_mode = WAL"), {}, what);
    if (!mode)
        return mode.error();
    if (mode.value().toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0) {
        return Error {
            what, QStringLiteral("PRAGMA journal_mode = WAL"),
            QStringLiteral("the journal mode stayed '%1'").arg(mode.value().toString())};
    }
    for (const QString &pragma :
         {QStringLiteral("PRAGMA foreign_keys = ON"),
          QStringLiteral("PRAGMA busy_timeout = %1").arg(options.busyTimeoutMs)}) {
        auto done = sql::exec(db, pragma, {}, what);
        if (!done)
            return done.error();
    }
    return {};
}

Result<void> Database::Shared::prepareSchemas(quint64 token, QSqlDatabase &db,
                                                     const QStringList &wanted)
{
    if (location.backend != DatabaseBackend::Sqlite)
        return {};
    QStringList all;
    QStringList attached;
    {
        QMutexLocker lock(&mutex);
        all = schemas;
        attached = connections.value(token).attached;
    }
    const int limit = maxAttached.load();
    for (const QString &schema : wanted) {
        if (!all.contains(schema)) {
            return Error {
                QStringLiteral("the schema %1 is not known to %2; call "
                               "Database::ensureSchema(\"%1\") (or migrate it) first")
                    .arg(schema, location.displayString()),
                {},
                {}};
        }
    }
    QStringList needed = all.size() <= limit ? all : wanted;
    if (needed.size() > limit) {
        return Error {
            QStringLiteral("work needs the schemas %1, but SQLite attaches at most "
                           "%2 databases to a connection")
                .arg(wanted.join(QStringLiteral(", ")))
                .arg(limit),
            {},
            {}};
    }
    if (all.size() > limit && wanted.isEmpty()) {
        QMutexLocker lock(&mutex);
        if (!warnedAboutAttachLimit) {
            warnedAboutAttachLimit = true;
            qCWarning(lcDatabase).noquote()
                << location.displayString() << "has" << all.size()
                << "schemas, more than SQLite can attach to one connection (" << limit
                << "); work that does not name its schemas sees only those its connection used "
                   "last";
        }
    }

    bool changed = false;
    QStringList missing;
    for (const QString &schema : std::as_const(needed)) {
        if (!attached.contains(schema))
            missing << schema;
    }
    // Make room: detach the least recently used schemas this work does not need.
    for (int i = 0; attached.size() + missing.size() > limit && i < attached.size();) {
        if (needed.contains(attached.at(i))) {
            ++i;
            continue;
        }
        const QString statement
            = QStringLiteral("DETACH DATABASE %1").arg(sql::quoteIdentifier(attached.at(i)));
        auto detached = sql::exec(
            db, statement, {},
            QStringLiteral("cannot detach the schema %1 to make room").arg(attached.at(i)));
        if (!detached)
            return detached.error();
        attached.removeAt(i);
        changed = true;
    }
    for (const QString &schema : std::as_const(missing)) {
        const QString file
            = QDir(location.sqliteDirectory()).filePath(schema + QStringLiteral(".sqlite"));
        const QString what = QStringLiteral("cannot attach the schema %1 (%2)").arg(schema, file);
        auto attach = sql::exec(
            db, QStringLiteral("ATTACH DATABASE ? AS %1").arg(sql::quoteIdentifier(schema)), {file},
            what);
        if (!attach)
            return attach.error();
        const QString walStatement
            = QStringLiteral("PRAGMA %1.journal_mode = WAL").arg(sql::quoteIdentifier(schema));
        // Switching journal modes does not wait on SQLite's busy handler: while another
        // connection creates the same schema file, it fails at once with "database is locked".
        // Retry for as long as the busy timeout would have waited.
        QElapsedTimer waited;
        waited.start();
        auto mode = sql::scalar(db, walStatement, {}, what);
        while (!mode && mode.error().cause.contains(QLatin1String("locked"))
               && waited.elapsed() < options.busyTimeoutMs) {
            QThread::msleep(5);
            mode = sql::scalar(db, walStatement, {}, what);
        }
        if (!mode)
            return mode.error();
        if (mode.value().toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0) {
            return Error {
                what, walStatement,
                QStringLiteral("the journal mode stayed '%1'").arg(mode.value().toString())};
        }
        attached << schema;
        changed = true;
    }
    // Most recently used last.
    for (const QString &schema : wanted) {
        if (attached.indexOf(schema) != attached.size() - 1) {
            attached.removeAll(schema);
            attached << schema;
            changed = true;
        }
    }
    if (changed) {
        QMutexLocker lock(&mutex);
        auto it = connections.find(token);
        if (it != connections.end())
            it->attached = attached;
    }
    return {};
}

Database::Database(DatabaseLocation location, const DatabaseOptions &options)
    : d(std::make_shared<Shared>()), m_pool(std::make_unique<QThreadPool>())
{
    d->location = std::move(location);
    d->options = options;
    d->connectionPrefix = QStringLiteral("peek-storage-%1-").arg(g_nextDatabaseId.fetch_add(1));
    m_pool->setMaxThreadCount(qMax(1, options.maxThreads));
    m_pool->setExpiryTimeout(options.threadExpiryMs);
}

Database::~Database()
{
    // Runs what is queued; the pool's threads then finish, closing their connections.
    m_pool->waitForDone();
    m_pool.reset();
    // What is left belongs to threads that are not the pool's (this one, start-up code, ...).
    QList<Shared::Connection> left;
    {
        QMutexLocker lock(&d->mutex);
        left = d->connections.values();
        d->connections.clear();
    }
    for (const auto &connection : std::as_const(left)) {
        QObject::disconnect(connection.finishedHook);
        QSqlDatabase::removeDatabase(connection.name);
        qCDebug(lcDatabase) << "closed connection" << connection.name;
    }
}

Result<QString> Database::openDedicatedConnection()
{
    return d->openConnection();
}

void Database::closeDedicatedConnection(const QString &name)
{
    {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

Result<std::unique_ptr<Database>> Database::open(const QString &url,
                                                        const DatabaseOptions &options)
{
    auto location = DatabaseLocation::parse(url);
    if (!location)
        return location.error();
    if (location.value().backend == DatabaseBackend::Sqlite) {
        const QString dir = location.value().sqliteDirectory();
        if (!QDir().mkpath(dir)) {
            return Error {
                QStringLiteral("cannot create the directory %1 for the database %2")
                    .arg(dir, location.value().displayString()),
                {},
                {}};
        }
    }
    std::unique_ptr<Database> database(new Database(std::move(location).value(), options));
    // A first connection, here and now, so a wrong path, host or password fails at open.
    auto limit = database->runSync([&](QSqlDatabase &db) -> Result<int> {
        if (database->backend() != DatabaseBackend::Sqlite)
            return 0;
        auto query = sql::exec(db, QStringLiteral("PRAGMA compile_options"));
        if (!query)
            return query.error();
        static const QRegularExpression maxAttached(QStringLiteral("^MAX_ATTACHED=(\\d+)$"));
        while (query.value().next()) {
            const auto match = maxAttached.match(query.value().value(0).toString());
            if (match.hasMatch())
                return match.captured(1).toInt();
        }
        return kDefaultMaxAttached;
    });
    if (!limit)
        return limit.error();
    database->d->maxAttached = limit.value();
    return database;
}

DatabaseBackend Database::backend() const
{
    return d->location.backend;
}

const DatabaseLocation &Database::location() const
{
    return d->location;
}

int Database::maxAttachedSchemas() const
{
    return backend() == DatabaseBackend::Sqlite ? d->maxAttached.load() : 0;
}

QStringList Database::schemas() const
{
    QMutexLocker lock(&d->mutex);
    return d->schemas;
}

QStringList Database::connectionNames() const
{
    QMutexLocker lock(&d->mutex);
    QStringList names;
    for (const auto &connection : std::as_const(d->connections))
        names << connection.name;
    names.sort();
    return names;
}

Result<void> Database::checkSchemaName(const QString &schema)
{
    static const QRegularExpression valid(QStringLiteral("^[a-z][a-z0-9_]{0,62}$"));
    static const QStringList reserved
        = {QStringLiteral("main"), QStringLiteral("temp"), QStringLiteral("public"),
           QStringLiteral("information_schema")};
    if (!valid.match(schema).hasMatch() || reserved.contains(schema)
        || schema.startsWith(QLatin1String("pg_")) || schema.startsWith(QLatin1String("sqlite_"))) {
        return Error {
            QStringLiteral("'%1' cannot be a schema name: use lower-case letters, digits "
                           "and '_', starting with a letter (at most 63), and not "
                           "main, temp, public, information_schema, pg_* or sqlite_*")
                .arg(schema),
            {},
            {}};
    }
    return {};
}

Result<void> Database::ensureSchema(const QString &schema)
{
    auto valid = checkSchemaName(schema);
    if (!valid)
        return valid;
    if (backend() == DatabaseBackend::PostgreSql) {
        auto created = runSync([&](QSqlDatabase &db) -> Result<void> {
            const QString what = QStringLiteral("cannot create the schema %1").arg(schema);
            sql::Transaction transaction(db);
            if (auto begun = transaction.begin(what); !begun)
                return begun;
            // Two processes creating the same schema at once would otherwise collide in the
            // catalog despite IF NOT EXISTS.
            auto locked = sql::exec(db, QStringLiteral("SELECT pg_advisory_xact_lock(hashtext(?))"),
                                    {QStringLiteral("peek.storage.schema")}, what);
            if (!locked)
                return locked.error();
            auto done = sql::exec(
                db,
                QStringLiteral("CREATE SCHEMA IF NOT EXISTS %1").arg(sql::quoteIdentifier(schema)),
                {}, what);
            if (!done)
                return done.error();
            return transaction.commit(what);
        });
        if (!created)
            return created;
        QMutexLocker lock(&d->mutex);
        if (!d->schemas.contains(schema))
            d->schemas << schema;
        return {};
    }

    const QString file
        = QDir(d->location.sqliteDirectory()).filePath(schema + QStringLiteral(".sqlite"));
    if (QFileInfo(file).absoluteFilePath() == d->location.sqlitePath) {
        return Error {
            QStringLiteral("the schema %1 would be stored in %2, which is the main "
                           "database file; name the schema or the database differently")
                .arg(schema, file),
            {},
            {}};
    }
    bool added = false;
    {
        QMutexLocker lock(&d->mutex);
        if (!d->schemas.contains(schema)) {
            d->schemas << schema;
            added = true;
        }
    }
    // Attaches it here and now, so a file that cannot be created fails by name.
    auto attached = runSync({schema}, [](QSqlDatabase &) { return Result<void>(); });
    if (!attached && added) {
        QMutexLocker lock(&d->mutex);
        d->schemas.removeAll(schema);
    }
    return attached;
}

void Database::withConnection(const QStringList &schemas, const ConnectedWork &onConnection,
                              const FailedWork &onFailure)
{
    const quint64 token = currentThreadToken();
    QString name;
    {
        QMutexLocker lock(&d->mutex);
        auto it = d->connections.constFind(token);
        if (it != d->connections.constEnd())
            name = it->name;
    }
    if (name.isEmpty()) {
        auto opened = d->openConnection();
        if (!opened) {
            onFailure(opened.error());
            return;
        }
        name = opened.value();
        Shared::Connection connection;
        connection.name = name;
        // Closes the connection on its own thread when a QThread (pool threads included)
        // finishes; threads Qt did not start keep theirs until the Database goes.
        std::weak_ptr<Shared> weak = d;
        connection.finishedHook
            = QObject::connect(QThread::currentThread(), &QThread::finished, [weak, token] {
                  if (auto shared = weak.lock())
                      shared->dropConnection(token);
              });
        QMutexLocker lock(&d->mutex);
        d->connections.insert(token, connection);
    }
    QSqlDatabase db = QSqlDatabase::database(name, false);
    auto prepared = d->prepareSchemas(token, db, schemas);
    if (!prepared) {
        onFailure(prepared.error());
        return;
    }
    onConnection(db);
}

void Database::post(std::function<void()> task)
{
    m_pool->start(std::move(task));
}

} // namespace peek
