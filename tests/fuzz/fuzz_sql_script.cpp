// splitSqlScript (migration .sql files) on any UTF-8 text: refused with a message naming a line,
// or split into non-empty statements, each a piece of the script, in order, and each one split
// again on its own gives back just itself.
#include "fuzzcheck.h"

#include "storage/sqlscript.h"

using namespace peek;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString script = QString::fromUtf8(fuzz::viewOf(data, size));
    const auto split = splitSqlScript(script);
    if (!split) {
        PEEK_FUZZ_CHECK(split.error().message().contains(QStringLiteral("line")));
        return 0;
    }
    const int lineCount = int(script.count(QLatin1Char('\n'))) + 1;
    int previousLine = 1;
    qsizetype from = 0;
    for (const SqlStatement &statement : split.value()) {
        PEEK_FUZZ_CHECK(!statement.text.isEmpty());
        PEEK_FUZZ_CHECK(!statement.text.front().isSpace() && !statement.text.back().isSpace());
        PEEK_FUZZ_CHECK(statement.line >= previousLine && statement.line <= lineCount);
        const qsizetype at = script.indexOf(statement.text, from);
        PEEK_FUZZ_CHECK(at >= 0);
        from = at + statement.text.size();
        previousLine = statement.line;

        const auto alone = splitSqlScript(statement.text);
        PEEK_FUZZ_CHECK(alone);
        PEEK_FUZZ_CHECK(alone.value().size() == 1);
        PEEK_FUZZ_CHECK(alone.value().first().text == statement.text);
    }
    return 0;
}
