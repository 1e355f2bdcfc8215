#include "pluginbundles.h"

#include "plugin/uibundle.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSaveFile>

namespace peek::app {

Q_LOGGING_CATEGORY(lcBundles, "peek.app.bundles")

namespace {

constexpr int kTransferTimeoutMs = 30000;
const QString kCompleteMarker = QStringLiteral(".peek-bundle-complete");

PluginBundles::Entry entryFromJson(const QJsonObject &o)
{
    PluginBundles::Entry e;
    e.plugin = o.value(QLatin1String("plugin")).toString();
    e.title = o.value(QLatin1String("title")).toString(e.plugin);
    e.icon = o.value(QLatin1String("icon")).toString();
    e.qml = o.value(QLatin1String("qml")).toString();
    e.showHome = o.value(QLatin1String("showHome")).toBool();
    e.version = o.value(QLatin1String("version")).toString();
    e.hash = o.value(QLatin1String("hash")).toString();
    e.error = o.value(QLatin1String("error")).toString();
    const QJsonObject badge = o.value(QLatin1String("badge")).toObject();
    e.badgeTuple = badge.value(QLatin1String("tuple")).toString();
    e.badgeField = badge.value(QLatin1String("field")).toString();
    e.service = o.value(QLatin1String("service")).toString();
    return e;
}

QJsonObject entryToJson(const PluginBundles::Entry &e)
{
    QJsonObject o {{QStringLiteral("plugin"), e.plugin}, {QStringLiteral("title"), e.title},
                   {QStringLiteral("icon"), e.icon},     {QStringLiteral("qml"), e.qml},
                   {QStringLiteral("showHome"), e.showHome}, {QStringLiteral("version"), e.version},
                   {QStringLiteral("hash"), e.hash}};
    if (!e.error.isEmpty())
        o.insert(QStringLiteral("error"), e.error);
    if (!e.service.isEmpty())
        o.insert(QStringLiteral("service"), e.service);
    if (!e.badgeTuple.isEmpty())
        o.insert(QStringLiteral("badge"), QJsonObject {{QStringLiteral("tuple"), e.badgeTuple}, {QStringLiteral("field"), e.badgeField}});
    return o;
}

// A hash is 64 hex digits: it names a folder, so nothing else is accepted.
bool isHash(const QString &hash)
{
    if (hash.size() != 64)
        return false;
    for (QChar c : hash) {
        if (!c.isDigit() && (c < u'a' || c > u'f'))
            return false;
    }
    return true;
}

bool isPluginName(const QString &name)
{
    if (name.isEmpty() || !name.front().isLower())
        return false;
    for (QChar c : name) {
        if (!c.isLower() && !c.isDigit() && c != u'_')
            return false;
    }
    return true;
}

} // namespace

PluginBundles::PluginBundles(const QString &dataDir, const QString &app, QObject *parent)
    : QAbstractListModel(parent), m_root(QDir(dataDir).filePath(QStringLiteral("ui-bundles"))),
      m_app(app)
{
}

PluginBundles::~PluginBundles()
{
    if (m_reply)
        m_reply->abort();
}

bool PluginBundles::refreshing() const
{
    return !m_reply.isNull() || m_pendingDownloads > 0;
}

QString PluginBundles::bundleDirectory(const Entry &entry) const
{
    return QDir(m_root).filePath(entry.plugin + u'/' + entry.hash);
}

QUrl PluginBundles::viewUrl(const Entry &entry) const
{
    if (entry.hash.isEmpty() || entry.qml.isEmpty())
        return {};
    return QUrl::fromLocalFile(QDir(bundleDirectory(entry)).filePath(entry.qml));
}

bool PluginBundles::hasLocalCopy(const Entry &entry) const
{
    return !entry.hash.isEmpty()
           && QFile::exists(QDir(bundleDirectory(entry)).filePath(kCompleteMarker));
}

void PluginBundles::load()
{
    QFile file(QDir(m_root).filePath(QStringLiteral("index.json")));
    if (!file.exists()) {
        setEntries({});
        return;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = file.open(QIODevice::ReadOnly)
                                  ? QJsonDocument::fromJson(file.readAll(), &parseError)
                                  : QJsonDocument();
    if (!doc.isObject()) {
        qCWarning(lcBundles).noquote()
            << QStringLiteral("the local plugin list %1 cannot be read (%2); it is fetched again "
                              "when the service is reachable")
                   .arg(file.fileName(), file.isOpen() ? parseError.errorString() : file.errorString());
        setEntries({});
        return;
    }
    m_capabilities = doc.object().value(QLatin1String("capabilities")).toObject();
    QList<Entry> entries;
    for (const QJsonValue &v : doc.object().value(QLatin1String("bundles")).toArray()) {
        Entry e = entryFromJson(v.toObject());
        if (!isPluginName(e.plugin))
            continue;
        if (!e.hash.isEmpty() && !hasLocalCopy(e)) {
            e.error = tr("The view of %1 is missing on this device; it is fetched again when the "
                         "service is reachable.")
                          .arg(e.title);
            e.hash.clear();
        }
        entries.append(e);
    }
    setEntries(entries);
}

void PluginBundles::refresh(const QUrl &serviceUrl)
{
    if (refreshing()) {
        m_again = serviceUrl;
        return;
    }
    m_indexUrl = indexUrl(serviceUrl, m_app);
    if (!m_network)
        m_network = new QNetworkAccessManager(this);
    m_errors.clear();
    m_gotIndex = false;
    QNetworkRequest request(m_indexUrl);
    request.setTransferTimeout(kTransferTimeoutMs);
    m_reply = m_network->get(request);
    connect(m_reply, &QNetworkReply::finished, this, &PluginBundles::onIndexReceived);
    Q_EMIT refreshingChanged();
}

void PluginBundles::onIndexReceived()
{
    QNetworkReply *reply = m_reply;
    reply->deleteLater();
    m_reply = nullptr;
    const QJsonDocument doc = reply->error() == QNetworkReply::NoError
                                  ? QJsonDocument::fromJson(reply->readAll())
                                  : QJsonDocument();
    if (!doc.isObject()) {
        m_errors << (reply->error() != QNetworkReply::NoError
                         ? tr("Cannot get the plugin list from %1: %2")
                               .arg(reply->url().toString(), reply->errorString())
                         : tr("The plugin list from %1 is not JSON").arg(reply->url().toString()));
        finishRefresh();
        return;
    }
    m_incoming.clear();
    m_gotIndex = true;
    m_incomingCapabilities = doc.object().value(QLatin1String("capabilities")).toObject();
    for (const QJsonValue &v : doc.object().value(QLatin1String("bundles")).toArray()) {
        const QJsonObject o = v.toObject();
        Entry e = entryFromJson(o);
        if (!isPluginName(e.plugin) || (e.error.isEmpty() && !isHash(e.hash))) {
            m_errors << tr("The service listed a bundle with a bad name or hash: %1")
                            .arg(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)));
            continue;
        }
        if (!e.error.isEmpty())
            e.hash.clear();
        m_incoming.append(e);
        if (e.error.isEmpty() && !hasLocalCopy(e)) {
            download(e, m_indexUrl.resolved(QUrl(o.value(QLatin1String("url")).toString())));
        }
    }
    if (m_pendingDownloads == 0)
        finishRefresh();
}

