// KeyBox's POST /license/create (and POST /validate, at the end) in plain JavaScript: a
// benchmark subject for bench/run.sh, not a product. The same work as KeyBox for the same request (/work/shared/docs/create-license.txt,
// README): the Bearer token checked as HS256 with WebCrypto (the key imported once per
// isolate), the claims (exp required, nbf/iat, 60 s leeway; sub or userId), the body parsed
// and validated with KeyBox's messages and order, a key and an ObjectId drawn, ONE D1 statement
// that also checks that the caller owns the project under that client (KeyBox's INSERT … with
// its ownership subquery; the refusal explained only when nothing was inserted), a fresh key on
// a collision, and the same 201 body and headers.
// Left out (not on the benchmarked path): Idempotency-Key, CORS, other routes, and rejecting
// duplicate JSON fields in the body and the token (JSON.parse keeps the last; KeyBox refuses
// them, which costs it a little more).
const MAX_BODY_BYTES = 16 * 1024;
const LEEWAY_SECONDS = 60;
const MAX_ATTEMPTS = 5;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const SERVICES = ["Hosting", "Domain"];
const OBJECT_ID = /^[0-9a-fA-F]{24}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};
// KeyBox's statement (src/storage/d1/store.rs): client_id comes from the caller's project under
// that client, so a foreign or missing project leaves it NULL and the NOT NULL check refuses.
const INSERT =
  "INSERT INTO licenses " +
  "(id, key, duration, issued_at, expires_at, status, services, user_id, client_id, project_id, " +
  "idempotency_key, request_fingerprint, idempotency_expires_at, max_machines) " +
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, " +
  "(SELECT client_id FROM projects WHERE id = ?10 AND owner = ?8 AND client_id = ?9), " +
  "?10, ?11, ?12, ?13, ?14)";
const OWNERSHIP =
  "SELECT EXISTS (SELECT 1 FROM clients WHERE id = ?1 AND owner = ?3) AS client, " +
  "EXISTS (SELECT 1 FROM projects WHERE id = ?2 AND owner = ?3) AS project";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

