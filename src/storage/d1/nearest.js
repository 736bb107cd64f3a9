// Validate's read on D1 (src/storage/d1/nearest.rs) in one call from wasm: the session, the
// statement and the answer's fields, rather than a crossing for each. The answer's format is
// read by `NearestAnswer::parse` (src/storage/d1/nearest_rows.rs).

/** `sql` bound to `key` through a `withSession("first-unconstrained")` session, run with
 * `all()` (not `first()`, which drops `meta`). Resolves to one text: `"1"` when D1 says the
 * primary served the read, `"0"` when a replica did, `"?"` when it does not say; then the first
 * row as JSON, or nothing when there is none. */
export async function nearestRow(db, sql, key) {
  const answer = await db.withSession("first-unconstrained").prepare(sql).bind(key).all();
  const primary = answer.meta?.served_by_primary;
  const row = answer.results?.[0];
  return (primary === true ? "1" : primary === false ? "0" : "?") + (row == null ? "" : JSON.stringify(row));
}
