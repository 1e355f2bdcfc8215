#pragma once

#include "base/export.h"
#include "base/result.h"
#include "tuple.h"

#include <QHash>
#include <QReadWriteLock>

namespace peek {

// The process-wide map from Vortex tuple type name to C++ factory. Decoding consults it; a
// name it does not know decodes as a GenericTuple.
class PEEK_API TupleRegistry
{
public:
    using Factory = std::function<TuplePtr()>;

    static TupleRegistry &instance();

    // Registers a factory; registering a name twice fails with a message naming the type.
    Result<void> registerFactory(const QString &typeName, Factory factory);

    template <typename T>
    Result<void> registerType()
    {
        return registerFactory(QString::fromUtf8(T::kTupleType),
                               [] { return TuplePtr(std::make_shared<T>()); });
    }

    bool contains(const QString &typeName) const;
    // The factory for a type (empty if unknown); decoders cache it per message.
    Factory factory(const QString &typeName) const;
    // A new, default-initialised tuple of that type, or null if unknown.
    TuplePtr create(const QString &typeName) const;
    QStringList typeNames() const;
    // Removes a registration (for plugins being unloaded).
    void unregister(const QString &typeName);

private:
    TupleRegistry() = default;
    mutable QReadWriteLock m_lock;
    QHash<QString, Factory> m_factories;
};

} // namespace peek
