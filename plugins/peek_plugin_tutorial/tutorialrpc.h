#pragma once
// The tutorial's RPCs, declared once for both sides (the original's agent <-> logic examples).
#include "peek/plugin.h"
#include "peek/rpc.h"

namespace tutorial::rpc {

// Agent -> logic: a + b.
inline const peek::Rpc &addInts()
{
    static const peek::Rpc rpc(QStringLiteral("peek_plugin_tutorial.addInts"),
                               {QStringLiteral("peek_plugin_tutorial"), peek::Role(peek::Role::Logic).vortexName(),
                                {peek::Role(peek::Role::Agent).vortexName()}});
    return rpc;
}

// Agent -> logic: stores (string1, int1) in the StringInt table; returns the row's id.
inline const peek::Rpc &addStringInt()
{
    static const peek::Rpc rpc(QStringLiteral("peek_plugin_tutorial.addStringInt"),
                               {QStringLiteral("peek_plugin_tutorial"), peek::Role(peek::Role::Logic).vortexName(),
                                {peek::Role(peek::Role::Agent).vortexName()}});
    return rpc;
}

// Logic -> agent: a - b.
inline const peek::Rpc &subInts()
{
    static const peek::Rpc rpc(QStringLiteral("peek_plugin_tutorial.subInts"),
                               {QStringLiteral("peek_plugin_tutorial"), peek::Role(peek::Role::Agent).vortexName(),
                                {peek::Role(peek::Role::Logic).vortexName()}});
    return rpc;
}

} // namespace tutorial::rpc
