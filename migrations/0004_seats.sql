-- Seats: the machines a license is activated on, as a JSON array in the license's own row
-- ([{"machineId": text|null, "instanceId": text|null, "activatedAt": "ISO-8601"}]), and how
-- many it may have. In the row rather than a table of their own so that taking a seat is ONE
-- conditional UPDATE that checks the status, the expiry, the seat count and the seat's
-- absence and writes the seat and the status together: SQLite runs a statement atomically,
-- so concurrent activations can never overfill a license (no read-then-write, no batch).
-- Existing licenses keep the original's one machine and no seat.
ALTER TABLE licenses ADD COLUMN max_machines INTEGER NOT NULL DEFAULT 1
    CHECK (max_machines BETWEEN 1 AND 1000);
ALTER TABLE licenses ADD COLUMN seats TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(seats) AND json_type(seats) = 'array');
