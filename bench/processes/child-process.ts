// Starting and stopping the processes of a run: servers (kept until clean-up, output to a log file
// so a busy server never blocks on a pipe) and short-lived tools (wrk, h2load, npm).
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { onCleanup } from "./cleanup.js";

/** A server child process listening on 127.0.0.1. */
export interface ServerProcess {
  name: string;
  pid: number;
  port: number;
  baseUrl: string;
  logFile: string;
  stop(): Promise<void>;
}

/** What to start and how to tell it is ready. */
export interface ServerSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  port: number;
  logFile: string;
  /** Path that answers 200 over HTTP/1.1 once the server can take calls. */
  readyPath?: string;
  /** For servers without HTTP/1.1 (grpc-js): a line in the log that means "listening". */
  readyLogLine?: RegExp;
  timeoutMs?: number;
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Sends SIGTERM, then SIGKILL if the process has not exited within `graceMs`. */
async function terminate(child: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const done = await Promise.race([exited.then(() => true), delay(graceMs).then(() => false)]);
  if (!done) {
    child.kill("SIGKILL");
    await exited;
  }
}

/** Starts a server and resolves once it is ready; fails with the end of its log if it exits first. */
export async function startServer(spec: ServerSpec): Promise<ServerProcess> {
  const log = openSync(spec.logFile, "w");
  const child = spawn(spec.command, spec.args, { env: spec.env, cwd: spec.cwd, stdio: ["ignore", log, log] });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let exitedEarly = false;
  void exited.then(() => {
    exitedEarly = true;
  });
  const stop = () => terminate(child, exited, 10_000);
  const forget = onCleanup(spec.name, stop);
  const baseUrl = `http://127.0.0.1:${spec.port}`;
  const deadline = Date.now() + (spec.timeoutMs ?? 60_000);
  for (;;) {
    if (exitedEarly || child.pid === undefined) {
      throw new Error(
        `${spec.name} exited during start-up (code ${child.exitCode}); log:\n${tail(spec.logFile)}`,
      );
    }
    if (await isReady(spec, baseUrl)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `${spec.name} was not ready within ${spec.timeoutMs ?? 60_000} ms; log:\n${tail(spec.logFile)}`,
      );
    }
    await delay(100);
  }
  return {
    name: spec.name,
    pid: child.pid,
    port: spec.port,
    baseUrl,
    logFile: spec.logFile,
    async stop() {
      forget();
      await stop();
    },
  };
}

async function isReady(spec: ServerSpec, baseUrl: string): Promise<boolean> {
  if (spec.readyLogLine) return spec.readyLogLine.test(tail(spec.logFile, 200));
  try {
    const response = await fetch(`${baseUrl}${spec.readyPath ?? "/"}`, {
      signal: AbortSignal.timeout(2_000),
    });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Output of a finished tool. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a tool to completion (killed at clean-up or after `timeoutMs`) and collects its output. */
export async function runCommand(
  command: string,
  args: readonly string[],
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<CommandResult> {
  const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: "pipe" });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    // 'close' (not 'exit'): it comes after the last output has been read from the pipes.
    child.once("close", (code) => resolve(code));
  });
  const forget = onCleanup(command, () => terminate(child, exited, 2_000));
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
  try {
    const code = await exited;
    return {
      code,
      stdout: Buffer.concat(stdout).toString("utf8"),
      stderr: Buffer.concat(stderr).toString("utf8"),
    };
  } finally {
    clearTimeout(timer);
    forget();
  }
}
