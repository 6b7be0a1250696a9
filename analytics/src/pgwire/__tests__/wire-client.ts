import { connect, Socket } from 'node:net';

/** A backend message as the raw test client received it. */
export interface Received {
  readonly type: string;
  readonly body: Buffer;
}

/** Encodes one typed frontend message. */
export function message(type: string, ...parts: (Buffer | string | number[])[]): Buffer {
  const body = Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(`${p}\0`) : Buffer.isBuffer(p) ? p : Buffer.from(p))),
  );
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

export const int16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
export const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

/** Parse + Bind (text parameters) + Describe portal + Execute + Sync, as drivers send them. */
export function extendedBatch(sql: string, params: (string | null)[] = []): Buffer {
  const values = params.map((p) =>
    p === null ? int32(-1) : Buffer.concat([int32(Buffer.byteLength(p)), Buffer.from(p)]),
  );
  return Buffer.concat([
    message('P', '', sql, int16(0)),
    message('B', '', '', int16(0), int16(params.length), ...values, int16(0)),
    message('D', Buffer.from('P'), ''),
    message('E', '', int32(0)),
    message('S'),
  ]);
}

/** A raw protocol-3 connection for tests that drivers cannot express (pipelining, cancel keys, malformed input). */
export class WireClient {
  private buffer = Buffer.alloc(0);
  private readonly waiting: (() => void)[] = [];
  readonly received: Received[] = [];
  closed = false;
  private singleByte = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.parse();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static async open(port: number): Promise<WireClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new WireClient(socket);
  }

  /** Sends the startup message and the password, and waits for ReadyForQuery (or an error). */
  async login(password: string, database = 'lgr'): Promise<Received[]> {
    const params = Buffer.from(`user\0test\0database\0${database}\0\0`);
    this.write(Buffer.concat([int32(params.length + 8), int32(196608), params]));
    await this.until((r) => r.type === 'R' || r.type === 'E');
    if (this.received.some((r) => r.type === 'E')) return this.take();
    this.write(message('p', password));
    await this.until((r) => r.type === 'Z' || r.type === 'E');
    return this.take();
  }

  /** Sends an SSLRequest and returns the one-byte answer ('N' or 'S'). */
  async sslRequest(): Promise<string> {
    this.singleByte = true;
    this.write(Buffer.concat([int32(8), int32(80877103)]));
    await this.until(() => true);
    return this.take()[0]!.type;
  }

  write(data: Buffer): void {
    this.socket.write(data);
  }

  /** Waits until `count` messages satisfying `match` have arrived (or the connection closed). */
  async until(match: (r: Received) => boolean, count = 1): Promise<void> {
    while (this.received.filter(match).length < count && !this.closed)
      await new Promise<void>((r) => this.waiting.push(r));
  }

  /** Every message received so far, removed from the client. */
  take(): Received[] {
    return this.received.splice(0);
  }

  close(): void {
    this.socket.destroy();
  }

  private parse(): void {
    while (this.buffer.length >= 1) {
      // The answer to an SSLRequest is a single byte without a length.
      if (this.singleByte) {
        this.singleByte = false;
        this.received.push({ type: String.fromCharCode(this.buffer[0]!), body: Buffer.alloc(0) });
        this.buffer = this.buffer.subarray(1);
        continue;
      }
      if (this.buffer.length < 5) break;
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < length + 1) break;
      this.received.push({ type: String.fromCharCode(this.buffer[0]!), body: this.buffer.subarray(5, length + 1) });
      this.buffer = this.buffer.subarray(length + 1);
    }
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiting.splice(0)) w();
  }
}

/** The fields of an ErrorResponse by their one-letter codes. */
export function errorOf(r: Received): Record<string, string> {
  const fields: Record<string, string> = {};
  let i = 0;
  while (i < r.body.length && r.body[i] !== 0) {
    const code = String.fromCharCode(r.body[i]!);
    const end = r.body.indexOf(0, i + 1);
    fields[code] = r.body.toString('utf8', i + 1, end);
    i = end + 1;
  }
  return fields;
}

/** The text cells of a DataRow. */
export function cellsOf(r: Received): (string | null)[] {
  const n = r.body.readInt16BE(0);
  const cells: (string | null)[] = [];
  let at = 2;
  for (let i = 0; i < n; i += 1) {
    const len = r.body.readInt32BE(at);
    at += 4;
    if (len < 0) cells.push(null);
    else {
      cells.push(r.body.toString('utf8', at, at + len));
      at += len;
    }
  }
  return cells;
}
