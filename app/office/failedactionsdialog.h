#pragma once

#include <QDialog>
#include <QPointer>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace peek::app {

class Session;

// The actions the service refused or that could not be delivered, as a table (plugin, action,
// when, why), with retry and discard for the selected ones or all. Modeless; follows the
// session's failed count while open.
class FailedActionsDialog final : public QDialog {
    Q_OBJECT
public:
    explicit FailedActionsDialog(Session *session, QWidget *parent = nullptr);

    QTreeWidget *list() const { return m_list; }
    // Reads the failed actions again.
    void reload();
    void retrySelected();
    void discardSelected();

private:
    QList<qint64> selectedIds() const;
    void updateButtons();

    QPointer<Session> m_session;
    QLabel *m_summary = nullptr;
    QTreeWidget *m_list = nullptr;
    QPushButton *m_retry = nullptr;
    QPushButton *m_discard = nullptr;
    QPushButton *m_retryAll = nullptr;
};

} // namespace peek::app
