SELECT E'it\'s; fine', 'it''s; fine', "a;b", `c;d`, [e;f];
INSERT INTO "T" VALUES (1);
