#include "base/metrics.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>

#include <algorithm>
#include <cmath>

#if defined(Q_OS_UNIX)
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace peek::metrics {

namespace {

// A label value as the text format wants it: backslash, quote and newline escaped.
QString escaped(const QString &value)
{
    QString out;
    out.reserve(value.size());
    for (const QChar c : value) {
        if (c == u'\\')
            out += QStringLiteral("\\\\");
        else if (c == u'"')
            out += QStringLiteral("\\\"");
        else if (c == u'\n')
            out += QStringLiteral("\\n");
        else
            out += c;
    }
    return out;
}

QString labelText(const Labels &labels, const QString &extraName = {}, const QString &extraValue = {})
{
    QStringList parts;
    for (const auto &[name, value] : labels)
        parts << QStringLiteral("%1=\"%2\"").arg(name, escaped(value));
    if (!extraName.isEmpty())
        parts << QStringLiteral("%1=\"%2\"").arg(extraName, escaped(extraValue));
    return parts.isEmpty() ? QString() : QLatin1Char('{') + parts.join(u',') + QLatin1Char('}');
}

QString number(double value)
{
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
    if (std::isnan(value))
        return QStringLiteral("NaN");
    if (value == std::floor(value) && std::abs(value) < 1e15)
        return QString::number(qint64(value));
    return QString::number(value, 'g', 10);
}

void header(QString &out, const QString &name, const QString &help, const QString &type)
{
    out += QStringLiteral("# HELP %1 %2\n# TYPE %1 %3\n").arg(name, QString(help).replace(u'\n', u' '), type);
}

} // namespace

Histogram::Histogram(std::vector<double> bounds) : m_bounds(std::move(bounds))
{
    std::sort(m_bounds.begin(), m_bounds.end());
    m_buckets = std::make_unique<std::atomic<quint64>[]>(m_bounds.size() + 1);
    for (size_t i = 0; i <= m_bounds.size(); ++i)
        m_buckets[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value)
{
    const size_t i = size_t(std::lower_bound(m_bounds.begin(), m_bounds.end(), value) - m_bounds.begin());
    m_buckets[i].fetch_add(1, std::memory_order_relaxed);
    m_count.fetch_add(1, std::memory_order_relaxed);
    m_sumMicro.fetch_add(qint64(std::llround(value * 1e6)), std::memory_order_relaxed);
}

void Samples::add(const QString &name, const QString &help, const QString &type, const Labels &labels, double value)
{
    Family &family = m_families[name];
    if (family.help.isEmpty()) {
        family.help = help;
        family.type = type;
    }
    family.samples.push_back({labels, value});
}

bool Registry::Key::operator<(const Key &o) const
{
    if (name != o.name)
        return name < o.name;
    return labels < o.labels;
}

Registry &Registry::instance()
{
    static Registry registry;
    return registry;
}

Counter &Registry::counter(const QString &name, const QString &help, const Labels &labels)
{
    QMutexLocker lock(&m_mutex);
    std::unique_ptr<Counter> &c = m_counters[Key {name, labels}];
    if (!c) {
        c = std::make_unique<Counter>();
        m_help.emplace(name, qMakePair(help, QStringLiteral("counter")));
    }
    return *c;
}

Histogram &Registry::histogram(const QString &name, const QString &help, const std::vector<double> &bounds,
                               const Labels &labels)
{
    QMutexLocker lock(&m_mutex);
    std::unique_ptr<Histogram> &h = m_histograms[Key {name, labels}];
    if (!h) {
        h = std::make_unique<Histogram>(bounds);
        m_help.emplace(name, qMakePair(help, QStringLiteral("histogram")));
    }
    return *h;
}

quint64 Registry::addCollector(Collector collector)
{
    QMutexLocker lock(&m_mutex);
    const quint64 id = m_nextCollector++;
    m_collectors.emplace(id, std::move(collector));
    return id;
}

void Registry::removeCollector(quint64 id)
{
    QMutexLocker lock(&m_mutex);
    m_collectors.erase(id);
}

QByteArray Registry::exposition() const
{
    Samples collected;
    std::vector<Collector> collectors;
    {
        QMutexLocker lock(&m_mutex);
        for (const auto &[id, collector] : m_collectors)
            collectors.push_back(collector);
    }
    for (const Collector &collect : collectors)
        collect(collected);

    QString out;
    QMutexLocker lock(&m_mutex);
    QString current;
    for (const auto &[key, counter] : m_counters) {
        if (key.name != current) {
            current = key.name;
            header(out, key.name, m_help.at(key.name).first, QStringLiteral("counter"));
        }
        out += key.name + labelText(key.labels) + u' ' + QString::number(counter->value()) + u'\n';
    }
    for (const auto &[key, histogram] : m_histograms) {
        if (key.name != current) {
            current = key.name;
            header(out, key.name, m_help.at(key.name).first, QStringLiteral("histogram"));
        }
        quint64 cumulative = 0;
        const std::vector<double> &bounds = histogram->bounds();
        for (size_t i = 0; i <= bounds.size(); ++i) {
            cumulative += histogram->bucket(i);
            const QString le = i < bounds.size() ? number(bounds[i]) : QStringLiteral("+Inf");
            out += key.name + QStringLiteral("_bucket") + labelText(key.labels, QStringLiteral("le"), le) + u' '
                + QString::number(cumulative) + u'\n';
        }
        out += key.name + QStringLiteral("_sum") + labelText(key.labels) + u' ' + number(histogram->sum()) + u'\n';
        out += key.name + QStringLiteral("_count") + labelText(key.labels) + u' ' + QString::number(histogram->count()) + u'\n';
    }
    for (const auto &[name, family] : collected.m_families) {
        header(out, name, family.help, family.type);
        for (const auto &sample : family.samples)
            out += name + labelText(sample.labels) + u' ' + number(sample.value) + u'\n';
    }
    return out.toUtf8();
}

void collectProcess(Samples &samples)
{
    double cpuSeconds = -1;
    double residentBytes = -1;
    double openFds = -1;
#if defined(Q_OS_LINUX)
    // /proc/self/stat: fields 14 and 15 are user and system time in clock ticks; /proc/self/statm
    // field 2 is the resident set in pages.
    QFile stat(QStringLiteral("/proc/self/stat"));
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray text = stat.readAll();
        const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
        const double ticks = double(sysconf(_SC_CLK_TCK));
        if (fields.size() > 13 && ticks > 0)
            cpuSeconds = (fields[11].toDouble() + fields[12].toDouble()) / ticks;
    }
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (statm.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> fields = statm.readAll().split(' ');
        if (fields.size() > 1)
            residentBytes = fields[1].toDouble() * double(sysconf(_SC_PAGESIZE));
    }
    // readdir only: QDir would stat and sort every entry (thousands of sockets on a busy field service).
    if (DIR *fds = opendir("/proc/self/fd")) {
        int n = 0;
        while (const dirent *entry = readdir(fds))
            n += entry->d_name[0] != '.' ? 1 : 0;
        closedir(fds);
        openFds = double(n - 1); // the directory's own descriptor
    }
#elif defined(Q_OS_UNIX)
    rusage usage {};
    if (getrusage(RUSAGE_SELF, &usage) == 0) {
        cpuSeconds = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
        residentBytes = double(usage.ru_maxrss) * 1024.0; // the peak: what POSIX offers
    }
#endif
    if (cpuSeconds >= 0)
        samples.add(QStringLiteral("process_cpu_seconds_total"), QStringLiteral("CPU time of this process, user and system, in seconds."),
                    QStringLiteral("counter"), {}, cpuSeconds);
    if (residentBytes >= 0)
        samples.add(QStringLiteral("process_resident_memory_bytes"), QStringLiteral("Resident memory of this process in bytes."),
                    QStringLiteral("gauge"), {}, residentBytes);
    if (openFds >= 0)
        samples.add(QStringLiteral("process_open_fds"), QStringLiteral("Open file descriptors of this process."),
                    QStringLiteral("gauge"), {}, openFds);
    static const double started = double(QDateTime::currentSecsSinceEpoch());
    samples.add(QStringLiteral("process_start_time_seconds"), QStringLiteral("When this process started (seconds since the epoch)."),
                QStringLiteral("gauge"), {}, started);
}

} // namespace peek::metrics
