#pragma once
// A PostgreSQL test case may skip only where no server was given: when PEEK_TEST_PG_URL is set
// (./test.sh starts one) or in CI (CI=true), a missing or unusable server fails the case instead,
// so a run cannot pass on SQLite alone while the docs promise both.
#include <QTest>

namespace testing {

inline bool postgresRequired()
{
    return !qEnvironmentVariableIsEmpty("PEEK_TEST_PG_URL") || qEnvironmentVariable("CI") == QLatin1String("true");
}

} // namespace testing

// In a test function: skips (no server given) or fails (a server was given, or CI) unless
// `available`; `why` says what is missing.
#define PEEK_REQUIRE_POSTGRES(available, why)                                                      \
    do {                                                                                           \
        if (!(available)) {                                                                        \
            const QString peekPgWhy = QStringLiteral("PostgreSQL case: ") + (why);                 \
            if (::testing::postgresRequired())                                                     \
                QFAIL(qPrintable(peekPgWhy + QStringLiteral(" (a server was given or CI=true: "    \
                                                            "PostgreSQL cases may not skip)")));   \
            QSKIP(qPrintable(peekPgWhy + QStringLiteral(" (./test.sh starts one)")));              \
        }                                                                                          \
    } while (false)
