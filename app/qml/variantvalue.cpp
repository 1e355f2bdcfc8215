#include "variantvalue.h"

#include <QJSValue>

#include <cmath>

namespace peek::app {

Value valueFromQml(const QVariant &variant)
{
    QVariant v = variant;
    if (v.metaType() == QMetaType::fromType<QJSValue>())
        v = v.value<QJSValue>().toVariant();
    switch (v.typeId()) {
    case QMetaType::Double:
    case QMetaType::Float: {
        const double d = v.toDouble();
        if (std::isfinite(d) && d == std::trunc(d) && std::abs(d) < 9007199254740992.0) // 2^53
            return qint64(d);
        return d;
    }
    case QMetaType::QVariantList:
    case QMetaType::QStringList: {
        ValueList out;
        for (const auto &item : v.toList())
            out.push_back(valueFromQml(item));
        return out;
    }
    case QMetaType::QVariantMap:
        return dictFromQml(v.toMap());
    default:
        return Value::fromVariant(v);
    }
}

Dict dictFromQml(const QVariantMap &map)
{
    Dict out;
    for (auto it = map.begin(); it != map.end(); ++it)
        out.append(it.key(), valueFromQml(it.value()));
    return out;
}

} // namespace peek::app
