#pragma once

#include "pluginbundles.h"

#include <QHash>
#include <QIcon>
#include <QIdentityProxyModel>

namespace peek::app {

// The sidebar's view of PluginBundles: the title as the text, the bundle's icon, and a warning
// icon and tooltip for plugins whose view is not on the device.
class PluginListModel final : public QIdentityProxyModel {
public:
    using QIdentityProxyModel::QIdentityProxyModel;

    QVariant data(const QModelIndex &index, int role) const override;

private:
    mutable QHash<QString, QIcon> m_icons;
};


} // namespace peek::app
