-- The plugin's table, in its own schema ({schema}); runs on SQLite and PostgreSQL alike.
CREATE TABLE {schema}."Item" (
    id INTEGER PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    done BOOLEAN NOT NULL DEFAULT FALSE
);
INSERT INTO {schema}."Item" (id, name) VALUES (1, 'Check the pump');
INSERT INTO {schema}."Item" (id, name) VALUES (2, 'Read the meter');
