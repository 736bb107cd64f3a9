// Turns wasm-bindgen's `--target module` output in DIR (index.js + index_bg.wasm) into the
// worker: the entry shim (build-support/shim.js) bundled with esbuild into DIR/index.js, which
// imports DIR/index_bg.wasm. Usage: node build-support/bundle.mjs DIR ESBUILD_BIN SDK_VERSION
//
// The steps worker-build 0.8.7 runs after wasm-bindgen (src/main.rs: generate_handlers,
// add_export_wrappers, bundle, fix_wasm_import, producers::inject_workers_rs_sdk_metadata),
// ported from Rust (Apache License 2.0, see build-support/shim.js and LICENSE-APACHE-2.0), so
// that a first build does not have to compile worker-build (minutes) to run them. Not ported:
// the emscripten and panic=unwind shims, RUN_TO_COMPLETION, COREDUMP, NO_MINIFY, the wasm-pack
// package.json and the build/worker/shim.mjs alias (nothing here reads them).

import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { readU32, u32 } from "./leb128.mjs";

const [dir, esbuild, sdkVersion] = process.argv.slice(2);
if (!dir || !esbuild || !sdkVersion) {
  console.error("usage: node build-support/bundle.mjs DIR ESBUILD_BIN SDK_VERSION");
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const indexPath = join(dir, "index.js");
const bindings = readFileSync(indexPath, "utf8");

// wasm-bindgen's own exports, re-wrapped by the shim rather than re-exported.
const SYSTEM_FNS = new Set(["__wbg_reset_state", "__worker_init_state"]);
// workers-rs's own option structs, exported by wasm-bindgen as classes; KeyBox never hands
// them to JS (no containers, no minification, no R2). Not re-exported, so esbuild drops their
// classes, and scripts/build.sh strips their wasm exports (build-support/strip-exports.mjs).
const UNUSED_CLASSES = new Set(["ContainerStartupOptions", "MinifyConfig", "R2Range"]);
// Event handlers: called with (event, env, ctx) like workers-rs's #[event] functions expect.
const EVENT_FNS = new Set(["fetch", "queue", "scheduled", "email", "connect"]);

/** Each `export` declaration of wasm-bindgen's module text, from the keyword on. */
function exportDecls(text) {
  const decls = [];
  for (const m of text.matchAll(/export /g)) {
    const before = text[m.index - 1];
    if (m.index === 0 || /[\s;}]/.test(before)) decls.push(text.slice(m.index));
  }
  return decls;
}

const functions = [];
const classes = [];
for (const decl of exportDecls(bindings)) {
  let m;
  if ((m = /^export (?:async )?function\s*([\w$]+)\s*\(/.exec(decl))) {
    functions.push(m[1]);
  } else if ((m = /^export \{[^}]*? as ([\w$]+)\s*\}/.exec(decl))) {
    functions.push(m[1]);
  } else if ((m = /^export class ([\w$]+)\s*\{/.exec(decl))) {
    classes.push(m[1]);
  }
}

let handlers = "";
for (const name of functions.filter((f) => !SYSTEM_FNS.has(f))) {
  handlers += EVENT_FNS.has(name)
    ? `Entrypoint.prototype.${name} = guarded(exports.${name});\n`
    : `Entrypoint.prototype.${name} = exports.${name};\n`;
}
if (!functions.includes("fetch")) {
  console.error(`bundle.mjs: ${indexPath} exports no fetch handler`);
  process.exit(1);
}

let shim = readFileSync(join(here, "shim.js"), "utf8").replace(/^\$HANDLERS$/m, () => handlers);
for (const name of classes.filter((c) => !UNUSED_CLASSES.has(c))) {
  shim += `export const ${name} = new Proxy(exports.${name}, classProxyHooks);\n`;
}
const shimPath = join(dir, "shim.js");
writeFileSync(shimPath, shim);

execFileSync(
  resolve(esbuild),
  [
    "--external:./index_bg.wasm",
    "--external:cloudflare:*",
    "--format=esm",
    "--bundle",
    "./shim.js",
    "--outfile=index.js",
    "--allow-overwrite",
    "--minify",
    "--log-level=warning",
  ],
  { cwd: dir, stdio: "inherit" },
);
// wasm-bindgen imports the module in the source phase (`import source m from "./x.wasm"`);
// wrangler's bundler and workerd take the plain import of a .wasm as the compiled module.
const bundled = readFileSync(indexPath, "utf8");
writeFileSync(indexPath, bundled.replaceAll("import source ", "import "));
rmSync(shimPath);
rmSync(join(dir, "snippets"), { recursive: true, force: true });

// The `producers` custom section names the SDK (sdk: workers-rs VERSION), as worker-build's
// producers.rs records it (a field/name pair already present is kept).
const wasmPath = join(dir, "index_bg.wasm");
writeFileSync(wasmPath, withSdkProducer(readFileSync(wasmPath), "workers-rs", sdkVersion));

/** The module with `sdk: name version` merged into its producers section. */
function withSdkProducer(wasm, name, version) {
  if (wasm.readUInt32BE(0) !== 0x0061736d || wasm.readUInt32LE(4) !== 1) {
    throw new Error(`${wasmPath}: not a wasm module`);
  }
  const leb = (pos) => readU32(wasm, pos);
  const str = (pos) => {
    const len = leb(pos);
    const s = wasm.toString("utf8", pos.at, pos.at + len);
    pos.at += len;
    return s;
  };
  let section = null;
  const entries = [];
  const pos = { at: 8 };
  while (pos.at < wasm.length) {
    const start = pos.at;
    const id = wasm[pos.at++];
    const len = leb(pos);
    const end = pos.at + len;
    if (id === 0 && str(pos) === "producers") {
      section = { start, end };
      const fields = leb(pos);
      for (let f = 0; f < fields; f++) {
        const field = str(pos);
        const values = leb(pos);
        for (let v = 0; v < values; v++) entries.push({ field, name: str(pos), version: str(pos) });
      }
      break;
    }
    pos.at = end;
  }
  if (!entries.some((e) => e.field === "sdk" && e.name === name)) {
    entries.push({ field: "sdk", name, version });
  }

  const name_ = (s) => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s)]);
  const fields = [...new Set(entries.map((e) => e.field))];
  const content = [u32(fields.length)];
  for (const field of fields) {
    const own = entries.filter((e) => e.field === field);
    content.push(name_(field), u32(own.length));
    for (const e of own) content.push(name_(e.name), name_(e.version));
  }
  const payload = Buffer.concat([name_("producers"), ...content]);
  const encoded = Buffer.concat([Buffer.from([0]), u32(payload.length), payload]);
  return section
    ? Buffer.concat([wasm.subarray(0, section.start), encoded, wasm.subarray(section.end)])
    : Buffer.concat([wasm, encoded]);
}
