-- 0009: two corrections to the units of access requests.
--
-- A unit was flagged as needing a dérogation only when it was itself closed, though a
-- grant opens its whole subtree (access.Scope): a communicable fonds with closed files
-- below was granted without the producer's agreement. store.CreateRequest now flags a
-- unit when it or any descendant is closed; the units still pending are flagged again
-- here the same way, as of today in Paris.
UPDATE access_request_unit ru SET derogation = true
WHERE ru.outcome = 'pending' AND NOT ru.derogation AND EXISTS (
    SELECT 1 FROM unit d WHERE d.ancestors @> ARRAY[ru.unit_id]
      AND d.open_day > to_char(now() AT TIME ZONE 'Europe/Paris', 'YYYYMMDD')::integer);

-- Each unit's own decision date (a request may be decided unit by unit): the requester
-- sees when each unit was granted or refused. Units decided before this column existed
-- take their grant's date, else the request's decision date.
ALTER TABLE access_request_unit ADD COLUMN decided_at timestamptz;
UPDATE access_request_unit ru SET decided_at = coalesce(
    (SELECT min(g.created_at) FROM access_grant g WHERE g.request_id = ru.request_id AND g.unit_id = ru.unit_id),
    r.decided_at)
FROM access_request r WHERE r.id = ru.request_id AND ru.outcome <> 'pending';
