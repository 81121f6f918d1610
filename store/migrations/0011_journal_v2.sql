-- 0011: journal entries in format 2 (access.JournalFormatV2) record every tenant and
-- every unit they concern, and the actor's e-mail. With one tenant per entry, a tenant's
-- auditors missed the logins, searches and journal reads of their own people (no tenant)
-- and the searches that found their units among others'; with one unit, the request
-- events (which name several) could not be found by unit; with the subject alone, a
-- person could not be looked for by e-mail.
-- Rows written before keep format 1, whose hash covers none of the new columns: the
-- defaults below are what format 1 means, and verify hashes each row in its format.
-- Adding columns with constant defaults rewrites no row (and fires no trigger).
ALTER TABLE journal
    ADD COLUMN format  smallint NOT NULL DEFAULT 1 CHECK (format IN (1, 2)),
    ADD COLUMN email   text     NOT NULL DEFAULT '',
    ADD COLUMN tenants text[]   NOT NULL DEFAULT '{}',
    ADD COLUMN units   bigint[] NOT NULL DEFAULT '{}';
-- New rows say their format: no default, so that a writer that forgets it fails.
ALTER TABLE journal ALTER COLUMN format DROP DEFAULT;

-- The unit filter looks in the unit list (format 2) as well as unit_id (format 1).
CREATE INDEX journal_units_idx ON journal USING gin (units);
-- The person filter takes an e-mail as well as a subject.
CREATE INDEX journal_email_idx ON journal (lower(email), at) WHERE email <> '';
