// The worker's few calls into the runtime that would otherwise cross from wasm to JS once per
// value (src/edge/request.rs): each here is one call, its strings passed as one text. The text
// formats are parsed and built by src/http/wire.rs, where they are unit-tested.

/** `method \n url \n value…`: the request's method, its URL and the value of each header in
 * `names` (an array made once per isolate), `"\0"` for a missing one. Fetch forbids line feeds
 * and NUL in header values, and the URL parser removes them from URLs. */
export function requestHead(request, names) {
  const headers = request.headers;
  let head = request.method + "\n" + request.url;
  for (let i = 0; i < names.length; i++) {
    const value = headers.get(names[i]);
    head += value === null ? "\n\0" : "\n" + value;
  }
  return head;
}

/** A `Response` of `status` and `body` (`undefined`: none), its headers given as
 * `name \n value \n name \n value…` (empty: none). The runtime refuses only a status outside
 * 200–599 or a body on a null-body status, neither of which the API answers; such a refusal is
 * logged and answered as the API's 500, never thrown through the wasm. */
export function response(status, body, headers) {
  const init = { status, headers: {} };
  if (headers !== "") {
    const parts = headers.split("\n");
    for (let i = 0; i + 1 < parts.length; i += 2) init.headers[parts[i]] = parts[i + 1];
  }
  try {
    return new Response(body, init);
  } catch (error) {
    console.error(`500 the runtime refused a ${status} response: ${error}`);
    return new Response('{"error":"Internal server error"}', {
      status: 500,
      headers: {
        "content-type": "application/json; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  }
}
