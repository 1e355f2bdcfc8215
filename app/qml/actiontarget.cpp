#include "actiontarget.h"

namespace peek::app {

void ActionTarget::setPlugin(const QString &plugin)
{
    if (m_plugin == plugin)
        return;
    const QString before = processor();
    m_plugin = plugin;
    Q_EMIT pluginChanged();
    if (processor() != before)
        Q_EMIT processorChanged();
}

void ActionTarget::setProcessor(const QString &processorName)
{
    if (m_processor == processorName)
        return;
    const QString before = processor();
    m_processor = processorName;
    if (processor() != before)
        Q_EMIT processorChanged();
}

} // namespace peek::app
