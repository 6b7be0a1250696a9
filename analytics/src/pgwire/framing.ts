/**
 * Message framing of the PostgreSQL frontend/backend protocol (version 3). A connection starts with
 * untyped messages (length, then body: StartupMessage, SSLRequest, GSSENCRequest, CancelRequest);
 * after startup every message is a type byte, a length that counts itself, and a body. Clients
 * pipeline freely (JDBC and node-postgres send Parse, Bind, Describe, Execute and Sync in one
 * write, and a write may end in the middle of a message), so the reader keeps whatever is left over
 * and hands out whole messages only.
 */

/** One whole message from the client; `type` is null for the untyped messages of the startup phase. */
export interface Frame {
  readonly type: string | null;
  readonly body: Buffer;
}

/** Thrown when the byte stream cannot be a valid protocol stream; the connection must be closed. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** Largest message accepted (a query text, or a Bind with its parameters). */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Splits the bytes of a client connection into whole messages. */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  private startup = true;

  constructor(private readonly maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES) {}

  /** After the startup message: every later message carries a type byte. */
  startupDone(): void {
    this.startup = false;
  }

  /** Adds received bytes and returns every message now complete, in order. */
  push(data: Buffer): Frame[] {
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    const frames: Frame[] = [];
    for (;;) {
      const frame = this.next();
      if (!frame) break;
      frames.push(frame);
      // The startup message is the only untyped one the client sends before the server answers;
      // an SSLRequest or GSSENCRequest is followed by another untyped message, so the session
      // switches the mode itself once it has seen the real startup message.
      if (frame.type === null && isStartupBody(frame.body)) this.startup = false;
    }
    return frames;
  }

  private next(): Frame | undefined {
    const typed = !this.startup;
    const header = typed ? 5 : 4;
    if (this.buffer.length < header) return undefined;
    const length = this.buffer.readInt32BE(typed ? 1 : 0);
    if (length < 4) throw new ProtocolError(`invalid message length ${length}`);
    if (length > this.maxMessageBytes)
      throw new ProtocolError(`message of ${length} bytes is larger than the limit of ${this.maxMessageBytes}`);
    const total = length + (typed ? 1 : 0);
    if (this.buffer.length < total) return undefined;
    const frame: Frame = {
      type: typed ? String.fromCharCode(this.buffer[0]!) : null,
      body: Buffer.from(this.buffer.subarray(header, total)),
    };
    this.buffer = this.buffer.subarray(total);
    return frame;
  }
}

/** Protocol version 3.0, as the startup message carries it. */
export const PROTOCOL_3 = 196608;
/** The request codes that take the place of a protocol version in the special startup messages. */
export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;

function isStartupBody(body: Buffer): boolean {
  if (body.length < 4) return false;
  const code = body.readInt32BE(0);
  return code !== SSL_REQUEST_CODE && code !== GSSENC_REQUEST_CODE && code !== CANCEL_REQUEST_CODE;
}

/** Reads the fields of one message body in order; running past its end is a {@link ProtocolError}. */
export class BodyReader {
  private offset = 0;

  constructor(private readonly body: Buffer) {}

  get remaining(): number {
    return this.body.length - this.offset;
  }

  int16(): number {
    this.need(2);
    const v = this.body.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.body.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  byte(): string {
    this.need(1);
    return String.fromCharCode(this.body[this.offset++]!);
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const end = this.body.indexOf(0, this.offset);
    if (end < 0) throw new ProtocolError('a string in the message is not terminated');
    const s = this.body.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return s;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.body.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }

  private need(n: number): void {
    if (n < 0 || this.offset + n > this.body.length) throw new ProtocolError('the message is shorter than its fields');
  }
}
