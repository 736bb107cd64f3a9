-- Licenses, one row each. Timestamps are ISO-8601 UTC text with milliseconds
-- ("2024-01-01T00:00:00.000Z"), which sorts chronologically as text.
CREATE TABLE licenses (
    id          TEXT    NOT NULL PRIMARY KEY CHECK (length(id) = 24),
    key         TEXT    NOT NULL UNIQUE,
    duration    INTEGER NOT NULL CHECK (duration BETWEEN 1 AND 12),
    issued_at   TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL CHECK (expires_at > issued_at),
    status      TEXT    NOT NULL DEFAULT 'PENDING'
                        CHECK (status IN ('PENDING', 'ACTIVE', 'EXPIRED', 'REVOKED')),
    services    TEXT    NOT NULL CHECK (json_valid(services) AND json_array_length(services) > 0),
    user_id     TEXT    NOT NULL,
    client_id   TEXT    NOT NULL CHECK (length(client_id) = 24),
    project_id  TEXT    NOT NULL CHECK (length(project_id) = 24)
) STRICT;

-- The UNIQUE constraint on key already gives the lookup by key its index.
CREATE INDEX licenses_by_user    ON licenses (user_id, issued_at);
CREATE INDEX licenses_by_project ON licenses (project_id, issued_at);
CREATE INDEX licenses_by_client  ON licenses (client_id, issued_at);
CREATE INDEX licenses_by_expiry  ON licenses (status, expires_at);
