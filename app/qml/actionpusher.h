#pragma once

#include "actiontarget.h"

#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

namespace peek::app {

// Sends actions from a view to a plugin's action processor through the app's durable queue, so
// a push works offline too and is delivered when the service is back:
//
//   ActionPusher { id: pusher; plugin: "my_plugin" }
//   onClicked: pusher.push("my_plugin.SetName", {id: 3, name: "new"})
class ActionPusher : public peek::app::ActionTarget {
    Q_OBJECT
    QML_ELEMENT
    // Why the last push() was refused; "" after a push that was queued.
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
public:
    explicit ActionPusher(QObject *parent = nullptr);

    QString error() const { return m_error; }

    // Queues a tuple of type tupleType with these fields (a uuid and dateTime are added when
    // missing). True once it is stored on the device; false with `error` set when refused.
    Q_INVOKABLE bool push(const QString &tupleType, const QVariantMap &fields = {});

Q_SIGNALS:
    void errorChanged();

private:
    bool fail(const QString &error);

    QString m_error;
};

} // namespace peek::app
