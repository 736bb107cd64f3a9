// The D1 store's one door to the binding (src/storage/d1/store.rs): each statement is prepared,
// bound and run in one call from wasm, its values passed as one JSON text and its rows returned
// as one, rather than a crossing per value, per call and per field. A failure rejects with the
// text of D1's reason (the SQLite message in `cause`, which the store classifies).

function bound(db, sql, params) {
  return db.prepare(sql).bind(...JSON.parse(params));
}

/** `call`, its failures rejected with D1's reason as text. */
function rejectingWithReason(call) {
  return async (...args) => {
    try {
      return await call(...args);
    } catch (error) {
      throw String(error?.cause?.message ?? error?.message ?? error);
    }
  };
}

/** Runs a statement whose rows are not read. */
export const run = rejectingWithReason(async (db, sql, params) => {
  await bound(db, sql, params).run();
});

/** The first row as JSON, `""` when there is none. */
export const first = rejectingWithReason(async (db, sql, params) => {
  const row = await bound(db, sql, params).first();
  return row == null ? "" : JSON.stringify(row);
});

/** Every row, as a JSON array. */
export const all = rejectingWithReason(async (db, sql, params) => {
  const answer = await bound(db, sql, params).all();
  return JSON.stringify(answer.results ?? []);
});

/** Statements `[[sql, [value…]]…]` (JSON) in one `batch`: one transaction. */
export const batch = rejectingWithReason(async (db, statements) => {
  await db.batch(JSON.parse(statements).map(([sql, values]) => db.prepare(sql).bind(...values)));
});

/** Validate's read of license `key` (src/storage/d1/nearest.rs): through a
 * `withSession("first-unconstrained")` session, with `all()` (not `first()`, which drops
 * `meta`). One text: `"1"` when D1 says the primary served the read, `"0"` when a replica did,
 * `"?"` when it does not say; then the first row as JSON, or nothing when there is none. */
export const nearestRow = rejectingWithReason(async (db, sql, key) => {
  const answer = await db.withSession("first-unconstrained").prepare(sql).bind(key).all();
  const primary = answer.meta?.served_by_primary;
  const row = answer.results?.[0];
  return (primary === true ? "1" : primary === false ? "0" : "?") + (row == null ? "" : JSON.stringify(row));
});