void PluginBundles::download(const Entry &entry, const QUrl &url)
{
    ++m_pendingDownloads;
    QNetworkRequest request(url);
    request.setTransferTimeout(kTransferTimeoutMs);
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, entry] { onBundleReceived(reply, entry); });
}

void PluginBundles::onBundleReceived(QNetworkReply *reply, Entry entry)
{
    reply->deleteLater();
    QString error;
    if (reply->error() != QNetworkReply::NoError)
        error = tr("cannot download %1: %2").arg(reply->url().toString(), reply->errorString());
    else
        error = install(entry, reply->readAll());
    if (!error.isEmpty()) {
        error = tr("The view of %1 (version %2) could not be updated: %3")
                    .arg(entry.title, entry.version, error);
        m_errors << error;
        // Keep the version the device has, if any; else the row shows the error.
        for (Entry &incoming : m_incoming) {
            if (incoming.plugin != entry.plugin)
                continue;
            const auto old = std::find_if(m_entries.cbegin(), m_entries.cend(),
                                          [&](const Entry &e) { return e.plugin == entry.plugin; });
            if (old != m_entries.cend() && hasLocalCopy(*old)) {
                incoming = *old;
                incoming.error.clear();
            } else {
                incoming.hash.clear();
                incoming.error = error;
            }
        }
    } else {
        qCInfo(lcBundles).noquote() << QStringLiteral("fetched the %1 view of %2, version %3 (%4)")
                                           .arg(m_app, entry.plugin, entry.version, entry.hash.left(12));
    }
    if (--m_pendingDownloads == 0)
        finishRefresh();
}

