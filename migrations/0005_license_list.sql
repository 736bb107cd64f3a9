-- The license list (GET /licenses): a developer's licenses, newest first by (issued_at, id),
-- in keyset pages `WHERE user_id = ? [AND status = ?] AND (issued_at, id) < (?, ?) ORDER BY
-- issued_at DESC, id DESC LIMIT ?`. These indexes hold exactly that order (walked backwards),
-- so a page reads its own rows, however deep. The first replaces licenses_by_user, its prefix.
CREATE INDEX licenses_by_user_issued ON licenses (user_id, issued_at, id);
CREATE INDEX licenses_by_user_status_issued ON licenses (user_id, status, issued_at, id);
DROP INDEX licenses_by_user;
