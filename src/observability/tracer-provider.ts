import { type Tracer, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NodeTracerProvider,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-node";

/** Where spans go: OTLP over HTTP/protobuf (endpoint and headers from the standard OTEL_ variables), or stdout. */
export type TraceExporterKind = "otlp" | "console";

/** The running tracer and how to flush it at shutdown. */
export interface Tracing {
  tracer: Tracer;
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK for traces: a batch processor in front of the exporter, the
 * AsyncLocalStorage context manager and W3C trace-context propagation (NodeTracerProvider.register).
 * The OTLP exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT and _HEADERS itself.
 */
export function startTracing(kind: TraceExporterKind, serviceName: string): Tracing {
  const exporter: SpanExporter = kind === "console" ? new ConsoleSpanExporter() : new OTLPTraceExporter();
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  return { tracer: trace.getTracer("customer-api"), shutdown: () => provider.shutdown() };
}
