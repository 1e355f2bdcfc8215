#pragma once

#include "base/export.h"
#include "base/result.h"

#include <QList>
#include <QString>

namespace peek {

// One statement of an SQL script, without its terminating semicolon, and the line it starts on.
struct SqlStatement {
    QString text;
    int line = 1;
};

// Splits a script of several statements at the semicolons that end them. Semicolons do not split
// inside 'strings' (with '' escapes, and E'...' strings with backslash escapes), "identifiers",
// `identifiers`, [identifiers], -- line comments, /* block comments */ (nested, as PostgreSQL
// allows), $tag$ dollar-quoted bodies $tag$, the BEGIN ... END body of an SQLite
// CREATE TRIGGER, or a BEGIN ATOMIC ... END function body. Statements made only of comments and
// blanks are dropped. An unterminated string, identifier, comment or body is an error naming
// the line it starts on.
PEEK_CORE_EXPORT Result<QList<SqlStatement>> splitSqlScript(const QString &script);

} // namespace peek
