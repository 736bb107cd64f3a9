// The JWKS document's two transports (src/edge/jwks_fetch.rs), each one call from wasm: the
// provider fetched with a timeout, and the copy shared between isolates through the Cache API.
// The caching policy stays in Rust (src/auth/jwks.rs).

const EXPIRES_HEADER = "x-keybox-jwks-expires";

/** GET `url`, aborted after `timeoutMs`. Resolves to `cache-control \n body` (the header empty
 * when absent), or `null` after a timeout or a status other than 200 (both logged); rejects
 * with the reason of any other failure. */
export async function fetchJwks(url, timeoutMs) {
  let response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (response.status !== 200) {
      console.warn(`JWKS endpoint answered ${response.status}`);
      return null;
    }
    return (response.headers.get("cache-control") ?? "") + "\n" + (await response.text());
  } catch (error) {
    if (error?.name === "TimeoutError") {
      console.warn(`JWKS fetch timed out after ${timeoutMs} ms`);
      return null;
    }
    throw String(error?.message ?? error);
  }
}

/** The shared copy of `url`: `expires-ms \n body`, or `null` when there is none. */
export async function sharedJwks(url) {
  const response = await caches.default.match(url);
  const expires = response?.headers.get(EXPIRES_HEADER);
  return expires == null ? null : expires + "\n" + (await response.text());
}

/** Stores `body` as the shared copy of `url` for `maxAgeSeconds`, until `expiresMs`. */
export async function shareJwks(url, body, maxAgeSeconds, expiresMs) {
  try {
    const headers = {
      "content-type": "application/json",
      "cache-control": `max-age=${maxAgeSeconds}`,
      [EXPIRES_HEADER]: String(expiresMs),
    };
    await caches.default.put(url, new Response(body, { headers }));
  } catch (error) {
    throw String(error?.message ?? error);
  }
}