QString PluginBundles::install(const Entry &entry, const QByteArray &zip) const
{
    auto files = readUiBundleZip(zip);
    if (!files)
        return files.error().message();
    const QString actual = uiBundleHash(files.value());
    if (actual != entry.hash)
        return tr("its content does not match its hash (expected %1, got %2)")
            .arg(entry.hash.left(12), actual.left(12));
    if (!files.value().contains(entry.qml))
        return tr("the bundle has no %1").arg(entry.qml);
    const QDir pluginDir(QDir(m_root).filePath(entry.plugin));
    const QString incoming = pluginDir.filePath(QStringLiteral(".incoming-") + entry.hash);
    QDir(incoming).removeRecursively();
    for (auto it = files.value().cbegin(); it != files.value().cend(); ++it) {
        const QString path = QDir(incoming).filePath(it.key());
        QSaveFile out(path);
        if (!QDir().mkpath(QFileInfo(path).absolutePath()) || !out.open(QIODevice::WriteOnly)
            || out.write(it.value()) != it.value().size() || !out.commit())
            return tr("cannot write %1: %2").arg(path, out.errorString());
    }
    QFile marker(QDir(incoming).filePath(kCompleteMarker));
    if (!marker.open(QIODevice::WriteOnly))
        return tr("cannot write %1: %2").arg(marker.fileName(), marker.errorString());
    marker.close();
    const QString target = bundleDirectory(entry);
    QDir(target).removeRecursively();
    if (!QDir().rename(incoming, target))
        return tr("cannot move %1 to %2").arg(incoming, target);
    return {};
}

void PluginBundles::finishRefresh()
{
    if (m_gotIndex) {
        m_capabilities = m_incomingCapabilities;
        setEntries(m_incoming);
        save();
        removeUnused();
    }
    m_incoming.clear();
    const bool complete = m_errors.isEmpty();
    setLastError(m_errors.join(u'\n'));
    if (!complete)
        qCWarning(lcBundles).noquote() << m_errors.join(QStringLiteral("; "));
    Q_EMIT refreshingChanged();
    Q_EMIT refreshed(complete);
    if (!m_again.isEmpty()) {
        const QUrl again = m_again;
        m_again.clear();
        refresh(again);
    }
}

void PluginBundles::save() const
{
    QJsonArray list;
    for (const Entry &e : m_entries)
        list.append(entryToJson(e));
    QDir().mkpath(m_root);
    QSaveFile file(QDir(m_root).filePath(QStringLiteral("index.json")));
    if (!file.open(QIODevice::WriteOnly)
        || file.write(QJsonDocument(QJsonObject {{QStringLiteral("app"), m_app},
                                                 {QStringLiteral("bundles"), list},
                                                 {QStringLiteral("capabilities"), m_capabilities}})
                          .toJson())
               < 0
        || !file.commit())
        qCWarning(lcBundles).noquote()
            << QStringLiteral("cannot save the plugin list %1: %2; the app fetches it again next start")
                   .arg(file.fileName(), file.errorString());
}

