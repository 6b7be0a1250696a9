import {
  Attributes,
  context,
  propagation,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
  Tracer,
} from '@opentelemetry/api';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { routeLabel } from './route-label';

/*
 * OpenTelemetry traces for every process of the platform, configured by the standard environment
 * variables and off unless an OTLP endpoint is given. When off, nothing is registered: the API calls
 * below are skipped before they allocate anything, so a request pays one boolean test per span.
 */

/** What {@link startTracing} set up; `shutdown` flushes the spans not yet exported. */
export interface Tracing {
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

/** The OTLP protocols this platform can export with (gRPC needs a collector-side HTTP receiver). */
const PROTOCOLS = ['http/json', 'http/protobuf'] as const;
type OtlpProtocol = (typeof PROTOCOLS)[number];

/** Where and how to export, read from the standard OTEL_* variables; undefined means tracing is off. */
export interface TracingSettings {
  readonly protocol: OtlpProtocol;
}

let enabled = false;
const TRACER_NAME = 'lgr';

/**
 * Reads the standard variables: tracing is on when `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set, unless `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`.
 * The protocol (`OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, then `OTEL_EXPORTER_OTLP_PROTOCOL`) is
 * `http/json` unless set to `http/protobuf`. Throws naming the variable when a value is not supported.
 */
export function tracingSettings(env: Record<string, string | undefined> = process.env): TracingSettings | undefined {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return undefined;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? 'otlp')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (exporters.includes('none')) return undefined;
  const unsupported = exporters.filter((e) => e !== 'otlp');
  if (unsupported.length)
    throw new Error(`OTEL_TRACES_EXPORTER: only "otlp" or "none" is supported, not "${unsupported.join(',')}"`);
  if (!env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT && !env.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  const protocolVariable = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = (env[protocolVariable] ?? 'http/json').trim();
  if (!(PROTOCOLS as readonly string[]).includes(protocol))
    throw new Error(`${protocolVariable}: "${protocol}" is not supported; use ${PROTOCOLS.join(' or ')}`);
  return { protocol: protocol as OtlpProtocol };
}

/**
 * Starts exporting this process's spans when the environment asks for it (see {@link tracingSettings}):
 * a batch exporter to the OTLP/HTTP endpoint, W3C trace context as the propagator, and
 * `service.name` set to `serviceName` (other resource attributes from `OTEL_RESOURCE_ATTRIBUTES`).
 * Every process calls it once at start, before it serves anything.
 */
export function startTracing(serviceName: string, env: Record<string, string | undefined> = process.env): Tracing {
  const settings = tracingSettings(env);
  if (!settings) return { enabled: false, shutdown: async () => undefined };
  const exporter = settings.protocol === 'http/protobuf' ? new OTLPProtoTraceExporter() : new OTLPJsonTraceExporter();
  const provider = new NodeTracerProvider({
    resource: defaultResource()
      .merge(detectResources({ detectors: [envDetector] }))
      // The launcher passes one environment to every process: the name must be the process's own.
      .merge(resourceFromAttributes({ 'service.name': serviceName })),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  enabled = true;
  return {
    enabled: true,
    shutdown: async () => {
      enabled = false;
      await provider.shutdown();
    },
  };
}

/** Whether this process records spans. */
export function tracingEnabled(): boolean {
  return enabled;
}

function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/**
 * Runs `fn` inside a child span of the current one named `name`; an error marks the span and is
 * rethrown. When tracing is off it only calls `fn`.
 */
export async function withSpan<T>(name: string, fn: () => Promise<T>, attributes?: Attributes): Promise<T> {
  if (!enabled) return fn();
  return tracer().startActiveSpan(name, attributes ? { attributes } : {}, async (span) => {
    try {
      return await fn();
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/**
 * Adds the current span's W3C trace context (`traceparent`, `tracestate`) to outgoing request
 * headers, so that the receiving service continues this trace. Nothing when tracing is off.
 */
export function injectTraceContext(headers: HeaderCarrier): void {
  if (!enabled) return;
  propagation.inject(context.active(), headers, { set: setHeader });
}

/** Outgoing headers: a `Headers`-like object or a plain record. */
type HeaderCarrier = { set(name: string, value: string): void } | Record<string, string>;

function setHeader(carrier: HeaderCarrier, name: string, value: string): void {
  if (typeof carrier.set === 'function') (carrier as { set(n: string, v: string): void }).set(name, value);
  else (carrier as Record<string, string>)[name] = value;
}

/**
 * Express middleware that opens a server span for each request, continuing the caller's trace when
 * its headers carry a W3C trace context, and makes it the current span for every handler after it.
 * Mounted first; when tracing is off it is not mounted at all ({@link traceRequests} returns none).
 */
export function traceRequests(): RequestHandler[] {
  if (!enabled) return [];
  return [
    (req: Request, res: Response, next: NextFunction) => {
      const parent = propagation.extract(ROOT_CONTEXT, req.headers);
      const span = tracer().startSpan(
        `${req.method} ${req.path}`,
        {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': req.method, 'url.path': req.path },
        },
        parent,
      );
      res.on('finish', () => {
        // The route is known once a handler matched; its template keeps span names few.
        span.updateName(`${req.method} ${routeLabel(req)}`);
        span.setAttribute('http.response.status_code', res.statusCode);
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      });
      res.on('close', () => {
        if (!res.writableFinished) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: 'connection closed before the answer was sent' });
          span.end();
        }
      });
      const active = trace.setSpan(parent, span);
      // The body arrives in stream events, which would otherwise run outside this request's context.
      context.bind(active, req);
      context.bind(active, res);
      context.with(active, next);
    },
  ];
}
