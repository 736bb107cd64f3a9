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

import { readU32, u32 } from "./leb128.mjs";

const [input, output, pattern] = process.argv.slice(2);
if (!input || !output || !pattern) {
  console.error("usage: strip-exports.mjs IN.wasm OUT.wasm PATTERN");
  process.exit(2);
}
const bytes = readFileSync(input);
const wanted = new RegExp(pattern);

const EXPORT_SECTION = 7;
const parts = [bytes.subarray(0, 8)]; // magic and version
const dropped = [];
const pos = { at: 8 };
while (pos.at < bytes.length) {
  const sectionStart = pos.at;
  const id = bytes[pos.at++];
  const size = readU32(bytes, pos);
  const end = pos.at + size;
  if (id !== EXPORT_SECTION) {
    parts.push(bytes.subarray(sectionStart, end));
    pos.at = end;
    continue;
  }
  const count = readU32(bytes, pos);
  const kept = [];
  for (let i = 0; i < count; i++) {
    const entry = pos.at;
    const nameLength = readU32(bytes, pos);
    const name = bytes.subarray(pos.at, pos.at + nameLength).toString("utf8");
    pos.at += nameLength + 1; // the name, then the export's kind (one byte)
    readU32(bytes, pos); // its index
    if (wanted.test(name)) dropped.push(name);
    else kept.push(bytes.subarray(entry, pos.at));
  }
  const body = Buffer.concat([u32(kept.length), ...kept]);
  parts.push(Buffer.from([EXPORT_SECTION]), u32(body.length), body);
  pos.at = end;
}
if (dropped.length === 0) {
  console.error(`strip-exports: no export matches ${pattern}`);
  process.exit(1);
}
writeFileSync(output, Buffer.concat(parts));
console.log(`strip-exports: ${dropped.length} exports dropped (${pattern})`);