// The HMAC key, imported once per isolate (and again only if the secret changes).
let hmacSecret, hmacKey;
function keyFor(secret) {
  if (secret !== hmacSecret) {
    hmacSecret = secret;
    hmacKey = crypto.subtle.importKey("raw", encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  }
  return hmacKey;
}

// ObjectIds as MongoDB draws them: seconds, 5 random bytes per isolate, a 24-bit counter
// (drawn on the first request: Workers forbid random values at global scope).
let processUnique, counter;

function json(status, body, extra) {
  return new Response(JSON.stringify(body), { status, headers: extra ? { ...HEADERS, ...extra } : HEADERS });
}

function hex(bytes) {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

function base64url(text) {
  if (!BASE64URL.test(text) || text.length % 4 === 1) throw new Error("bad base64url");
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function unauthorized(reason) {
  return json(401, { message: "Unauthorized", error: reason },
    { "www-authenticate": `Bearer error="invalid_token", error_description="${reason}"` });
}

/** The caller's user id, or the 401 to answer. */
async function authenticate(request, env) {
  const header = (request.headers.get("authorization") || "").trim();
  const space = header.indexOf(" ");
  const token = space > 0 && header.slice(0, space).toLowerCase() === "bearer"
    ? header.slice(space + 1).trim() : "";
  if (!token) return json(401, { message: "No token provided" }, { "www-authenticate": "Bearer" });
  const parts = token.split(".");
  if (parts.length !== 3) return unauthorized("malformed token");
  let head, signature, claims;
  try {
    head = JSON.parse(decoder.decode(base64url(parts[0])));
    signature = base64url(parts[2]);
  } catch {
    return unauthorized("malformed token");
  }
  if (head === null || head.alg !== "HS256") return unauthorized("algorithm not allowed");
  const signed = encoder.encode(`${parts[0]}.${parts[1]}`);
  if (!(await crypto.subtle.verify("HMAC", await keyFor(env.JWT_SECRET), signature, signed))) {
    return unauthorized("invalid signature");
  }
  try {
    claims = JSON.parse(decoder.decode(base64url(parts[1])));
  } catch {
    return unauthorized("malformed token");
  }
  if (claims === null || typeof claims !== "object") return unauthorized("malformed token");
  const now = Math.floor(Date.now() / 1000);
  if (!Number.isInteger(claims.exp)) return unauthorized("missing or invalid exp");
  if (claims.exp + LEEWAY_SECONDS <= now) return unauthorized("token expired");
  for (const name of ["nbf", "iat"]) {
    const at = claims[name];
    if (at !== undefined && !(Number.isInteger(at) && at <= now + LEEWAY_SECONDS)) {
      return unauthorized(`invalid ${name}`);
    }
  }
  const user = claims.sub ?? claims.userId;
  if (typeof user !== "string" || user === "") return unauthorized("missing subject");
  return user;
}

function isJson(contentType) {
  const value = (contentType || "").trim();
  if (!value) return true;
  const media = value.split(";")[0].trim().toLowerCase();
  return media === "application/json" || (media.startsWith("application/") && media.endsWith("+json"));
}

const fail = (status, message) => json(status, { message });
const present = (v) => v !== undefined && v !== null && v !== "";

/** The request's JSON object body (`{}` when empty), or the 4xx to answer. */
async function readJson(request) {
  if (Number(request.headers.get("content-length")) > MAX_BODY_BYTES) {
    return fail(413, "Request body too large (limit 16 KiB)");
  }
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > MAX_BODY_BYTES) return fail(413, "Request body too large (limit 16 KiB)");
  if (!isJson(request.headers.get("content-type"))) {
    return fail(415, "Content-Type must be application/json");
  }
  let body = {};
  let text;
  try {
    text = decoder.decode(bytes);
  } catch {
    return fail(400, "Malformed JSON body");
  }
  if (text.trim() !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      return fail(400, "Malformed JSON body");
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      return fail(400, "Request body must be a JSON object");
    }
  }
  return body;
}

/** The validated create body, or the 4xx to answer. */
async function parseBody(request) {
  const body = await readJson(request);
  if (body instanceof Response) return body;
  const { duration, clientId, projectId } = body;
  if (!Number.isInteger(duration) || duration < 1 || duration > 12) {
    return fail(400, "Invalid duration");
  }
  if (!present(clientId) || !present(projectId)) return fail(400, "Client & Project required");
  if (typeof clientId !== "string" || !OBJECT_ID.test(clientId)) {
    return fail(400, "Invalid clientId: expected a 24-character hex ObjectId");
  }
  if (typeof projectId !== "string" || !OBJECT_ID.test(projectId)) {
    return fail(400, "Invalid projectId: expected a 24-character hex ObjectId");
  }
  let services = ["Hosting"];
  if (body.services !== undefined && body.services !== null) {
    services = [];
    const ok = Array.isArray(body.services) && body.services.every((s) => {
      if (!SERVICES.includes(s)) return false;
      if (!services.includes(s)) services.push(s);
      return true;
    });
    if (!ok || services.length === 0) {
      return fail(400, 'Invalid services: expected a non-empty array of "Hosting" and/or "Domain"');
    }
  }
  let maxMachines = 1;
  if (body.maxMachines !== undefined && body.maxMachines !== null) {
    maxMachines = body.maxMachines;
    if (!Number.isInteger(maxMachines) || maxMachines < 1 || maxMachines > 1000) {
      return fail(400, "Invalid maxMachines: expected an integer from 1 to 1000");
    }
  }
  return { duration, client: clientId.toLowerCase(), project: projectId.toLowerCase(), services, maxMachines };
}

/** `KB-{project}-XXXX-XXXX-XXXX`, each X uniform over A-Z0-9 (rejection sampling). */
function licenseKey(project) {
  let chars = "";
  while (chars.length < 12) {
    for (const byte of crypto.getRandomValues(new Uint8Array(32))) {
      if (byte < 252 && chars.length < 12) chars += ALPHABET[byte % 36];
    }
  }
  return `KB-${project}-${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

function objectId(seconds) {
  if (!processUnique) {
    processUnique = crypto.getRandomValues(new Uint8Array(5));
    counter = crypto.getRandomValues(new Uint32Array(1))[0];
  }
  counter = (counter + 1) & 0xffffff;
  const bytes = new Uint8Array(12);
  new DataView(bytes.buffer).setUint32(0, seconds);
  bytes.set(processUnique, 4);
  bytes[9] = counter >> 16;
  bytes[10] = (counter >> 8) & 0xff;
  bytes[11] = counter & 0xff;
  return hex(bytes);
}

/** `months` calendar months later, the day clamped to the month's last (chrono's rule). */
function addMonths(at, months) {
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth() + months;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(at.getUTCDate(), last), at.getUTCHours(),
    at.getUTCMinutes(), at.getUTCSeconds(), at.getUTCMilliseconds()));
}

async function refusal(env, input, user) {
  const row = await env.DB.prepare(OWNERSHIP).bind(input.client, input.project, user).first();
  if (!row || !row.client) return fail(404, "Client not found");
  if (!row.project) return fail(404, "Project not found");
  return fail(400, "Project does not belong to client");
}

async function create(request, env) {
  const user = await authenticate(request, env);
  if (user instanceof Response) return user;
  const input = await parseBody(request);
  if (input instanceof Response) return input;
  const issued = new Date();
  const issuedAt = issued.toISOString();
  const expiresAt = addMonths(issued, input.duration).toISOString();
  const services = JSON.stringify(input.services);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const key = licenseKey(input.project);
    const id = objectId(Math.floor(issued.getTime() / 1000));
    try {
      await env.DB.prepare(INSERT).bind(id, key, input.duration, issuedAt, expiresAt, "PENDING",
        services, user, input.client, input.project, null, null, null, input.maxMachines).run();
    } catch (e) {
      const detail = String(e && e.message);
      if (detail.includes("NOT NULL constraint failed: licenses.client_id")) {
        return refusal(env, input, user);
      }
      if (detail.includes("UNIQUE constraint failed")) continue;
      console.error(`insert license: ${detail}`);
      return json(500, { error: "Could not store the license: the database is unavailable" });
    }
    return json(201, {
      message: "License created",
      license: {
        key, duration: input.duration, issuedAt, expiresAt, status: "PENDING",
        services: input.services, user, client: input.client, project: input.project, _id: id,
      },
    });
  }
  return json(500, { error: "Could not generate a unique license key" });
}

// POST /validate, as KeyBox answers it with a LICENSE_SIGNING_KEY (src/app/validate.rs,
// src/domain/verdict.rs, src/tokens): the body read and checked, ONE read of the license by key
// through a `withSession("first-unconstrained")` session, the verdict, and for a valid license
// an Ed25519 license token signed by WebCrypto (the key imported once per isolate, its RFC 7638
// thumbprint as `kid`). Left out (not on the benchmarked path): the primary re-read of a
// refusal from a lagging replica, the expiry write, rate limits, instanceId-only seats.
const FIND_BY_KEY =
  "SELECT id, key, duration, issued_at, expires_at, status, services, user_id, client_id, " +
  "project_id, max_machines, seats FROM licenses WHERE key = ?1";
const TOKEN_TTL_SECONDS = 604800;
// Each verdict's `status` word and message (src/domain/verdict.rs).
const VERDICTS = {
  NOT_FOUND: ["invalid", "Key does not exist"],
  REVOKED: ["revoked", "License revoked by developer"],
  EXPIRED: ["expired", "License has expired"],
  NOT_ACTIVATED: ["pending", "License has not been activated yet"],
  MACHINE_MISMATCH: ["machine_mismatch", "License is not valid for this machine"],
  VALID: ["active", "License is valid"],
};

function b64url(bytes) {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// The signing key and its kid, made once per isolate from LICENSE_SIGNING_KEY (a private JWK).
let signer;
function signerFor(env) {
  if (!signer) {
    const jwk = JSON.parse(env.LICENSE_SIGNING_KEY);
    signer = (async () => {
      const key = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", d: jwk.d, x: jwk.x },
        "Ed25519", false, ["sign"]);
      const thumbprint = JSON.stringify({ crv: "Ed25519", kty: "OKP", x: jwk.x });
      const kid = b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(thumbprint))));
      return { key, header: b64url(encoder.encode(JSON.stringify({ alg: "EdDSA", typ: "license+jwt", kid }))) };
    })();
  }
  return signer;
}

async function token(env, row, machineId, issuer) {
  const { key, header } = await signerFor(env);
  const iat = Math.floor(Date.now() / 1000);
  const exp = Math.min(iat + TOKEN_TTL_SECONDS, Math.floor(Date.parse(row.expires_at) / 1000));
  const claims = {
    iss: issuer, sub: row.key, iat, nbf: iat, exp,
    jti: b64url(crypto.getRandomValues(new Uint8Array(16))),
    status: row.status, services: JSON.parse(row.services), project: row.project_id,
    client: row.client_id, licenseExpiresAt: row.expires_at, machineId,
  };
  const signed = `${header}.${b64url(encoder.encode(JSON.stringify(claims)))}`;
  const signature = await crypto.subtle.sign("Ed25519", key, encoder.encode(signed));
  return `${signed}.${b64url(new Uint8Array(signature))}`;
}

async function validate(request, env, origin) {
  const body = await readJson(request);
  if (body instanceof Response) return body;
  const { key, machineId } = body;
  if (key === undefined || key === null || key === "") return fail(400, "License key is required");
  if (typeof key !== "string") return fail(400, "Invalid key: expected a string");
  if (machineId !== undefined && machineId !== null &&
    (typeof machineId !== "string" || machineId.length < 1 || machineId.length > 128 || /[\u0000-\u001f\u007f]/.test(machineId))) {
    return fail(400, "Invalid machineId: expected 1 to 128 characters, no control characters");
  }
  let row;
  try {
    const answer = await env.DB.withSession("first-unconstrained").prepare(FIND_BY_KEY).bind(key).all();
    row = answer.results?.[0];
  } catch (e) {
    console.error(`find license: ${e && e.message}`);
    return json(200, { valid: null, status: "server_error" });
  }
  let code = "VALID";
  if (!row) code = "NOT_FOUND";
  else if (row.status === "REVOKED") code = "REVOKED";
  else if (row.status === "EXPIRED" || Date.parse(row.expires_at) <= Date.now()) code = "EXPIRED";
  else {
    const seats = JSON.parse(row.seats);
    if (seats.length === 0) code = "NOT_ACTIVATED";
    else if (machineId && !seats.some((seat) => seat.machineId === machineId)) code = "MACHINE_MISMATCH";
  }
  const [status, message] = VERDICTS[code];
  const answer = { valid: code === "VALID", status, code, message, expiresAt: row ? row.expires_at : null };
  if (answer.valid) answer.token = await token(env, row, machineId, origin);
  return json(200, answer);
}

export default {
  async fetch(request, env) {
    const { pathname, origin } = new URL(request.url);
    if (pathname === "/license/create") {
      if (request.method === "POST") return create(request, env);
      return json(405, { message: "Method not allowed" }, { allow: "POST" });
    }
    if (pathname === "/validate") {
      if (request.method === "POST") return validate(request, env, origin);
      return json(405, { message: "Method not allowed" }, { allow: "POST" });
    }
    return fail(404, "Not found");
  },
};
