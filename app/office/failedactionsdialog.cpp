#include "failedactionsdialog.h"

#include "pluginbundles.h"
#include "session.h"

#include "tuple/tuple.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace peek::app {

namespace {

constexpr int kIdRole = Qt::UserRole + 1;

enum Column { PluginColumn, ActionColumn, FailedAtColumn, ErrorColumn };

// "peek_plugin_tutorial.AddIntValueActionTuple" -> "AddIntValueActionTuple"
QString shortType(const QString &type)
{
    const qsizetype dot = type.lastIndexOf(u'.');
    return dot < 0 ? type : type.mid(dot + 1);
}

} // namespace

FailedActionsDialog::FailedActionsDialog(Session *session, QWidget *parent)
    : QDialog(parent), m_session(session)
{
    setObjectName(QStringLiteral("failedActionsDialog"));
    setWindowTitle(tr("Failed actions"));
    resize(760, 380);

    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);

    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("failedActionsList"));
    m_list->setRootIsDecorated(false);
    m_list->setAlternatingRowColors(true);
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setUniformRowHeights(false);
    m_list->setWordWrap(true);
    m_list->setHeaderLabels({tr("Plugin"), tr("Action"), tr("Failed at"), tr("Error")});
    m_list->header()->setStretchLastSection(true);
    m_list->header()->setMinimumSectionSize(90);
    connect(m_list, &QTreeWidget::itemSelectionChanged, this, &FailedActionsDialog::updateButtons);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_retry = buttons->addButton(tr("&Retry"), QDialogButtonBox::ActionRole);
    m_discard = buttons->addButton(tr("&Discard"), QDialogButtonBox::ActionRole);
    m_retryAll = buttons->addButton(tr("Retry &all"), QDialogButtonBox::ActionRole);
    m_retry->setObjectName(QStringLiteral("retrySelected"));
    m_discard->setObjectName(QStringLiteral("discardSelected"));
    m_retryAll->setObjectName(QStringLiteral("retryAll"));
    m_retry->setToolTip(tr("Sends the selected actions again"));
    m_discard->setToolTip(tr("Drops the selected actions; their changes are not made"));
    connect(m_retry, &QPushButton::clicked, this, &FailedActionsDialog::retrySelected);
    connect(m_discard, &QPushButton::clicked, this, &FailedActionsDialog::discardSelected);
    connect(m_retryAll, &QPushButton::clicked, this, [this] {
        if (m_session)
            m_session->retryFailedActions();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 16, 16, 12);
    layout->setSpacing(10);
    layout->addWidget(m_summary);
    layout->addWidget(m_list, 1);
    layout->addWidget(buttons);

    if (m_session)
        connect(m_session, &Session::failedActionsChanged, this, &FailedActionsDialog::reload);
    reload();
}

void FailedActionsDialog::reload()
{
    m_list->clear();
    TupleActionPushOfflineQueue *queue = m_session ? m_session->actionQueue() : nullptr;
    const QList<TupleActionPushOfflineQueue::Failed> failed
        = queue ? queue->failedActions() : QList<TupleActionPushOfflineQueue::Failed>();
    for (const auto &action : failed) {
        const QString type = action.action ? action.action->tupleType() : action.processorName;
        const QVariantMap entry = m_session->plugins()->find(action.plugin);
        const QString title = entry.value(QStringLiteral("title"), action.plugin).toString();
        auto *item = new QTreeWidgetItem(m_list);
        item->setData(PluginColumn, kIdRole, action.id);
        item->setText(PluginColumn, title);
        item->setToolTip(PluginColumn, action.plugin);
        item->setText(ActionColumn, shortType(type));
        item->setToolTip(ActionColumn, type);
        item->setText(
            FailedAtColumn,
            QLocale().toString(action.failedAt.toQDateTime().toLocalTime(), QLocale::ShortFormat));
        item->setText(ErrorColumn, action.error);
        item->setToolTip(ErrorColumn, action.error);
    }
    m_summary->setText(failed.isEmpty()
                           ? tr("No failed actions: everything this device queued was delivered "
                                "or is still waiting to be sent.")
                           : failed.size() == 1
                           ? tr("One action could not be done. Retry sends it again (after fixing "
                                "the cause); discard drops it.")
                           : tr("%1 actions could not be done. Retry sends them again (after "
                                "fixing the cause); discard drops them.")
                                 .arg(failed.size()));
    for (int column : {PluginColumn, ActionColumn, FailedAtColumn}) {
        m_list->resizeColumnToContents(column);
        m_list->setColumnWidth(column, m_list->columnWidth(column) + 16);
    }
    m_retryAll->setEnabled(!failed.isEmpty());
    updateButtons();
}

QList<qint64> FailedActionsDialog::selectedIds() const
{
    QList<qint64> ids;
    for (const QTreeWidgetItem *item : m_list->selectedItems())
        ids << item->data(PluginColumn, kIdRole).toLongLong();
    return ids;
}

void FailedActionsDialog::updateButtons()
{
    const bool selected = !m_list->selectedItems().isEmpty();
    m_retry->setEnabled(selected);
    m_discard->setEnabled(selected);
}

void FailedActionsDialog::retrySelected()
{
    if (!m_session || !m_session->actionQueue())
        return;
    for (qint64 id : selectedIds())
        m_session->actionQueue()->retryFailed(id);
}

void FailedActionsDialog::discardSelected()
{
    if (!m_session || !m_session->actionQueue())
        return;
    for (qint64 id : selectedIds())
        m_session->actionQueue()->discardFailed(id);
}

} // namespace peek::app
