#include "sql.h"

#include "base/metrics.h"

#include <QSqlDriver>
#include <QSqlError>

namespace peek::sql {

QVariantList textNotNull(QVariantList values)
{
    for (QVariant &value : values) {
        if (value.typeId() == QMetaType::QString && value.toString().isNull())
            value = QVariant(QStringLiteral(""));
    }
    return values;
}

QString withSchema(QString statement, const QString &schema)
{
    return statement.replace(QLatin1String("{schema}"), schema);
}

Dialect dialectOf(const QSqlDatabase &db)
{
    return db.driver() && db.driver()->dbmsType() == QSqlDriver::PostgreSQL ? Dialect::PostgreSql
                                                                            : Dialect::Sqlite;
}

QString quoteIdentifier(const QString &name)
{
    QString quoted = name;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

namespace {

QString errorText(const QSqlError &error)
{
    const QString database = error.databaseText().trimmed();
    const QString driver = error.driverText().trimmed();
    if (database.isEmpty())
        return driver;
    if (driver.isEmpty() || database.contains(driver))
        return database;
    return database + QStringLiteral(" (") + driver + QLatin1Char(')');
}

} // namespace

Result<QSqlQuery> exec(const QSqlDatabase &db, const QString &statement,
                              const QVariantList &bindValues, const QString &what)
{
    static metrics::Counter &failures = metrics::Registry::instance().counter(
        QStringLiteral("peek_database_errors_total"), QStringLiteral("SQL statements that failed (any database, any cause)."));
    const QString operation = what.isEmpty() ? QStringLiteral("an SQL statement failed") : what;
    QSqlQuery query(db);
    const auto failed = [&] {
        failures.add();
        return Error {operation, statement, errorText(query.lastError())};
    };
    if (bindValues.isEmpty()) {
        if (!query.exec(statement))
            return failed();
        return query;
    }
    if (!query.prepare(statement))
        return failed();
    for (const QVariant &value : bindValues)
        query.addBindValue(value);
    if (!query.exec())
        return failed();
    return query;
}

Result<QVariant> scalar(const QSqlDatabase &db, const QString &statement,
                               const QVariantList &bindValues, const QString &what)
{
    auto query = exec(db, statement, bindValues, what);
    if (!query)
        return query.error();
    if (!query.value().next()) {
        return Error {what.isEmpty() ? QStringLiteral("a query returned no row") : what,
                             statement, QStringLiteral("no row returned")};
    }
    return query.value().value(0);
}

Transaction::~Transaction()
{
    rollback();
}

Result<void> Transaction::begin(const QString &what)
{
    const QString statement = dialectOf(m_db) == Dialect::Sqlite ? QStringLiteral("BEGIN IMMEDIATE")
                                                                 : QStringLiteral("BEGIN");
    auto result = exec(m_db, statement, {},
                       what.isEmpty() ? QStringLiteral("cannot start a transaction") : what);
    if (!result)
        return result.error();
    m_active = true;
    return {};
}

Result<void> Transaction::commit(const QString &what)
{
    auto result = exec(m_db, QStringLiteral("COMMIT"), {},
                       what.isEmpty() ? QStringLiteral("cannot commit a transaction") : what);
    if (!result) {
        rollback();
        return result.error();
    }
    m_active = false;
    return {};
}

void Transaction::rollback()
{
    if (!m_active)
        return;
    m_active = false;
    QSqlQuery query(m_db);
    query.exec(QStringLiteral("ROLLBACK"));
}

} // namespace peek::sql
