#pragma once
#include <QStringList>

namespace peek::admin {

// peek-server new-plugin NAME [--dir DIR]: writes DIR/NAME (DIR: the current folder), a plugin
// that builds against the installed SDK and whose own test passes, from the template in
// sdk/plugin-template (built into peek-server). 0 done, 1 failed, 2 wrong usage.
int newPlugin(const QStringList &arguments);

} // namespace peek::admin
