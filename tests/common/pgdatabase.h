#pragma once
// A PostgreSQL database of its own for one test, on the server ./test.sh starts
// (PEEK_TEST_PG_URL), dropped when the test ends.
#include "storage/databaselocation.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>
#include <QUuid>

namespace testing {

// A database of its own on the test PostgreSQL server, dropped when the test ends.
class PgDatabase
{
public:
    PgDatabase()
    {
        const QString serverUrl = qEnvironmentVariable("PEEK_TEST_PG_URL");
        if (serverUrl.isEmpty())
            return;
        auto location = peek::DatabaseLocation::parse(serverUrl);
        if (!location)
            return;
        m_admin = location.value();
        m_name = QStringLiteral("peek_it_") + QUuid::createUuid().toString(QUuid::Id128).left(12);
        m_error = execAdmin(QStringLiteral("CREATE DATABASE %1").arg(m_name));
        QUrl url(serverUrl);
        url.setPath(u'/' + m_name);
        m_url = url.toString();
    }
    ~PgDatabase()
    {
        if (!m_url.isEmpty() && m_error.isEmpty())
            execAdmin(QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(m_name));
    }
    bool available() const { return !m_url.isEmpty() && m_error.isEmpty(); }
    QString error() const { return m_url.isEmpty() ? QStringLiteral("PEEK_TEST_PG_URL is not set") : m_error; }
    QString url() const { return m_url; }

private:
    QString execAdmin(const QString &statement)
    {
        const QString connection = QStringLiteral("peek_test_admin_") + QUuid::createUuid().toString(QUuid::Id128);
        QString error;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
            db.setHostName(m_admin.host);
            db.setPort(m_admin.port);
            db.setUserName(m_admin.user);
            db.setPassword(m_admin.password);
            db.setDatabaseName(m_admin.databaseName);
            if (!db.open()) {
                error = db.lastError().text();
            } else {
                QSqlQuery query(db);
                if (!query.exec(statement))
                    error = query.lastError().text();
            }
        }
        QSqlDatabase::removeDatabase(connection);
        return error;
    }

    peek::DatabaseLocation m_admin;
    QString m_name;
    QString m_url;
    QString m_error;
};

} // namespace testing
