-- Who changed each row last and from which device (issue 14: identity reaches the plugins).
ALTER TABLE pl_tutorial."StringInt" ADD COLUMN changed_by VARCHAR(100) NOT NULL DEFAULT '';
ALTER TABLE pl_tutorial."StringInt" ADD COLUMN changed_on VARCHAR(100) NOT NULL DEFAULT '';
