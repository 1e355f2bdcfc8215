#include "databaselocation.h"

#include <QDir>
#include <QFileInfo>
#include <QUrl>
#include <QUrlQuery>

namespace peek {

namespace {

Error badUrl(const QString &shownUrl, const QString &why)
{
    return {QStringLiteral("cannot use the database URL '%1': %2").arg(shownUrl, why), {}, {}};
}

// The URL as it may be shown: a password between "user:" and the last '@' of the authority
// replaced, even when the URL does not parse.
QString maskedUrl(const QString &url)
{
    const int authority = url.indexOf(QStringLiteral("://"));
    if (authority < 0)
        return url;
    const int start = authority + 3;
    const int at = url.lastIndexOf(QLatin1Char('@'));
    const int colon = url.indexOf(QLatin1Char(':'), start);
    if (at < 0 || colon < 0 || colon > at)
        return url;
    return url.left(colon + 1) + QStringLiteral("****") + url.mid(at);
}

} // namespace

Result<DatabaseLocation> DatabaseLocation::parse(const QString &url)
{
    const QString trimmed = url.trimmed();
    const QString shown = maskedUrl(trimmed);
    if (trimmed.isEmpty())
        return badUrl(shown,
                      QStringLiteral("it is empty; give an SQLite file path or a "
                                     "postgresql://user:pass@host:port/db URL"));

    DatabaseLocation location;
    const int schemeEnd = trimmed.indexOf(QLatin1Char(':'));
    const QString scheme = schemeEnd > 1 ? trimmed.left(schemeEnd).toLower() : QString();

    if (scheme == QLatin1String("postgresql") || scheme == QLatin1String("postgres")) {
        const QUrl parsed(trimmed, QUrl::StrictMode);
        if (!parsed.isValid())
            return badUrl(shown, parsed.errorString());
        location.backend = DatabaseBackend::PostgreSql;
        location.host = parsed.host();
        location.port = parsed.port(5432);
        location.user = parsed.userName(QUrl::FullyDecoded);
        location.password = parsed.password(QUrl::FullyDecoded);
        location.databaseName = parsed.path(QUrl::FullyDecoded).mid(1);
        if (location.databaseName.isEmpty() || location.databaseName.contains(QLatin1Char('/')))
            return badUrl(shown,
                          QStringLiteral("name one database after the host, as in "
                                         "postgresql://user:pass@host:5432/peek"));
        QStringList options;
        const auto items = QUrlQuery(parsed).queryItems(QUrl::FullyDecoded);
        for (const auto &[key, value] : items) {
            if (value.contains(QLatin1Char(';')))
                return badUrl(shown, QStringLiteral("the option %1 must not contain ';'").arg(key));
            options << key + QLatin1Char('=') + value;
        }
        location.connectOptions = options.join(QLatin1Char(';'));
        return location;
    }

    QString path;
    if (scheme == QLatin1String("sqlite")) {
        const QUrl parsed(trimmed, QUrl::StrictMode);
        if (!parsed.isValid())
            return badUrl(shown, parsed.errorString());
        if (!parsed.host().isEmpty())
            return badUrl(
                shown,
                QStringLiteral("an SQLite URL has no host; write three slashes "
                               "before an absolute path: sqlite:///var/lib/peek/peek.sqlite"));
        path = parsed.path(QUrl::FullyDecoded);
    } else if (trimmed.contains(QStringLiteral("://"))) {
        return badUrl(
            shown,
            QStringLiteral("unknown scheme '%1'; use sqlite:// or postgresql://").arg(scheme));
    } else {
        path = trimmed;
    }
    if (path.isEmpty() || path == QLatin1String(":memory:")
        || path.startsWith(QLatin1String("file:")))
        return badUrl(shown,
                      QStringLiteral("name an SQLite file (in-memory and URI databases are "
                                     "not supported: every thread opens its own connection)"));
    location.backend = DatabaseBackend::Sqlite;
    location.sqlitePath = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    if (QFileInfo(location.sqlitePath).isDir())
        return badUrl(shown,
                      QStringLiteral("%1 is a directory; name the database file in it, "
                                     "e.g. %1/peek.sqlite")
                          .arg(location.sqlitePath));
    return location;
}

QString DatabaseLocation::displayString() const
{
    if (backend == DatabaseBackend::Sqlite)
        return QStringLiteral("sqlite://") + sqlitePath;
    QUrl url;
    url.setScheme(QStringLiteral("postgresql"));
    url.setUserName(user);
    if (!password.isEmpty())
        url.setPassword(QStringLiteral("****"));
    url.setHost(host);
    url.setPort(port);
    url.setPath(QLatin1Char('/') + databaseName);
    if (!connectOptions.isEmpty()) {
        QUrlQuery query;
        for (const QString &option : connectOptions.split(QLatin1Char(';'))) {
            const int eq = option.indexOf(QLatin1Char('='));
            query.addQueryItem(option.left(eq), option.mid(eq + 1));
        }
        url.setQuery(query);
    }
    return url.toString();
}

QString DatabaseLocation::identity() const
{
    if (backend == DatabaseBackend::Sqlite)
        return QStringLiteral("sqlite:") + sqlitePath;
    return QStringLiteral("postgresql:%1:%2/%3").arg(host).arg(port).arg(databaseName);
}

QString DatabaseLocation::sqliteDirectory() const
{
    return backend == DatabaseBackend::Sqlite ? QFileInfo(sqlitePath).absolutePath() : QString();
}

} // namespace peek
