-- 0010: what the import accepted but had to correct or drop (a declared Size corrected
-- from bytes whose digest matches, an unreadable date, a rule without an identifier, a
-- unit to attach to that was not found...), one line each, so that an archivist can
-- review a transfer after the command's output is gone. Written in the import's
-- transaction; a later import completing the transfer's objects appends its own.
ALTER TABLE transfer ADD COLUMN warnings text[] NOT NULL DEFAULT '{}';
