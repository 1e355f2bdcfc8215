#pragma once
// ServiceHost options for tests that run roles in their own process (link peekhost): loopback,
// every port chosen by the system, quick reconnects, the given plugins from the given folders.
#include "host/servicehost.h"
#include "quickvortex.h"

namespace testing {

inline peek::ServiceHostOptions inProcessHost(const QString &home, const QList<peek::Role> &roles, const QStringList &plugins,
                                              const QStringList &pluginDirectories)
{
    peek::ServiceHostOptions o;
    o.home = home;
    o.roles = roles;
    o.listenAddress = QHostAddress::LocalHost;
    o.fieldPort = 0;
    o.officePort = 0;
    o.logicAdminPort = 0;
    o.logicDataExchangePort = 0;
    o.enabledPlugins = plugins;
    o.pluginDirectories = pluginDirectories;
    o.vortexOptions = quickReconnect();
    return o;
}

} // namespace testing
