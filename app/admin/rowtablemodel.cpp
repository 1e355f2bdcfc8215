#include "rowtablemodel.h"

#include <QLocale>

namespace peek::app {

RowTableModel::RowTableModel(QList<Column> columns, QObject *parent)
    : QAbstractTableModel(parent), m_columns(std::move(columns))
{
}

void RowTableModel::setRows(QList<Dict> rows)
{
    // Same number of rows: changed in place (a view keeps its selection and scroll position).
    if (rows.size() == m_rows.size()) {
        m_rows = std::move(rows);
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, int(m_columns.size()) - 1));
        return;
    }
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int RowTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RowTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_columns.size());
}

QString RowTableModel::text(const Value &value)
{
    switch (value.type()) {
    case Value::Type::Null:
        return {};
    case Value::Type::Bool:
        return value.toBool() ? tr("yes") : tr("no");
    case Value::Type::DateTime: {
        const QDateTime at = value.toDateTime().toQDateTime();
        return at.isValid() ? QLocale().toString(at.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss")) : QString();
    }
    case Value::Type::List: {
        QStringList parts;
        for (const Value &v : value.toList())
            parts << text(v);
        return parts.join(QStringLiteral(", "));
    }
    default:
        return value.toString();
    }
}

Dict RowTableModel::fields(const Tuple &tuple)
{
    Dict out;
    for (const QString &name : tuple.fieldNames())
        out.insert(name, tuple.field(name));
    return out;
}

QVariant RowTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || index.column() >= m_columns.size())
        return {};
    const Value *v = m_rows.at(index.row()).find(m_columns.at(index.column()).key);
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return v ? text(*v) : QString();
    case Qt::UserRole: // the sort key
        if (!v)
            return QString();
        if (v->type() == Value::Type::Int)
            return v->toInt();
        if (v->type() == Value::Type::Float)
            return v->toDouble();
        if (v->type() == Value::Type::DateTime)
            return v->toDateTime().toQDateTime();
        return text(*v).toLower();
    default:
        return {};
    }
}

QVariant RowTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section < m_columns.size())
        return m_columns.at(section).title;
    return {};
}

} // namespace peek::app
