#include "keychainsecretstore.h"

#include <qt6keychain/keychain.h>

#include <QAbstractEventDispatcher>
#include <QCoreApplication>
#include <QLibrary>
#include <QPointer>
#include <QThread>
#include <QTimer>

namespace peek::app {

namespace {

// QtKeychain's libsecret backend (Linux) gets its answers through GLib's default main context.
// Qt iterates that context only with its GLib event dispatcher; with QT_NO_GLIB=1 (run.sh, the
// tests) nothing does and every job would wait forever. Then we iterate it ourselves while jobs
// run. glib is resolved at run time: QtKeychain already loaded it, and we need no glib headers.
using GMainContextIteration = int (*)(void *context, int mayBlock);

GMainContextIteration glibIterationToPump()
{
#if defined(Q_OS_UNIX) && !defined(Q_OS_DARWIN) && !defined(Q_OS_ANDROID)
    const QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance();
    const bool mainThread = QCoreApplication::instance()
        && QThread::currentThread() == QCoreApplication::instance()->thread();
    if (dispatcher && dispatcher->inherits("QEventDispatcherGlib") && mainThread)
        return nullptr;
    static const auto iterate = reinterpret_cast<GMainContextIteration>(
        QLibrary::resolve(QStringLiteral("glib-2.0"), 0, "g_main_context_iteration"));
    return iterate;
#else
    return nullptr;
#endif
}

// One pump for the process, running while any job runs: QtKeychain runs its jobs one after the
// other process-wide, so a job left waiting (its store gone) would stall every later one.
class GlibPump : public QObject {
public:
    static void watch(QKeychain::Job *job)
    {
        const GMainContextIteration iterate = glibIterationToPump();
        if (!iterate)
            return;
        static QPointer<GlibPump> pump;
        if (!pump)
            pump = new GlibPump(iterate, QCoreApplication::instance());
        pump->add(job);
    }

private:
    GlibPump(GMainContextIteration iterate, QObject *parent) : QObject(parent)
    {
        m_timer.setInterval(2);
        connect(&m_timer, &QTimer::timeout, this, [iterate] {
            // Dispatch whatever is ready without blocking; bounded so we never spin here.
            for (int i = 0; i < 64 && iterate(nullptr, 0); ++i) { }
        });
    }

    void add(QKeychain::Job *job)
    {
        ++m_jobs;
        m_timer.start();
        connect(job, &QKeychain::Job::finished, this, [this] {
            if (--m_jobs == 0)
                m_timer.stop();
        });
    }

    QTimer m_timer;
    int m_jobs = 0;
};

QString errorName(QKeychain::Error error)
{
    switch (error) {
    case QKeychain::NoError:
        return QStringLiteral("NoError");
    case QKeychain::EntryNotFound:
        return QStringLiteral("EntryNotFound");
    case QKeychain::CouldNotDeleteEntry:
        return QStringLiteral("CouldNotDeleteEntry");
    case QKeychain::AccessDeniedByUser:
        return QStringLiteral("AccessDeniedByUser");
    case QKeychain::AccessDenied:
        return QStringLiteral("AccessDenied");
    case QKeychain::NoBackendAvailable:
        return QStringLiteral("NoBackendAvailable");
    case QKeychain::NotImplemented:
        return QStringLiteral("NotImplemented");
    case QKeychain::OtherError:
        break;
    }
    return QStringLiteral("OtherError");
}

QString describe(const char *what, const QString &key, const QKeychain::Job *job)
{
    return QStringLiteral("Could not %1 \"%2\" in the system keychain (service \"%3\"): %4 [%5].")
        .arg(QLatin1String(what), key, job->service(), job->errorString(), errorName(job->error()));
}

} // namespace

KeychainSecretStore::KeychainSecretStore(const QString &service, QObject *parent)
    : SecretStore(parent), m_service(service)
{
}

KeychainSecretStore::~KeychainSecretStore() = default;

void KeychainSecretStore::read(const QString &key, SecretCallback done)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setKey(key);
    start(job, [key, done = std::move(done)](QKeychain::Job *finished) {
        if (!done)
            return;
        switch (finished->error()) {
        case QKeychain::NoError:
            done(SecretResult::success(
                static_cast<QKeychain::ReadPasswordJob *>(finished)->binaryData()));
            break;
        case QKeychain::EntryNotFound:
            done(SecretResult::missing(key));
            break;
        default:
            done(SecretResult::failure(describe("read", key, finished)));
        }
    });
}

void KeychainSecretStore::write(const QString &key, const QByteArray &value, SecretCallback done)
{
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setKey(key);
    job->setBinaryData(value);
    start(job, [key, done = std::move(done)](QKeychain::Job *finished) {
        if (!done)
            return;
        done(finished->error() == QKeychain::NoError
                 ? SecretResult::success()
                 : SecretResult::failure(describe("write", key, finished)));
    });
}

void KeychainSecretStore::remove(const QString &key, SecretCallback done)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service);
    job->setKey(key);
    start(job, [key, done = std::move(done)](QKeychain::Job *finished) {
        if (!done)
            return;
        const auto error = finished->error();
        done(error == QKeychain::NoError || error == QKeychain::EntryNotFound
                 ? SecretResult::success()
                 : SecretResult::failure(describe("remove", key, finished)));
    });
}

void KeychainSecretStore::start(QKeychain::Job *job, std::function<void(QKeychain::Job *)> finished)
{
    // The job has no parent and deletes itself: the backends keep pointers to a running job, so
    // it must outlive this store when the store goes first. The connection then simply drops.
    job->setAutoDelete(true);
    connect(job, &QKeychain::Job::finished, this,
            [finished = std::move(finished)](QKeychain::Job *job) { finished(job); });
    GlibPump::watch(job);
    job->start();
}

} // namespace peek::app
