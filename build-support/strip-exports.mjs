// Drops from a wasm module's export section the exports whose names match a pattern, so that
// wasm-opt then removes the code only they reached.
//
//   node build-support/strip-exports.mjs IN.wasm OUT.wasm PATTERN
//
// Used for classes wasm-bindgen exports that KeyBox never uses: wasm-streams'
// `IntoUnderlyingSource`/`…ByteSource`/`…Sink` (`worker` links the crate; KeyBox reads bodies
// with one `arrayBuffer()` and never builds those streams) and workers-rs's
// `ContainerStartupOptions`, `MinifyConfig` and `R2Range` (no containers, minification or R2).
// Their `#[wasm_bindgen]` exports are roots no link-time optimisation can drop. Their JS
// classes stay in index.js, not exported by the bundle and never constructed; the methods that
// would call the removed exports never run. Fails when the pattern matches nothing (a renamed
// crate or a new wasm-bindgen should be looked at, not silently skipped).
import { readFileSync, writeFileSync } from "node:fs";

const [input, output, pattern] = process.argv.slice(2);
if (!input || !output || !pattern) {
  console.error("usage: strip-exports.mjs IN.wasm OUT.wasm PATTERN");
  process.exit(2);
}
const bytes = readFileSync(input);
const wanted = new RegExp(pattern);

function readLeb(at) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[at++];
    value |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return [value >>> 0, at];
}

function leb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return Buffer.from(out);
}

const EXPORT_SECTION = 7;
const parts = [bytes.subarray(0, 8)]; // magic and version
const dropped = [];
let at = 8;
while (at < bytes.length) {
  const id = bytes[at];
  const [size, start] = readLeb(at + 1);
  const end = start + size;
  if (id !== EXPORT_SECTION) {
    parts.push(bytes.subarray(at, end));
    at = end;
    continue;
  }
  let [count, entry] = readLeb(start);
  const kept = [];
  for (let i = 0; i < count; i++) {
    const [nameLength, nameStart] = readLeb(entry);
    const name = bytes.subarray(nameStart, nameStart + nameLength).toString("utf8");
    // The export's kind (one byte), then its index.
    const [, next] = readLeb(nameStart + nameLength + 1);
    if (wanted.test(name)) dropped.push(name);
    else kept.push(bytes.subarray(entry, next));
    entry = next;
  }
  const body = Buffer.concat([leb(kept.length), ...kept]);
  parts.push(Buffer.from([EXPORT_SECTION]), leb(body.length), body);
  at = end;
}
if (dropped.length === 0) {
  console.error(`strip-exports: no export matches ${pattern}`);
  process.exit(1);
}
writeFileSync(output, Buffer.concat(parts));
console.log(`strip-exports: ${dropped.length} exports dropped (${pattern})`);
