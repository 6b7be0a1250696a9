import { startTestPlatform, TestPlatform } from '../harness';
import { OtlpReceiver, ReceivedSpan, startOtlpReceiver } from '../otlp-receiver';
import { sleep } from '../support';

/**
 * Issue 11: one GraphQL request that crosses the gateway, a domain subgraph and analytics yields one
 * connected trace, exported by every process over OTLP/HTTP (JSON) to a receiver the test runs.
 */

let receiver: OtlpReceiver;
let platform: TestPlatform;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  platform = await startTestPlatform({
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      // Export within a fraction of a second instead of the default 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
  });
}, 240_000);

afterAll(async () => {
  await platform?.stop();
  await receiver?.close();
}, 60_000);

const QUERY = `query GH11Trace {
  unit(code: "304", asOf: "2025-01-01") {
    name
    partyFigures(indicators: ["PB_NEW_MEMBERS"]) { period value }
    indicator(code: "PB_NEW_MEMBERS", period: "2025S1") { value complete }
  }
}`;

/** Waits until the spans of `traceId` satisfy `done`, or 30 s passed; returns them either way. */
async function spansOf(traceId: string, done: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const spans = receiver.spans.filter((s) => s.traceId === traceId);
    if (done(spans) || Date.now() > deadline) return spans;
    await sleep(100);
  }
}

async function requestSpan(): Promise<ReceivedSpan | undefined> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = receiver.spans.find(
      (s) => s.service === 'gateway' && s.attributes['graphql.operation.name'] === 'GH11Trace',
    );
    if (found || Date.now() > deadline) return found;
    await sleep(100);
  }
}

test('one request through the gateway, reference, party and analytics is one connected trace', async () => {
  const sentAt = BigInt(Date.now()) * 1_000_000n;
  const res = await platform.gql(QUERY);
  const answeredAt = BigInt(Date.now()) * 1_000_000n;
  expect(res.errors).toBeUndefined();
  expect(res.data.unit.name).toBe('Ngô Quyền');
  expect(Array.isArray(res.data.unit.partyFigures)).toBe(true);

  const request = await requestSpan();
  expect(request).toBeDefined();
  const traceId = request!.traceId;
  const wanted = ['gateway', 'reference', 'party', 'analytics'];
  const spans = await spansOf(
    traceId,
    (all) =>
      wanted.every((service) => all.some((s) => s.service === service)) &&
      all.some((s) => s.service === 'analytics' && s.name.startsWith('engine ')) &&
      all.every((s) => !s.parentSpanId || all.some((p) => p.spanId === s.parentSpanId)),
  );
  expect(receiver.problems).toEqual([]);

  // Every service took part, each with the server span of its /graphql request.
  const services = new Set(spans.map((s) => s.service));
  expect([...services].sort()).toEqual(wanted.sort());
  for (const service of wanted)
    expect(spans.some((s) => s.service === service && s.name === 'POST /graphql' && s.kind === 2)).toBe(true);

  // A connected tree: one root (the gateway's request), and every other span's parent is in the trace.
  const ids = new Set(spans.map((s) => s.spanId));
  expect(ids.size).toBe(spans.length);
  const roots = spans.filter((s) => !s.parentSpanId);
  expect(roots.map((r) => `${r.service} ${r.name}`)).toEqual(['gateway POST /graphql']);
  expect(spans.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId))).toEqual([]);

  // A span per subgraph fetch, and under each the subgraph's own server span.
  const fetches = spans.filter((s) => s.service === 'gateway' && s.name === 'gateway.fetch');
  expect(new Set(fetches.map((f) => f.attributes.service))).toEqual(new Set(['reference', 'party', 'analytics']));
  for (const fetch of fetches) {
    const served = spans.filter((s) => s.parentSpanId === fetch.spanId && s.kind === 2);
    expect(served.map((s) => `${s.service} ${s.name}`)).toEqual([`${String(fetch.attributes.service)} POST /graphql`]);
  }

  // The aggregate engine's steps are spans of analytics' request: its plan, then reading the facts and
  // computing, in memory for a small question like this one, else by the SQL programme's statements.
  const analyticsServer = spans.find((s) => s.service === 'analytics' && s.kind === 2)!;
  const engine = spans.filter((s) => s.name.startsWith('engine '));
  const steps = new Set(engine.map((s) => s.name));
  expect(steps.has('engine plan')).toBe(true);
  expect(
    (steps.has('engine in-memory facts') && steps.has('engine in-memory evaluation')) ||
      (steps.has('engine derive plan_facts') && steps.has('engine result')),
  ).toBe(true);
  const ancestry = (span: ReceivedSpan): string[] => {
    const chain: string[] = [];
    for (let at: ReceivedSpan | undefined = span; at; at = spans.find((p) => p.spanId === at!.parentSpanId))
      chain.push(at.spanId);
    return chain;
  };
  for (const step of engine) expect(ancestry(step)).toContain(analyticsServer.spanId);

  // One trace per request: no subgraph served a GraphQL request in that time under another trace.
  const elsewhere = receiver.spans.filter(
    (s) =>
      s.name === 'POST /graphql' &&
      s.traceId !== traceId &&
      s.startNanos >= sentAt - 1_000_000n &&
      s.startNanos <= answeredAt + 1_000_000n,
  );
  expect(elsewhere).toEqual([]);
});

test('a caller that sends a W3C trace context has the request continue its trace', async () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const parent = '00f067aa0ba902b7';
  const res = await platform.post('/graphql', { query: '{ unit(code: "31") { name } }' }, platform.adminToken, {
    traceparent: `00-${traceId}-${parent}-01`,
  });
  expect(res.status).toBe(200);
  const spans = await spansOf(traceId, (all) => all.some((s) => s.service === 'reference'));
  const root = spans.find((s) => s.service === 'gateway' && s.name === 'POST /graphql');
  expect(root?.parentSpanId).toBe(parent);
  expect(spans.some((s) => s.service === 'reference' && s.name === 'POST /graphql')).toBe(true);
});
