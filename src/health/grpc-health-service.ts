import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter, type Interceptor } from "@connectrpc/connect";
import {
  Health,
  type HealthCheckRequest,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "../../gen/health/v1/health_pb.js";
import type { ServingMonitor } from "./serving-monitor.js";

/**
 * Serves grpc.health.v1.Health (grpc/doc/health-checking.md) for the whole server (service "") and
 * each of `services`, all with one status: SERVING while `monitor` says so. Check answers NOT_FOUND
 * for any other name; Watch answers SERVICE_UNKNOWN for it and keeps the stream open, as the spec says.
 * Watch streams end (UNAVAILABLE, after a last NOT_SERVING) when shutdown begins, so they do not hold
 * the drain up. Open like reflection: Kubernetes, Envoy and grpc-health-probe send no credentials.
 */
export function addHealthService(
  router: ConnectRouter,
  monitor: ServingMonitor,
  services: readonly DescService[],
  interceptors: Interceptor[] = [],
): void {
  const known = new Set(["", ...services.map((service) => service.typeName)]);
  const statusOf = (serving: boolean) => (serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
  router.service(
    Health,
    {
      async check(req: HealthCheckRequest) {
        if (!known.has(req.service)) {
          throw new ConnectError(`This server has no service named "${req.service}".`, Code.NotFound);
        }
        return { status: statusOf(await monitor.serving()) };
      },
      async *watch(req: HealthCheckRequest, context) {
        const queue: boolean[] = [];
        let wake: (() => void) | undefined;
        const unsubscribe = monitor.subscribe((serving) => {
          queue.push(serving);
          wake?.();
        });
        const aborted = () => wake?.();
        context.signal.addEventListener("abort", aborted);
        try {
          let sent: ServingStatus | undefined;
          if (!known.has(req.service)) {
            yield { status: ServingStatus.SERVICE_UNKNOWN };
            sent = ServingStatus.SERVICE_UNKNOWN;
          } else {
            queue.unshift(await monitor.serving());
          }
          for (;;) {
            while (queue.length > 0) {
              const serving = queue.shift() as boolean;
              // An unknown name stays SERVICE_UNKNOWN until shutdown; a known one follows the monitor.
              if (sent === ServingStatus.SERVICE_UNKNOWN && !monitor.shuttingDown) continue;
              const status = statusOf(serving);
              if (status !== sent) yield { status };
              sent = status;
            }
            if (monitor.shuttingDown)
              throw new ConnectError("The server is shutting down.", Code.Unavailable);
            if (context.signal.aborted) return;
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            wake = undefined;
          }
        } finally {
          unsubscribe();
          context.signal.removeEventListener("abort", aborted);
        }
      },
      async list() {
        const status = statusOf(await monitor.serving());
        return { statuses: Object.fromEntries([...known].map((name) => [name, { status }])) };
      },
    },
    { interceptors },
  );
}
