#include "base/apiversion.h"

namespace peek {

QVersionNumber PluginApiVersion::current()
{
    return QVersionNumber(PEEK_API_VERSION_MAJOR, PEEK_API_VERSION_MINOR);
}

QString PluginApiVersion::refusal(const QVersionNumber &required)
{
    const QVersionNumber offered = current();
    if (required.majorVersion() == offered.majorVersion()
        && required.minorVersion() <= offered.minorVersion())
        return {};
    const QString why = required.majorVersion() != offered.majorVersion()
        ? QStringLiteral("a plugin for API %1.x is needed").arg(offered.majorVersion())
        : QStringLiteral("update Peek, or use a plugin written for API %1").arg(offered.toString());
    return QStringLiteral("needs plugin API %1, this platform offers %2 (%3)")
        .arg(required.toString(), offered.toString(), why);
}

} // namespace peek
