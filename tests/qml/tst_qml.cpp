// Qt Quick Tests of the Peek QML module: a logic vortex (an observable and an action processor
// over a small generic tuple type) and a field service with the proxies run in this process on
// loopback, and the app's Session dials the field service over a real WebSocket. The QML files
// next to this one are the tests; the `TestServer` singleton lets them read and break the server.
#include "session.h"

#include "action/tupleactionprocessor.h"
#include "observable/tupledataobservablehandler.h"
#include "observable/tupledataobservableproxyhandler.h"

#include "quickvortex.h"

#include <QMutex>
#include <QQmlEngine>
#include <QTemporaryDir>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest/quicktest.h>

Q_IMPORT_QML_PLUGIN(PeekPlugin)

using namespace peek;

namespace {

const QString kPlugin = QStringLiteral("test_qml");
const QString kItem = QStringLiteral("test_qml.Item");
const QString kSetString = QStringLiteral("test_qml.SetString");

// Logic's data; providers read it on worker threads.
struct Store {
    QMutex mutex;
    QStringList strings {QStringLiteral("alpha"), QStringLiteral("beta"), QStringLiteral("gamma")};
    ProvidedTuples load()
    {
        QMutexLocker lock(&mutex);
        ProvidedTuples out;
        for (int i = 0; i < strings.size(); ++i)
            out.tuples.push_back(
                std::make_shared<GenericTuple>(kItem,
                                               Dict {{QStringLiteral("id"), qint64(i)},
                                                     {QStringLiteral("int1"), qint64((i + 1) * 10)},
                                                     {QStringLiteral("string1"), strings[i]}}));
        return out;
    }
    QString string(int i)
    {
        QMutexLocker lock(&mutex);
        return strings.value(i);
    }
    bool set(int i, const QString &v)
    {
        QMutexLocker lock(&mutex);
        if (i < 0 || i >= strings.size())
            return false;
        strings[i] = v;
        return true;
    }
};

struct Logic {
    Vortex vortex {QStringLiteral("peek-logic-service"), testing::quickReconnect()};
    TupleDataObservableHandler handler {&vortex, kPlugin, kPlugin};
    TupleActionProcessor processor {&vortex, kPlugin, kPlugin};
    explicit Logic(Store &store)
    {
        handler.addTupleProvider(
            kItem, [&store](const Dict &, const TupleSelector &) { return store.load(); });
        // SetString {id, string1} changes one item; "refuse" is refused (an error answer).
        processor.setDelegate(kSetString,
                              TupleActionProcessor::SyncDelegate([this, &store](const TuplePtr &a) {
                                  const QString s = a->field(QStringLiteral("string1")).toString();
                                  if (s == QLatin1String("refuse"))
                                      throw std::runtime_error("string1 must not be 'refuse'");
                                  if (!store.set(int(a->field(QStringLiteral("id")).toInt()), s))
                                      throw std::runtime_error("no item with that id");
                                  handler.notifyOfTupleUpdateForTuple(kItem);
                                  return std::vector<TuplePtr> {};
                              }));
        testing::listenOrDie(vortex, 0);
    }
};

struct Field {
    Vortex vortex {QStringLiteral("peek-field-service"), testing::quickReconnect()};
    TupleDataObservableProxyHandler observableProxy {
        &vortex, kPlugin, kPlugin, {QStringLiteral("peek-logic-service"), 120000}};
    TupleActionProcessorProxy actionProxy {&vortex, kPlugin, kPlugin,
                                           QStringLiteral("peek-logic-service"), 5000};
    Field(quint16 logicPort, quint16 port)
    {
        testing::listenOrDie(vortex, port);
        vortex.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(logicPort)));
    }
};

} // namespace

// What the QML tests may ask of the server side (registered as the singleton PeekTest.TestServer).
class TestServer : public QObject {
    Q_OBJECT
public:
    Store store;
    Logic logic {store};
    std::unique_ptr<Field> field = std::make_unique<Field>(logic.vortex.serverPort(), 0);
    const quint16 fieldPort = field->vortex.serverPort();

    // Logic's value of item id's string1, read without going through the app.
    Q_INVOKABLE QString logicString(int id) { return store.string(id); }
    // Changes an item on logic and notifies observers, as a plugin's logic would.
    Q_INVOKABLE void setLogicString(int id, const QString &value)
    {
        store.set(id, value);
        logic.handler.notifyOfTupleUpdateForTuple(kItem);
    }
    // Stops / restarts the field service (same port): the app loses and regains its link.
    Q_INVOKABLE void stopField() { field.reset(); }
    Q_INVOKABLE void startField()
    {
        if (!field)
            field = std::make_unique<Field>(logic.vortex.serverPort(), fieldPort);
    }
};

class Setup : public QObject {
    Q_OBJECT
public Q_SLOTS:
    void applicationAvailable()
    {
        m_server = new TestServer;
        qmlRegisterSingletonInstance("PeekTest", 1, 0, "TestServer", m_server);
        app::Session::Options options;
        options.vortex = testing::quickReconnect();
        options.actionTimeoutMs = 5000;
        options.actionRetryMinMs = 50;
        options.actionRetryMaxMs = 200;
        m_session = new app::Session(
            QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_server->fieldPort)),
            QStringLiteral("field"), m_dir.filePath(QStringLiteral("data")), options);
        if (!m_session->isReady())
            qFatal("the test session did not start: %s", qPrintable(m_session->errorString()));
        app::Session::setCurrent(m_session);
    }
    void qmlEngineAvailable(QQmlEngine *engine)
    {
        engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
    }
    void cleanupTestCase()
    {
        app::Session::setCurrent(nullptr);
        delete m_session;
        delete m_server;
    }

private:
    QTemporaryDir m_dir;
    app::Session *m_session = nullptr;
    TestServer *m_server = nullptr;
};

QUICK_TEST_MAIN_WITH_SETUP(tst_qml, Setup)
#include "tst_qml.moc"
