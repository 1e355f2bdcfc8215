-- The kit's table, with the schema left to the platform ({schema}), on SQLite and PostgreSQL.
CREATE TABLE {schema}."Item" (
    id INTEGER PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    done BOOLEAN NOT NULL DEFAULT FALSE,
    changed_by VARCHAR(100) NOT NULL DEFAULT ''
);
CREATE INDEX {schema}."Item_name" ON "Item" (name);
INSERT INTO {schema}."Item" (id, name) VALUES (1, 'first');
INSERT INTO {schema}."Item" (id, name) VALUES (2, 'second');
