// CPU profile of a worker under `wrangler dev`, through its V8 inspector (bench/run.sh with
// BENCH_PROFILE=1 runs it while wrk loads the worker). Prints self time by function, top first.
// Usage: node bench/profile.mjs INSPECTOR_PORT SECONDS [TOP]
const [port, seconds = "5", top = "25"] = process.argv.slice(2);
if (!port) {
  console.error("usage: node bench/profile.mjs INSPECTOR_PORT SECONDS [TOP]");
  process.exit(2);
}

// Never outlive the load: give up (exit 1) if the inspector does not answer in time.
setTimeout(() => {
  console.error("profile: the inspector did not answer in time");
  process.exit(1);
}, (Number(seconds) + 20) * 1000).unref();

const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
const target = targets.find((t) => t.webSocketDebuggerUrl);
if (!target) throw new Error(`no inspectable target on port ${port}`);
// The inspector proxy refuses connections without an Origin (undici accepts extra headers).
const ws = new WebSocket(target.webSocketDebuggerUrl, { headers: { Origin: "http://127.0.0.1" } });
await new Promise((resolve, reject) => {
  ws.onopen = resolve;
  ws.onerror = () => reject(new Error("inspector connection failed"));
});

let next = 0;
const pending = new Map();
ws.onmessage = (event) => {
  const message = JSON.parse(event.data);
  if (message.id !== undefined && pending.has(message.id)) {
    const { resolve, reject } = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) reject(new Error(JSON.stringify(message.error)));
    else resolve(message.result);
  }
};
const send = (method, params = {}) =>
  new Promise((resolve, reject) => {
    const id = ++next;
    pending.set(id, { resolve, reject });
    ws.send(JSON.stringify({ id, method, params }));
  });

// The debugger hands out the scripts' sources, to show where each JS function starts.
await send("Debugger.enable");
await send("Profiler.enable");
await send("Profiler.setSamplingInterval", { interval: 100 }); // microseconds
await send("Profiler.start");
await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
const { profile } = await send("Profiler.stop");
// Each JS script's source, by id: minified glue (wasm-bindgen's, the entry shim) has one-letter
// or no function names, so the profile shows the source around where each function starts.
const sources = new Map();
for (const { callFrame } of profile.nodes) {
  const { scriptId, url } = callFrame;
  if (!url || url.startsWith("wasm") || sources.has(scriptId)) continue;
  const source = await send("Debugger.getScriptSource", { scriptId }).catch(() => null);
  sources.set(scriptId, source?.scriptSource.split("\n") ?? null);
}
ws.close();

// Self time per function: samples name the node that was on top of the stack.
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const counts = new Map();
for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
const self = new Map();
let total = 0;
for (const [id, count] of counts) {
  const { functionName, url, lineNumber, columnNumber, scriptId } = byId.get(id).callFrame;
  // JS functions are told apart by their position in the script and the source there.
  const line = sources.get(scriptId)?.[lineNumber];
  // Where a function starts, with what precedes it: a glue function's import name comes first.
  const excerpt = line
    ? ` ${JSON.stringify(line.slice(Math.max(0, columnNumber - 80), columnNumber + 20))}`
    : "";
  const at = !url || url.startsWith("wasm") ? "" : `:${lineNumber + 1}:${columnNumber + 1}${excerpt}`;
  const where = url ? `${url.split("/").slice(-1)[0]}${at}` : "";
  const name = `${functionName || "(anonymous)"}${where ? ` [${where}]` : ""}`;
  self.set(name, (self.get(name) ?? 0) + count);
  total += count;
}
const idle = (self.get("(idle)") ?? 0) + (self.get("(program)") ?? 0);
const wasm = [...self].filter(([n]) => n.includes("wasm")).reduce((s, [, c]) => s + c, 0);
console.log(
  `${total} samples over ${seconds}s; (idle)+(program) ${((100 * idle) / total).toFixed(1)}%, ` +
    `wasm functions ${((100 * wasm) / total).toFixed(1)}%`,
);
for (const [name, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
  console.log(`${((100 * count) / total).toFixed(1).padStart(5)}%  ${name}`);
}
// The inspector's socket may not finish closing, which would keep the process (and the timeout
// above) alive: the profile is printed, so exit.
process.exit(0);
