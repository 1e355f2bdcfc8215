#pragma once
// Helpers for tests that drive the apps' Qt Quick scenes: find an item by objectName, and write
// a screenshot into the build's screenshots folder (PEEK_SCREENSHOT_DIR).
#include <QDebug>
#include <QDir>
#include <QImage>
#include <QQuickItem>

namespace testing {

// The first item named `name` in the tree under `root` (root included), or null.
inline QQuickItem *findItem(QQuickItem *root, const QString &name)
{
    if (!root)
        return nullptr;
    if (root->objectName() == name)
        return root;
    for (QQuickItem *child : root->childItems()) {
        if (QQuickItem *found = findItem(child, name))
            return found;
    }
    return nullptr;
}

#ifdef PEEK_SCREENSHOT_DIR
// Saves `image` as <PEEK_SCREENSHOT_DIR>/<name>.png; false when it is empty or cannot be written.
inline bool saveScreenshot(const QImage &image, const QString &name)
{
    const QString dir = QStringLiteral(PEEK_SCREENSHOT_DIR);
    QDir().mkpath(dir);
    const QString path = dir + u'/' + name + QStringLiteral(".png");
    const bool ok = !image.isNull() && image.save(path);
    qInfo().noquote() << "screenshot" << path << (ok ? "written" : "FAILED");
    return ok;
}
#endif

} // namespace testing
