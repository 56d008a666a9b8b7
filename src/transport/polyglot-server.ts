import type * as http from "node:http";
import type * as http2 from "node:http2";
import * as httpolyglot from "@httptoolkit/httpolyglot";

/** PEM-encoded certificate chain and private key for TLS on the same port. */
export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
}

/** Connection timeouts and optional TLS of the one-port server. */
export interface PolyglotServerOptions {
  /** With TLS, the port also accepts TLS connections and offers h2 and http/1.1 by ALPN. */
  tls?: TlsCredentials;
  /** Idle time before an HTTP/1.1 keep-alive connection or an HTTP/2 session is closed. */
  idleTimeoutMs?: number;
  /** Longest time to receive a whole HTTP/1.1 request head (slowloris guard). */
  headersTimeoutMs?: number;
  /** Longest time to receive a whole HTTP/1.1 request, body included. */
  requestTimeoutMs?: number;
}

/** The private parts of httpolyglot 3.1.0 (pinned; test/e2e/process-lifecycle.test.ts and test/transport/tls.test.ts cover them). */
interface PolyglotInternals {
  _httpServer: http.Server;
  _http2Server: http2.Http2Server;
}

/** The Node-internal field behind socket.remoteAddress, missing on h2c's wrapped sockets. */
interface PeerSocket {
  remoteAddress?: string;
  _peername?: { address: string; family: string; port: number };
  stream?: { remoteAddress?: string; remoteFamily?: string; remotePort?: number };
}

/**
 * Serves HTTP/1.1 and HTTP/2 cleartext (prior knowledge, as gRPC uses) on one port, and TLS when
 * configured: httpolyglot reads each connection's first bytes (or the TLS ALPN choice) and hands it
 * to an inner HTTP/1.1 or HTTP/2 server. The patches make
 * graceful close work (Fastify would otherwise wait for keep-alive sockets) and give h2c requests a
 * client address.
 */
export function createPolyglotServer(
  handler: http.RequestListener,
  options: PolyglotServerOptions = {},
): http.Server {
  const idleTimeoutMs = options.idleTimeoutMs ?? 72_000;
  const server = options.tls
    ? httpolyglot.createServer(
        { tls: { cert: options.tls.cert, key: options.tls.key, ALPNProtocols: ["h2", "http/1.1"] } },
        handler,
      )
    : httpolyglot.createServer(handler);
  const { _httpServer: h1, _http2Server: h2 } = server as unknown as PolyglotInternals;
  // Node tracks connections (closeIdleConnections, timeouts) only after 'listening'; the inner
  // server never listens itself.
  h1.emit("listening");
  // Fastify does not apply its own timeouts to a serverFactory server.
  h1.keepAliveTimeout = idleTimeoutMs;
  h1.headersTimeout = options.headersTimeoutMs ?? 30_000;
  // Bounds how long a client may take to send a whole request (headers and body), so a trickled or
  // abandoned body cannot hold a socket forever.
  h1.requestTimeout = options.requestTimeoutMs ?? 60_000;

  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on("session", (session) => {
    const socket = session.socket as unknown as PeerSocket;
    const inner = socket.stream;
    if (inner?.remoteAddress && !socket.remoteAddress) {
      socket._peername = {
        address: inner.remoteAddress,
        family: inner.remoteFamily ?? "",
        port: inner.remotePort ?? 0,
      };
    }
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    session.setTimeout(idleTimeoutMs, () => session.close());
  });

  const close = server.close.bind(server);
  Object.assign(server, {
    // Keep reaping keep-alive sockets as their in-flight requests finish, until the server is closed.
    close(callback?: (error?: Error) => void) {
      for (const session of sessions) session.close();
      const reaper = setInterval(() => h1.closeIdleConnections(), 50);
      server.once("close", () => clearInterval(reaper));
      return close(callback);
    },
    closeIdleConnections: () => h1.closeIdleConnections(),
    closeAllConnections: () => {
      h1.closeAllConnections();
      for (const session of sessions) session.destroy();
    },
    // Sends GOAWAY: streams in flight finish, new ones go elsewhere.
    closeHttp2Sessions: () => {
      for (const session of sessions) session.close();
    },
  });
  return server as unknown as http.Server;
}
