#include "datetime.h"

#include <QTimeZone>

#include <cstdio>

namespace peek {

namespace {

constexpr qint64 kMicrosPerSecond = 1000000;
constexpr qint64 kMicrosPerDay = 86400 * kMicrosPerSecond;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
qint64 daysFromCivil(qint64 y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const qint64 era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<qint64>(doe) - 719468;
}

void civilFromDays(qint64 z, qint64 &y, unsigned &m, unsigned &d)
{
    z += 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<qint64>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
}

qint64 floorDiv(qint64 a, qint64 b)
{
    qint64 q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        --q;
    return q;
}

bool readDigits(QStringView t, qsizetype &pos, int count, int &out)
{
    if (pos + count > t.size())
        return false;
    int v = 0;
    for (int i = 0; i < count; ++i) {
        const QChar c = t[pos + i];
        if (c < u'0' || c > u'9')
            return false;
        v = v * 10 + (c.unicode() - u'0');
    }
    pos += count;
    out = v;
    return true;
}

bool expect(QStringView t, qsizetype &pos, char16_t c)
{
    if (pos >= t.size() || t[pos] != c)
        return false;
    ++pos;
    return true;
}

} // namespace

DateTime DateTime::fromUtcMicros(qint64 usecsSinceEpoch, int offsetSeconds)
{
    DateTime dt;
    dt.m_micros = usecsSinceEpoch;
    dt.m_offsetSeconds = offsetSeconds;
    dt.m_valid = true;
    return dt;
}

DateTime DateTime::naiveFromMicros(qint64 wallClockMicros)
{
    DateTime dt;
    dt.m_micros = wallClockMicros;
    dt.m_naive = true;
    dt.m_valid = true;
    return dt;
}

DateTime DateTime::fromQDateTime(const QDateTime &q)
{
    if (!q.isValid())
        return {};
    if (q.timeSpec() == Qt::LocalTime) {
        // A local time without zone information travels as a naive time.
        const QDateTime asUtc(q.date(), q.time(), Qt::UTC);
        return naiveFromMicros(asUtc.toMSecsSinceEpoch() * 1000);
    }
    return fromUtcMicros(q.toMSecsSinceEpoch() * 1000, q.offsetFromUtc());
}

DateTime DateTime::currentUtc()
{
    return fromUtcMicros(QDateTime::currentMSecsSinceEpoch() * 1000);
}

DateTime DateTime::parse(QStringView t)
{
    qsizetype pos = 0;
    int year, month, day, hour, minute, second;
    if (!readDigits(t, pos, 4, year) || !expect(t, pos, u'-') || !readDigits(t, pos, 2, month)
        || !expect(t, pos, u'-') || !readDigits(t, pos, 2, day))
        return {};
    if (!expect(t, pos, u' ') && !expect(t, pos, u'T'))
        return {};
    if (!readDigits(t, pos, 2, hour) || !expect(t, pos, u':') || !readDigits(t, pos, 2, minute)
        || !expect(t, pos, u':') || !readDigits(t, pos, 2, second))
        return {};
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
        return {};
    qint64 micros = 0;
    if (pos < t.size() && t[pos] == u'.') {
        ++pos;
        int digits = 0;
        while (pos < t.size() && t[pos] >= u'0' && t[pos] <= u'9') {
            if (digits < 6)
                micros = micros * 10 + (t[pos].unicode() - u'0');
            ++digits;
            ++pos;
        }
        if (digits == 0)
            return {};
        for (int i = digits; i < 6; ++i)
            micros *= 10;
    }
    const qint64 wall = daysFromCivil(year, unsigned(month), unsigned(day)) * kMicrosPerDay
        + (qint64(hour) * 3600 + minute * 60 + second) * kMicrosPerSecond + micros;
    if (pos == t.size())
        return naiveFromMicros(wall);
    if (t[pos] == u'Z' && pos + 1 == t.size())
        return fromUtcMicros(wall, 0);
    const QChar sign = t[pos];
    if (sign != u'+' && sign != u'-')
        return {};
    ++pos;
    int oh, om;
    if (!readDigits(t, pos, 2, oh))
        return {};
    expect(t, pos, u':');
    if (!readDigits(t, pos, 2, om) || pos != t.size())
        return {};
    const int offset = (oh * 3600 + om * 60) * (sign == u'-' ? -1 : 1);
    return fromUtcMicros(wall - qint64(offset) * kMicrosPerSecond, offset);
}

QString DateTime::toString() const
{
    if (!m_valid)
        return {};
    const qint64 wall = m_naive ? m_micros : m_micros + qint64(m_offsetSeconds) * kMicrosPerSecond;
    const qint64 days = floorDiv(wall, kMicrosPerDay);
    qint64 rest = wall - days * kMicrosPerDay;
    qint64 y;
    unsigned m, d;
    civilFromDays(days, y, m, d);
    const int micros = int(rest % kMicrosPerSecond);
    rest /= kMicrosPerSecond;
    char buf[48];
    int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02d:%02d:%02d.%06d", (long long)y, m,
                          d, int(rest / 3600), int(rest / 60 % 60), int(rest % 60), micros);
    if (!m_naive) {
        const int off = m_offsetSeconds < 0 ? -m_offsetSeconds : m_offsetSeconds;
        n += std::snprintf(buf + n, sizeof buf - size_t(n), "%c%02d%02d",
                           m_offsetSeconds < 0 ? '-' : '+', off / 3600, off / 60 % 60);
    }
    return QString::fromLatin1(buf, n);
}

QDateTime DateTime::toQDateTime() const
{
    if (!m_valid)
        return {};
    if (m_naive) {
        const QDateTime utc = QDateTime::fromMSecsSinceEpoch(floorDiv(m_micros, 1000), Qt::UTC);
        return QDateTime(utc.date(), utc.time(), Qt::LocalTime);
    }
    return QDateTime::fromMSecsSinceEpoch(floorDiv(m_micros, 1000), Qt::OffsetFromUTC,
                                          m_offsetSeconds);
}

} // namespace peek
