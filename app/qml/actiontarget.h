#pragma once

#include <QObject>
#include <QtQml/qqmlregistration.h>

namespace peek::app {

// Where a view's actions go: a plugin and its action processor (the plugin's name unless set).
// The base of ActionPusher (queued actions) and TupleEditor (table edits).
class ActionTarget : public QObject {
    Q_OBJECT
    QML_ANONYMOUS
    Q_PROPERTY(QString plugin READ plugin WRITE setPlugin NOTIFY pluginChanged)
    // The action processor's name; defaults to the plugin's name. Assign "" for the default.
    Q_PROPERTY(QString processor READ processor WRITE setProcessor NOTIFY processorChanged)
public:
    explicit ActionTarget(QObject *parent = nullptr) : QObject(parent) { }

    QString plugin() const { return m_plugin; }
    void setPlugin(const QString &plugin);
    QString processor() const { return m_processor.isEmpty() ? m_plugin : m_processor; }
    void setProcessor(const QString &processor);

Q_SIGNALS:
    void pluginChanged();
    void processorChanged();

private:
    QString m_plugin;
    QString m_processor;
};

} // namespace peek::app
