#pragma once

#include "base/export.h"
#include "base/result.h"
#include "vortex/vortex.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

namespace peek {

struct DecodeLimits;

// The operator's settings of one service home: `<home>/config.json`, read once at start.
//
// Layout (ServiceConfig::defaults(); keys are addressed by dotted paths, e.g. "ports.field"):
//   {
//     "roles":   ["logic", "field", "office", "agent", "worker"],  // roles this process runs
//     "ports":   { "field": 8000, "office": 8002,                  // listening ports
//                  "logicAdmin": 8010, "logicDataExchange": 8011 },
//     "logic":   { "url": "ws://127.0.0.1:8011",   // where non-logic roles reach logic
//                  "joinToken": "" },            // shared secret services present to logic;
//                                                // logic makes one on first start
//     "storage": { "url": "" },        // database URL (see DatabaseLocation); empty: the SQLite
//                                      // file in the home
//     "plugin":  { "enabled": ["peek_plugin_tutorial", "peek_plugin_noop",        // plugins
//                              "peek_plugin_positions"] },                      // to load
//     "logging": { "level": "info" },  // debug, info, warning, error
//     "worker":  { "threads": 0,       // task threads of a worker; 0: one per CPU core
//                  "name": "" },       // how it shows in /health; empty: <host>:<pid>
//     "tasks":   { "leaseSeconds": 30, "maxAttempts": 3, "retryBackoffSeconds": 2,
//                  "timeoutSeconds": 600, "resultExpirySeconds": 3600 },
//     "limits":  { ... }               // what one peer may cost (limitDefaults(), docs/hardening.md)
//   }
//
// load() creates the file with the defaults on first start. Later it fills keys missing from the
// file (recursively into nested objects) and writes the file back, atomically, only when it added
// something; values already in the file and keys it does not know are kept as they are, and the
// unknown keys are returned so the caller can warn about them (a typo would otherwise be silently
// ignored). A file that cannot be used (JSON syntax error, top level not an object, a known key
// with the wrong JSON type) is refused with an error naming the file, and the file is left
// untouched: the operator fixes it, or deletes it to get the defaults back.
class PEEK_CORE_EXPORT ServiceConfig final {
public:
    static QString fileName() { return QStringLiteral("config.json"); }

    // The platform's defaults, laid out as above.
    static QJsonObject defaults();
    // The "limits" object: decoding bounds (every port) and per-peer budgets (the ports devices
    // reach: field and office).
    static QJsonObject limitDefaults();
    // The transport settings of a port devices reach, with the default per-peer budgets.
    static VortexOptions devicePortOptions();
    // Reads "limits" into the transport settings and the decoding bounds (keys absent or not a
    // non-negative number keep the value given).
    void readLimits(VortexOptions &vortex, DecodeLimits &decode) const;

    // Reads (or creates) `<homeDir>/config.json`, completed with `defaults`.
    static Result<ServiceConfig>
    load(const QString &homeDir, const QJsonObject &defaults = ServiceConfig::defaults());
    // What load() does with the bytes of an existing file, touching no file: parses `data`,
    // checks it and completes it with `defaults`; `filePath` names the file in errors and is
    // filePath(). addedKeys() says what load() then writes back.
    static Result<ServiceConfig>
    parse(const QByteArray &data, const QString &filePath,
          const QJsonObject &defaults = ServiceConfig::defaults());

    ServiceConfig() = default; // empty: every getter returns its fallback

    QString filePath() const { return m_filePath; }
    // The whole configuration, defaults filled in.
    QJsonObject object() const { return m_object; }

    // True when load() created the file (first start).
    bool created() const { return m_created; }
    // Dotted paths of the keys load() added from the defaults (and wrote back to the file).
    QStringList addedKeys() const { return m_addedKeys; }
    // Dotted paths of keys in the file that the defaults do not have; an unknown object is
    // reported once, not key by key.
    QStringList unknownKeys() const { return m_unknownKeys; }

    // The value at a dotted path ("logging.level"); QJsonValue::Undefined when absent.
    QJsonValue value(const QString &path) const;
    // Typed getters: `fallback` (or empty) when the path is absent or holds another JSON type.
    int intValue(const QString &path, int fallback = 0) const;
    QString stringValue(const QString &path, const QString &fallback = {}) const;
    // A JSON array of strings; non-string elements are skipped.
    QStringList stringList(const QString &path) const;

    // Sets a string at a dotted path and writes the file back (atomically, readable by its owner
    // only: used for secrets such as logic.joinToken).
    Result<void> setString(const QString &path, const QString &value);
    // Sets any JSON value at a dotted path and writes the file back the same way.
    Result<void> setValue(const QString &path, const QJsonValue &value);

private:
    QString m_filePath;
    QJsonObject m_object;
    bool m_created = false;
    QStringList m_addedKeys;
    QStringList m_unknownKeys;
};

} // namespace peek
