// Reading a .wasm module's binary, for the scripts that look inside the web build
// (wasm-parts.mjs: where its bytes are; short-names.mjs: renaming its imports and exports).

/** A reader over the module's bytes: LEB128 integers, names and skipped spans. */
export class Reader {
  constructor(bytes, at = 0) {
    this.b = bytes;
    this.at = at;
  }

  u8() {
    return this.b[this.at++];
  }

  leb() {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.u8();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
  }

  name() {
    const len = this.leb();
    const text = new TextDecoder().decode(this.b.subarray(this.at, this.at + len));
    this.at += len;
    return text;
  }

  limits() {
    const flags = this.u8();
    this.leb();
    if (flags & 1) this.leb();
    // A custom page size (the custom-page-sizes proposal) follows as its log2.
    if (flags & 8) this.leb();
  }

  /** Skips an import's description (after its module and field); returns its kind (0 a function). */
  importDesc() {
    const kind = this.u8();
    if (kind === 0) this.leb();
    else if (kind === 1) {
      this.u8();
      this.limits();
    } else if (kind === 2) this.limits();
    else if (kind === 3) {
      // A value type then mutability; typed references (0x63/0x64) carry a heap type too.
      const type = this.u8();
      if (type === 0x63 || type === 0x64) this.leb();
      this.u8();
    } else if (kind === 4) {
      this.u8();
      this.leb();
    } else throw new Error(`import of unknown kind ${kind}: this reader needs teaching`);
    return kind;
  }
}

/** The module's sections, in order, as { id, start, end } (the span of each payload). */
export function sections(bytes) {
  const r = new Reader(bytes, 8);
  const list = [];
  while (r.at < bytes.length) {
    const id = r.u8();
    const size = r.leb();
    list.push({ id, start: r.at, end: r.at + size });
    r.at += size;
  }
  return list;
}
