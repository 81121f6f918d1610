-- 0001: the archive store. Tenants, transfers, units as a graph, objects and blobs,
-- declared management rules, and the change feed that the search indexes follow.

-- Tenants form a tree by path id: "cdg62" is the parent of "cdg62/ruitz".
-- publish: the tenant publishes its communicable archives online (visible to anyone).
CREATE TABLE tenant (
    id         text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*$'),
    parent_id  text REFERENCES tenant (id),
    name       text NOT NULL,
    publish    boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per imported package. The manifest digest makes re-import a no-op per tenant.
CREATE TABLE transfer (
    id                            bigserial PRIMARY KEY,
    tenant_id                     text NOT NULL REFERENCES tenant (id),
    manifest_sha256               text NOT NULL,
    source                        text NOT NULL,   -- file or folder name as given to import
    kind                          text NOT NULL,   -- zip, tar.gz, dir, manifest
    seda_version                  text NOT NULL,
    message_identifier            text NOT NULL,
    message_date                  text NOT NULL DEFAULT '',
    archival_agreement            text NOT NULL DEFAULT '',
    archival_agency               text NOT NULL DEFAULT '',
    transferring_agency           text NOT NULL DEFAULT '',
    originating_agency_identifier text NOT NULL DEFAULT '',
    submission_agency_identifier  text NOT NULL DEFAULT '',
    legal_status                  text NOT NULL DEFAULT '',
    comments                      text[] NOT NULL DEFAULT '{}',
    management                    jsonb NOT NULL DEFAULT '{}', -- ManagementMetadata rules as declared
    unit_count                    integer NOT NULL,
    object_count                  integer NOT NULL,
    byte_count                    bigint NOT NULL,
    imported_at                   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, manifest_sha256)
);

-- Archive units. ancestors holds every ancestor's id through every parent (the graph
-- allows several parents): "units under X" is ancestors @> {X}, served by the GIN index.
-- content keeps every descriptive field sesam reads (titles, identifiers, keywords,
-- persons, dates...); the columns beside it are what lists, sorts and filters need.
CREATE TABLE unit (
    id                 bigserial PRIMARY KEY,
    tenant_id          text NOT NULL REFERENCES tenant (id),
    transfer_id        bigint NOT NULL REFERENCES transfer (id) ON DELETE CASCADE,
    seda_id            text NOT NULL,
    level              text NOT NULL DEFAULT '',
    title              text NOT NULL DEFAULT '',
    cote               text NOT NULL DEFAULT '',
    originating_agency text NOT NULL DEFAULT '',
    start_date         date,
    end_date           date,
    ancestors          bigint[] NOT NULL DEFAULT '{}',
    depth              integer NOT NULL DEFAULT 0,   -- length of the longest path from a root
    content            jsonb NOT NULL,
    management         jsonb NOT NULL DEFAULT '{}', -- rules declared here (transfer defaults merged on roots)
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (transfer_id, seda_id)
);
CREATE INDEX unit_tenant_idx ON unit (tenant_id);
CREATE INDEX unit_ancestors_idx ON unit USING gin (ancestors);
CREATE INDEX unit_cote_idx ON unit (cote) WHERE cote <> '';

-- The graph's edges, ordered as in the manifest so children list in document order.
CREATE TABLE unit_parent (
    unit_id   bigint NOT NULL REFERENCES unit (id) ON DELETE CASCADE,
    parent_id bigint NOT NULL REFERENCES unit (id) ON DELETE CASCADE,
    position  integer NOT NULL,
    PRIMARY KEY (unit_id, parent_id)
);
CREATE INDEX unit_parent_children_idx ON unit_parent (parent_id, position, unit_id);

-- Content-addressed bytes: the file lives at blobs/ab/cd/<sha256> under the data dir.
CREATE TABLE blob (
    sha256     text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size       bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Binary and physical data objects. A binary object's bytes are the blob named by sha256
-- (null when the package carried only the manifest: present = false).
CREATE TABLE object (
    id               bigserial PRIMARY KEY,
    tenant_id        text NOT NULL REFERENCES tenant (id),
    transfer_id      bigint NOT NULL REFERENCES transfer (id) ON DELETE CASCADE,
    seda_id          text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('binary', 'physical')),
    group_id         text NOT NULL DEFAULT '',
    version          text NOT NULL DEFAULT '',
    uri              text NOT NULL DEFAULT '',
    filename         text NOT NULL DEFAULT '',
    mime_type        text NOT NULL DEFAULT '',
    format_id        text NOT NULL DEFAULT '',
    format_litteral  text NOT NULL DEFAULT '',
    size             bigint,
    digest           text NOT NULL DEFAULT '',
    digest_algorithm text NOT NULL DEFAULT '',
    present          boolean NOT NULL DEFAULT false,
    sha256           text REFERENCES blob (sha256),
    physical_ids     text[] NOT NULL DEFAULT '{}',
    description      text NOT NULL DEFAULT '',
    UNIQUE (transfer_id, seda_id)
);
CREATE INDEX object_sha256_idx ON object (sha256);

-- Which units reference which objects (directly or through an object group).
CREATE TABLE unit_object (
    unit_id   bigint NOT NULL REFERENCES unit (id) ON DELETE CASCADE,
    object_id bigint NOT NULL REFERENCES object (id) ON DELETE CASCADE,
    position  integer NOT NULL,
    PRIMARY KEY (unit_id, object_id)
);
CREATE INDEX unit_object_object_idx ON unit_object (object_id);

-- Declared management rules, one row per rule reference, so that a referential change
-- finds the units that declare a code (and, through ancestors, those that inherit it).
CREATE TABLE unit_rule (
    unit_id    bigint NOT NULL REFERENCES unit (id) ON DELETE CASCADE,
    category   text NOT NULL,
    rule_id    text NOT NULL,
    start_date date,
    position   integer NOT NULL,
    PRIMARY KEY (unit_id, category, position)
);
CREATE INDEX unit_rule_rule_idx ON unit_rule (rule_id, category);

-- The rule referential. tenant_id '' holds sesam's seed (SEDA AR codes, Vitam ACC and
-- DIS codes), written by `sesam migrate` from the copy built into the binary; a tenant's
-- own rows (`sesam rules load`) overlay it for that tenant and the tenants below it.
CREATE TABLE rule_def (
    tenant_id   text NOT NULL DEFAULT '',
    id          text NOT NULL,
    category    text NOT NULL,
    duration    integer,          -- null: unlimited
    measurement text NOT NULL CHECK (measurement IN ('DAY', 'MONTH', 'YEAR')),
    basis       text NOT NULL DEFAULT '',  -- '' for a tenant rule: taken from the seed
    legal_basis text NOT NULL DEFAULT '',
    label       text NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '',
    alt_group   text NOT NULL DEFAULT '',
    fallback    boolean NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);

-- The change feed. Every write to a unit appends a row; seq numbers are handed out at
-- the end of the writing transaction under an advisory lock, so they become visible in
-- order and a reader that has seen seq N can never later find a committed N-1.
CREATE TABLE unit_change (
    seq        bigserial PRIMARY KEY,
    unit_id    bigint NOT NULL,
    op         text NOT NULL DEFAULT 'upsert' CHECK (op IN ('upsert', 'delete')),
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX unit_change_unit_idx ON unit_change (unit_id);
