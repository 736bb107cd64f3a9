// The alternative to pure-Rust verification, measured: WebCrypto (crypto.subtle) verify per
// JWS algorithm, with and without importing the key each time. Node's WebCrypto (OpenSSL) stands
// in for workerd's (BoringSSL); both are native code. Usage: node_modules/.bin/node bench/webcrypto/node.mjs
const { subtle } = globalThis.crypto;
const enc = new TextEncoder();
const data = enc.encode(
  "eyJhbGciOiJSUzI1NiJ9." + Buffer.from(JSON.stringify({ sub: "u", exp: 2e9 })).toString("base64url"),
);

const rsa = (name, hash) => ({ gen: { name, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash }, imp: { name, hash } });
const algs = {
  HS256: { gen: { name: "HMAC", hash: "SHA-256" }, imp: { name: "HMAC", hash: "SHA-256" }, sign: { name: "HMAC" } },
  RS256: { ...rsa("RSASSA-PKCS1-v1_5", "SHA-256"), sign: { name: "RSASSA-PKCS1-v1_5" } },
  RS512: { ...rsa("RSASSA-PKCS1-v1_5", "SHA-512"), sign: { name: "RSASSA-PKCS1-v1_5" } },
  PS256: { ...rsa("RSA-PSS", "SHA-256"), sign: { name: "RSA-PSS", saltLength: 32 } },
  ES256: { gen: { name: "ECDSA", namedCurve: "P-256" }, imp: { name: "ECDSA", namedCurve: "P-256" }, sign: { name: "ECDSA", hash: "SHA-256" } },
  EdDSA: { gen: { name: "Ed25519" }, imp: { name: "Ed25519" }, sign: { name: "Ed25519" } },
};

async function time(fn) {
  for (let i = 0; i < 50; i++) await fn();
  let rounds = 64;
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < rounds; i++) await fn();
    const ms = performance.now() - start;
    if (ms > 500) return (ms * 1000) / rounds;
    rounds *= 2;
  }
}

console.log("alg      verify µs   import+verify µs");
for (const [name, a] of Object.entries(algs)) {
  const keys = await subtle.generateKey(a.gen, true, ["sign", "verify"]);
  const signer = keys.privateKey ?? keys;
  const verifier = keys.publicKey ?? keys;
  const jwk = await subtle.exportKey("jwk", verifier);
  const sig = await subtle.sign(a.sign, signer, data);
  const verifyOnly = await time(async () => {
    if (!(await subtle.verify(a.sign, verifier, sig, data))) throw new Error("bad");
  });
  const withImport = await time(async () => {
    const key = await subtle.importKey("jwk", jwk, a.imp, false, ["verify"]);
    if (!(await subtle.verify(a.sign, key, sig, data))) throw new Error("bad");
  });
  console.log(`${name.padEnd(8)} ${verifyOnly.toFixed(1).padStart(9)} ${withImport.toFixed(1).padStart(18)}`);
}
