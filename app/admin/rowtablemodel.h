#pragma once

#include "tuple/tuple.h"

#include <QAbstractTableModel>
#include <QList>

namespace peek::app {

// A table of rows (each a Dict: a tuple's fields, or an answer's row) in columns named by their
// keys: what every page of the admin window shows. Sorting sorts by the value (numbers as numbers,
// times as times); filtering matches the shown text.
class RowTableModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    struct Column
    {
        QString key;
        QString title;
    };
    explicit RowTableModel(QList<Column> columns, QObject *parent = nullptr);

    // The rows now; as many as before are changed in place (a view keeps its selection and
    // scroll position), another number resets the model.
    void setRows(QList<Dict> rows);
    const QList<Dict> &rows() const { return m_rows; }
    const Dict &row(int index) const { return m_rows.at(index); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // A value as the window shows it: times local, lists joined, yes/no.
    static QString text(const Value &value);
    // A tuple's fields as a row.
    static Dict fields(const Tuple &tuple);

private:
    QList<Column> m_columns;
    QList<Dict> m_rows;
};

} // namespace peek::app
