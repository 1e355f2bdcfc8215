#include "base/eventdispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QThread>

#ifdef Q_OS_LINUX
#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <set>
#include <unordered_map>
#include <vector>
#endif

namespace peek {

#ifdef Q_OS_LINUX

namespace {
using Clock = std::chrono::steady_clock;
using Nanos = std::chrono::nanoseconds;
} // namespace

// epoll for socket notifiers, an eventfd for wake-ups, and timers ordered by when they are due.
// Each loop iteration costs what is ready (epoll_wait returns only ready descriptors) plus the due
// timers, never the number of registered sockets.
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT
public:
    EpollEventDispatcher()
    {
        m_epoll = epoll_create1(EPOLL_CLOEXEC);
        m_wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (m_epoll < 0 || m_wake < 0)
            qFatal("peek: cannot make the epoll event dispatcher: %s", std::strerror(errno));
        epoll_event ev {};
        ev.events = EPOLLIN;
        ev.data.fd = m_wake;
        if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &ev) != 0)
            qFatal("peek: cannot watch the dispatcher's wake-up descriptor: %s", std::strerror(errno));
    }

    ~EpollEventDispatcher() override
    {
        ::close(m_wake);
        ::close(m_epoll);
    }

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override
    {
        m_interrupt.store(false, std::memory_order_relaxed);
        Q_EMIT awake();
        QCoreApplication::sendPostedEvents();

        const bool timers = !(flags & QEventLoop::X11ExcludeTimers);
        const bool sockets = !(flags & QEventLoop::ExcludeSocketNotifiers);
        const bool canWait = (flags & QEventLoop::WaitForMoreEvents) && !m_interrupt.load(std::memory_order_relaxed);
        if (canWait)
            Q_EMIT aboutToBlock();
        if (m_interrupt.load(std::memory_order_relaxed))
            return false;

        // How long to wait: until the first timer is due, or not at all. An event posted since
        // sendPostedEvents() woke the eventfd, so the wait ends at once.
        int timeoutMs = 0;
        if (canWait) {
            timeoutMs = -1;
            if (timers && !m_due.empty()) {
                const Nanos left = m_due.begin()->first - Clock::now();
                timeoutMs = left.count() <= 0 ? 0 : int(std::min<qint64>((left.count() + 999'999) / 1'000'000, INT_MAX));
            }
        }

        int events = 0;
        int ready = 0;
        applyChanges();
        // On the stack: a handler may run a nested loop, whose wait must not overwrite what this
        // one still has to deliver. More ready descriptors than fit are reported again by the
        // next wait (level-triggered).
        std::array<epoll_event, 512> readyList;
        if (sockets) {
            do {
                ready = epoll_wait(m_epoll, readyList.data(), int(readyList.size()), timeoutMs);
            } while (ready < 0 && errno == EINTR);
        } else {
            // Only the wake-up descriptor: the sockets wait for a later iteration.
            pollfd wake {m_wake, POLLIN, 0};
            ready = ::poll(&wake, 1, timeoutMs) > 0 ? 1 : 0;
            if (ready)
                readyList[0].data.fd = m_wake;
        }
        if (ready < 0)
            qWarning("peek: epoll_wait failed: %s", std::strerror(errno));
        const quint64 wait = ++m_waits;
        for (int i = 0; i < ready; ++i) {
            const int fd = readyList[size_t(i)].data.fd;
            if (fd == m_wake) {
                drainWakeUps();
                continue;
            }
            events += activate(fd, readyList[size_t(i)].events, wait);
        }
        if (timers)
            events += activateTimers();
        return events > 0;
    }

    void registerSocketNotifier(QSocketNotifier *notifier) override
    {
        Q_ASSERT(notifier);
        const int fd = int(notifier->socket());
        Watched &w = m_fds[fd];
        switch (notifier->type()) {
        case QSocketNotifier::Read: w.read = notifier; break;
        case QSocketNotifier::Write: w.write = notifier; break;
        case QSocketNotifier::Exception: w.exception = notifier; break;
        }
        changed(fd, w);
    }

    void unregisterSocketNotifier(QSocketNotifier *notifier) override
    {
        Q_ASSERT(notifier);
        const int fd = int(notifier->socket());
        auto it = m_fds.find(fd);
        if (it == m_fds.end())
            return;
        Watched &w = it->second;
        if (w.read == notifier)
            w.read = nullptr;
        if (w.write == notifier)
            w.write = nullptr;
        if (w.exception == notifier)
            w.exception = nullptr;
        if (w.wanted() != 0) {
            changed(fd, w);
            return;
        }
        // Its last notifier: epoll forgets it now, as the descriptor is about to be closed and
        // its number may come back for another socket before the next wait.
        update(fd, w);
        m_fds.erase(it);
    }

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override
    {
        Timer t;
        t.object = object;
        t.interval = interval;
        t.type = timerType;
        // Very coarse timers count whole seconds (Qt's rule); precise and coarse ones, milliseconds.
        if (timerType == Qt::VeryCoarseTimer)
            t.interval = std::max<qint64>(1000, (interval + 500) / 1000 * 1000);
        t.due = Clock::now() + std::chrono::milliseconds(t.interval);
        m_timers[timerId] = t;
        m_due.insert({t.due, timerId});
    }

    bool unregisterTimer(int timerId) override
    {
        auto it = m_timers.find(timerId);
        if (it == m_timers.end())
            return false;
        m_due.erase({it->second.due, timerId});
        m_timers.erase(it);
        return true;
    }

    bool unregisterTimers(QObject *object) override
    {
        bool any = false;
        for (auto it = m_timers.begin(); it != m_timers.end();) {
            if (it->second.object == object) {
                m_due.erase({it->second.due, it->first});
                it = m_timers.erase(it);
                any = true;
            } else {
                ++it;
            }
        }
        return any;
    }

    QList<TimerInfo> registeredTimers(QObject *object) const override
    {
        QList<TimerInfo> list;
        for (const auto &[id, t] : m_timers)
            if (t.object == object)
                list.append(TimerInfo(id, int(t.interval), t.type));
        return list;
    }

    int remainingTime(int timerId) override
    {
        auto it = m_timers.find(timerId);
        if (it == m_timers.end())
            return -1;
        const qint64 left = std::chrono::duration_cast<std::chrono::milliseconds>(it->second.due - Clock::now()).count();
        return int(std::max<qint64>(0, left));
    }

    void wakeUp() override
    {
        // One write until the loop has seen it (postEvent calls this for every event).
        if (!m_wokenUp.exchange(true, std::memory_order_seq_cst)) {
            const quint64 one = 1;
            ssize_t written;
            do {
                written = ::write(m_wake, &one, sizeof one);
            } while (written < 0 && errno == EINTR);
        }
    }

    void interrupt() override
    {
        m_interrupt.store(true, std::memory_order_relaxed);
        wakeUp();
    }

private:
    struct Watched
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
        uint32_t mask = 0; // what epoll watches for it now (0: not in the set)
        bool dirty = false; // its notifiers changed since epoll was last told
        quint64 lastWait = 0; // the wait whose answer last activated it

        // What its notifiers want epoll to watch for.
        uint32_t wanted() const
        {
            return (read ? uint32_t(EPOLLIN) : 0u) | (write ? uint32_t(EPOLLOUT) : 0u) | (exception ? uint32_t(EPOLLPRI) : 0u);
        }
    };
    struct Timer
    {
        QObject *object = nullptr;
        qint64 interval = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        Clock::time_point due;
        bool activating = false; // its event is being delivered (a nested loop does not send another)
    };

    // epoll is told of notifier changes just before the next wait, not at each change: a socket
    // enables its write notifier on write() and disables it once flushed, often in one iteration,
    // and then epoll needs no call at all (two epoll_ctl per message were a tenth of a fan-out).
    void changed(int fd, Watched &w)
    {
        if (!w.dirty) {
            w.dirty = true;
            m_dirty.push_back(fd);
        }
    }

    void applyChanges()
    {
        for (int fd : m_dirty) {
            auto it = m_fds.find(fd);
            if (it == m_fds.end())
                continue;
            it->second.dirty = false;
            update(fd, it->second);
            if (it->second.wanted() == 0 && it->second.mask == 0)
                m_fds.erase(it);
        }
        m_dirty.clear();
    }

    // Brings epoll's interest in `fd` in line with its notifiers.
    void update(int fd, Watched &w)
    {
        const uint32_t mask = w.wanted();
        if (mask == w.mask)
            return;
        epoll_event ev {};
        ev.events = mask;
        ev.data.fd = fd;
        int done;
        if (mask == 0) {
            done = epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, &ev);
            if (done != 0 && (errno == EBADF || errno == ENOENT))
                done = 0; // closed already: epoll forgot it by itself
        } else if (w.mask == 0) {
            done = epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
            if (done != 0 && errno == EEXIST)
                done = epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev);
        } else {
            done = epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev);
            if (done != 0 && errno == ENOENT) // the descriptor was closed and its number reused
                done = epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
        }
        if (done != 0)
            qWarning("peek: cannot watch socket %d: %s", fd, std::strerror(errno));
        w.mask = done == 0 ? mask : 0;
    }

    // Sends the notifiers of `fd` their activation; each is looked up again before it is sent,
    // as the one before may have disabled or deleted it. Not when a later wait (a nested loop's,
    // run by a handler of this answer) served it already: what it said is stale.
    int activate(int fd, uint32_t ready, quint64 wait)
    {
        if (auto it = m_fds.find(fd); it != m_fds.end()) {
            if (it->second.lastWait > wait)
                return 0;
            it->second.lastWait = wait;
        }
        int sent = 0;
        const auto send = [&](QSocketNotifier *Watched::*which, uint32_t when) {
            if (!(ready & when))
                return;
            auto it = m_fds.find(fd);
            if (it == m_fds.end())
                return;
            QSocketNotifier *notifier = it->second.*which;
            if (!notifier)
                return;
            QEvent event(QEvent::SockAct);
            QCoreApplication::sendEvent(notifier, &event);
            ++sent;
        };
        send(&Watched::read, EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP);
        send(&Watched::write, EPOLLOUT | EPOLLHUP | EPOLLERR);
        send(&Watched::exception, EPOLLPRI);
        return sent;
    }

    // Each timer due now, once: a timer that is due again meanwhile (interval 0) or registered
    // by a handler waits for the next iteration, so timers never starve the rest of the loop.
    int activateTimers()
    {
        if (m_due.empty())
            return 0;
        const Clock::time_point now = Clock::now();
        std::vector<int> due;
        for (auto it = m_due.begin(); it != m_due.end() && it->first <= now; ++it)
            due.push_back(it->second);
        int sent = 0;
        for (int id : due) {
            auto it = m_timers.find(id);
            if (it == m_timers.end() || it->second.activating || it->second.due > now)
                continue;
            Timer &t = it->second;
            // Due again one interval after it was due; after a stall, one interval from now
            // (no burst of catch-up events).
            m_due.erase({t.due, id});
            t.due += std::chrono::milliseconds(t.interval);
            if (t.due <= now)
                t.due = now + std::chrono::milliseconds(t.interval);
            m_due.insert({t.due, id});
            t.activating = true;
            QObject *object = t.object;
            QTimerEvent event(id);
            QCoreApplication::sendEvent(object, &event);
            ++sent;
            // The handler may have killed it, or started another with the same id.
            if (auto again = m_timers.find(id); again != m_timers.end() && again->second.object == object)
                again->second.activating = false;
        }
        return sent;
    }

    void drainWakeUps()
    {
        // Read, then allow the next write: the other way round, a wakeUp() between the two would
        // have its write read here and the flag left set, and every later wakeUp() would skip
        // its write while the loop slept (a lost wake-up: a quit() that never ends the thread).
        // A wakeUp() that still sees the flag set posted its event before this: the next
        // iteration's sendPostedEvents() delivers it.
        quint64 count;
        while (::read(m_wake, &count, sizeof count) > 0) {
        }
        m_wokenUp.store(false, std::memory_order_seq_cst);
    }

    int m_epoll = -1;
    int m_wake = -1;
    std::atomic<bool> m_wokenUp {false};
    std::atomic<bool> m_interrupt {false};
    std::unordered_map<int, Watched> m_fds;
    std::vector<int> m_dirty; // descriptors whose notifiers changed since the last wait
    quint64 m_waits = 0;      // epoll waits so far (nested loops count theirs too)
    std::unordered_map<int, Timer> m_timers;
    std::set<std::pair<Clock::time_point, int>> m_due;
};

