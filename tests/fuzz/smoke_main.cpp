// The fuzz targets' "smoke" run, for ctest in the ordinary (GCC) build: every seed file, then a
// fixed number of deterministic mutations of them, through LLVMFuzzerTestOneInput, as libFuzzer
// would feed them. No coverage guidance: it proves the seeds still pass and catches the shallow
// breakage; the real search is tests/fuzz/run-fuzzers.sh.
//
//   fuzz_smoke_<target> [--mutations N] [--max-len BYTES] [DIR_OR_FILE...]
// Without seed arguments it reads the target's seed folders (tests/fuzz/corpus/<target> and the
// ones the build made); PEEK_FUZZ_SMOKE_MUTATIONS overrides the number of mutations (400).
#include "fuzzcheck.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace {

// splitmix64: a fixed sequence, the same on every machine.
struct Random {
    quint64 state;
    quint64 next()
    {
        quint64 z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    qsizetype below(qsizetype n) { return n <= 0 ? 0 : qsizetype(next() % quint64(n)); }
};

// Bytes the parsers under test give meaning to.
const char kInteresting[] = "{}[]\":,\\0-9.eE+ \t\r\n;'$/*`()_\x00\x7f\x80\xff";
const char *const kTokens[] = {"99999999999999999999",
                               "-1",
                               "1e999",
                               "4294967296",
                               "null",
                               "true",
                               "{\"_ft\":\"int\",\"_fd\":",
                               "{\"_ct\":\"rt\",\"_c\":\"",
                               "\"_ft\":\"datetime\",\"_fd\":\"",
                               "\\u0000",
                               "\\ud800",
                               "/*",
                               "*/",
                               "$$",
                               "BEGIN",
                               "END",
                               "CASE",
                               "E'",
                               "\r\n\r\n",
                               "PK\x03\x04",
                               "../"};

QByteArray mutate(QByteArray input, const std::vector<QByteArray> &seeds, Random &random)
{
    const int steps = 1 + int(random.below(4));
    for (int s = 0; s < steps; ++s) {
        const qsizetype n = input.size();
        const qsizetype at = random.below(n + 1);
        switch (random.below(9)) {
        case 0: // flip a bit
            if (n > 0)
                input[random.below(n)] ^= char(1 << random.below(8));
            break;
        case 1: // an interesting byte
            if (n > 0)
                input[random.below(n)] = kInteresting[random.below(sizeof kInteresting - 1)];
            break;
        case 2: // delete a few bytes
            input.remove(at, 1 + random.below(16));
            break;
        case 3: // repeat a piece
            if (n > 0) {
                const qsizetype from = random.below(n);
                input.insert(at, input.mid(from, 1 + random.below(32)));
            }
            break;
        case 4: // insert random bytes
            for (qsizetype k = 1 + random.below(8); k > 0; --k)
                input.insert(at, char(random.next()));
            break;
        case 5: // truncate
            input.truncate(at);
            break;
        case 6: { // splice with another seed
            const QByteArray &other = seeds[size_t(random.below(qsizetype(seeds.size())))];
            input = input.left(at) + other.mid(random.below(other.size() + 1));
            break;
        }
        case 7: { // a token
            const char *token = kTokens[random.below(std::size(kTokens))];
            input.insert(at, QByteArray(token, qsizetype(qstrlen(token) + (token[0] == 0))));
            break;
        }
        default: // overwrite with a piece of itself
            if (n > 1) {
                const qsizetype from = random.below(n);
                const QByteArray piece = input.mid(from, 1 + random.below(16));
                input.replace(random.below(n), piece.size(), piece);
            }
            break;
        }
    }
    return input;
}

void addSeeds(const QString &path, std::vector<QByteArray> &seeds, QStringList &names)
{
    const QFileInfo info(path);
    if (info.isDir()) {
        const QDir dir(path);
        for (const QString &name : dir.entryList(QDir::Files, QDir::Name))
            addSeeds(dir.filePath(name), seeds, names);
        return;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "cannot read seed %s\n", qPrintable(path));
        std::exit(2);
    }
    seeds.push_back(file.readAll());
    names << path;
}

// The input being run, so a failed check (abort) leaves it in smoke-crash.bin of the working
// directory for the fuzzer binary or a test row to replay.
const QByteArray *g_current = nullptr;

void saveCurrentInput(int signal)
{
    if (g_current) {
        const int fd = ::open("smoke-crash.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            (void)!::write(fd, g_current->constData(), size_t(g_current->size()));
            ::close(fd);
            const char note[] = "fuzz smoke: the failing input is in smoke-crash.bin\n";
            (void)!::write(2, note, sizeof note - 1);
        }
    }
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

void run(const QByteArray &input)
{
    g_current = &input;
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(input.constData()),
                           size_t(input.size()));
    g_current = nullptr;
}

} // namespace

int main(int argc, char **argv)
{
    qsizetype mutations = qEnvironmentVariableIsSet("PEEK_FUZZ_SMOKE_MUTATIONS")
        ? qEnvironmentVariableIntValue("PEEK_FUZZ_SMOKE_MUTATIONS")
        : 400;
#ifdef PEEK_FUZZ_MAX_LEN
    qsizetype maxLen = PEEK_FUZZ_MAX_LEN;
#else
    qsizetype maxLen = 64 * 1024;
#endif
    std::vector<QByteArray> seeds;
    QStringList names;
#ifdef PEEK_FUZZ_SEED_DIRS
    if (argc < 2) { // as ctest runs it: the seed folders the build knows
        for (const QString &dir : QStringLiteral(PEEK_FUZZ_SEED_DIRS).split(u'|'))
            addSeeds(dir, seeds, names);
    }
#endif
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg = argv[i];
        if (arg == "--mutations" && i + 1 < argc)
            mutations = QByteArray(argv[++i]).toLongLong();
        else if (arg == "--max-len" && i + 1 < argc)
            maxLen = QByteArray(argv[++i]).toLongLong();
        else
            addSeeds(QString::fromLocal8Bit(arg), seeds, names);
    }
    if (seeds.empty()) {
        std::fprintf(stderr,
                     "usage: %s [--mutations N] [--max-len BYTES] DIR_OR_FILE...\n"
                     "no seed files given\n",
                     argv[0]);
        return 2;
    }
    LLVMFuzzerInitialize(&argc, &argv);
    std::signal(SIGABRT, saveCurrentInput);

    QElapsedTimer timer;
    timer.start();
    for (size_t i = 0; i < seeds.size(); ++i) {
        std::fprintf(stderr, "seed %s\n", qPrintable(names[qsizetype(i)]));
        run(seeds[i].left(maxLen));
    }
    Random random {0x5eed};
    for (qsizetype k = 0; k < mutations; ++k) {
        const qsizetype from = random.below(qsizetype(seeds.size()));
        const QByteArray input = mutate(seeds[size_t(from)], seeds, random).left(maxLen);
        run(input);
    }
    std::printf("%zu seeds and %lld mutations passed in %lld ms\n", seeds.size(),
                static_cast<long long>(mutations), static_cast<long long>(timer.elapsed()));
    return 0;
}
