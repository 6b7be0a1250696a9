/**
 * The messages the server sends, encoded. Each function returns one whole message (type byte,
 * length, body); a session collects them and writes them out together.
 */

/** A column of a RowDescription. */
export interface FieldDescription {
  readonly name: string;
  readonly tableOid: number;
  readonly columnNumber: number;
  readonly typeOid: number;
  readonly typeSize: number;
  readonly typeModifier: number;
  readonly format: number;
}

/** The fields of an ErrorResponse or NoticeResponse. */
export interface ErrorFields {
  readonly severity: 'ERROR' | 'FATAL' | 'NOTICE' | 'WARNING';
  /** A five-character SQLSTATE. */
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
}

class Writer {
  private readonly parts: Buffer[] = [];
  private size = 0;

  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.add(b);
  }

  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v | 0);
    return this.add(b);
  }

  cstring(s: string): this {
    return this.add(Buffer.from(`${s}\0`, 'utf8'));
  }

  bytes(b: Buffer): this {
    return this.add(b);
  }

  message(type: string): Buffer {
    const head = Buffer.alloc(5);
    head.write(type, 0, 'latin1');
    head.writeInt32BE(this.size + 4, 1);
    return Buffer.concat([head, ...this.parts], this.size + 5);
  }

  private add(b: Buffer): this {
    this.parts.push(b);
    this.size += b.length;
    return this;
  }
}

const empty = (type: string): Buffer => new Writer().message(type);

export const authenticationOk = (): Buffer => new Writer().int32(0).message('R');
export const authenticationCleartextPassword = (): Buffer => new Writer().int32(3).message('R');
export const parseComplete = (): Buffer => empty('1');
export const bindComplete = (): Buffer => empty('2');
export const closeComplete = (): Buffer => empty('3');
export const noData = (): Buffer => empty('n');
export const portalSuspended = (): Buffer => empty('s');
export const emptyQueryResponse = (): Buffer => empty('I');

export function parameterStatus(name: string, value: string): Buffer {
  return new Writer().cstring(name).cstring(value).message('S');
}

export function backendKeyData(pid: number, secret: number): Buffer {
  return new Writer().int32(pid).int32(secret).message('K');
}

/** `I` idle, `T` in a transaction block, `E` in a failed transaction block. */
export function readyForQuery(status: 'I' | 'T' | 'E'): Buffer {
  return new Writer().bytes(Buffer.from(status, 'latin1')).message('Z');
}

export function rowDescription(fields: readonly FieldDescription[]): Buffer {
  const w = new Writer().int16(fields.length);
  for (const f of fields) {
    w.cstring(f.name)
      .int32(f.tableOid)
      .int16(f.columnNumber)
      .int32(f.typeOid)
      .int16(f.typeSize)
      .int32(f.typeModifier)
      .int16(f.format);
  }
  return w.message('T');
}

export function parameterDescription(typeOids: readonly number[]): Buffer {
  const w = new Writer().int16(typeOids.length);
  for (const oid of typeOids) w.int32(oid);
  return w.message('t');
}

/** A DataRow; each cell is already encoded in its column's format, null for SQL NULL. */
export function dataRow(cells: readonly (Buffer | null)[]): Buffer {
  const w = new Writer().int16(cells.length);
  for (const cell of cells) {
    if (cell === null) w.int32(-1);
    else w.int32(cell.length).bytes(cell);
  }
  return w.message('D');
}

export function commandComplete(tag: string): Buffer {
  return new Writer().cstring(tag).message('C');
}

function fieldsMessage(type: 'E' | 'N', fields: ErrorFields): Buffer {
  const w = new Writer();
  const add = (code: string, value: string | undefined): void => {
    if (value !== undefined) w.bytes(Buffer.from(code, 'latin1')).cstring(value);
  };
  add('S', fields.severity);
  add('V', fields.severity);
  add('C', fields.code);
  add('M', fields.message);
  add('D', fields.detail);
  add('H', fields.hint);
  return w.bytes(Buffer.from([0])).message(type);
}

export const errorResponse = (fields: ErrorFields): Buffer => fieldsMessage('E', fields);
export const noticeResponse = (fields: ErrorFields): Buffer => fieldsMessage('N', fields);
