#pragma once
// The office window's look: its colours (Fusion's light palette underneath), its style sheet, and
// the pictures it draws (a plugin's letter badge, the empty state's server).
#include <QIcon>
#include <QPixmap>
#include <QString>

namespace peek::app {

inline const QString kSidebarColour = QStringLiteral("#f4f6f8");
inline const QString kBorderColour = QStringLiteral("#dde3ea");
inline const QString kTextColour = QStringLiteral("#1f2933");
inline const QString kSubtleColour = QStringLiteral("#66788a");

QString officeStyleSheet();
// A round badge with the first letter of the title, for plugins without an icon.
QIcon letterIcon(const QString &title);
// The empty state's picture: a server with a link, drawn so it is sharp at any scale.
QPixmap serverPicture(int size, qreal dpr);

} // namespace peek::app
