#pragma once
// `peek-server admin ...`: the operator's console on the server machine (docs/identity.md). It
// reads the home's config.json, dials the running logic's admin port with the installation's join
// token as "peek-admin-service", calls the plugin's admin RPC and prints the answer: tables for
// people, JSON with --json. Exit status: 0 done, 1 refused or failed (the message says why),
// 2 wrong usage.
#include <QStringList>

namespace peek::admin {

// `arguments` are those after "admin".
int run(const QStringList &arguments);

// peek-server package PLUGIN_DIR [--out DIR]: writes <DIR>/<name>-<version>.peekplugin (DIR: the
// current folder) from an installed plugin's folder, and checks it reads back.
int package(const QStringList &arguments);

} // namespace peek::admin
