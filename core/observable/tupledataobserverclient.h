#pragma once

#include "base/export.h"
#include "base/role.h"
#include "tuple/tupleselector.h"
#include "vortex/vortex.h"

#include <QObject>
#include <QPointer>

namespace peek {

class TupleOfflineCache;
class TupleDataObserverClient;

// One watcher of a selector: holds the latest tuples and says when they change. Destroy it (or
// call unsubscribe) to stop watching.
class PEEK_CORE_EXPORT TupleSubscription : public QObject
{
    Q_OBJECT
public:
    ~TupleSubscription() override;

    const TupleSelector &selector() const { return m_selector; }
    const std::vector<TuplePtr> &tuples() const { return m_tuples; }
    DateTime date() const { return m_date; }
    bool hasData() const { return m_date.isValid(); }
    bool isFromCache() const { return m_fromCache; } // data from the offline cache, not yet fresh
    QString lastError() const { return m_lastError; }
    void unsubscribe();

Q_SIGNALS:
    void tuplesChanged();
    void errorReceived(const QString &message);

private:
    friend class TupleDataObserverClient;
    TupleSubscription(TupleDataObserverClient *client, const TupleSelector &selector, QObject *parent);
    QPointer<TupleDataObserverClient> m_client;
    TupleSelector m_selector;
    std::vector<TuplePtr> m_tuples;
    DateTime m_date;
    bool m_fromCache = false;
    QString m_lastError;
};

// Subscribes to an observable through the app's field/office service (or, on services, through
// logic), serving each selector from the offline cache first; fresher data replaces it and is
// cached in turn. Subscriptions are restored whenever the connection comes back.
class PEEK_CORE_EXPORT TupleDataObserverClient : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString destVortexName = Role(Role::Field).vortexName();
        TupleOfflineCache *cache = nullptr; // optional; not owned
    };

    TupleDataObserverClient(Vortex *vortex, const QString &plugin, const QString &observableName,
                            const Options &options, QObject *parent = nullptr);
    ~TupleDataObserverClient() override;

    // Cached tuples, if any, are in the subscription when this returns.
    TupleSubscription *subscribe(const TupleSelector &selector, QObject *parent = nullptr);

    int subscribedSelectorCount() const { return int(m_entries.size()); }
    // Sends every subscription again (e.g. once the service approved this device and so serves
    // what it refused before).
    void resubscribeAll();

private:
    friend class TupleSubscription;
    struct Entry;
    void release(TupleSubscription *subscription);
    void sendSubscribe(const TupleSelector &selector, bool subscribe, bool unsubscribe);
    void onMessage(const PayloadEnvelope &envelope, const MessageSource &source);
    void notify(Entry *entry, const std::function<void(TupleSubscription *)> &update);

    QPointer<Vortex> m_vortex;
    QString m_plugin;
    QString m_name;
    Options m_options;
    PayloadRouter::EndpointId m_endpoint = 0;
    QHash<QString, Entry *> m_entries;
};

} // namespace peek
