#pragma once

#include "base/export.h"
#include "base/result.h"
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>

namespace peek {

// One of the services a Peek installation runs (docs/architecture.md, "Roles"): its name (as in
// config.json "roles", --roles and a plugin's "roles"), the name of its vortex on the wire, and the
// port it serves by default. The one place these facts are written.
class PEEK_API Role
{
public:
    enum Id : quint8 {
        Logic,  // the centre: owns the data, runs plugin logic (ports 8010 admin, 8011 services)
        Field,  // serves field apps (8000)
        Office, // serves office apps (8002)
        Agent,  // integrations; dials up to logic
        Worker, // runs the tasks logic queues; dials up to logic
    };

    constexpr Role(Id id) : m_id(id) {}

    constexpr Id id() const { return m_id; }
    // "logic", "field", "office", "agent", "worker".
    QString name() const;
    // The vortex name of the role's service: "peek-logic-service", ...
    QString vortexName() const;
    // The vortex name of the app that connects to the role ("peek-field-app"): field and office.
    QString appVortexName() const;
    // The port the role serves by default: logic 8011 (where services dial), field 8000, office
    // 8002; 0 for agent and worker, which dial logic and serve nothing.
    quint16 defaultPort() const;
    // Logic's second port, for the admin window.
    static constexpr quint16 kLogicAdminPort = 8010;

    // Every role, in start order: logic, agent, worker, field, office (logic first, so the
    // others can link to it; the app-facing roles last, once the data is there).
    static const QList<Role> &all();
    // "logic, field, office, agent, worker": how errors list the choices.
    static QString names(const QString &separator = QStringLiteral(", "));
    static std::optional<Role> fromName(QStringView name);
    static std::optional<Role> fromVortexName(QStringView vortexName);
    // A vortex name only a proven service may use (docs/threats.md): a role's service name, or
    // any name ending in "-service" (kept for services to come). Apps and devices use others.
    static bool isServiceVortexName(QStringView vortexName);
    // Reads a list of role names ("logic", "field"), in the given order: empty, an unknown name or
    // one given twice fails with a sentence naming it and the choices.
    static Result<QList<Role>> parseList(const QStringList &names);
    // What a service can run: at least one role, none twice (parseList checks the same).
    static Result<void> checkList(const QList<Role> &roles);
    // Their names, in the list's order.
    static QStringList namesOf(const QList<Role> &roles);

    friend constexpr bool operator==(Role a, Role b) { return a.m_id == b.m_id; }
    friend constexpr bool operator!=(Role a, Role b) { return a.m_id != b.m_id; }

private:
    Id m_id;
};

} // namespace peek
