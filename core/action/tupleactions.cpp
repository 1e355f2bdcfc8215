#include "tupleactions.h"

#include "tuple/tupleregistry.h"

#include <QUuid>

namespace peek {

PEEK_REGISTER_TUPLE(TupleGenericAction)
PEEK_REGISTER_TUPLE(TupleUpdateAction)

namespace action {

Dict processorFilt(const QString &plugin, const QString &processorName)
{
    return Dict{{QStringLiteral("plugin"), plugin}, {QStringLiteral("key"), kKey},
                {QStringLiteral("name"), processorName}};
}

void stamp(Tuple &action)
{
    if (action.field(QStringLiteral("uuid")).toString().isEmpty())
        (void)action.setField(QStringLiteral("uuid"), QUuid::createUuid().toString(QUuid::WithoutBraces));
    if (!action.field(QStringLiteral("dateTime")).toDateTime().isValid())
        (void)action.setField(QStringLiteral("dateTime"), DateTime::currentUtc());
}

QString uuidOf(const Tuple &action)
{
    return action.field(QStringLiteral("uuid")).toString();
}

} // namespace action


} // namespace peek
