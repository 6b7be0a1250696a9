import {
  BIGINT,
  BOOLEAN,
  DATE,
  DOUBLE,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBListValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBType,
  DuckDBTypeId,
  DuckDBValue,
  FLOAT,
  INTEGER,
  SMALLINT,
  TIMESTAMP,
  TIMESTAMPTZ,
  VARCHAR,
  BLOB,
  blobValue,
  dateValue,
  timestampValue,
} from '@duckdb/node-api';

/** A PostgreSQL type as the protocol and the catalogue name it. */
export interface PgType {
  readonly oid: number;
  readonly name: string;
  /** typlen: the fixed size in bytes, or -1 for variable-length types. */
  readonly size: number;
}

/** The PostgreSQL types results and parameters are described with. */
export const PG = {
  bool: { oid: 16, name: 'bool', size: 1 },
  bytea: { oid: 17, name: 'bytea', size: -1 },
  int8: { oid: 20, name: 'int8', size: 8 },
  int2: { oid: 21, name: 'int2', size: 2 },
  int4: { oid: 23, name: 'int4', size: 4 },
  text: { oid: 25, name: 'text', size: -1 },
  oid: { oid: 26, name: 'oid', size: 4 },
  float4: { oid: 700, name: 'float4', size: 4 },
  float8: { oid: 701, name: 'float8', size: 8 },
  varchar: { oid: 1043, name: 'varchar', size: -1 },
  bpchar: { oid: 1042, name: 'bpchar', size: -1 },
  name: { oid: 19, name: 'name', size: 64 },
  char: { oid: 18, name: 'char', size: 1 },
  date: { oid: 1082, name: 'date', size: 4 },
  time: { oid: 1083, name: 'time', size: 8 },
  timestamp: { oid: 1114, name: 'timestamp', size: 8 },
  timestamptz: { oid: 1184, name: 'timestamptz', size: 8 },
  interval: { oid: 1186, name: 'interval', size: 16 },
  numeric: { oid: 1700, name: 'numeric', size: -1 },
  uuid: { oid: 2950, name: 'uuid', size: 16 },
  json: { oid: 114, name: 'json', size: -1 },
  unknown: { oid: 705, name: 'unknown', size: -2 },
  boolArray: { oid: 1000, name: '_bool', size: -1 },
  int2Array: { oid: 1005, name: '_int2', size: -1 },
  int4Array: { oid: 1007, name: '_int4', size: -1 },
  textArray: { oid: 1009, name: '_text', size: -1 },
  int8Array: { oid: 1016, name: '_int8', size: -1 },
  float8Array: { oid: 1022, name: '_float8', size: -1 },
  varcharArray: { oid: 1015, name: '_varchar', size: -1 },
  dateArray: { oid: 1182, name: '_date', size: -1 },
  numericArray: { oid: 1231, name: '_numeric', size: -1 },
} as const satisfies Record<string, PgType>;

/** Every type above, by OID. */
export const PG_TYPES_BY_OID: ReadonlyMap<number, PgType> = new Map(Object.values(PG).map((t) => [t.oid, t]));

/** The array type of an element type, where PostgreSQL has one that we describe. */
const ARRAY_OF: ReadonlyMap<number, PgType> = new Map<number, PgType>([
  [PG.bool.oid, PG.boolArray],
  [PG.int2.oid, PG.int2Array],
  [PG.int4.oid, PG.int4Array],
  [PG.int8.oid, PG.int8Array],
  [PG.float8.oid, PG.float8Array],
  [PG.text.oid, PG.textArray],
  [PG.date.oid, PG.dateArray],
  [PG.numeric.oid, PG.numericArray],
]);

/** The PostgreSQL type a DuckDB column is described as; anything without an equivalent is text. */
export function pgTypeOf(type: DuckDBType): PgType {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return PG.bool;
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.SMALLINT:
      return PG.int2;
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.INTEGER:
      return PG.int4;
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.BIGINT:
      return PG.int8;
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
    case DuckDBTypeId.DECIMAL:
      return PG.numeric;
    case DuckDBTypeId.FLOAT:
      return PG.float4;
    case DuckDBTypeId.DOUBLE:
      return PG.float8;
    case DuckDBTypeId.DATE:
      return PG.date;
    case DuckDBTypeId.TIME:
      return PG.time;
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return PG.timestamp;
    case DuckDBTypeId.TIMESTAMP_TZ:
      return PG.timestamptz;
    case DuckDBTypeId.INTERVAL:
      return PG.interval;
    case DuckDBTypeId.UUID:
      return PG.uuid;
    case DuckDBTypeId.BLOB:
      return PG.bytea;
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const child = (type as unknown as { valueType: DuckDBType }).valueType;
      return (child && ARRAY_OF.get(pgTypeOf(child).oid)) ?? PG.text;
    }
    default:
      return PG.text;
  }
}

