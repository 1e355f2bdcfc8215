#pragma once

#include "pluginbundles.h"

#include <QHash>
#include <QIcon>
#include <QIdentityProxyModel>
#include <QStyledItemDelegate>

namespace peek::app {

// The sidebar's view of PluginBundles: the title as the text, the bundle's icon, a warning icon
// and tooltip for plugins whose view is not on the device, and a plugin's number (plugin.json ui
// badge: the inbox's unread tasks) in BadgeRole, the tooltip and the accessible text.
class PluginListModel final : public QIdentityProxyModel {
public:
    enum { BadgeRole = Qt::UserRole + 200 };
    using QIdentityProxyModel::QIdentityProxyModel;

    QVariant data(const QModelIndex &index, int role) const override;
    // The number shown beside `plugin` (0: none); the plugins' badge observers report it.
    void setBadge(const QString &plugin, int count);
    void clearBadges() { m_badges.clear(); }

private:
    mutable QHash<QString, QIcon> m_icons;
    QHash<QString, int> m_badges;
};

// Paints a sidebar row as usual, with its BadgeRole number (when above 0) in a pill at the right.
class PluginListDelegate final : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};


} // namespace peek::app
