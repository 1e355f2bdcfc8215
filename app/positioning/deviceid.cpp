#include "deviceid.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QUuid>

namespace peek::app {

Result<QString> loadOrCreateDeviceId(const QString &dataDir)
{
    const auto fail = [](const QString &why) { return Result<QString>(Error {why}); };
    const QString path = QDir(dataDir).filePath(QStringLiteral("device-id"));
    QFile existing(path);
    if (existing.open(QIODevice::ReadOnly)) {
        const QString id = QString::fromUtf8(existing.readAll()).trimmed();
        if (!id.isEmpty())
            return id;
        // An empty file (a crash while writing it, say): make a new identity.
    } else if (existing.exists()) {
        return fail(QStringLiteral("cannot read the device id in %1: %2; check its permissions")
                        .arg(path, existing.errorString()));
    }
    if (!QDir().mkpath(dataDir))
        return fail(
            QStringLiteral("cannot create the data directory %1 for the device id").arg(dataDir));
    const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(id.toUtf8() + '\n') < 0 || !file.commit())
        return fail(
            QStringLiteral("cannot write the device id to %1: %2").arg(path, file.errorString()));
    return id;
}

} // namespace peek::app