/** The type modifier a column is described with (precision and scale of a decimal), else -1. */
export function typeModifierOf(type: DuckDBType): number {
  if (type.typeId !== DuckDBTypeId.DECIMAL) return -1;
  const d = type as unknown as { width: number; scale: number };
  return ((d.width << 16) | d.scale) + 4;
}

/** Thrown for a value or format this server cannot put into or read from the protocol. */
export class EncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncodingError';
  }
}

/** A value in PostgreSQL's text output format. */
export function textOf(value: DuckDBValue, pg: PgType): string {
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'bigint' || typeof value === 'string') return String(value);
  if (value instanceof DuckDBBlobValue) return `\\x${Buffer.from(value.bytes).toString('hex')}`;
  if (value instanceof DuckDBListValue && pg !== PG.text) return arrayText(value.items);
  if (value === null) return '';
  return String(value);
}

function numberText(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  // PostgreSQL writes exponents with at least two digits (1e-07), JavaScript with one (1e-7).
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

function arrayText(items: readonly DuckDBValue[]): string {
  const cell = (v: DuckDBValue): string => {
    if (v === null) return 'NULL';
    const s = v instanceof DuckDBListValue ? arrayText(v.items) : textOf(v, PG.text);
    if (v instanceof DuckDBListValue) return s;
    return s === '' || /[{},"\\\s]/.test(s) || s.toUpperCase() === 'NULL' ? `"${s.replace(/[\\"]/g, '\\$&')}"` : s;
  };
  return `{${items.map(cell).join(',')}}`;
}

const PG_EPOCH_DAYS = 10_957;
const PG_EPOCH_MICROS = 946_684_800_000_000n;

/** A value in PostgreSQL's binary format for its column type, or an {@link EncodingError}. */
export function binaryOf(value: DuckDBValue, pg: PgType): Buffer {
  switch (pg.oid) {
    case PG.bool.oid:
      return Buffer.from([value ? 1 : 0]);
    case PG.int2.oid:
      return fixed(2, (b) => b.writeInt16BE(Number(value)));
    case PG.int4.oid:
      return fixed(4, (b) => b.writeInt32BE(Number(value)));
    case PG.int8.oid:
      return fixed(8, (b) => b.writeBigInt64BE(BigInt(value as bigint | number)));
    case PG.float4.oid:
      return fixed(4, (b) => b.writeFloatBE(Number(value)));
    case PG.float8.oid:
      return fixed(8, (b) => b.writeDoubleBE(Number(value)));
    case PG.text.oid:
    case PG.varchar.oid:
    case PG.name.oid:
      return Buffer.from(textOf(value, pg), 'utf8');
    case PG.bytea.oid:
      return value instanceof DuckDBBlobValue ? Buffer.from(value.bytes) : Buffer.from(String(value), 'utf8');
    case PG.date.oid:
      if (!(value instanceof DuckDBDateValue)) break;
      return fixed(4, (b) => b.writeInt32BE(value.days - PG_EPOCH_DAYS));
    case PG.timestamp.oid:
    case PG.timestamptz.oid:
      if (!(value instanceof DuckDBTimestampValue) && !(value instanceof DuckDBTimestampTZValue)) break;
      return fixed(8, (b) => b.writeBigInt64BE(value.micros - PG_EPOCH_MICROS));
    case PG.numeric.oid:
      return numericBinary(String(value));
  }
  throw new EncodingError(`binary format is not supported for type ${pg.name}; ask for text`);
}

function fixed(size: number, write: (b: Buffer) => void): Buffer {
  const b = Buffer.alloc(size);
  write(b);
  return b;
}

/** PostgreSQL's binary numeric: base-10000 digits with a weight, a sign and a display scale. */
export function numericBinary(text: string): Buffer {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) {
    if (text === 'NaN') return Buffer.from([0, 0, 0, 0, 0xc0, 0, 0, 0]);
    throw new EncodingError(`cannot encode ${text} as numeric`);
  }
  const negative = m[1] === '-';
  const intPart = (m[2] ?? '').replace(/^0+/, '');
  const fracPart = m[3] ?? '';
  const dscale = fracPart.length;
  const intPadded = intPart.padStart(Math.ceil(intPart.length / 4) * 4, '0');
  const fracPadded = fracPart.padEnd(Math.ceil(fracPart.length / 4) * 4, '0');
  const digits: number[] = [];
  for (let i = 0; i < intPadded.length; i += 4) digits.push(Number(intPadded.slice(i, i + 4)));
  for (let i = 0; i < fracPadded.length; i += 4) digits.push(Number(fracPadded.slice(i, i + 4)));
  let weight = intPadded.length / 4 - 1;
  while (digits.length && digits[0] === 0) {
    digits.shift();
    weight -= 1;
  }
  while (digits.length && digits[digits.length - 1] === 0) digits.pop();
  if (digits.length === 0) weight = 0;
  const b = Buffer.alloc(8 + digits.length * 2);
  b.writeInt16BE(digits.length, 0);
  b.writeInt16BE(weight, 2);
  b.writeUInt16BE(negative && digits.length ? 0x4000 : 0, 4);
  b.writeInt16BE(dscale, 6);
  digits.forEach((d, i) => b.writeInt16BE(d, 8 + i * 2));
  return b;
}

/** A bound parameter: the value and the DuckDB type it is bound as. */
export interface ParamValue {
  readonly value: DuckDBValue;
  readonly type: DuckDBType;
}

/**
 * A parameter as the client sent it, for binding to DuckDB. Text parameters are bound as VARCHAR
 * unless the client declared a type, so that DuckDB casts them to the type it inferred; binary
 * parameters are read by their declared type.
 */
export function paramValue(raw: Buffer | null, format: number, oid: number): ParamValue {
  if (raw === null) return { value: null, type: typeForOid(oid) };
  if (format === 0) return textParam(raw.toString('utf8'), oid);
  return binaryParam(raw, oid);
}

function typeForOid(oid: number): DuckDBType {
  switch (oid) {
    case PG.bool.oid:
      return BOOLEAN;
    case PG.int2.oid:
      return SMALLINT;
    case PG.int4.oid:
      return INTEGER;
    case PG.int8.oid:
      return BIGINT;
    case PG.float4.oid:
      return FLOAT;
    case PG.float8.oid:
      return DOUBLE;
    case PG.date.oid:
      return DATE;
    case PG.timestamp.oid:
      return TIMESTAMP;
    case PG.timestamptz.oid:
      return TIMESTAMPTZ;
    case PG.bytea.oid:
      return BLOB;
    default:
      return VARCHAR;
  }
}

function textParam(text: string, oid: number): ParamValue {
  const bad = (what: string): never => {
    throw new EncodingError(`invalid input syntax for type ${what}: "${text}"`);
  };
  switch (oid) {
    case PG.int2.oid:
    case PG.int4.oid:
      if (!/^\s*[+-]?\d+\s*$/.test(text)) bad(oid === PG.int2.oid ? 'smallint' : 'integer');
      return { value: Number(text), type: typeForOid(oid) };
    case PG.int8.oid:
      if (!/^\s*[+-]?\d+\s*$/.test(text)) bad('bigint');
      return { value: BigInt(text.trim()), type: BIGINT };
    case PG.float4.oid:
    case PG.float8.oid: {
      const n = Number(text);
      if (text.trim() === '' || (Number.isNaN(n) && text.trim() !== 'NaN')) bad('double precision');
      return { value: n, type: typeForOid(oid) };
    }
    case PG.bool.oid: {
      const t = text.trim().toLowerCase();
      if (['t', 'true', 'yes', 'on', '1'].includes(t)) return { value: true, type: BOOLEAN };
      if (['f', 'false', 'no', 'off', '0'].includes(t)) return { value: false, type: BOOLEAN };
      return bad('boolean');
    }
    default:
      // Dates, timestamps, numerics and untyped parameters: DuckDB casts the text where it is used.
      return { value: text, type: VARCHAR };
  }
}

function binaryParam(raw: Buffer, oid: number): ParamValue {
  const need = (n: number): void => {
    if (raw.length !== n)
      throw new EncodingError(
        `binary parameter of type ${PG_TYPES_BY_OID.get(oid)?.name ?? oid} must be ${n} bytes, got ${raw.length}`,
      );
  };
  switch (oid) {
    case PG.bool.oid:
      need(1);
      return { value: raw[0] !== 0, type: BOOLEAN };
    case PG.int2.oid:
      need(2);
      return { value: raw.readInt16BE(0), type: SMALLINT };
    case PG.int4.oid:
      need(4);
      return { value: raw.readInt32BE(0), type: INTEGER };
    case PG.int8.oid:
      need(8);
      return { value: raw.readBigInt64BE(0), type: BIGINT };
    case PG.float4.oid:
      need(4);
      return { value: raw.readFloatBE(0), type: FLOAT };
    case PG.float8.oid:
      need(8);
      return { value: raw.readDoubleBE(0), type: DOUBLE };
    case PG.date.oid:
      need(4);
      return { value: dateValue(raw.readInt32BE(0) + PG_EPOCH_DAYS), type: DATE };
    case PG.timestamp.oid:
    case PG.timestamptz.oid:
      need(8);
      return { value: timestampValue(raw.readBigInt64BE(0) + PG_EPOCH_MICROS), type: TIMESTAMP };
    case PG.bytea.oid:
      return { value: blobValue(new Uint8Array(raw)), type: BLOB };
    case PG.text.oid:
    case PG.varchar.oid:
    case PG.bpchar.oid:
    case PG.name.oid:
    case PG.unknown.oid:
    case 0:
      return { value: raw.toString('utf8'), type: VARCHAR };
    default:
      throw new EncodingError(
        `binary parameters of type ${PG_TYPES_BY_OID.get(oid)?.name ?? `oid ${oid}`} are not supported; send it as text`,
      );
  }
}
