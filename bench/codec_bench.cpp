// codec_bench: how fast the Vortex codec encodes and decodes the reference benchmark payload
// (vectors/payload-bench-10000.json: 10,000 bench.Item tuples), split into its stages.
//
//   codec_bench [--runs N] [--level N] [--generic] [--vectors DIR]
//
// Every figure is the median of N timed runs (after one untimed warm-up run), printed one per
// line as "<figure>: <ms> ms, <MB/s> MB/s (min <ms> ms, cpu <ms> ms)" where MB/s is the
// payload's JSON size (the length of the vector's "text", in 10^6 bytes) over the median time:
// the same yardstick for every stage, so the stages of an operation roughly add up to its total
// (each stage is timed by its own call in the same run). "min" is the fastest run and "cpu" the
// median thread CPU time: on a shared, busy machine they show how much of the wall time was
// spent waiting for a core. Without --generic bench.Item is registered as a typed tuple; with
// it, the type is left unknown and the tuples decode as generic tuples.
#include "tuple/tuple.h"
#include "tuple/tupleregistry.h"
#include "vortex/payload.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

struct BenchItem : peek::TypedTuple<BenchItem>
{
    PEEK_TUPLE(BenchItem, "bench.Item", id, name, value)
    qint64 id = 0;
    QString name;
    double value = 0;
};

struct Options
{
    int runs = 30;
    std::vector<int> levels{1, 2, 3, 4, 5, 6, 7, 8, 9};
    bool generic = false;
    QString vectorsDir = QStringLiteral(PEEK_VECTORS_DIR);
};

[[noreturn]] void usage(const char *why)
{
    std::fprintf(stderr,
                 "codec_bench: %s\n"
                 "usage: codec_bench [--runs N] [--level N] [--generic] [--vectors DIR]\n"
                 "  --runs N      timed runs per figure, the median is reported (default 30)\n"
                 "  --level N     only this zlib level for encode, 0..9 (default: 1 to 9)\n"
                 "  --generic     do not register bench.Item: tuples decode as generic tuples\n"
                 "  --vectors DIR where payload-bench-10000.json is (default %s)\n",
                 why, PEEK_VECTORS_DIR);
    std::exit(2);
}

Options parseOptions(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto next = [&]() -> const char * {
            if (i + 1 >= argc)
                usage((arg + " needs a value").c_str());
            return argv[++i];
        };
        if (arg == "--runs") {
            o.runs = std::atoi(next());
            if (o.runs < 1)
                usage("--runs must be at least 1");
        } else if (arg == "--level") {
            const char *text = next();
            const int level = std::atoi(text);
            if (level < 0 || level > 9 || !std::isdigit(static_cast<unsigned char>(text[0])))
                usage("--level must be 0..9");
            o.levels = {level};
        } else if (arg == "--generic") {
            o.generic = true;
        } else if (arg == "--vectors") {
            o.vectorsDir = QString::fromLocal8Bit(next());
        } else if (arg == "--help" || arg == "-h") {
            usage("measures the Vortex codec on payload-bench-10000.json");
        } else {
            usage(("unknown argument " + arg).c_str());
        }
    }
    return o;
}

// The command line as it was typed, so a figure can be reproduced (and pasted beside it).
std::string commandLine(int argc, char **argv)
{
    std::string out;
    for (int i = 0; i < argc; ++i) {
        if (i)
            out += ' ';
        const std::string arg = argv[i];
        const bool plain = !arg.empty()
            && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789-_./=:+,")
                == std::string::npos;
        out += plain ? arg : "'" + arg + "'";
    }
    return out;
}

[[noreturn]] void fail(const QString &why)
{
    std::fprintf(stderr, "codec_bench: %s\n", qPrintable(why));
    std::exit(1);
}

// Wall and thread CPU time of one timed stage.
struct Sample
{
    double wallMs = 0;
    double cpuMs = 0;
};

double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

class Stopwatch
{
public:
    Stopwatch() : m_wall(std::chrono::steady_clock::now()), m_cpu(threadCpuMs()) {}
    Sample elapsed() const
    {
        return {std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - m_wall)
                    .count(),
                threadCpuMs() - m_cpu};
    }

private:
    std::chrono::steady_clock::time_point m_wall;
    double m_cpu;
};

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Collects the samples of several figures measured in the same runs (a total and its stages).
class Figures
{
public:
    explicit Figures(double jsonBytes) : m_jsonBytes(jsonBytes) {}

    void add(const std::string &name, Sample sample)
    {
        for (auto &f : m_figures) {
            if (f.name == name) {
                f.wall.push_back(sample.wallMs);
                f.cpu.push_back(sample.cpuMs);
                return;
            }
        }
        m_figures.push_back({name, {sample.wallMs}, {sample.cpuMs}});
    }

    void print() const
    {
        for (const auto &f : m_figures) {
            const double ms = median(f.wall);
            std::printf("%s: %.3f ms, %.1f MB/s (min %.3f ms, cpu %.3f ms)\n", f.name.c_str(), ms,
                        m_jsonBytes / 1e6 / (ms / 1e3),
                        *std::min_element(f.wall.begin(), f.wall.end()), median(f.cpu));
        }
    }

private:
    struct Figure
    {
        std::string name;
        std::vector<double> wall, cpu;
    };
    double m_jsonBytes;
    std::vector<Figure> m_figures;
};

// The load on the machine when the run started: figures from a busy machine are not comparable.
std::string loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly))
        return "unknown";
    return file.readAll().split(' ').mid(0, 3).join(' ').toStdString();
}

} // namespace

