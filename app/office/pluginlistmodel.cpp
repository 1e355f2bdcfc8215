#include "pluginlistmodel.h"

#include "officestyle.h"

#include <QApplication>
#include <QColor>
#include <QStyle>
#include <QUrl>

namespace peek::app {

QVariant PluginListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const auto value
        = [&](int bundleRole) { return QIdentityProxyModel::data(index, bundleRole); };
    const bool broken = !value(PluginBundles::ErrorRole).toString().isEmpty()
        && value(PluginBundles::HashRole).toString().isEmpty();
    switch (role) {
    case Qt::DisplayRole:
        return value(PluginBundles::TitleRole);
    case Qt::DecorationRole: {
        if (broken)
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
        const QString file = value(PluginBundles::IconUrlRole).toUrl().toLocalFile();
        const QString title = value(PluginBundles::TitleRole).toString();
        const QString key = file.isEmpty() ? QStringLiteral("letter:") + title : file;
        auto it = m_icons.find(key);
        if (it == m_icons.end()) {
            QIcon icon = file.isEmpty() ? QIcon() : QIcon(file);
            if (icon.pixmap(QSize(24, 24)).isNull())
                icon = letterIcon(title);
            it = m_icons.insert(key, icon);
        }
        return *it;
    }
    case Qt::ToolTipRole: {
        const QString error = value(PluginBundles::ErrorRole).toString();
        const QString about
            = QStringLiteral("%1 %2").arg(value(PluginBundles::PluginRole).toString(),
                                          value(PluginBundles::VersionRole).toString());
        return error.isEmpty() ? about.trimmed() : about.trimmed() + u'\n' + error;
    }
    case Qt::ForegroundRole:
        return broken ? QVariant(QColor(kSubtleColour)) : QVariant();
    default:
        return QIdentityProxyModel::data(index, role);
    }
}

} // namespace peek::app
