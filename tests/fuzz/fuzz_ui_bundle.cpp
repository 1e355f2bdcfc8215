// readUiBundleZip (the UI bundles apps download) on any bytes, with a 1 MiB unpacked limit:
// refused with a message, or files with safe relative paths that fit the limit.
#include "fuzzcheck.h"

#include "plugin/uibundle.h"

using namespace peek;

namespace {
constexpr qint64 kMaxBytes = 1 << 20;
}

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto files = readUiBundleZip(fuzz::bytesOf(data, size), kMaxBytes);
    if (!files) {
        PEEK_FUZZ_CHECK(!files.error().message().isEmpty());
        return 0;
    }
    qint64 total = 0;
    for (auto it = files.value().cbegin(); it != files.value().cend(); ++it) {
        const QString &path = it.key();
        PEEK_FUZZ_CHECK(!path.isEmpty() && !path.startsWith(u'/') && !path.contains(u'\\'));
        PEEK_FUZZ_CHECK(!path.split(u'/').contains(QStringLiteral("..")));
        total += it.value().size();
    }
    PEEK_FUZZ_CHECK(total <= kMaxBytes);
    PEEK_FUZZ_CHECK(uiBundleHash(files.value()).size() == 64);
    return 0;
}
