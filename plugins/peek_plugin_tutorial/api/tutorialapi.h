#pragma once
// The tutorial's published API on the logic role: what other plugins may call (through
// PluginContext::otherPluginApi<TutorialApi>("peek_plugin_tutorial")). This header is the
// tutorial's public face; its other files are private to it.
#include <QFuture>
#include <QObject>
#include <QString>

namespace tutorial {

class TutorialApi
{
public:
    virtual ~TutorialApi() = default;
    // Inserts the string with the int, or sets the int of the row with that string; completes
    // with the row's id. Observers of StringIntTuple are notified.
    virtual QFuture<qint64> addStringInt(const QString &string1, qint64 int1) = 0;
    // How many StringInt rows there are.
    virtual QFuture<qint64> stringIntCount() = 0;
    // Runs the worker task pickRandomNumber: a random number in [0, max).
    virtual QFuture<qint64> pickRandomNumber(qint64 max) = 0;
    // Runs the worker task countPrimes: how many primes are below `below`.
    virtual QFuture<qint64> countPrimes(qint64 below) = 0;
};

} // namespace tutorial

#define TutorialApi_iid "org.peek.plugin.tutorial.TutorialApi/1.1"
Q_DECLARE_INTERFACE(tutorial::TutorialApi, TutorialApi_iid)
