-- The tutorial's one table: a string and an int per row, edited by the tutorial's actions.
CREATE TABLE pl_tutorial."StringInt" (
    id INTEGER PRIMARY KEY,
    string1 VARCHAR(200) NOT NULL UNIQUE,
    int1 INTEGER NOT NULL DEFAULT 0
);
INSERT INTO pl_tutorial."StringInt" (id, string1, int1) VALUES (1, 'Peek', 1);
INSERT INTO pl_tutorial."StringInt" (id, string1, int1) VALUES (2, 'Tutorial', 2);