int main(int argc, char **argv)
{
    const Options options = parseOptions(argc, argv);

    const QString path =
        QDir(options.vectorsDir).filePath(QStringLiteral("payload-bench-10000.json"));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        fail(QStringLiteral("cannot read %1: %2 (pass --vectors DIR)")
                 .arg(path, file.errorString()));
    const QJsonObject vector = QJsonDocument::fromJson(file.readAll()).object();
    const QByteArray text = vector.value(QStringLiteral("text")).toString().toUtf8();
    const QByteArray encoded = vector.value(QStringLiteral("encodedPayload")).toString().toLatin1();
    if (text.isEmpty() || encoded.isEmpty())
        fail(QStringLiteral("%1 has no \"text\" or \"encodedPayload\"").arg(path));

    if (!options.generic) {
        const peek::Result<void> registered = peek::TupleRegistry::instance().registerType<BenchItem>();
        if (!registered)
            fail(registered.error().message());
    }

    const std::string mode = options.generic ? "generic" : "typed";
    std::printf("command: %s\n", commandLine(argc, argv).c_str());
    std::printf("input: %s: JSON %lld bytes, encoded payload %lld bytes (Python, level 9)\n",
                qPrintable(QDir::cleanPath(path)), (long long)text.size(),
                (long long)encoded.size());
    std::printf("tuples: %s (bench.Item %s)\n", mode.c_str(),
                options.generic ? "not registered: GenericTuple" : "registered: BenchItem");
    std::printf("runs: median of %d, zlib %s, MB/s = JSON bytes / 10^6 / time, load average %s\n",
                options.runs, zlibVersion(), loadAverage().c_str());
    std::printf("codec default compression level: %d\n", peek::kDefaultCompressionLevel);

    // ---- decode: base64 -> inflate -> parse -------------------------------------------------
    peek::Payload reference;
    {
        peek::Result<peek::Payload> decoded = peek::Payload::decode(encoded);
        if (!decoded)
            fail(QStringLiteral("the benchmark payload does not decode: %1").arg(decoded.error().message()));
        reference = std::move(decoded).value();
        if (reference.toJson() != text)
            fail(QStringLiteral("the benchmark payload does not encode back to its text"));
        const bool typed = !reference.tuples.empty()
            && dynamic_cast<BenchItem *>(reference.tuples.front().get()) != nullptr;
        if (typed == options.generic)
            fail(QStringLiteral("the tuples decoded %1 typed").arg(typed ? "as" : "not as"));
    }

    Figures decode(double(text.size()));
    for (int run = -1; run < options.runs; ++run) {
        // A fresh Payload per run, destroyed outside the timed region.
        Stopwatch watch;
        const peek::Result<peek::Payload> whole = peek::Payload::decode(encoded);
        const Sample total = watch.elapsed();
        if (!whole)
            fail(QStringLiteral("decode failed: %1").arg(whole.error().message()));

        QByteArray raw;
        watch = Stopwatch();
        const bool unbased = peek::base64::decode(encoded, raw);
        const Sample base64 = watch.elapsed();
        watch = Stopwatch();
        const peek::Result<QByteArray> json = peek::zlib::uncompress(raw);
        const Sample inflate = watch.elapsed();
        if (!json)
            fail(QStringLiteral("decode failed: %1").arg(json.error().message()));
        watch = Stopwatch();
        const peek::Result<peek::Payload> staged = peek::Payload::fromJson(json.value());
        const Sample parse = watch.elapsed();

        if (!unbased || json.value() != text || !staged
            || whole.value().tuples.size() != reference.tuples.size())
            fail(QStringLiteral("decode failed: %1").arg(staged ? QString() : staged.error().message()));
        if (run < 0)
            continue; // warm-up
        decode.add("decode " + mode + " total", total);
        decode.add("decode " + mode + " base64", base64);
        decode.add("decode " + mode + " inflate", inflate);
        decode.add("decode " + mode + " parse", parse);
    }
    decode.print();

    // ---- encode: serialise -> deflate -> base64 ----------------------------------------------
    for (const int level : options.levels) {
        Figures encode(double(text.size()));
        qsizetype compressedSize = 0, encodedSize = 0;
        for (int run = -1; run < options.runs; ++run) {
            Stopwatch watch;
            const QByteArray whole = reference.encode(level);
            const Sample total = watch.elapsed();

            watch = Stopwatch();
            const QByteArray json = reference.toJson();
            const Sample serialise = watch.elapsed();
            watch = Stopwatch();
            const QByteArray compressed =
                peek::zlib::compress(json.constData(), json.size(), level);
            const Sample deflate = watch.elapsed();
            watch = Stopwatch();
            const QByteArray base64 = compressed.toBase64();
            const Sample toBase64 = watch.elapsed();

            if (json != text || base64 != whole)
                fail(QStringLiteral("encode at level %1 does not reproduce the payload")
                         .arg(level));
            if (run < 0) {
                // Checked once: what we send must decode, by us, to the same text.
                const peek::Result<QByteArray> back = peek::Payload::decodeToJson(whole);
                if (!back || back.value() != text)
                    fail(QStringLiteral("level %1 output does not decode back").arg(level));
                continue;
            }
            compressedSize = compressed.size();
            encodedSize = whole.size();
            const std::string prefix = "encode " + mode + " level " + std::to_string(level) + " ";
            encode.add(prefix + "total", total);
            encode.add(prefix + "serialise", serialise);
            encode.add(prefix + "deflate", deflate);
            encode.add(prefix + "base64", toBase64);
        }
        encode.print();
        std::printf("encode level %d size: zlib %lld bytes, base64 %lld bytes (%.1f%% of JSON)%s\n",
                    level, (long long)compressedSize, (long long)encodedSize,
                    100.0 * double(encodedSize) / double(text.size()),
                    reference.encode(level) == encoded ? ", the reference's bytes exactly" : "");
    }
    return 0;
}
