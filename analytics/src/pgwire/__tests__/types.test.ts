import {
  BIGINT,
  DATE,
  DOUBLE,
  DuckDBDecimalType,
  INTEGER,
  LIST,
  VARCHAR,
  dateValue,
  listValue,
  timestampValue,
  TIMESTAMP,
  BOOLEAN,
} from '@duckdb/node-api';
import { binaryOf, EncodingError, numericBinary, paramValue, PG, pgTypeOf, textOf, typeModifierOf } from '../types';

describe('PostgreSQL types of DuckDB columns', () => {
  it('maps DuckDB types to the OIDs clients expect', () => {
    expect(pgTypeOf(INTEGER).oid).toBe(23);
    expect(pgTypeOf(BIGINT).oid).toBe(20);
    expect(pgTypeOf(DOUBLE).oid).toBe(701);
    expect(pgTypeOf(VARCHAR).oid).toBe(25);
    expect(pgTypeOf(DATE).oid).toBe(1082);
    expect(pgTypeOf(TIMESTAMP).oid).toBe(1114);
    expect(pgTypeOf(BOOLEAN).oid).toBe(16);
    expect(pgTypeOf(new DuckDBDecimalType(18, 3)).oid).toBe(1700);
    expect(typeModifierOf(new DuckDBDecimalType(18, 3))).toBe(((18 << 16) | 3) + 4);
    expect(pgTypeOf(LIST(VARCHAR)).oid).toBe(1009);
  });

  it('writes text as PostgreSQL does', () => {
    expect(textOf(true, PG.bool)).toBe('t');
    expect(textOf(254, PG.float8)).toBe('254');
    expect(textOf(93.7269372693727, PG.float8)).toBe('93.7269372693727');
    expect(textOf(1e-7, PG.float8)).toBe('1e-07');
    expect(textOf(12n, PG.int8)).toBe('12');
    expect(textOf(dateValue(20089), PG.date)).toBe('2025-01-01');
    expect(textOf(listValue(['a', 'b c', null]), PG.textArray)).toBe('{a,"b c",NULL}');
    expect(textOf('Ngô Quyền', PG.text)).toBe('Ngô Quyền');
  });

  it('writes binary values in network order from the PostgreSQL epoch', () => {
    expect(binaryOf(254, PG.int4)).toEqual(Buffer.from([0, 0, 0, 254]));
    expect(binaryOf(1.5, PG.float8).readDoubleBE(0)).toBe(1.5);
    expect(binaryOf(dateValue(10957), PG.date).readInt32BE(0)).toBe(0);
    expect(binaryOf(timestampValue(946684800000001n), PG.timestamp).readBigInt64BE(0)).toBe(1n);
    expect(() => binaryOf('x', PG.interval)).toThrow(EncodingError);
  });

  it('encodes numeric in base 10000 with weight, sign and scale', () => {
    const n = numericBinary('-12345.678');
    expect([n.readInt16BE(0), n.readInt16BE(2), n.readUInt16BE(4), n.readInt16BE(6)]).toEqual([3, 1, 0x4000, 3]);
    expect([n.readInt16BE(8), n.readInt16BE(10), n.readInt16BE(12)]).toEqual([1, 2345, 6780]);
    const zero = numericBinary('0');
    expect([zero.readInt16BE(0), zero.readInt16BE(2)]).toEqual([0, 0]);
  });

  it('reads parameters: text by declared type, binary by declared type, unknown text as VARCHAR', () => {
    expect(paramValue(Buffer.from('42'), 0, 23)).toMatchObject({ value: 42 });
    expect(paramValue(Buffer.from('42'), 0, 0)).toMatchObject({ value: '42' });
    expect(paramValue(Buffer.from([0, 0, 0, 42]), 1, 23)).toMatchObject({ value: 42 });
    expect(paramValue(Buffer.alloc(8), 1, 20)).toMatchObject({ value: 0n });
    expect(paramValue(null, 0, 25)).toMatchObject({ value: null });
    expect(() => paramValue(Buffer.from('4x'), 0, 23)).toThrow(/invalid input syntax for type integer: "4x"/);
    expect(() => paramValue(Buffer.from([1, 2]), 1, 23)).toThrow(/must be 4 bytes/);
  });
});
