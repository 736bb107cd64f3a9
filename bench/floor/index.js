// Floor worker for bench/run.sh: one D1 INSERT of a license-like row with a fresh key and id
// per request, then a fixed JSON answer. No auth, no body parsing, no validation: whatever
// KeyBox spends beyond this is the cost of its own code.
const INSERT =
  "INSERT INTO licenses " +
  "(id, key, duration, issued_at, expires_at, status, services, user_id, client_id, project_id) " +
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
const PROJECT = "60f7b3b3e6b3a72e8c8e4a1b";
const CLIENT = "60f7b3b3e6b3a72e8c8e4a1a";
const ANSWER = JSON.stringify({ message: "License created" });
const HEADERS = { "content-type": "application/json", "cache-control": "no-store" };

function hex(bytes) {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

export default {
  async fetch(request, env) {
    const random = crypto.getRandomValues(new Uint8Array(18));
    const id = hex(random.subarray(0, 12));
    const key = `KB-${PROJECT}-${hex(random.subarray(12)).toUpperCase()}`;
    const issued = new Date();
    const expires = new Date(issued.getTime() + 365 * 24 * 3600 * 1000);
    await env.DB.prepare(INSERT)
      .bind(id, key, 12, issued.toISOString(), expires.toISOString(), "PENDING",
        '["Hosting","Domain"]', CLIENT, CLIENT, PROJECT)
      .run();
    return new Response(ANSWER, { status: 201, headers: HEADERS });
  },
};
