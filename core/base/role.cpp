#include "role.h"

#include <iterator>

namespace peek {

namespace {

struct RoleFacts
{
    const char *name;
    quint16 port;
};

// In Role::Id order; names() lists them in this order.
constexpr RoleFacts kFacts[] = {
    {"logic", 8011},
    {"field", 8000},
    {"office", 8002},
    {"agent", 0},
    {"worker", 0},
};
static_assert(std::size(kFacts) == Role::Worker + 1, "a fact per role");

} // namespace

QString Role::name() const
{
    return QString::fromLatin1(kFacts[m_id].name);
}

QString Role::vortexName() const
{
    return QStringLiteral("peek-%1-service").arg(name());
}

bool Role::isServiceVortexName(QStringView vortexName)
{
    return vortexName.endsWith(u"-service"); // every role's vortexName() ends so
}

QString Role::appVortexName() const
{
    return QStringLiteral("peek-%1-app").arg(name());
}

quint16 Role::defaultPort() const
{
    return kFacts[m_id].port;
}

const QList<Role> &Role::all()
{
    static const QList<Role> roles {Logic, Agent, Worker, Field, Office};
    return roles;
}

QString Role::names(const QString &separator)
{
    QStringList names;
    for (int id = Logic; id <= Worker; ++id)
        names << Role(Id(id)).name();
    return names.join(separator);
}

std::optional<Role> Role::fromName(QStringView name)
{
    for (int id = Logic; id <= Worker; ++id) {
        if (name == QLatin1String(kFacts[id].name))
            return Role(Id(id));
    }
    return std::nullopt;
}

std::optional<Role> Role::fromVortexName(QStringView vortexName)
{
    for (int id = Logic; id <= Worker; ++id) {
        if (vortexName == Role(Id(id)).vortexName())
            return Role(Id(id));
    }
    return std::nullopt;
}

namespace {

Error givenTwice(const QString &name)
{
    return Error {QStringLiteral("role \"%1\" is given twice").arg(name)};
}

} // namespace

Result<QList<Role>> Role::parseList(const QStringList &names)
{
    QList<Role> roles;
    for (const QString &name : names) {
        const std::optional<Role> role = fromName(name);
        if (!role)
            return Error {QStringLiteral("unknown role \"%1\"; choose from %2").arg(name, Role::names(QStringLiteral(",")))};
        if (roles.contains(*role)) // before a later unknown name, as the list reads
            return givenTwice(name);
        roles << *role;
    }
    if (roles.isEmpty())
        return checkList(roles).error();
    return roles;
}

Result<void> Role::checkList(const QList<Role> &roles)
{
    if (roles.isEmpty())
        return Error {QStringLiteral("no roles given; choose from %1").arg(Role::names(QStringLiteral(",")))};
    for (qsizetype i = 0; i < roles.size(); ++i) {
        if (roles.indexOf(roles[i]) != i)
            return givenTwice(roles[i].name());
    }
    return {};
}

QStringList Role::namesOf(const QList<Role> &roles)
{
    QStringList names;
    for (const Role role : roles)
        names << role.name();
    return names;
}

} // namespace peek
