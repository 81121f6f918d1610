-- 0006: the consultation journal. Append-only: each row carries the hash of the row
-- before it (prev_hash) and its own hash over a canonical encoding of every column
-- (access.JournalEntry.Canonical), so that a changed, inserted or deleted row breaks
-- the chain that `sesam journal verify` walks. seq numbers are handed out under an
-- advisory lock (store/journal.go), consecutive from 1, without gaps.
-- No foreign keys: an entry outlives the unit, object or tenant it names.
CREATE TABLE journal (
    seq             bigint PRIMARY KEY CHECK (seq > 0),
    at              timestamptz NOT NULL,
    subject         text NOT NULL DEFAULT '',
    name            text NOT NULL DEFAULT '',
    roles           text[] NOT NULL DEFAULT '{}',
    tenant          text NOT NULL DEFAULT '',
    action          text NOT NULL,
    unit_id         bigint NOT NULL DEFAULT 0,
    object_id       bigint NOT NULL DEFAULT 0,
    request_id      bigint NOT NULL DEFAULT 0,
    query           text NOT NULL DEFAULT '',
    filters         text NOT NULL DEFAULT '',
    results         bigint NOT NULL DEFAULT -1,
    grant_ref       text NOT NULL DEFAULT '',   -- "grant" is an SQL keyword
    client          text NOT NULL DEFAULT '',
    user_agent      text NOT NULL DEFAULT '',
    http_request_id text NOT NULL DEFAULT '',
    detail          text NOT NULL DEFAULT '',
    prev_hash       bytea NOT NULL,
    hash            bytea NOT NULL
);
-- What the auditor pages filter on; times grow with seq, so "at" serves date ranges.
CREATE INDEX journal_at_idx ON journal (at);
CREATE INDEX journal_tenant_idx ON journal (tenant, at);
CREATE INDEX journal_subject_idx ON journal (subject, at);
CREATE INDEX journal_unit_idx ON journal (unit_id) WHERE unit_id <> 0;

-- Nobody changes or removes an entry, not even the table's owner, which is the role
-- the portal connects as on these machines (so privileges alone would not stop it).
-- A superuser can still disable triggers: verify and the daily anchors are there to
-- detect what such a person does.
CREATE FUNCTION journal_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the journal is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER journal_no_update_delete BEFORE UPDATE OR DELETE ON journal
    FOR EACH ROW EXECUTE FUNCTION journal_refuse_change();
CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON journal
    FOR EACH STATEMENT EXECUTE FUNCTION journal_refuse_change();

-- For deployments where the portal connects as a role that does not own the table:
-- such a role should be granted SELECT and INSERT only. PUBLIC holds nothing on a new
-- table, so this REVOKE changes nothing here; it states the intent and undoes a
-- default privilege an administrator might have set with ALTER DEFAULT PRIVILEGES.
REVOKE UPDATE, DELETE, TRUNCATE ON journal FROM PUBLIC;
