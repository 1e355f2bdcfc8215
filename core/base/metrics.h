#pragma once
// The process's metrics in the Prometheus text format (docs/operations.md "Monitoring"), served at
// GET /metrics on every port. Counters and histograms are updated where things happen (a relaxed
// atomic add: cheap on the hot path; look the metric up once and keep the reference); values
// that already exist elsewhere (connections, subscriptions, queue depth, plugin states, CPU and
// memory) are read by collectors when the metrics are asked for.
#include "base/export.h"

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QPair>
#include <QString>

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace peek::metrics {

using Labels = QList<QPair<QString, QString>>; // name, value; in the order given

class PEEK_CORE_EXPORT Counter
{
public:
    void add(quint64 n = 1) { m_value.fetch_add(n, std::memory_order_relaxed); }
    quint64 value() const { return m_value.load(std::memory_order_relaxed); }

private:
    std::atomic<quint64> m_value {0};
};

// Observations counted into buckets of upper bounds (cumulative in the output, as Prometheus wants).
class PEEK_CORE_EXPORT Histogram
{
public:
    explicit Histogram(std::vector<double> bounds);
    void observe(double value);
    const std::vector<double> &bounds() const { return m_bounds; }
    quint64 bucket(size_t i) const { return m_buckets[i].load(std::memory_order_relaxed); } // i == bounds().size(): +Inf
    quint64 count() const { return m_count.load(std::memory_order_relaxed); }
    double sum() const { return double(m_sumMicro.load(std::memory_order_relaxed)) / 1e6; }

private:
    std::vector<double> m_bounds;
    std::unique_ptr<std::atomic<quint64>[]> m_buckets;
    std::atomic<quint64> m_count {0};
    std::atomic<qint64> m_sumMicro {0}; // the sum in millionths (exact enough for seconds and sizes)
};

// What a collector writes: one sample of a gauge (or counter) family at scrape time.
class PEEK_CORE_EXPORT Samples
{
public:
    // `type` is "gauge" or "counter"; help and type are written once per name.
    void add(const QString &name, const QString &help, const QString &type, const Labels &labels, double value);

private:
    friend class Registry;
    struct Sample
    {
        Labels labels;
        double value;
    };
    struct Family
    {
        QString help;
        QString type;
        std::vector<Sample> samples;
    };
    std::map<QString, Family> m_families;
};

class PEEK_CORE_EXPORT Registry
{
public:
    static Registry &instance();

    // The counter / histogram of that name and labels, made on first use; the same one after.
    // Names follow Prometheus: [a-zA-Z_:][a-zA-Z0-9_:]*, counters end in _total.
    Counter &counter(const QString &name, const QString &help, const Labels &labels = {});
    Histogram &histogram(const QString &name, const QString &help, const std::vector<double> &bounds,
                         const Labels &labels = {});

    using Collector = std::function<void(Samples &)>;
    // Runs at every scrape, on the scraping thread; remove it before what it reads goes.
    quint64 addCollector(Collector collector);
    void removeCollector(quint64 id);

    // Every metric in the text exposition format 0.0.4.
    QByteArray exposition() const;

private:
    Registry() = default;
    struct Key
    {
        QString name;
        Labels labels;
        bool operator<(const Key &o) const;
    };
    mutable QMutex m_mutex;
    std::map<QString, QPair<QString, QString>> m_help; // name -> help, type
    std::map<Key, std::unique_ptr<Counter>> m_counters;
    std::map<Key, std::unique_ptr<Histogram>> m_histograms;
    std::map<quint64, Collector> m_collectors;
    quint64 m_nextCollector = 1;
};

// Process CPU seconds, resident memory, open file descriptors and start time (Linux: /proc;
// elsewhere what the platform's portable calls give).
PEEK_CORE_EXPORT void collectProcess(Samples &samples);

} // namespace peek::metrics
