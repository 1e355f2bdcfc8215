#pragma once

// Helpers for work run on a Database connection (Database::run / runSync): statements and
// transactions whose failures come back as peek::Errors naming the statement and the
// database's error. This header brings in QtSql on purpose: code that runs SQL needs it.

#include "base/export.h"
#include "base/result.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariantList>

namespace peek::sql {

enum class Dialect { Sqlite, PostgreSql };
PEEK_API Dialect dialectOf(const QSqlDatabase &db);

// "name" with embedded quotes doubled: for schema and table names that cannot be bound.
PEEK_API QString quoteIdentifier(const QString &name);

// `statement` with every `{schema}` replaced by `schema`: how a plugin's SQL (its migrations,
// peek::PluginSql) names the plugin's schema without writing it.
PEEK_API QString withSchema(QString statement, const QString &schema);

// `values` with every null QString made '' (Qt binds a null QString as NULL): a tuple's text
// field is never NULL, so a plugin's empty text goes into NOT NULL text columns.
PEEK_API QVariantList textNotNull(QVariantList values);

// Runs one statement. With bind values it is prepared and the values bound to its '?'
// placeholders in order; without, it runs as written (so PostgreSQL's '::' casts and ':' in
// text are never taken for placeholders). `what` names the operation in the error.
PEEK_API Result<QSqlQuery> exec(const QSqlDatabase &db, const QString &statement,
                              const QVariantList &bindValues = {}, const QString &what = {});

// Runs a query expected to return at least one row and gives the first column of the first row.
PEEK_API Result<QVariant> scalar(const QSqlDatabase &db, const QString &statement,
                               const QVariantList &bindValues = {}, const QString &what = {});

// A transaction that rolls back unless committed. SQLite transactions start IMMEDIATE (the
// write lock is taken at once, so two writers queue on the busy timeout instead of failing
// when a reader upgrades); PostgreSQL ones start with BEGIN.
class PEEK_API Transaction {
public:
    explicit Transaction(QSqlDatabase &db) : m_db(db) { }
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    Result<void> begin(const QString &what = {});
    Result<void> commit(const QString &what = {});
    void rollback();
    bool isActive() const { return m_active; }

private:
    QSqlDatabase &m_db;
    bool m_active = false;
};

} // namespace peek::sql
