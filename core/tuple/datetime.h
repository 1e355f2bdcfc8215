#pragma once

#include "base/export.h"
#include <QDateTime>
#include <QString>

namespace peek {

// A point in time with microsecond precision, as the Vortex protocol carries it.
// Aware times keep their UTC offset (so they encode back unchanged); naive times have none
// and are wall-clock local times, as in Python.
class PEEK_API DateTime
{
public:
    DateTime() = default;

    static DateTime fromUtcMicros(qint64 usecsSinceEpoch, int offsetSeconds = 0);
    static DateTime naiveFromMicros(qint64 wallClockMicros);
    static DateTime fromQDateTime(const QDateTime &dt);
    static DateTime currentUtc();

    // Parses "%Y-%m-%d %H:%M:%S.%f%z" (and without ".%f" or "%z"); invalid on any other text.
    static DateTime parse(QStringView text);
    QString toString() const;
    QDateTime toQDateTime() const;

    bool isValid() const { return m_valid; }
    bool isNaive() const { return m_naive; }
    int offsetSeconds() const { return m_offsetSeconds; }
    // Microseconds since the epoch in UTC (for naive times: the wall clock read as UTC).
    qint64 utcMicros() const { return m_micros; }

    bool operator==(const DateTime &o) const
    {
        return m_valid == o.m_valid && m_naive == o.m_naive && m_micros == o.m_micros
            && m_offsetSeconds == o.m_offsetSeconds;
    }
    bool operator!=(const DateTime &o) const { return !(*this == o); }
    bool operator<(const DateTime &o) const { return m_micros < o.m_micros; }

private:
    qint64 m_micros = 0;
    int m_offsetSeconds = 0;
    bool m_naive = false;
    bool m_valid = false;
};

} // namespace peek
