#include "tasknotifier.h"

#include "storage/database.h"
#include "taskstore.h"

#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

Q_LOGGING_CATEGORY(lcTaskNotifier, "peek.task.notifier")

namespace peek {

TaskNotifier::TaskNotifier(Database *database, QObject *parent)
    : QObject(parent), m_database(database), m_postgres(database->backend() == DatabaseBackend::PostgreSql)
{
    connect(&m_check, &QTimer::timeout, this, &TaskNotifier::check);
}

TaskNotifier::~TaskNotifier()
{
    closeListener();
}

Result<void> TaskNotifier::start(int checkIntervalMs, Channel channels)
{
    m_channels = channels;
    if (!m_postgres)
        return {};
    if (auto listening = listen(); !listening)
        return listening;
    m_check.start(checkIntervalMs);
    return {};
}

Result<void> TaskNotifier::listen()
{
    closeListener();
    auto opened = m_database->openDedicatedConnection();
    if (!opened)
        return opened.error().context(QStringLiteral("cannot listen for task notifications"));
    m_connection = opened.value();
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlDriver *driver = db.driver();
    const std::pair<const char *, Channel> wanted[] = {{taskstore::kQueuedChannel, Queued},
                                                       {taskstore::kFinishedChannel, Finished}};
    for (const auto &[channel, which] : wanted) {
        if (!(m_channels & which))
            continue; // nobody in this process waits for it
        if (!driver->subscribeToNotification(QLatin1String(channel))) {
            const QString message = QStringLiteral("cannot LISTEN on %1 at %2: %3")
                                        .arg(QLatin1String(channel), m_database->displayUrl(),
                                             driver->lastError().text());
            closeListener();
            return Error {message};
        }
    }
    connect(driver, &QSqlDriver::notification, this,
            [this](const QString &name, QSqlDriver::NotificationSource, const QVariant &payload) {
                onNotification(name, payload);
            });
    return {};
}

void TaskNotifier::closeListener()
{
    if (m_connection.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (db.driver())
            db.driver()->disconnect(this);
    }
    Database::closeDedicatedConnection(m_connection);
    m_connection.clear();
}

void TaskNotifier::check()
{
    if (!m_connection.isEmpty()) {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        QSqlQuery probe(db);
        if (db.isOpen() && probe.exec(QStringLiteral("SELECT 1")))
            return;
        qCWarning(lcTaskNotifier).noquote() << "lost the task notification connection to"
                                            << m_database->displayUrl() << "; opening it again";
    }
    if (auto listening = listen(); !listening) {
        qCWarning(lcTaskNotifier).noquote() << listening.error().message() << "; trying again in" << m_check.interval() << "ms";
        return;
    }
    qCInfo(lcTaskNotifier).noquote() << "listening for task notifications on" << m_database->displayUrl() << "again";
    // What was announced while nobody listened: let everyone look.
    Q_EMIT queued();
    Q_EMIT finished({});
}

void TaskNotifier::onNotification(const QString &channel, const QVariant &payload)
{
    if (channel == QLatin1String(taskstore::kQueuedChannel)) {
        Q_EMIT queued();
    } else if (channel == QLatin1String(taskstore::kFinishedChannel)) {
        const QString ids = payload.toString();
        if (!ids.isEmpty())
            Q_EMIT finished(ids.split(u','));
    }
}

void TaskNotifier::announceQueued()
{
    if (!m_postgres)
        Q_EMIT queued();
}

void TaskNotifier::announceFinished(const QStringList &ids)
{
    if (!m_postgres && !ids.isEmpty())
        Q_EMIT finished(ids);
}

} // namespace peek
