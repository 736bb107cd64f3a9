-- Idempotent creates: a license made under an Idempotency-Key carries the key, the request's
-- fingerprint and when the key expires (24 h). The key is unique per caller; rows created
-- without a key leave these NULL (NULLs never collide in a UNIQUE index).
ALTER TABLE licenses ADD COLUMN idempotency_key TEXT;
ALTER TABLE licenses ADD COLUMN request_fingerprint TEXT;
ALTER TABLE licenses ADD COLUMN idempotency_expires_at TEXT;

CREATE UNIQUE INDEX licenses_by_idempotency_key
    ON licenses (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
