#include "officestyle.h"

#include <QColor>
#include <QFont>
#include <QList>
#include <QPainter>
#include <QPen>

namespace peek::app {

QString officeStyleSheet()
{
    return QStringLiteral(R"(
#sidebarPanel { background: %1; border-right: 1px solid %2; }
#sidebarHeading { color: %4; font-weight: 600; letter-spacing: 1px; }
#serverLabel { color: %4; }
QListView#sidebar { background: transparent; border: none; outline: 0; color: %3; }
QListView#sidebar::item { padding: 7px 8px; margin: 1px 8px; border-radius: 6px; }
QListView#sidebar::item:hover { background: #e6ebf0; }
QListView#sidebar::item:selected { background: #d9e6f6; color: #0b3d91; }
#viewHeader { background: #ffffff; border-bottom: 1px solid %2; }
#viewTitle { color: %3; }
#viewSubtitle { color: %4; }
#emptyPage { background: #ffffff; }
#emptyTitle { color: %3; }
#emptyText { color: %4; }
QPushButton#emptyChangeServer { background: #1565c0; color: white; border: none;
    border-radius: 4px; padding: 7px 18px; font-weight: 600; }
QPushButton#emptyChangeServer:hover { background: #1976d2; }
QPushButton#emptyChangeServer:pressed { background: #0d47a1; }
QMenuBar { background: %1; border-bottom: 1px solid %2; }
QStatusBar { background: %1; border-top: 1px solid %2; color: %3; }
QStatusBar::item { border: none; }
#queuedLabel, #syncLabel { color: %3; padding: 0 6px; }
#failedButton { border: 1px solid transparent; border-radius: 4px; padding: 1px 8px; color: %3; }
#failedButton:hover { border-color: %2; background: #ffffff; }
#failedButton:disabled { color: %4; }
)")
                                .arg(kSidebarColour, kBorderColour, kTextColour, kSubtleColour);
}


// A round badge with the first letter of the title, for plugins without an icon.
QIcon letterIcon(const QString &title)
{
    static const QList<QColor> colours {QColor(0x1565c0), QColor(0x2e7d32), QColor(0x6a1b9a),
                                        QColor(0xef6c00), QColor(0x00838f), QColor(0xad1457)};
    QPixmap pixmap(64, 64);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(colours.at(int(qHash(title) % colours.size())));
    painter.drawEllipse(pixmap.rect().adjusted(2, 2, -2, -2));
    QFont font = painter.font();
    font.setPixelSize(34);
    font.setBold(true);
    painter.setFont(font);
    painter.setPen(Qt::white);
    painter.drawText(pixmap.rect(), Qt::AlignCenter, title.left(1).toUpper());
    return QIcon(pixmap);
}

// The empty state's picture: a server with a link, drawn so it is sharp at any scale.
QPixmap serverPicture(int size, qreal dpr)
{
    QPixmap pixmap(QSize(size, size) * dpr);
    pixmap.setDevicePixelRatio(dpr);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0xe8eef5));
    painter.drawEllipse(QRectF(0, 0, size, size));
    const qreal unit = size / 12.0;
    const QColor ink(0x7a8ea3);
    for (int i = 0; i < 2; ++i) {
        const QRectF box(3 * unit, (3.2 + i * 2.6) * unit, 6 * unit, 2.1 * unit);
        painter.setPen(QPen(ink, unit * 0.35));
        painter.setBrush(Qt::white);
        painter.drawRoundedRect(box, unit * 0.4, unit * 0.4);
        painter.setPen(Qt::NoPen);
        painter.setBrush(ink);
        painter.drawEllipse(QPointF(box.left() + unit * 0.9, box.center().y()), unit * 0.3,
                            unit * 0.3);
        painter.drawRoundedRect(
            QRectF(box.left() + 2.2 * unit, box.center().y() - unit * 0.15, 3 * unit, unit * 0.3),
            unit * 0.15, unit * 0.15);
    }
    painter.setPen(QPen(ink, unit * 0.35, Qt::DashLine, Qt::RoundCap));
    painter.drawLine(QPointF(6 * unit, 8 * unit), QPointF(6 * unit, 9.6 * unit));
    return pixmap;
}

} // namespace peek::app