QAbstractEventDispatcher *createEventDispatcher()
{
    return new EpollEventDispatcher;
}

#else

QAbstractEventDispatcher *createEventDispatcher()
{
    return nullptr;
}

#endif

namespace {
// PEEK_EVENT_DISPATCHER=qt: every thread keeps Qt's dispatcher.
bool qtDispatcherAsked()
{
    return qEnvironmentVariable("PEEK_EVENT_DISPATCHER") == QLatin1String("qt");
}
} // namespace

const char *installEventDispatcher()
{
    if (qtDispatcherAsked())
        return "qt";
    if (QAbstractEventDispatcher *current = QAbstractEventDispatcher::instance())
        return current->inherits("peek::EpollEventDispatcher") ? "epoll" : "qt"; // chosen already
    QAbstractEventDispatcher *dispatcher = createEventDispatcher();
    if (!dispatcher)
        return "qt";
    QCoreApplication::setEventDispatcher(dispatcher);
    return "epoll";
}

void useEventDispatcherOn(QThread *thread)
{
    if (qtDispatcherAsked())
        return;
    if (QAbstractEventDispatcher *dispatcher = createEventDispatcher())
        thread->setEventDispatcher(dispatcher);
}

} // namespace peek

#ifdef Q_OS_LINUX
#include "eventdispatcher.moc"
#endif
