#pragma once
// The tutorial's tuples (the original's StringIntTuple and its two actions). Tuple type names
// start with the plugin's name, as the platform requires.
#include "peek/action.h"
#include "peek/tuple.h"

namespace tutorial {

inline constexpr const char *kPlugin = "peek_plugin_tutorial";

struct StringIntTuple : peek::TypedTuple<StringIntTuple>
{
    PEEK_TUPLE(StringIntTuple, "peek_plugin_tutorial.StringIntTuple", id, string1, int1, changedBy, changedOn)
    qint64 id = 0;
    QString string1;
    qint64 int1 = 0;
    QString changedBy; // the user who changed it last (empty: not changed from a device)
    QString changedOn; // and the device they did it on
};

// Who is asking (the observable "tutorialWhoAmI", per caller): each device and user gets its
// own answer, from what the field or office service vouched for (peek::currentCaller()).
struct WhoAmITuple : peek::TypedTuple<WhoAmITuple>
{
    PEEK_TUPLE(WhoAmITuple, "peek_plugin_tutorial.WhoAmITuple", userName, deviceName, roles)
    QString userName;
    QString deviceName;
    peek::ValueList roles;
};

// Toggles the capitals of a row's string ("Peek" -> "PEEK" -> "peek").
struct StringCapToggleActionTuple : peek::TypedTuple<StringCapToggleActionTuple>
{
    PEEK_TUPLE(StringCapToggleActionTuple, "peek_plugin_tutorial.StringCapToggleActionTuple", stringIntId, uuid, dateTime)
    qint64 stringIntId = 0;
    QString uuid;
    peek::DateTime dateTime;
};

// Adds offset (negative to decrease) to a row's int.
struct AddIntValueActionTuple : peek::TypedTuple<AddIntValueActionTuple>
{
    PEEK_TUPLE(AddIntValueActionTuple, "peek_plugin_tutorial.AddIntValueActionTuple", stringIntId, offset, uuid, dateTime)
    qint64 stringIntId = 0;
    qint64 offset = 0;
    QString uuid;
    peek::DateTime dateTime;
};

} // namespace tutorial
