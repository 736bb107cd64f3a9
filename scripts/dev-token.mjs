// Prints an HS256 bearer token signed with JWT_SECRET from .dev.vars, for curl against `wrangler dev`.
// Usage: node scripts/dev-token.mjs [userId] [ttlSeconds]
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";

const vars = readFileSync(new URL("../.dev.vars", import.meta.url), "utf8");
const secret = vars.match(/^JWT_SECRET=(.*)$/m)?.[1]?.trim();
if (!secret) {
  console.error(".dev.vars has no JWT_SECRET: run `bash scripts/dev.sh` once to create it");
  process.exit(1);
}
const [userId = "60f7b3b3e6b3a72e8c8e4a1a", ttl = "3600"] = process.argv.slice(2);
const now = Math.floor(Date.now() / 1000);
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
const unsigned = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub: userId, iat: now, exp: now + Number(ttl) })}`;
const signature = createHmac("sha256", secret).update(unsigned).digest("base64url");
console.log(`${unsigned}.${signature}`);
