// PositionThrottle: which fixes are sent (the first; then after the interval by the fixes' own
// clock, or after a large move) and which are held back or ignored.
#include "positionthrottle.h"

#include <QGeoCoordinate>
#include <QTest>

using peek::app::PositionThrottle;
using Decision = PositionThrottle::Decision;

namespace {

const QDateTime kStart(QDate(2024, 6, 1), QTime(12, 0), Qt::UTC);

QGeoPositionInfo fix(double latitude, double longitude, int secondsAfterStart)
{
    return QGeoPositionInfo(QGeoCoordinate(latitude, longitude), kStart.addSecs(secondsAfterStart));
}

// Degrees of latitude for `metres` north (on the sphere Qt measures on, 1° ≈ 111.2 km).
double north(double metres)
{
    return metres / 111195.08;
}

} // namespace

class tst_PositionThrottle : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void firstValidFixIsSent()
    {
        PositionThrottle throttle;
        QCOMPARE(throttle.decide(fix(52, 4, 0)), Decision::First);
        QVERIFY(throttle.offer(fix(52, 4, 0)));
        QVERIFY(throttle.lastSent().has_value());
        QCOMPARE(throttle.lastSent()->coordinate(), QGeoCoordinate(52, 4));
    }

    void smallMoveWithinIntervalIsHeld()
    {
        PositionThrottle throttle;
        QVERIFY(throttle.offer(fix(52, 4, 0)));
        QCOMPARE(throttle.decide(fix(52 + north(50), 4, 30)), Decision::Hold);
        QVERIFY(!throttle.offer(fix(52 + north(99), 4, 119)));
        // Held fixes do not move the reference: many small steps add up to a large move.
        QCOMPARE(throttle.decide(fix(52 + north(101), 4, 119)), Decision::Moved);
    }

    void largeMoveIsSent()
    {
        PositionThrottle throttle;
        QVERIFY(throttle.offer(fix(52, 4, 0)));
        QCOMPARE(throttle.decide(fix(52 + north(150), 4, 1)), Decision::Moved);
        QVERIFY(throttle.offer(fix(52 + north(150), 4, 1)));
        // Measured from the last *sent* fix.
        QCOMPARE(throttle.decide(fix(52 + north(200), 4, 2)), Decision::Hold);
        QCOMPARE(throttle.decide(fix(52 + north(260), 4, 3)), Decision::Moved);
    }

    void intervalElapsedIsSent()
    {
        PositionThrottle throttle({60, 100});
        QVERIFY(throttle.offer(fix(52, 4, 0)));
        QCOMPARE(throttle.decide(fix(52, 4, 59)), Decision::Hold);
        QCOMPARE(throttle.decide(fix(52, 4, 60)), Decision::IntervalElapsed);
        QVERIFY(throttle.offer(fix(52, 4, 61)));
        QCOMPARE(throttle.decide(fix(52, 4, 120)), Decision::Hold); // 59 s after the last sent
        QCOMPARE(throttle.decide(fix(52, 4, 121)), Decision::IntervalElapsed);
    }

    void defaultsAreTwoMinutesAndHundredMetres()
    {
        PositionThrottle throttle;
        QCOMPARE(throttle.options().intervalSeconds, 120);
        QCOMPARE(throttle.options().minDistanceM, 100.0);
        QVERIFY(throttle.offer(fix(52, 4, 0)));
        QCOMPARE(throttle.decide(fix(52, 4, 119)), Decision::Hold);
        QCOMPARE(throttle.decide(fix(52, 4, 120)), Decision::IntervalElapsed);
    }

    void clockGoingBackSends()
    {
        PositionThrottle throttle;
        QVERIFY(throttle.offer(fix(52, 4, 600)));
        QCOMPARE(throttle.decide(fix(52, 4, 0)), Decision::IntervalElapsed);
    }

    void invalidFixesAreIgnored()
    {
        PositionThrottle throttle;
        QCOMPARE(throttle.decide(QGeoPositionInfo()), Decision::Invalid);
        QCOMPARE(throttle.decide(QGeoPositionInfo(QGeoCoordinate(), kStart)), Decision::Invalid);
        QCOMPARE(throttle.decide(QGeoPositionInfo(QGeoCoordinate(52, 4), QDateTime())),
                 Decision::Invalid);
        QCOMPARE(throttle.decide(QGeoPositionInfo(QGeoCoordinate(91, 4), kStart)),
                 Decision::Invalid);
        QVERIFY(!throttle.offer(QGeoPositionInfo()));
        QVERIFY(!throttle.lastSent().has_value()); // the next valid fix is still the first
        QVERIFY(throttle.offer(fix(52, 4, 0)));
        // An invalid fix later on is ignored too, however far or late it claims to be.
        QCOMPARE(throttle.decide(QGeoPositionInfo(QGeoCoordinate(), kStart.addDays(1))),
                 Decision::Invalid);
    }

    void distanceAcrossTheAntimeridian()
    {
        // 0.0002° of longitude at the equator is about 22 m, not 360° around the world.
        const QGeoPositionInfo east = fix(0, 179.9999, 0);
        const QGeoPositionInfo west = fix(0, -179.9999, 1);
        QVERIFY(qAbs(PositionThrottle::distanceM(east, west) - 22.24) < 0.1);
        PositionThrottle throttle;
        QVERIFY(throttle.offer(east));
        QCOMPARE(throttle.decide(west), Decision::Hold);
        QCOMPARE(throttle.decide(fix(0, -179.998, 2)), Decision::Moved); // about 233 m
    }

    void distanceOfALargeMove()
    {
        // Amsterdam to Rotterdam: about 57 km.
        const double d
            = PositionThrottle::distanceM(fix(52.3676, 4.9041, 0), fix(51.9244, 4.4777, 0));
        QVERIFY2(d > 56000 && d < 59000, qPrintable(QString::number(d)));
        // One degree of latitude: 111.2 km on the mean sphere.
        QVERIFY(qAbs(PositionThrottle::distanceM(fix(10, 20, 0), fix(11, 20, 0)) - 111195) < 5);
    }

    void resetSendsTheNextFix()
    {
        PositionThrottle throttle;
        QVERIFY(throttle.offer(fix(52, 4, 0)));
        QCOMPARE(throttle.decide(fix(52, 4, 1)), Decision::Hold);
        throttle.reset();
        QCOMPARE(throttle.decide(fix(52, 4, 1)), Decision::First);
    }

    void zeroIntervalSendsEveryFix()
    {
        PositionThrottle throttle({0, 100});
        QVERIFY(throttle.offer(fix(52, 4, 0)));
        QVERIFY(throttle.offer(fix(52, 4, 0)));
        QVERIFY(throttle.offer(fix(52, 4, 1)));
    }
};

QTEST_GUILESS_MAIN(tst_PositionThrottle)
#include "tst_positionthrottle.moc"
