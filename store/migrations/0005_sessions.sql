-- 0005: portal sessions, kept server-side so that every portal instance shares them.
-- The cookie holds a random token; only its SHA-256 is stored, so a database dump gives
-- no usable session. login_state holds an OIDC login in flight (state, nonce, PKCE
-- verifier) for the instance that receives the callback, whichever it is.
CREATE TABLE session (
    token_sha256 text PRIMARY KEY,
    subject      text NOT NULL,
    email        text NOT NULL DEFAULT '',
    name         text NOT NULL DEFAULT '',
    groups       text[] NOT NULL DEFAULT '{}',
    csrf         text NOT NULL,
    id_token     text NOT NULL DEFAULT '', -- for the provider's logout (id_token_hint)
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen    timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX session_expires_idx ON session (expires_at);

CREATE TABLE login_state (
    state_sha256 text PRIMARY KEY,
    nonce        text NOT NULL,
    verifier     text NOT NULL,
    return_to    text NOT NULL DEFAULT '/',
    created_at   timestamptz NOT NULL DEFAULT now()
);
