#include "tupleregistry.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcTupleRegistry, "peek.tuple.registry")

namespace peek {

TupleRegistry &TupleRegistry::instance()
{
    static TupleRegistry registry;
    return registry;
}

Result<void> TupleRegistry::registerFactory(const QString &typeName, Factory factory)
{
    QWriteLocker locker(&m_lock);
    if (typeName.isEmpty() || m_factories.contains(typeName)) {
        const QString message = typeName.isEmpty()
            ? QStringLiteral("cannot register a tuple type with an empty name")
            : QStringLiteral("tuple type '%1' is already registered: each type name must be "
                             "registered once (check for two declarations or a plugin loaded twice)")
                  .arg(typeName);
        qCCritical(lcTupleRegistry).noquote() << message;
        return Error {message};
    }
    m_factories.insert(typeName, std::move(factory));
    return {};
}

bool TupleRegistry::contains(const QString &typeName) const
{
    QReadLocker locker(&m_lock);
    return m_factories.contains(typeName);
}

TuplePtr TupleRegistry::create(const QString &typeName) const
{
    Factory factory;
    {
        QReadLocker locker(&m_lock);
        const auto it = m_factories.constFind(typeName);
        if (it == m_factories.constEnd())
            return {};
        factory = it.value();
    }
    return factory();
}

QStringList TupleRegistry::typeNames() const
{
    QReadLocker locker(&m_lock);
    QStringList names = m_factories.keys();
    names.sort();
    return names;
}

void TupleRegistry::unregister(const QString &typeName)
{
    QWriteLocker locker(&m_lock);
    m_factories.remove(typeName);
}

} // namespace peek

namespace peek {

TupleRegistry::Factory TupleRegistry::factory(const QString &typeName) const
{
    QReadLocker locker(&m_lock);
    return m_factories.value(typeName);
}

} // namespace peek
