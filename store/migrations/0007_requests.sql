-- 0007: access requests (demandes de communication) and dérogations, with the grants
-- their decisions make, the requesters' baskets and the outbox of notifications.
-- The workflow's rules are in access/request.go; these tables only keep its state.

-- A request concerns the units of one tenant (the producer whose agreement a
-- dérogation needs); a basket spanning several tenants becomes several requests.
CREATE TABLE access_request (
    id                bigserial PRIMARY KEY,
    tenant_id         text NOT NULL REFERENCES tenant (id),
    requester_subject text NOT NULL DEFAULT '', -- '' for a person registered by staff
    requester_email   text NOT NULL DEFAULT '',
    requester_name    text NOT NULL,
    requester_contact text NOT NULL DEFAULT '', -- postal or e-mail contact given to staff
    registered_by     text NOT NULL DEFAULT '', -- the archivist who registered it, if any
    reason            text NOT NULL,
    mode              text NOT NULL CHECK (mode IN ('online', 'reading_room')),
    state             text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    submitted_at      timestamptz,
    decided_at        timestamptz,
    closed_at         timestamptz
);
CREATE INDEX access_request_requester_idx ON access_request (requester_subject, requester_email);
CREATE INDEX access_request_queue_idx ON access_request (tenant_id, state, submitted_at);

CREATE TABLE access_request_unit (
    request_id bigint NOT NULL REFERENCES access_request (id) ON DELETE CASCADE,
    unit_id    bigint NOT NULL REFERENCES unit (id),
    position   integer NOT NULL,
    derogation boolean NOT NULL,  -- not communicable at registration
    agreement  text NOT NULL DEFAULT '',
    outcome    text NOT NULL DEFAULT 'pending',
    reasons    text NOT NULL DEFAULT '',
    PRIMARY KEY (request_id, unit_id)
);

-- The dated history of each request: who did what, when, with which reasons.
CREATE TABLE access_request_event (
    id            bigserial PRIMARY KEY,
    request_id    bigint NOT NULL REFERENCES access_request (id) ON DELETE CASCADE,
    at            timestamptz NOT NULL DEFAULT now(),
    actor_subject text NOT NULL,
    actor_name    text NOT NULL DEFAULT '',
    party         text NOT NULL,
    type          text NOT NULL,
    units         bigint[] NOT NULL DEFAULT '{}',
    reasons       text NOT NULL DEFAULT '',
    state         text NOT NULL  -- the request's state after the event
);
CREATE INDEX access_request_event_request_idx ON access_request_event (request_id, id);

-- A granted unit (and its subtree) is visible to that requester only, until a day.
CREATE TABLE access_grant (
    id         bigserial PRIMARY KEY,
    request_id bigint NOT NULL REFERENCES access_request (id),
    unit_id    bigint NOT NULL REFERENCES unit (id),
    subject    text NOT NULL DEFAULT '',
    email      text NOT NULL DEFAULT '',
    until_day  integer NOT NULL, -- last day, yyyymmdd
    online     boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX access_grant_subject_idx ON access_grant (subject);
CREATE INDEX access_grant_email_idx ON access_grant (email);

CREATE TABLE basket (
    subject  text NOT NULL,
    unit_id  bigint NOT NULL REFERENCES unit (id) ON DELETE CASCADE,
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subject, unit_id)
);

-- Notifications: always written here; sent by SMTP when SESAM_SMTP_URL is set.
CREATE TABLE outbox (
    id         bigserial PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    tenant_id  text NOT NULL DEFAULT '',
    request_id bigint REFERENCES access_request (id),
    recipient  text NOT NULL,
    subject    text NOT NULL,
    body       text NOT NULL,
    sent_at    timestamptz,
    attempts   integer NOT NULL DEFAULT 0,
    last_error text NOT NULL DEFAULT ''
);
CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL;
