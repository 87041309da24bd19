/**
 * PostgreSQL COPY binary-format encoding (https://www.postgresql.org/docs/current/sql-copy.html,
 * "Binary Format"): a header, then per row a field count and each field as a length and the type's
 * binary representation, then a trailer. Used for the two wide score tables, where parsing text
 * (uuids, floats, timestamps, arrays) was most of PostgreSQL's work in a full rescore.
 */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Midnight 2000-01-01 UTC, PostgreSQL's epoch for dates and timestamps. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const TEXT_OID = 25;
/** Hex digit values by character code (-1: not a hex digit). */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}

export class CopyBinaryWriter {
  private buf: Buffer;
  /** A view of `buf` for the fixed-size big-endian writes (V8 inlines DataView's setters). */
  private view: DataView;
  private pos = 0;

  constructor(initialBytes = 1 << 16) {
    // Not zeroed: finish() copies out only the bytes written.
    this.buf = Buffer.allocUnsafeSlow(initialBytes);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.bytes(SIGNATURE);
    this.int32(0); // flags
    this.int32(0); // header extension length
  }

  /**
   * Forgets the rows written so far and keeps the buffer, for the next document: a writer reused
   * batch after batch does not allocate (and fault in) a fresh buffer for each.
   */
  reset(): this {
    this.pos = COPY_BINARY_HEADER.length;
    return this;
  }

  /** Starts a row of `fields` fields. */
  row(fields: number): this {
    this.room(2);
    this.view.setInt16(this.pos, fields);
    this.pos += 2;
    return this;
  }

  null(): this {
    return this.int32(-1);
  }

  uuid(v: string | null): this {
    if (v === null) return this.null();
    this.int32(16);
    this.room(16);
    writeUuid(v, this.buf, this.pos);
    this.pos += 16;
    return this;
  }

  text(v: string | null | undefined): this {
    if (v === null || v === undefined) return this.null();
    const at = this.openField();
    return this.utf8(v).closeField(at);
  }

  /**
   * A string into the open field as UTF-8. ASCII (codes, ids, reasons: nearly everything) is copied
   * by hand, cheaper than a native call for short strings; anything else goes through Buffer.write.
   */
  utf8(v: string): this {
    const n = v.length;
    this.room(n);
    const start = this.pos;
    for (let i = 0; i < n; i++) {
      const c = v.charCodeAt(i);
      if (c > 0x7f) {
        this.room(Buffer.byteLength(v));
        this.pos = start + this.buf.write(v, start, 'utf8');
        return this;
      }
      this.buf[start + i] = c;
    }
    this.pos = start + n;
    return this;
  }

  /** A field already encoded by `encodeField` (e.g. the same value on every row of a run). */
  field(encoded: Uint8Array): this {
    return this.bytes(encoded);
  }

  bool(v: boolean): this {
    this.int32(1);
    this.room(1);
    this.buf[this.pos++] = v ? 1 : 0;
    return this;
  }

  int2(v: number | null | undefined): this {
    if (v === null || v === undefined) return this.null();
    this.room(6);
    this.view.setInt32(this.pos, 2);
    this.view.setInt16(this.pos + 4, v);
    this.pos += 6;
    return this;
  }

  int4(v: number | null | undefined): this {
    if (v === null || v === undefined) return this.null();
    this.room(8);
    this.view.setInt32(this.pos, 4);
    this.view.setInt32(this.pos + 4, v);
    this.pos += 8;
    return this;
  }

  /** A bigint given as its high and low 32 bits, each 0 to 2^32 - 1. */
  int8(high: number, low: number): this {
    this.room(12);
    this.view.setInt32(this.pos, 8);
    this.view.setUint32(this.pos + 4, high);
    this.view.setUint32(this.pos + 8, low);
    this.pos += 12;
    return this;
  }

  float8(v: number): this {
    this.room(12);
    this.view.setInt32(this.pos, 8);
    this.view.setFloat64(this.pos + 4, v);
    this.pos += 12;
    return this;
  }

  /** A calendar date "YYYY-MM-DD". */
  date(v: string): this {
    const days =
      (Date.UTC(+v.slice(0, 4), +v.slice(5, 7) - 1, +v.slice(8, 10)) - PG_EPOCH_MS) / 864e5;
    this.int32(4);
    return this.int32(days);
  }

  /** An instant (ISO string), to the millisecond. */
  timestamptz(iso: string): this {
    const micros = BigInt(Date.parse(iso) - PG_EPOCH_MS) * 1000n;
    this.int32(8);
    this.room(8);
    this.view.setBigInt64(this.pos, micros);
    this.pos += 8;
    return this;
  }

