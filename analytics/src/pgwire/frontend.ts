import {
  BodyReader,
  CANCEL_REQUEST_CODE,
  Frame,
  GSSENC_REQUEST_CODE,
  ProtocolError,
  PROTOCOL_3,
  SSL_REQUEST_CODE,
} from './framing';

/** The messages a client sends, decoded. */
export type FrontendMessage =
  | { kind: 'startup'; params: Record<string, string> }
  | { kind: 'sslRequest' }
  | { kind: 'gssencRequest' }
  | { kind: 'cancel'; pid: number; secret: number }
  | { kind: 'password'; password: string }
  | { kind: 'query'; sql: string }
  | { kind: 'parse'; name: string; sql: string; paramTypes: number[] }
  | {
      kind: 'bind';
      portal: string;
      statement: string;
      paramFormats: number[];
      params: (Buffer | null)[];
      resultFormats: number[];
    }
  | { kind: 'describe'; target: 'S' | 'P'; name: string }
  | { kind: 'execute'; portal: string; maxRows: number }
  | { kind: 'close'; target: 'S' | 'P'; name: string }
  | { kind: 'sync' }
  | { kind: 'flush' }
  | { kind: 'terminate' };

/** Decodes one framed message; an unknown type or a malformed body is a {@link ProtocolError}. */
export function decodeFrontend(frame: Frame): FrontendMessage {
  const r = new BodyReader(frame.body);
  if (frame.type === null) return decodeUntyped(r);
  switch (frame.type) {
    case 'p':
      return { kind: 'password', password: r.cstring() };
    case 'Q':
      return { kind: 'query', sql: r.cstring() };
    case 'P': {
      const name = r.cstring();
      const sql = r.cstring();
      const n = r.int16();
      const paramTypes: number[] = [];
      for (let i = 0; i < n; i += 1) paramTypes.push(r.int32() >>> 0);
      return { kind: 'parse', name, sql, paramTypes };
    }
    case 'B':
      return decodeBind(r);
    case 'D':
      return { kind: 'describe', target: target(r.byte()), name: r.cstring() };
    case 'E':
      return { kind: 'execute', portal: r.cstring(), maxRows: r.int32() };
    case 'C':
      return { kind: 'close', target: target(r.byte()), name: r.cstring() };
    case 'S':
      return { kind: 'sync' };
    case 'H':
      return { kind: 'flush' };
    case 'X':
      return { kind: 'terminate' };
    default:
      throw new ProtocolError(`unsupported message type '${frame.type}'`);
  }
}

function decodeUntyped(r: BodyReader): FrontendMessage {
  const code = r.int32();
  if (code === SSL_REQUEST_CODE) return { kind: 'sslRequest' };
  if (code === GSSENC_REQUEST_CODE) return { kind: 'gssencRequest' };
  if (code === CANCEL_REQUEST_CODE) return { kind: 'cancel', pid: r.int32(), secret: r.int32() };
  if (code >> 16 !== PROTOCOL_3 >> 16)
    throw new ProtocolError(`unsupported protocol version ${code >> 16}.${code & 0xffff}; this server speaks 3.0`);
  const params: Record<string, string> = {};
  for (;;) {
    const key = r.cstring();
    if (!key) break;
    params[key] = r.cstring();
  }
  return { kind: 'startup', params };
}

function decodeBind(r: BodyReader): FrontendMessage {
  const portal = r.cstring();
  const statement = r.cstring();
  const paramFormats: number[] = [];
  for (let i = 0, n = r.int16(); i < n; i += 1) paramFormats.push(r.int16());
  const params: (Buffer | null)[] = [];
  for (let i = 0, n = r.int16(); i < n; i += 1) {
    const len = r.int32();
    params.push(len < 0 ? null : Buffer.from(r.bytes(len)));
  }
  const resultFormats: number[] = [];
  for (let i = 0, n = r.int16(); i < n; i += 1) resultFormats.push(r.int16());
  return { kind: 'bind', portal, statement, paramFormats, params, resultFormats };
}

function target(byte: string): 'S' | 'P' {
  if (byte !== 'S' && byte !== 'P') throw new ProtocolError(`expected 'S' or 'P', got '${byte}'`);
  return byte;
}

/** The format code (0 text, 1 binary) of item `i` given a format list as Bind carries it. */
export function formatAt(formats: readonly number[], i: number): number {
  if (formats.length === 0) return 0;
  if (formats.length === 1) return formats[0]!;
  return formats[i] ?? 0;
}
