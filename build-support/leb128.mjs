// Unsigned LEB128, the integer encoding of wasm's binary format: shared by bundle.mjs (the
// producers section) and strip-exports.mjs (the export section).

/** The u32 at `pos.at` in `bytes`; advances `pos.at` past it. Throws on a malformed one. */
export function readU32(bytes, pos) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[pos.at++];
    if (byte === undefined || shift > 28) throw new Error("bad LEB128 in the wasm module");
    value |= (byte & 0x7f) << shift;
    if (!(byte & 0x80)) return value >>> 0;
    shift += 7;
  }
}

/** `n` encoded. */
export function u32(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
}
