#include "pluginlistmodel.h"

#include "officestyle.h"

#include <QApplication>
#include <QColor>
#include <QPainter>
#include <QStyle>
#include <QUrl>

namespace peek::app {

namespace {
const QColor kBadgeColour(QStringLiteral("#c62828")); // as the field app's status bar badge
}

void PluginListModel::setBadge(const QString &plugin, int count)
{
    count = qMax(0, count);
    if (m_badges.value(plugin) == count)
        return;
    if (count == 0)
        m_badges.remove(plugin);
    else
        m_badges.insert(plugin, count);
    const auto *bundles = qobject_cast<const PluginBundles *>(sourceModel());
    if (const int row = bundles ? bundles->rowOf(plugin) : -1; row >= 0) {
        const QModelIndex at = index(row, 0);
        Q_EMIT dataChanged(at, at, {BadgeRole, Qt::ToolTipRole, Qt::AccessibleTextRole});
    }
}

void PluginListDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const int count = index.data(PluginListModel::BadgeRole).toInt();
    if (count <= 0) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    const QString text = count > 99 ? QStringLiteral("99+") : QString::number(count);
    QFont font = option.font;
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 0.85);
    const QFontMetrics metrics(font);
    const int height = metrics.height() + 2;
    const int width = qMax(height, metrics.horizontalAdvance(text) + 12);
    const QRect pill(option.rect.right() - width - 8, option.rect.center().y() - height / 2, width, height);
    // The whole row as usual (its selection included), the title elided short of the pill.
    QStyleOptionViewItem row(option);
    initStyleOption(&row, index);
    const QStyle *style = row.widget ? row.widget->style() : QApplication::style();
    const QRect textRect = style->subElementRect(QStyle::SE_ItemViewItemText, &row, row.widget);
    row.text = row.fontMetrics.elidedText(row.text, Qt::ElideRight, qMax(0, pill.left() - 6 - textRect.left()));
    style->drawControl(QStyle::CE_ItemViewItem, &row, painter, row.widget);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(kBadgeColour);
    painter->drawRoundedRect(pill, height / 2.0, height / 2.0);
    painter->setPen(Qt::white);
    painter->setFont(font);
    painter->drawText(pill, Qt::AlignCenter, text);
    painter->restore();
}

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
        QString about = QStringLiteral("%1 %2").arg(value(PluginBundles::PluginRole).toString(),
                                                    value(PluginBundles::VersionRole).toString()).trimmed();
        if (const int count = m_badges.value(value(PluginBundles::PluginRole).toString()); count > 0)
            about += u'\n' + QApplication::translate("PluginListModel", "%1 new").arg(count);
        return error.isEmpty() ? about : about + u'\n' + error;
    }
    case Qt::AccessibleTextRole: {
        const QString title = value(PluginBundles::TitleRole).toString();
        const int count = m_badges.value(value(PluginBundles::PluginRole).toString());
        return count > 0 ? QApplication::translate("PluginListModel", "%1, %2 new").arg(title).arg(count) : title;
    }
    case BadgeRole:
        return m_badges.value(value(PluginBundles::PluginRole).toString());
    case Qt::ForegroundRole:
        return broken ? QVariant(QColor(kSubtleColour)) : QVariant();
    default:
        return QIdentityProxyModel::data(index, role);
    }
}

} // namespace peek::app
