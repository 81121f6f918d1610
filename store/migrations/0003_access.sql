-- 0003: what the access engine computes for every unit, stored so that the index and
-- the pages read it without recomputing: the first communicable day and the first day
-- online publication is allowed, as yyyymmdd numbers (0: always; 99991231: never or
-- unknown, i.e. closed), and the one-sentence reason of each decision (the full
-- explanation is recomputed on demand from the unit and its ancestors). "Now" is compared
-- at query time, so a unit opens on its exact day without a job or a reindex.
ALTER TABLE unit
    ADD COLUMN open_day           integer NOT NULL DEFAULT 99991231,
    ADD COLUMN publish_day        integer NOT NULL DEFAULT 99991231,
    ADD COLUMN access_status      text NOT NULL DEFAULT 'unknown',
    ADD COLUMN access_reason      text NOT NULL DEFAULT '',
    ADD COLUMN publish_reason     text NOT NULL DEFAULT '',
    ADD COLUMN description_public boolean NOT NULL DEFAULT false;
CREATE INDEX unit_open_day_idx ON unit (open_day);
