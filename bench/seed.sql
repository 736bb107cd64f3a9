-- bench/run.sh seeds the D1 of the floor and of the plain-JS worker with this, after KeyBox's
-- migrations: the bench user's client and project (the plain-JS worker's create checks that
-- the caller owns them, as KeyBox does), and the ACTIVE license, with one seat, that every
-- floor `POST /validate` reads (its key is FLOOR_KEY in bench/floor/index.js).
INSERT INTO clients (id, name, email, email_lower, owner, created_at, updated_at)
VALUES ('60f7b3b3e6b3a72e8c8e4a1a', 'Bench', 'bench@bench.test', 'bench@bench.test',
        '60f7b3b3e6b3a72e8c8e4a1a', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
INSERT INTO projects (id, name, client_id, owner, created_at, updated_at)
VALUES ('60f7b3b3e6b3a72e8c8e4a1b', 'Bench', '60f7b3b3e6b3a72e8c8e4a1a',
        '60f7b3b3e6b3a72e8c8e4a1a', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
INSERT INTO licenses (id, key, duration, issued_at, expires_at, status, services, user_id,
                      client_id, project_id, max_machines, seats)
VALUES ('60f7b3b3e6b3a72e8c8e4a1c', 'KB-60f7b3b3e6b3a72e8c8e4a1b-FLOO-RBEN-CH01', 12,
        '2026-01-01T00:00:00.000Z', '2099-01-01T00:00:00.000Z', 'ACTIVE', '["Hosting"]',
        '60f7b3b3e6b3a72e8c8e4a1a', '60f7b3b3e6b3a72e8c8e4a1a', '60f7b3b3e6b3a72e8c8e4a1b', 1,
        '[{"machineId":"bench-machine","instanceId":null,"activatedAt":"2026-01-01T00:00:00.000Z"}]');
