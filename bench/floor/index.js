// Floor worker for bench/run.sh: the least each benchmarked call can cost on this runtime. One
// storage operation per request, then a fixed JSON answer: no auth, no body parsing, no
// validation. Whatever KeyBox spends beyond this is the cost of its own code.
//
//   POST /license/create   one D1 INSERT of a license-like row with a fresh key and id (201)
//   POST /validate         one D1 SELECT of a license by key (FLOOR_KEY, seeded by run.sh), read
//                          as KeyBox's validate reads (issue 12, global reads): through a
//                          `withSession("first-unconstrained")` session, so the nearest replica
//                          may answer (200)
//   POST /mongo/validate   one Data API findOne of a license by key (FLOOR_KEY, inserted into the
//                          double by run.sh), as KeyBox's MongoDB backend sends it (200)
const INSERT =
  "INSERT INTO licenses " +
  "(id, key, duration, issued_at, expires_at, status, services, user_id, client_id, project_id) " +
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
// The columns KeyBox's validate reads (src/storage/d1/lifecycle.rs), by the unique key.
const SELECT =
  "SELECT id, key, duration, issued_at, expires_at, status, services, user_id, client_id, " +
  "project_id, max_machines, seats FROM licenses WHERE key = ?1";
const PROJECT = "60f7b3b3e6b3a72e8c8e4a1b";
const CLIENT = "60f7b3b3e6b3a72e8c8e4a1a";
/** The one license every floor validate reads; run.sh stores it (D1 and the Data API double). */
const FLOOR_KEY = `KB-${PROJECT}-FLOO-RBEN-CH01`;
const CREATED = JSON.stringify({ message: "License created" });
// validate.lua counts an answer without `"valid":true` as wrong.
const VALID = JSON.stringify({ valid: true, status: "ACTIVE" });
const HEADERS = { "content-type": "application/json", "cache-control": "no-store" };

function hex(bytes) {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

async function create(env) {
  const random = crypto.getRandomValues(new Uint8Array(18));
  const id = hex(random.subarray(0, 12));
  const key = `KB-${PROJECT}-${hex(random.subarray(12)).toUpperCase()}`;
  const issued = new Date();
  const expires = new Date(issued.getTime() + 365 * 24 * 3600 * 1000);
  await env.DB.prepare(INSERT)
    .bind(id, key, 12, issued.toISOString(), expires.toISOString(), "PENDING",
      '["Hosting","Domain"]', CLIENT, CLIENT, PROJECT)
    .run();
  return new Response(CREATED, { status: 201, headers: HEADERS });
}

async function validateD1(env) {
  const row = await env.DB.withSession("first-unconstrained").prepare(SELECT).bind(FLOOR_KEY).first();
  if (!row) return new Response('{"message":"floor license missing"}', { status: 500 });
  return new Response(VALID, { headers: HEADERS });
}

// The same request KeyBox's MongoDB backend sends (src/edge/data_api.rs): EJSON both ways, the
// API key header, a body naming the namespace and the filter.
async function validateMongo(env) {
  const answer = await fetch(`${env.MONGODB_DATA_API_URL}/action/findOne`, {
    method: "POST",
    headers: {
      "content-type": "application/ejson",
      accept: "application/ejson",
      "api-key": env.MONGODB_API_KEY,
    },
    body: JSON.stringify({
      dataSource: env.MONGODB_DATA_SOURCE,
      database: env.MONGODB_DATABASE,
      collection: "licenses",
      filter: { key: FLOOR_KEY },
    }),
  });
  const { document } = await answer.json();
  if (!document) return new Response('{"message":"floor license missing"}', { status: 500 });
  return new Response(VALID, { headers: HEADERS });
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (request.method === "POST") {
      if (pathname === "/license/create") return create(env);
      if (pathname === "/validate") return validateD1(env);
      if (pathname === "/mongo/validate") return validateMongo(env);
    }
    return new Response('{"message":"Not found"}', { status: 404, headers: HEADERS });
  },
};
