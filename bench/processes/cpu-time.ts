// Server CPU per call: user + system time of one process from /proc/<pid>/stat (all its threads, so
// libuv's pool and the garbage collector count too), in clock ticks of `getconf CLK_TCK`.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

let ticksPerSecond: number | undefined;

/** Clock ticks per second used by /proc (usually 100). */
export function clockTicksPerSecond(): number {
  ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  if (!Number.isFinite(ticksPerSecond) || ticksPerSecond <= 0)
    throw new Error("getconf CLK_TCK gave no number");
  return ticksPerSecond;
}

/** utime + stime of `pid` in clock ticks. */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) is in parentheses and may contain spaces; fields are counted after it.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
  return Number(fields[11]) + Number(fields[12]);
}

/** Microseconds of CPU per call between two cpuTicks readings. */
export function cpuMicrosPerCall(ticksBefore: number, ticksAfter: number, calls: number): number {
  if (calls <= 0) return Number.NaN;
  return (((ticksAfter - ticksBefore) / clockTicksPerSecond()) * 1e6) / calls;
}