void PluginBundles::removeUnused() const
{
    QSet<QString> keep;
    for (const Entry &e : m_entries) {
        if (!e.hash.isEmpty())
            keep.insert(e.plugin + u'/' + e.hash);
    }
    const QDir root(m_root);
    for (const QString &plugin : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QDir pluginDir(root.filePath(plugin));
        for (const QString &version :
             pluginDir.entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden)) {
            if (!keep.contains(plugin + u'/' + version))
                QDir(pluginDir.filePath(version)).removeRecursively();
        }
        if (pluginDir.isEmpty())
            root.rmdir(plugin);
    }
}

void PluginBundles::setEntries(QList<Entry> entries)
{
    const int before = count();
    beginResetModel();
    m_entries = std::move(entries);
    endResetModel();
    ++m_revision;
    Q_EMIT revisionChanged();
    if (before != count())
        Q_EMIT countChanged();
}

void PluginBundles::setLastError(const QString &error)
{
    if (m_lastError == error)
        return;
    m_lastError = error;
    Q_EMIT lastErrorChanged();
}

QVariantMap PluginBundles::get(int row) const
{
    QVariantMap map;
    if (row < 0 || row >= count())
        return map;
    const QHash<int, QByteArray> names = roleNames();
    for (auto it = names.cbegin(); it != names.cend(); ++it)
        map.insert(QString::fromLatin1(it.value()), data(index(row), it.key()));
    return map;
}

QVariantMap PluginBundles::find(const QString &plugin) const
{
    for (int row = 0; row < count(); ++row) {
        if (m_entries[row].plugin == plugin)
            return get(row);
    }
    return {};
}

int PluginBundles::rowOf(const QString &nameOrTitle) const
{
    if (nameOrTitle.isEmpty())
        return -1;
    for (int row = 0; row < count(); ++row) {
        const Entry &e = m_entries[row];
        if (e.plugin == nameOrTitle || e.plugin == QStringLiteral("peek_plugin_") + nameOrTitle
            || e.title.compare(nameOrTitle, Qt::CaseInsensitive) == 0)
            return row;
    }
    return -1;
}

QUrl PluginBundles::indexUrl(const QUrl &serviceUrl, const QString &app)
{
    QUrl url = serviceUrl;
    url.setScheme(serviceUrl.scheme() == QLatin1String("wss") ? QStringLiteral("https")
                                                               : QStringLiteral("http"));
    url.setPath(QStringLiteral("/peek/ui/%1/index.json").arg(app));
    url.setQuery(QString());
    return url;
}

int PluginBundles::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : count();
}

QVariant PluginBundles::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= count())
        return {};
    const Entry &e = m_entries[index.row()];
    switch (role) {
    case PluginRole: return e.plugin;
    case TitleRole: return e.title;
    case IconUrlRole:
        return e.icon.isEmpty() || e.hash.isEmpty()
                   ? QUrl()
                   : QUrl::fromLocalFile(QDir(bundleDirectory(e)).filePath(e.icon));
    case ViewUrlRole: return viewUrl(e);
    case ShowHomeRole: return e.showHome;
    case VersionRole: return e.version;
    case HashRole: return e.hash;
    case ErrorRole: return e.error;
    case BadgeTupleRole: return e.badgeTuple;
    case BadgeFieldRole: return e.badgeField;
    case ServiceUrlRole:
        return e.service.isEmpty() || !hasLocalCopy(e) ? QUrl() : QUrl::fromLocalFile(QDir(bundleDirectory(e)).filePath(e.service));
    default: return {};
    }
}

QHash<int, QByteArray> PluginBundles::roleNames() const
{
    return {{PluginRole, "plugin"},   {TitleRole, "title"},     {IconUrlRole, "iconUrl"},
            {ViewUrlRole, "viewUrl"}, {ShowHomeRole, "showHome"}, {VersionRole, "version"},
            {HashRole, "hash"},       {ErrorRole, "error"},   {BadgeTupleRole, "badgeTuple"},
            {BadgeFieldRole, "badgeField"}, {ServiceUrlRole, "serviceUrl"}};
}

} // namespace peek::app
