// The machine and software a run measured, for the report: results only compare within one run.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";

/** The machine, the tools and the service revision a run measured. */
export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  postgres: string;
  wrk: string;
  h2load: string;
  /** The commit measured, marked when src/ had uncommitted changes. */
  serviceRevision: string;
}

function firstLine(command: string, args: string[]): string {
  try {
    const out = execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return out.split("\n")[0]?.trim() ?? "";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(`${command} is not installed (Debian: apt-get install wrk nghttp2-client)`);
    }
    // wrk -v prints its version and exits 1.
    const out = (error as { stdout?: string }).stdout ?? "";
    return out.split("\n")[0]?.trim() ?? "unknown";
  }
}

function serviceRevision(root: string): string {
  try {
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", root, ...args], { encoding: "utf8" }).trim();
    const dirty = git("status", "--porcelain", "--", "src", "gen", "migrations") !== "";
    return `${git("rev-parse", "--short", "HEAD")}${dirty ? " + uncommitted changes in src/" : ""}`;
  } catch {
    return "unknown (not a git checkout)";
  }
}

/** Describes the machine; fails early when wrk or h2load is missing. */
export function describeMachine(root: string, postgresVersion: string): Machine {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  return {
    cpus: os.availableParallelism(),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: postgresVersion,
    wrk: firstLine("wrk", ["-v"]).replace(/ Copyright.*/, ""),
    h2load: firstLine("h2load", ["--version"]),
    serviceRevision: serviceRevision(root),
  };
}
