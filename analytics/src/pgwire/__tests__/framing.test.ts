import { FrameReader, ProtocolError, PROTOCOL_3, SSL_REQUEST_CODE } from '../framing';
import { decodeFrontend, formatAt } from '../frontend';

function startup(params: Record<string, string>): Buffer {
  const body = Buffer.concat([
    Buffer.from([0, 3, 0, 0]),
    ...Object.entries(params).map(([k, v]) => Buffer.from(`${k}\0${v}\0`)),
    Buffer.from([0]),
  ]);
  const len = Buffer.alloc(4);
  len.writeInt32BE(body.length + 4);
  return Buffer.concat([len, body]);
}

function typed(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const cstr = (s: string) => Buffer.from(`${s}\0`);
const i16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

describe('FrameReader', () => {
  it('reads the untyped startup message, then typed messages', () => {
    const reader = new FrameReader();
    const frames = reader.push(Buffer.concat([startup({ user: 'a', database: 'lgr' }), typed('p', cstr('token'))]));
    expect(frames.map((f) => f.type)).toEqual([null, 'p']);
    expect(decodeFrontend(frames[0]!)).toEqual({ kind: 'startup', params: { user: 'a', database: 'lgr' } });
    expect(decodeFrontend(frames[1]!)).toEqual({ kind: 'password', password: 'token' });
  });

  it('stays untyped after an SSLRequest, whose answer comes before the real startup message', () => {
    const reader = new FrameReader();
    const ssl = Buffer.concat([i32(8), i32(SSL_REQUEST_CODE)]);
    expect(decodeFrontend(reader.push(ssl)[0]!)).toEqual({ kind: 'sslRequest' });
    expect(decodeFrontend(reader.push(startup({ user: 'u' }))[0]!).kind).toBe('startup');
    expect(reader.push(typed('X'))[0]!.type).toBe('X');
  });

  it('reassembles a pipelined extended-protocol batch split at every byte', () => {
    const batch = Buffer.concat([
      typed('P', cstr(''), cstr('SELECT $1::int'), i16(1), i32(23)),
      typed('B', cstr(''), cstr(''), i16(1), i16(1), i16(1), i32(4), i32(42), i16(1), i16(0)),
      typed('D', Buffer.from('P'), cstr('')),
      typed('E', cstr(''), i32(0)),
      typed('S'),
    ]);
    const reader = new FrameReader();
    reader.push(startup({ user: 'u' }));
    const kinds: string[] = [];
    for (let i = 0; i < batch.length; i += 1)
      for (const f of reader.push(batch.subarray(i, i + 1))) kinds.push(decodeFrontend(f).kind);
    expect(kinds).toEqual(['parse', 'bind', 'describe', 'execute', 'sync']);
  });

  it('decodes Bind with binary parameters, NULLs and per-column result formats', () => {
    const reader = new FrameReader();
    reader.push(startup({}));
    const [frame] = reader.push(
      typed(
        'B',
        cstr('p1'),
        cstr('s1'),
        i16(2),
        i16(1),
        i16(0),
        i16(2),
        i32(4),
        i32(7),
        i32(-1),
        i16(2),
        i16(0),
        i16(1),
      ),
    );
    expect(decodeFrontend(frame!)).toEqual({
      kind: 'bind',
      portal: 'p1',
      statement: 's1',
      paramFormats: [1, 0],
      params: [Buffer.from([0, 0, 0, 7]), null],
      resultFormats: [0, 1],
    });
    expect(formatAt([1], 5)).toBe(1);
    expect(formatAt([], 0)).toBe(0);
    expect(formatAt([0, 1], 1)).toBe(1);
  });

  it('refuses lengths that cannot be, messages over the limit and unknown protocol versions', () => {
    const reader = new FrameReader(100);
    expect(() => reader.push(Buffer.concat([i32(2), i32(PROTOCOL_3)]))).toThrow(ProtocolError);
    expect(() => new FrameReader(100).push(Buffer.concat([i32(1000), i32(PROTOCOL_3)]))).toThrow(
      /larger than the limit/,
    );
    const old = new FrameReader();
    expect(() => decodeFrontend(old.push(Buffer.concat([i32(8), i32(2 << 16)]))[0]!)).toThrow(
      /unsupported protocol version 2\.0/,
    );
  });

  it('refuses a message whose fields run past its end', () => {
    const reader = new FrameReader();
    reader.push(startup({}));
    const [frame] = reader.push(typed('P', cstr('s'), cstr('SELECT 1'), i16(3), i32(23)));
    expect(() => decodeFrontend(frame!)).toThrow(/shorter than its fields/);
  });
});
