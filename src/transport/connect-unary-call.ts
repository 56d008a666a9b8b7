import { Code, ConnectError, type ConnectRouter, type ContextValues } from "@connectrpc/connect";
import { once, readAll } from "./byte-stream.js";

type RpcHandler = ConnectRouter["handlers"][number];

/** The answer of a Connect unary call, split as the protocol that asked for it needs it. */
export interface ConnectUnaryAnswer {
  status: number;
  /** Response headers of the call (the handler's, an error's metadata), less the Connect hop's own. */
  metadata: Headers;
  /** The handler's trailers (Connect sends them as `trailer-` headers). */
  trailer: Headers;
  /** The body's content-encoding, when Connect compressed it. */
  contentEncoding: string | undefined;
  body: Uint8Array;
}

/** Headers of the Connect hop itself, not of the call. */
const CONNECT_TRANSPORT_HEADERS = new Set(["content-type", "content-length", "content-encoding", "vary"]);

/**
 * Hands a call of another protocol (REST, gRPC, gRPC-web) to a router handler as a Connect unary
 * call and reads its whole answer. If the client's connection closes first, the call's signal is
 * aborted (CANCELLED), so the implementation and its SQL stop.
 */
export async function callConnectUnary(
  serve: (req: Parameters<RpcHandler>[0]) => ReturnType<RpcHandler>,
  call: {
    requestPath: string;
    httpVersion: string;
    /** The request's Host (or HTTP/2 :authority); only the path matters to a unary handler. */
    host: string | undefined;
    header: Headers;
    message: Uint8Array;
    contextValues: ContextValues;
    /** The client's response, watched for an early close. */
    res: {
      readonly writableEnded: boolean;
      once(event: "close", listener: () => void): unknown;
      off(event: "close", listener: () => void): unknown;
    };
  },
): Promise<ConnectUnaryAnswer> {
  const { res } = call;
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableEnded) abort.abort(new ConnectError("client closed the connection", Code.Canceled));
  };
  res.once("close", onClose);
  try {
    const response = await serve({
      httpVersion: call.httpVersion,
      method: "POST",
      url: `http://${call.host ?? "localhost"}${call.requestPath}`,
      header: call.header,
      body: once(call.message),
      signal: abort.signal,
      contextValues: call.contextValues,
    });
    const body = response.body ? await readAll(response.body) : new Uint8Array(0);
    const metadata = new Headers();
    const trailer = new Headers();
    response.header?.forEach((value, name) => {
      if (name.startsWith("trailer-")) trailer.append(name.slice("trailer-".length), value);
      else if (!CONNECT_TRANSPORT_HEADERS.has(name)) metadata.append(name, value);
    });
    const contentEncoding = response.header?.get("content-encoding") ?? undefined;
    return { status: response.status, metadata, trailer, contentEncoding, body };
  } finally {
    res.off("close", onClose);
  }
}
