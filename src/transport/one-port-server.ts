import http from "node:http";
import http2 from "node:http2";
import type net from "node:net";
import tls from "node:tls";

/** PEM-encoded certificate chain and private key for TLS on the same port. */
export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
}

/** Connection timeouts and optional TLS of the one-port server. */
export interface OnePortServerOptions {
  /** With TLS, the port also accepts TLS connections and offers h2 and http/1.1 by ALPN. */
  tls?: TlsCredentials;
  /** Idle time before an HTTP/1.1 keep-alive connection or an HTTP/2 session is closed. */
  idleTimeoutMs?: number;
  /** Longest time to receive a whole HTTP/1.1 request head, or a connection's first bytes (slowloris guard). */
  headersTimeoutMs?: number;
  /** Longest time to receive a whole HTTP/1.1 request, body included. */
  requestTimeoutMs?: number;
}

const HTTP2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
const TLS_HANDSHAKE = 0x16;

/**
 * An HTTP/1.1 server that also serves HTTP/2 with prior knowledge (how gRPC speaks cleartext) and,
 * when configured, TLS with ALPN, all on its one listening port. It is a real `http.Server`, so
 * Node's own keep-alive, header and request timeouts and idle-connection reaping apply to HTTP/1.1;
 * each accepted socket is sniffed once and handed on unwrapped, so `node:http2` reads the native
 * socket (TCP_NODELAY set on accept, frames written by the native session) rather than a JavaScript
 * stream wrapper.
 */
export class OnePortServer extends http.Server {
  readonly #http2: http2.Http2Server;
  readonly #tls: tls.Server | undefined;
  readonly #http1Connection: ((socket: net.Socket) => void)[];
  readonly #sessions = new Set<http2.ServerHttp2Session>();
  readonly #sniffTimeoutMs: number;

  constructor(handler: http.RequestListener, options: OnePortServerOptions = {}) {
    const idleTimeoutMs = options.idleTimeoutMs ?? 72_000;
    super(
      {
        keepAliveTimeout: idleTimeoutMs,
        headersTimeout: options.headersTimeoutMs ?? 30_000,
        // Bounds how long a client may take to send a whole request, so a trickled or abandoned body
        // cannot hold a socket forever.
        requestTimeout: options.requestTimeoutMs ?? 60_000,
        noDelay: true,
      },
      handler,
    );
    this.#sniffTimeoutMs = options.headersTimeoutMs ?? 30_000;
    // http.Server serves HTTP/1.1 from its 'connection' listener; keep it, and put the sniffer first
    // in its place. Node documents injecting connections through this event.
    this.#http1Connection = this.listeners("connection") as ((socket: net.Socket) => void)[];
    this.removeAllListeners("connection");
    this.on("connection", (socket: net.Socket) => this.#route(socket, true));

    this.#http2 = http2.createServer(handler as unknown as (...args: unknown[]) => void);
    this.#http2.on("session", (session) => {
      this.#sessions.add(session);
      session.once("close", () => this.#sessions.delete(session));
      session.setTimeout(idleTimeoutMs, () => session.close());
    });
    if (options.tls) {
      this.#tls = tls.createServer({
        cert: options.tls.cert,
        key: options.tls.key,
        ALPNProtocols: ["h2", "http/1.1"],
      });
      this.#tls.on("secureConnection", (socket) => {
        if (socket.alpnProtocol === "h2") this.#http2.emit("connection", socket);
        else if (socket.alpnProtocol === "http/1.1") this.#toHttp1(socket);
        // A client that offered no ALPN: sniff the decrypted bytes like a cleartext connection.
        else this.#route(socket, false);
      });
      this.#tls.on("tlsClientError", (_error, socket) => socket.destroy());
    }
    // Requests already in flight when close() begins keep their keep-alive sockets busy; reap each
    // one as it turns idle instead of waiting for keepAliveTimeout.
    this.once("close", () => clearInterval(this.#reaper));
  }

  #reaper: NodeJS.Timeout | undefined;

  /** Stops accepting connections, sends GOAWAY to HTTP/2 sessions and closes HTTP/1.1 sockets as they turn idle. */
  override close(callback?: (error?: Error) => void): this {
    this.closeHttp2Sessions();
    this.#reaper ??= setInterval(() => this.closeIdleConnections(), 50);
    return super.close(callback);
  }

  /** Closes every connection now, HTTP/2 sessions included (the end of a shutdown grace period). */
  override closeAllConnections(): void {
    super.closeAllConnections();
    for (const session of this.#sessions) session.destroy();
  }

  /** Sends GOAWAY: streams in flight finish, new ones go elsewhere. Fastify calls this on close. */
  closeHttp2Sessions(): void {
    for (const session of this.#sessions) session.close();
  }

  #toHttp1(socket: net.Socket): void {
    for (const listener of this.#http1Connection) listener.call(this, socket);
  }

  /** Reads a connection's first bytes, puts them back, and hands the socket to the protocol they show. */
  #route(socket: net.Socket, tlsAllowed: boolean, seen?: Buffer): void {
    const onEarlyError = () => socket.destroy();
    socket.once("error", onEarlyError);
    socket.setTimeout(this.#sniffTimeoutMs, () => socket.destroy());
    const onReadable = () => {
      const chunk = socket.read() as Buffer | null;
      if (chunk === null) return;
      const data = seen ? Buffer.concat([seen, chunk]) : chunk;
      const protocol = protocolOf(data, tlsAllowed && this.#tls !== undefined);
      if (protocol === "undecided") {
        seen = data;
        return;
      }
      socket.off("readable", onReadable);
      socket.off("end", onEnd);
      socket.off("error", onEarlyError);
      socket.setTimeout(0);
      socket.unshift(data);
      if (protocol === "tls") this.#tls?.emit("connection", socket);
      else if (protocol === "h2") this.#http2.emit("connection", socket);
      else this.#toHttp1(socket);
    };
    const onEnd = () => socket.destroy();
    socket.on("readable", onReadable);
    socket.once("end", onEnd);
  }
}

/** Which server a connection belongs to, from its first bytes; "undecided" while they could still be the HTTP/2 preface. */
function protocolOf(data: Buffer, tlsAllowed: boolean): "tls" | "h2" | "http1" | "undecided" {
  if (tlsAllowed && data[0] === TLS_HANDSHAKE) return "tls";
  const length = Math.min(data.length, HTTP2_PREFACE.length);
  if (!data.subarray(0, length).equals(HTTP2_PREFACE.subarray(0, length))) return "http1";
  return length === HTTP2_PREFACE.length ? "h2" : "undecided";
}

/** The one-port server as Fastify's `serverFactory` wants it. */
export function createOnePortServer(
  handler: http.RequestListener,
  options: OnePortServerOptions = {},
): OnePortServer {
  return new OnePortServer(handler, options);
}
