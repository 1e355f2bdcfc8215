-- pl_storage_test, the first migration. A comment with a semicolon; and a 'quote.
CREATE TABLE pl_storage_test."StringInt" (
    id INTEGER PRIMARY KEY,
    string_value VARCHAR(100) NOT NULL, /* a block comment; with a semicolon */
    int_value INTEGER NOT NULL
);

-- REFERENCES names a bare table: SQLite requires it, and PostgreSQL finds it because the
-- migrator puts the plugin's schema first on the search path.
CREATE TABLE pl_storage_test."Note" (
    id INTEGER PRIMARY KEY,
    string_int_id INTEGER NOT NULL REFERENCES "StringInt" (id),
    body VARCHAR(200) NOT NULL
);
