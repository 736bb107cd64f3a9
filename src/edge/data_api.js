// The MongoDB backend's one HTTP exchange with the Data API (src/edge/data_api.rs) in one call
// from wasm: the request, the status and the body text.

/** POSTs `body` (EJSON) to `url` with `apiKey`; the exchange, body read included, is aborted
 * after `timeoutMs`. Resolves to `status \n body`; rejects with `"timeout"` after the deadline
 * or with the reason of any other failure. */
export async function post(url, apiKey, body, timeoutMs) {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/ejson", accept: "application/ejson", "api-key": apiKey },
      body,
      signal,
    });
    return response.status + "\n" + (await response.text());
  } catch (error) {
    if (signal.aborted) throw "timeout";
    throw String(error?.message ?? error);
  }
}
