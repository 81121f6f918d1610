-- 0008: fonds whose description the tenant makes public while the documents are still
-- closed (the public then sees the description, not the objects). unit.description_public
-- (0003) is derived from this table: a unit is flagged when it or an ancestor is here.
CREATE TABLE public_description (
    unit_id bigint PRIMARY KEY REFERENCES unit (id) ON DELETE CASCADE,
    set_by  text NOT NULL,
    set_at  timestamptz NOT NULL DEFAULT now()
);
