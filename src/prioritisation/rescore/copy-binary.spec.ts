import { describe, expect, it } from '@jest/globals';
import {
  COPY_BINARY_HEADER,
  COPY_BINARY_TRAILER,
  CopyBinaryWriter,
  copyBinaryRows,
  encodeField,
} from './copy-binary.js';

const HEADER = 'PGCOPY\n\xff\r\n\0'.length + 8;
const hex = (b: Uint8Array, from = HEADER) => Buffer.from(b.subarray(from)).toString('hex');

describe(CopyBinaryWriter.name, () => {
  it('should start with the binary COPY signature and end with the trailer', () => {
    const out = new CopyBinaryWriter(4).finish();
    expect(Buffer.from(out.subarray(0, 11)).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
    expect(hex(out)).toBe('ffff');
  });

  it('should write each field as its length and PostgreSQL binary value', () => {
    const out = new CopyBinaryWriter(8)
      .row(9)
      .uuid('0a1b2c3d-4e5f-4061-8293-a4b5c6d7e8f9')
      .text('é')
      .null()
      .int2(-2)
      .int4(7)
      .float8(-0.5)
      .bool(true)
      .date('2000-01-02')
      .timestamptz('2000-01-01T00:00:01.500Z')
      .finish();
    expect(hex(out)).toBe(
      [
        '0009',
        '00000010' + '0a1b2c3d4e5f40618293a4b5c6d7e8f9',
        '00000002' + 'c3a9',
        'ffffffff',
        '00000002' + 'fffe',
        '00000004' + '00000007',
        '00000008' + 'bfe0000000000000',
        '00000001' + '01',
        '00000004' + '00000001',
        '00000008' + '000000000016e360',
        'ffff',
      ].join(''),
    );
  });

  it('should write text as UTF-8 whatever its length and wherever its first non-ASCII character', () => {
    const values = [
      '',
      'abc',
      'abcé',
      'é'.repeat(40),
      'x'.repeat(100) + '😀',
      'y'.repeat(70),
      'Siân',
    ];
    for (const v of values) {
      // A small buffer, so that writing grows it mid-field.
      const out = new CopyBinaryWriter(4).row(1).text(v).finish();
      const utf8 = Buffer.from(v, 'utf8');
      expect(hex(out)).toBe(
        `0001${utf8.length.toString(16).padStart(8, '0')}${utf8.toString('hex')}ffff`,
      );
    }
  });

  it('should write text arrays with their dimension, element type and elements', () => {
    const out = new CopyBinaryWriter().row(2).textArray([]).textArray(['ab', 'c']).finish();
    expect(hex(out)).toBe(
      [
        '0002',
        '0000000c' + '00000000' + '00000000' + '00000019',
        '0000001f' + '00000001' + '00000000' + '00000019' + '00000002' + '00000001',
        '00000002' + '6162',
        '00000001' + '63',
        'ffff',
      ].join(''),
    );
  });

  it('should give the rows of separately encoded batches, so one COPY can carry them all', () => {
    const a = new CopyBinaryWriter(8).row(1).int4(1).finish();
    const b = new CopyBinaryWriter(8).row(1).int4(2).row(1).null().finish();
    const stream = Buffer.concat([
      COPY_BINARY_HEADER,
      copyBinaryRows(a),
      copyBinaryRows(b),
      COPY_BINARY_TRAILER,
    ]);
    expect(hex(stream)).toBe(
      [
        '0001',
        '00000004',
        '00000001',
        '0001',
        '00000004',
        '00000002',
        '0001',
        'ffffffff',
        'ffff',
      ].join(''),
    );
    expect(copyBinaryRows(new CopyBinaryWriter(4).finish())).toHaveLength(0);
  });

  it('should write the next document over the last once reset, leaving the one handed out as it was', () => {
    const w = new CopyBinaryWriter(24);
    const first = w.row(2).int4(7).text('grows the buffer past its first 24 bytes').finish();
    const firstBytes = hex(first);
    const second = w.reset().row(1).int4(8).finish();
    expect(hex(second)).toBe(hex(new CopyBinaryWriter(24).row(1).int4(8).finish()));
    expect(hex(first)).toBe(firstBytes);
    expect(copyBinaryRows(w.reset().finish())).toHaveLength(0);
  });

  it('should refuse to take rows out of something that is not a whole COPY document', () => {
    const doc = new CopyBinaryWriter(8).row(1).int4(1).finish();
    expect(() => copyBinaryRows(doc.subarray(0, doc.length - 2))).toThrow(
      /not a binary COPY document/,
    );
    expect(() => copyBinaryRows(doc.subarray(1))).toThrow(/not a binary COPY document/);
  });

  it('should write a field piece by piece, its length counted when it is closed', () => {
    const field = encodeField((w) => {
      const at = w.openField();
      return w.ascii('[').bytes(Buffer.from('"é"', 'utf8')).ascii(']').closeField(at);
    });
    expect(Buffer.from(field).toString('hex')).toBe(
      `00000006${Buffer.from('["é"]', 'utf8').toString('hex')}`,
    );
  });

  it('should write numbers as JSON.stringify does, one-decimal scores digit by digit', () => {
    const numbers = [
      0,
      -0,
      7,
      130,
      130.6,
      -0.5,
      -12.3,
      0.1,
      0.05,
      1 / 3,
      2.25,
      99.99,
      1e21,
      1e-7,
      123456789.9,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
    ];
    for (const x of numbers) {
      const field = encodeField((w) => {
        const at = w.openField();
        return w.jsonNumber(x).closeField(at);
      });
      expect([x, Buffer.from(field.subarray(4)).toString('utf8')]).toEqual([x, JSON.stringify(x)]);
    }
    for (const x of [NaN, Infinity, -Infinity]) {
      const field = encodeField((w) => {
        const at = w.openField();
        return w.jsonNumber(x).closeField(at);
      });
      expect(Buffer.from(field.subarray(4)).toString('utf8')).toBe('null');
    }
  });
});
