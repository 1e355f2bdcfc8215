#pragma once

#include <QAbstractListModel>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace peek::app {

// The plugins the app shows and where their views are: a copy of each plugin's UI bundle kept
// on the device, so the app starts and shows plugin views with no network (Peek.plugins in QML).
//
//   <dataDir>/ui-bundles/index.json            what the app last got (plugin, title, hash, ...)
//   <dataDir>/ui-bundles/<plugin>/<hash>/...   the unpacked files of that version
//
// load() reads the local index at once. refresh() asks the service for its index
// (GET /peek/ui/<app>/index.json on the service's port), downloads the bundles whose hash it has
// not got, checks each against its hash, unpacks it next to the old one and only then switches
// the index to it; old versions are removed afterwards. A bundle that cannot be fetched keeps the
// version the device had (its row says why it is not up to date); a plugin the service reports
// as broken, or one never fetched, has a row with `error` set so the app shows an error card.
class PluginBundles : public QAbstractListModel {
    Q_OBJECT
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    // Goes up each time the list is replaced (a binding on it sees new versions of the same list).
    Q_PROPERTY(int revision READ revision NOTIFY revisionChanged)
    Q_PROPERTY(bool refreshing READ refreshing NOTIFY refreshingChanged)
    // Why the last refresh did not complete ("" after one that did).
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)
public:
    enum Role {
        PluginRole = Qt::UserRole + 1,
        TitleRole,
        IconUrlRole,
        ViewUrlRole,
        ShowHomeRole,
        VersionRole,
        HashRole,
        ErrorRole,
        BadgeTupleRole,
        BadgeFieldRole,
        ServiceUrlRole,
    };

    struct Entry {
        QString plugin;
        QString title;
        QString icon; // relative to the bundle
        QString qml;  // relative to the bundle
        bool showHome = false;
        QString version;
        QString hash;  // empty: no local copy
        QString error; // why the view cannot be shown, or why it is not up to date
        QString badgeTuple; // the tuple whose field badgeField is the tile's number (plugin.json ui badge)
        QString badgeField;
        QString service; // relative to the bundle: the plugin's background QML (plugin.json ui service)
    };

    PluginBundles(const QString &dataDir, const QString &app, QObject *parent = nullptr);
    ~PluginBundles() override;

    // Reads the local index (synchronous; a missing index is an empty list).
    void load();
    // Fetches what changed from the service at serviceUrl (ws[s]://host:port). A refresh asked
    // for while one runs starts again when that one is done.
    void refresh(const QUrl &serviceUrl);

    int count() const { return int(m_entries.size()); }
    int revision() const { return m_revision; }
    bool refreshing() const;
    QString lastError() const { return m_lastError; }
    const QList<Entry> &entries() const { return m_entries; }
    QString bundleDirectory(const Entry &entry) const;
    QUrl viewUrl(const Entry &entry) const;

    // A row as a map with the role names; {} when out of range / not listed.
    Q_INVOKABLE QVariantMap get(int row) const;
    Q_INVOKABLE QVariantMap find(const QString &plugin) const;
    // The row of a plugin named as a person would: its name ("peek_plugin_tutorial"), its
    // name without "peek_plugin_" ("tutorial") or its title (any case); -1 when not listed.
    Q_INVOKABLE int rowOf(const QString &nameOrTitle) const;

    // What a plugin offers the apps (its plugin.json "capabilities", listed by the service, kept
    // with the index): {plugin, and the capability's fields}, or {} when no plugin offers it.
    QJsonObject capability(const QString &name) const { return m_capabilities.value(name).toObject(); }
    // Where a service (ws[s]://host:port) lists the bundles of `app`:
    // http[s]://host:port/peek/ui/<app>/index.json
    static QUrl indexUrl(const QUrl &serviceUrl, const QString &app);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void countChanged();
    void revisionChanged();
    void refreshingChanged();
    void lastErrorChanged();
    // After every refresh, with whether it completed (the service answered and every bundle
    // is on the device).
    void refreshed(bool complete);

private:
    void onIndexReceived();
    void download(const Entry &entry, const QUrl &url);
    void onBundleReceived(QNetworkReply *reply, Entry entry);
    void finishRefresh();
    QJsonObject m_capabilities, m_incomingCapabilities;
    QString install(const Entry &entry, const QByteArray &zip) const;
    bool hasLocalCopy(const Entry &entry) const;
    void save() const;
    void removeUnused() const;
    void setEntries(QList<Entry> entries);
    void setLastError(const QString &error);

    QString m_root; // <dataDir>/ui-bundles
    QString m_app;
    QList<Entry> m_entries;
    int m_revision = 0;
    QString m_lastError;
    QNetworkAccessManager *m_network = nullptr;
    QUrl m_indexUrl; // of the refresh under way; bundle URLs are relative to it
    QPointer<QNetworkReply> m_reply; // the index request
    QList<Entry> m_incoming;        // the service's list while its bundles download
    int m_pendingDownloads = 0;
    bool m_gotIndex = false;        // this refresh has the service's list
    QStringList m_errors;           // of this refresh
    QUrl m_again;                   // refresh asked for while one ran
};

} // namespace peek::app
