-- Index names are qualified the way SQLite wants (the table is then bare); the migrator drops
-- the qualifier on PostgreSQL, where the index always lives with its table.
CREATE INDEX pl_storage_test."StringInt_int_value" ON "StringInt" (int_value);

-- Not idempotent on purpose: applied twice, the values would be multiplied twice.
UPDATE pl_storage_test."StringInt" SET int_value = int_value * 10;
