#include "tupleselector.h"

#include "jsoncodec.h"
#include "tupleregistry.h"

namespace peek {

QString TupleSelector::key() const
{
    Dict keyDict;
    keyDict.append(QStringLiteral("name"), name);
    keyDict.append(QStringLiteral("selector"), selector);
    return QString::fromLatin1(json::encodeSorted(Value(std::move(keyDict))));
}

PEEK_REGISTER_TUPLE(TupleSelector)

} // namespace peek
