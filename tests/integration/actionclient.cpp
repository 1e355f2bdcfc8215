// A device stand-in for tst_actions: queues actions in its offline queue, or drains the queue.
//   actionclient queue <queue.sqlite> <fieldPort> <count>   queue count actions, print each, then wait
//   actionclient drain <queue.sqlite> <fieldPort>           connect, send everything queued, exit
#include "action/tupleactionpushofflinequeue.h"
#include "action/tupleactions.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTimer>

#include <cstdio>

using namespace peek;

int main(int argc, char *argv[])
{
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("peek.*.info=false"));
    const QStringList args = app.arguments();
    if (args.size() < 4)
        return 2;
    const QString mode = args[1];
    VortexOptions o;
    o.reconnectMinMs = 50;
    o.reconnectMaxMs = 200;
    Vortex device(QStringLiteral("peek-field-app"), o);
    device.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(args[3])));
    TupleActionPushOfflineQueue queue(&device, args[2], {QStringLiteral("peek-field-service"), 5000, 50, 200});
    if (!queue.isOpen())
        return 1;
    if (mode == QLatin1String("queue")) {
        const int count = args.value(4).toInt();
        QTimer::singleShot(0, [&] {
            for (int i = 0; i < count; ++i) {
                auto a = std::make_shared<TupleGenericAction>();
                a->key = QStringLiteral("count");
                a->data = Dict{{QStringLiteral("n"), i}};
                if (!queue.push(QStringLiteral("test_action"), QStringLiteral("test_action"), a))
                    QCoreApplication::exit(1);
                std::printf("queued %d\n", i); // only after the action is on disk
                std::fflush(stdout);
            }
            std::printf("all queued\n");
            std::fflush(stdout);
        });
        return app.exec(); // waits to be killed
    }
    QObject::connect(&queue, &TupleActionPushOfflineQueue::queuedCountChanged, [&](int n) {
        if (n == 0) {
            std::printf("drained\n");
            std::fflush(stdout);
            QCoreApplication::quit();
        }
    });
    QTimer::singleShot(0, [&] {
        std::printf("pending %d\n", queue.queuedCount());
        std::fflush(stdout);
        if (queue.queuedCount() == 0)
            QCoreApplication::quit();
    });
    return app.exec();
}
