ALTER TABLE pl_storage_test."StringInt" ADD COLUMN note VARCHAR(200);
INSERT INTO pl_storage_test."StringInt" (id, string_value, int_value, note)
VALUES (1, 'one; with a semicolon', 1, 'it''s quoted');
INSERT INTO pl_storage_test."StringInt" (id, string_value, int_value, note)
VALUES (2, 'two -- not a comment', 2, '/* not a comment */');
INSERT INTO pl_storage_test."Note" (id, string_int_id, body) VALUES (1, 2, 'a "note"; with quotes')
