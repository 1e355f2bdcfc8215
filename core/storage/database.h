#pragma once

#include "base/export.h"
#include "databaselocation.h"
#include "base/result.h"

#include <QFuture>
#include <QPromise>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

class QSqlDatabase;
class QThreadPool;

namespace peek {

struct PEEK_API DatabaseOptions {
    int busyTimeoutMs = 5000; // SQLite: how long a statement waits for another writer's lock
    int maxThreads = 4; // threads (and so connections) of run()'s pool
    int threadExpiryMs = 30000; // an idle pool thread ends (and closes its connection) after this
    int connectTimeoutSeconds = 10; // PostgreSQL: how long opening a connection may take
};

// The database of a Peek installation: an SQLite file (WAL journal, foreign keys on, a busy
// timeout) or a PostgreSQL database (through QtSql's QPSQL driver), chosen by URL (see
// DatabaseLocation).
//
// Connections are per thread: QtSql connections may only be used by the thread that opened
// them, so every thread that runs work gets its own, opened on first use and closed when the
// thread finishes or the Database is destroyed. Services keep SQL off their event loop with
// run(), which executes on a small thread pool owned by the Database; start-up code may use
// runSync() on its own thread.
//
// Per-plugin schemas (ensureSchema): a PostgreSQL schema, or on SQLite a file
// "<schema>.sqlite" next to the main file ATTACHed under the schema's name to every connection,
// so `SELECT * FROM pl_tutorial."StringInt"` reads the same on both. Connections of other
// threads attach a new schema before their next work starts.
//
// SQLite allows only maxAttachedSchemas() (10 with Debian's libsqlite3) attached databases per
// connection. While there are no more schemas than that, every connection has all of them
// attached; beyond it, work must name the schemas it uses (the run/runSync overloads taking a
// schema list), and each connection keeps the schemas it used last, detaching the least
// recently used ones. On PostgreSQL every schema is always reachable.
//
// Work must not wait for another run() of the same Database while holding a pool thread (it
// could wait for a thread that will never be free).
class PEEK_API Database {
public:
    // Opens the database at `url`: parses it, opens a first connection on the calling thread
    // (so a wrong path, host or password fails here, by name) and, for SQLite, creates the file
    // and its directory and switches it to WAL.
    static Result<std::unique_ptr<Database>> open(const QString &url,
                                                         const DatabaseOptions &options = {});
    // Waits for queued work, then closes every connection it opened.
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    DatabaseBackend backend() const;
    const DatabaseLocation &location() const;
    QString displayUrl() const { return location().displayString(); } // password masked

    // Runs work(connection) on the pool and completes with what it returns, a Result<T>.
    // When no connection can be opened, work is not called and the result holds that error.
    // An exception thrown by work fails the future with it.
    template <typename Work>
    auto run(Work work) -> QFuture<std::invoke_result_t<Work &, QSqlDatabase &>>
    {
        return run(QStringList(), std::move(work));
    }
    // The same, with the schemas the work uses attached however many exist (SQLite).
    template <typename Work>
    auto run(QStringList schemas, Work work)
        -> QFuture<std::invoke_result_t<Work &, QSqlDatabase &>>;

    // Runs work(connection) on the calling thread with that thread's connection: for start-up
    // code and for threads that are not event loops.
    template <typename Work>
    auto runSync(Work &&work) -> std::invoke_result_t<Work &, QSqlDatabase &>
    {
        return runSync(QStringList(), std::forward<Work>(work));
    }
    template <typename Work>
    auto runSync(const QStringList &schemas, Work &&work)
        -> std::invoke_result_t<Work &, QSqlDatabase &>;

    // Makes `schema` usable by all connections: PostgreSQL `CREATE SCHEMA IF NOT EXISTS`; SQLite
    // attaches <dir>/<schema>.sqlite (created in WAL mode) on this thread's connection now and
    // on every other connection before its next work. Schema names are lower-case letters,
    // digits and '_', starting with a letter (they name files and appear unquoted in SQL).
    // Runs on the calling thread, outside any transaction.
    Result<void> ensureSchema(const QString &schema);
    QStringList schemas() const;
    static Result<void> checkSchemaName(const QString &schema);
    // How many schemas an SQLite connection can have attached at once (0 on PostgreSQL:
    // unlimited).
    int maxAttachedSchemas() const;

    // Names of the QtSql connections this Database has open now, one per thread that used it.
    QStringList connectionNames() const;

    // A connection of its own on the calling thread, set up like the others but not shared with
    // run()/runSync() (e.g. PostgreSQL LISTEN on a thread with an event loop, whose notifications
    // a query of other work would swallow). Returns its QtSql connection name; the caller closes
    // it with closeDedicatedConnection() on the same thread, before the Database goes.
    Result<QString> openDedicatedConnection();
    static void closeDedicatedConnection(const QString &name);

    struct Shared; // state shared with the per-thread connection hooks

private:
    Database(DatabaseLocation location, const DatabaseOptions &options);

    using ConnectedWork = std::function<void(QSqlDatabase &)>;
    using FailedWork = std::function<void(const Error &)>;
    // Calls onConnection with this thread's connection (opened and set up if needed, with the
    // schemas attached), or onFailure when it cannot be had.
    void withConnection(const QStringList &schemas, const ConnectedWork &onConnection,
                        const FailedWork &onFailure);
    void post(std::function<void()> task);

    std::shared_ptr<Shared> d;
    std::unique_ptr<QThreadPool> m_pool;
};

template <typename Work>
auto Database::run(QStringList schemas, Work work)
    -> QFuture<std::invoke_result_t<Work &, QSqlDatabase &>>
{
    using WorkResult = std::invoke_result_t<Work &, QSqlDatabase &>;
    static_assert(IsResult<WorkResult>::value, "work must return a Result<T>");
    auto promise = std::make_shared<QPromise<WorkResult>>();
    QFuture<WorkResult> future = promise->future();
    promise->start();
    auto shared = std::make_shared<Work>(std::move(work)); // std::function needs copyable
    post([this, promise, shared, schemas = std::move(schemas)] {
        try {
            promise->addResult(runSync(schemas, *shared));
        } catch (...) {
            promise->setException(std::current_exception());
        }
        promise->finish();
    });
    return future;
}

template <typename Work>
auto Database::runSync(const QStringList &schemas, Work &&work)
    -> std::invoke_result_t<Work &, QSqlDatabase &>
{
    using WorkResult = std::invoke_result_t<Work &, QSqlDatabase &>;
    static_assert(IsResult<WorkResult>::value, "work must return a Result<T>");
    std::optional<WorkResult> result;
    withConnection(
        schemas, [&](QSqlDatabase &db) { result.emplace(work(db)); },
        [&](const Error &error) { result.emplace(error); });
    return std::move(*result);
}

} // namespace peek
