// The wasm part of KeyBox's cold start, outside workerd: `new WebAssembly.Module(bytes)`
// (compile) and `new WebAssembly.Instance(module, imports)` (instantiate), in a fresh Node
// process each time (V8 caches a compiled module per process), RUNS times; prints the medians.
// The imports are stubs shaped like the generated glue's (functions that do nothing, a tag
// for exceptions): instantiation links them but runs no Rust code. Node's V8, not workerd's:
// read it as the order of magnitude the module costs; bench/cold-start.mjs times the real start.
// Usage: node bench/instantiate.mjs WASM_FILE [RUNS]
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const [file, runs = "5", once] = process.argv.slice(2);
if (once === "--once") {
  const bytes = readFileSync(file);
  const t0 = performance.now();
  const module = new WebAssembly.Module(bytes);
  const t1 = performance.now();
  const imports = {};
  for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
    imports[from] ??= {};
    imports[from][name] =
      kind === "function" ? () => {}
      : kind === "tag" ? (WebAssembly.JSTag ?? new WebAssembly.Tag({ parameters: ["externref"] }))
      : kind === "global" ? new WebAssembly.Global({ value: "i32", mutable: true }, 0)
      : kind === "memory" ? new WebAssembly.Memory({ initial: 17 })
      : new WebAssembly.Table({ initial: 0, element: "anyfunc" });
  }
  new WebAssembly.Instance(module, imports);
  const t2 = performance.now();
  console.log(`${t1 - t0} ${t2 - t1}`);
} else {
  const samples = [];
  for (let i = 0; i < Number(runs); i++) {
    const out = execFileSync(process.execPath, [new URL(import.meta.url).pathname, file, "1", "--once"]);
    samples.push(String(out).trim().split(" ").map(Number));
  }
  const median = (k) => {
    const v = samples.map((s) => s[k]).sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  const size = readFileSync(file).length;
  console.log(`wasm (${size} bytes), Node ${process.version}, median of ${runs} fresh processes: ` +
    `compile ${median(0).toFixed(1)} ms, instantiate ${median(1).toFixed(1)} ms`);
}
