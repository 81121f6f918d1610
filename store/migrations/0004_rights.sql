-- 0004: role assignments, in Casbin's table shape so that the small adapter in
-- store/casbin.go can load and save them: g rows (subject, role, domain) and p2 rows
-- (a reader limited to an originating agency: subject, domain, agency). The default
-- policy (each role's permissions) is not here: it is policies/policy.csv, built in.
CREATE TABLE casbin_rule (
    id         bigserial PRIMARY KEY,
    ptype      text NOT NULL,
    v0         text NOT NULL DEFAULT '',
    v1         text NOT NULL DEFAULT '',
    v2         text NOT NULL DEFAULT '',
    v3         text NOT NULL DEFAULT '',
    v4         text NOT NULL DEFAULT '',
    v5         text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (ptype, v0, v1, v2, v3, v4, v5)
);
