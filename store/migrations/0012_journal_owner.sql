-- 0012: the journal belongs to a role nobody logs in as. The table's owner can disable
-- its triggers (ALTER TABLE journal DISABLE TRIGGER) and then rewrite it, and until now
-- the owner was the role the portal connects as. Owned by sesam_journal_owner (NOLOGIN,
-- no member), with the migrating role granted SELECT and INSERT only, a portal that
-- connects as that role can append and read, and nothing else: no UPDATE, DELETE or
-- TRUNCATE (no privilege, and the trigger still refuses them), no DISABLE TRIGGER, no
-- replacing the trigger's function (both need ownership).
--
-- Handing a table over needs a superuser (or membership in the new owner, which would
-- give the portal its powers back). So this runs in full when `sesam migrate` runs as a
-- superuser (development, tests, and the set-up of README "Deploying for real"); run as
-- an ordinary role it changes nothing and says so, and the README gives the statements
-- a database administrator runs instead. A superuser portal can still do anything:
-- `sesam journal verify` and the anchors are there for that.
DO $$
DECLARE
    super boolean := (SELECT rolsuper FROM pg_roles WHERE rolname = current_user);
BEGIN
    IF NOT super THEN
        RAISE WARNING 'the journal table stays owned by %, which could disable its trigger: see README, "Deploying for real"', current_user;
        RETURN;
    END IF;
    BEGIN
        CREATE ROLE sesam_journal_owner NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL; -- made by another database of the cluster (roles are cluster-wide)
    END;
    ALTER TABLE journal OWNER TO sesam_journal_owner;
    ALTER FUNCTION journal_refuse_change() OWNER TO sesam_journal_owner;
    REVOKE ALL ON journal FROM PUBLIC;
    EXECUTE format('GRANT SELECT, INSERT ON journal TO %I', current_user);
END
$$;
