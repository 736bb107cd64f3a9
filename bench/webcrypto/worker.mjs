// A throwaway worker for bench/webcrypto/workerd.sh: GET /?alg=ES256&n=200 runs n WebCrypto
// verifications (key imported once) inside workerd and answers how many succeeded. The caller
// times the requests; workerd's clock does not advance during pure computation.
const { subtle } = crypto;
const rsa = (name, hash) => ({ gen: { name, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash }, imp: { name, hash } });
const algs = {
  HS256: { gen: { name: "HMAC", hash: "SHA-256" }, sign: { name: "HMAC" } },
  RS256: { ...rsa("RSASSA-PKCS1-v1_5", "SHA-256"), sign: { name: "RSASSA-PKCS1-v1_5" } },
  PS256: { ...rsa("RSA-PSS", "SHA-256"), sign: { name: "RSA-PSS", saltLength: 32 } },
  ES256: { gen: { name: "ECDSA", namedCurve: "P-256" }, sign: { name: "ECDSA", hash: "SHA-256" } },
  EdDSA: { gen: { name: "Ed25519" }, sign: { name: "Ed25519" } },
};
const prepared = new Map();

async function prepare(name) {
  if (!prepared.has(name)) {
    const a = algs[name];
    const keys = await subtle.generateKey(a.gen, true, ["sign", "verify"]);
    const data = new TextEncoder().encode("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1IiwiZXhwIjoyMDAwMDAwMDAwfQ");
    const sig = await subtle.sign(a.sign, keys.privateKey ?? keys, data);
    prepared.set(name, { a, key: keys.publicKey ?? keys, data, sig });
  }
  return prepared.get(name);
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const name = url.searchParams.get("alg") ?? "HS256";
    const n = Number(url.searchParams.get("n") ?? "0");
    if (!algs[name]) return new Response("unknown alg", { status: 400 });
    const { a, key, data, sig } = await prepare(name);
    let ok = 0;
    for (let i = 0; i < n; i++) if (await subtle.verify(a.sign, key, sig, data)) ok++;
    return new Response(String(ok));
  },
};