  /** A one-dimensional text[] without nulls. */
  textArray(values: readonly string[]): this {
    let size = 12 + (values.length ? 8 : 0);
    for (const v of values) size += 4 + Buffer.byteLength(v);
    this.int32(size);
    this.int32(values.length ? 1 : 0); // dimensions
    this.int32(0); // no nulls
    this.int32(TEXT_OID);
    if (values.length) {
      this.int32(values.length);
      this.int32(1); // lower bound
      for (const v of values) this.text(v);
    }
    return this;
  }

  /**
   * Opens a field written piece by piece (bytes, ascii) for text and json built on the fly, without
   * building the string first; closeField(at) writes its length. Returns where the length goes.
   */
  openField(): number {
    this.room(4);
    const at = this.pos;
    this.pos += 4;
    return at;
  }

  closeField(at: number): this {
    this.view.setInt32(at, this.pos - at - 4);
    return this;
  }

  /** Bytes as they are: a piece of the open field (already UTF-8), or a whole encoded field. */
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /**
   * A number into the open field as JSON.stringify writes it: integers and numbers of one decimal
   * place (the scores) digit by digit, anything else through String(); not finite as null.
   */
  jsonNumber(x: number): this {
    const tenths = Math.round(x * 10);
    if (tenths / 10 !== x || !Number.isSafeInteger(tenths)) {
      return this.ascii(Number.isFinite(x) ? String(x) : 'null');
    }
    let t = tenths;
    if (t < 0) {
      this.ascii('-');
      t = -t;
    }
    const whole = Math.floor(t / 10);
    const tenth = t - whole * 10;
    this.digits(whole);
    if (tenth !== 0) {
      this.room(2);
      this.buf[this.pos++] = 0x2e; // "."
      this.buf[this.pos++] = 0x30 + tenth;
    }
    return this;
  }

  /** A whole number >= 0, in decimal. */
  private digits(n: number): void {
    let len = 1;
    for (let p = 10; p <= n; p *= 10) len++;
    this.room(len);
    let v = n;
    for (let i = this.pos + len - 1; i >= this.pos; i--) {
      const q = Math.floor(v / 10);
      this.buf[i] = 0x30 + (v - q * 10);
      v = q;
    }
    this.pos += len;
  }

  /** Characters known to be ASCII (digits, signs, JSON punctuation) into the open field. */
  ascii(s: string): this {
    const n = s.length;
    this.room(n);
    for (let i = 0; i < n; i++) this.buf[this.pos + i] = s.charCodeAt(i);
    this.pos += n;
    return this;
  }

  /** The encoded rows with the trailer, in a buffer of their own (transferable to another thread). */
  finish(): Uint8Array<ArrayBuffer> {
    this.room(2);
    this.view.setInt16(this.pos, -1);
    this.pos += 2;
    const out = new Uint8Array(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }

  private int32(v: number): this {
    this.room(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
    return this;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.length);
  }
}

/** The start of a binary COPY stream: signature, flags, header extension length. */
export const COPY_BINARY_HEADER: Buffer = Buffer.concat([SIGNATURE, Buffer.alloc(8)]);
/** The end of a binary COPY stream: a field count of -1. */
export const COPY_BINARY_TRAILER: Buffer = Buffer.from([0xff, 0xff]);

/**
 * The rows of a document made by CopyBinaryWriter, without its header and trailer: documents encoded
 * separately (a batch each) can then be sent one after another inside one COPY.
 */
export function copyBinaryRows(document: Uint8Array): Uint8Array {
  const end = document.length - COPY_BINARY_TRAILER.length;
  if (
    end < COPY_BINARY_HEADER.length ||
    !COPY_BINARY_HEADER.equals(document.subarray(0, COPY_BINARY_HEADER.length)) ||
    document[end] !== 0xff ||
    document[end + 1] !== 0xff
  ) {
    throw new Error('not a binary COPY document from CopyBinaryWriter');
  }
  return document.subarray(COPY_BINARY_HEADER.length, end);
}

/** A uuid field (length and 16 bytes), to be written on several rows with `field`. */
export function uuidField(v: string): Uint8Array {
  const out = new Uint8Array(20);
  out[3] = 16;
  writeUuid(v, out, 4);
  return out;
}

/** Writes the 16 bytes of a uuid in text form (8-4-4-4-12 hex digits) at `pos`. */
function writeUuid(v: string, buf: Uint8Array, pos: number): void {
  if (v.length !== 36) throw new Error('not a uuid');
  // A lookup per digit is several times faster than Buffer.write(hex).
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) i++;
    const hi = HEX[v.charCodeAt(i)];
    const lo = HEX[v.charCodeAt(i + 1)];
    if (hi < 0 || lo < 0 || hi === undefined || lo === undefined) throw new Error('not a uuid');
    buf[pos++] = (hi << 4) | lo;
  }
}

/** Encodes one field (length and value) once, to be written on many rows with `field`. */
export function encodeField(write: (w: CopyBinaryWriter) => CopyBinaryWriter): Uint8Array {
  return copyBinaryRows(write(new CopyBinaryWriter(64)).finish()).slice();
}
