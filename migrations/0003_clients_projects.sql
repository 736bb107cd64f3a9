-- Clients and projects, owned by the developer (the token's user id) who created them.
-- Timestamps as in licenses: ISO-8601 UTC text with milliseconds, which sorts as time.
CREATE TABLE clients (
    id          TEXT NOT NULL PRIMARY KEY CHECK (length(id) = 24),
    name        TEXT NOT NULL CHECK (length(name) > 0),
    email       TEXT NOT NULL,
    -- The email as uniqueness sees it: one owner cannot have two clients whose emails differ
    -- only in case; another owner may use the same email.
    email_lower TEXT NOT NULL CHECK (email_lower = lower(email)),
    owner       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (owner, email_lower)
) STRICT;

CREATE TABLE projects (
    id          TEXT NOT NULL PRIMARY KEY CHECK (length(id) = 24),
    name        TEXT NOT NULL CHECK (length(name) > 0),
    client_id   TEXT NOT NULL REFERENCES clients (id),
    owner       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

-- The owner-scoped, newest-first lists (keyset pagination on (created_at, id)).
CREATE INDEX clients_by_owner  ON clients  (owner, created_at DESC, id DESC);
CREATE INDEX projects_by_client ON projects (owner, client_id, created_at DESC, id DESC);
-- "Does this client still have projects?" (a client delete's condition).
CREATE INDEX projects_by_client_id ON projects (client_id);
