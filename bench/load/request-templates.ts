// Request templates for bench/lua/requests.lua (wrk) and for the probes that replay them with fetch,
// so the correctness checks send exactly what the load generator sends.
import { writeFile } from "node:fs/promises";

/** One request; "{u}" in the path or body is replaced by a unique token per request. */
export interface RequestTemplate {
  method: "GET" | "POST";
  path: string;
  body?: string | Uint8Array;
}

/** Requests picked with probability weight / total weight, all sent with the same headers. */
export interface TemplateGroup {
  name: string;
  weight: number;
  headers: Record<string, string>;
  requests: RequestTemplate[];
}

function safe(text: string): string {
  if (/[\t\r\n]/.test(text))
    throw new Error(`template field contains a tab or newline: ${JSON.stringify(text)}`);
  return text;
}

function bodyBytes(body: string | Uint8Array | undefined): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  return typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body);
}

/** Writes the groups in the line format requests.lua reads. */
export async function writeTemplates(file: string, groups: readonly TemplateGroup[]): Promise<void> {
  const lines: string[] = [];
  for (const group of groups) {
    lines.push(`group\t${safe(group.name)}\t${group.weight}`);
    for (const [name, value] of Object.entries(group.headers)) {
      lines.push(`header\t${group.name}\t${safe(name)}\t${safe(value)}`);
    }
    for (const r of group.requests) {
      lines.push(
        `request\t${group.name}\t${r.method}\t${safe(r.path)}\t${bodyBytes(r.body).toString("hex")}`,
      );
    }
  }
  await writeFile(file, `${lines.join("\n")}\n`);
}

/** The bytes of a template's body with "{u}" replaced, as requests.lua sends them. */
export function bodyWithToken(template: RequestTemplate, token: string): Buffer {
  const body = bodyBytes(template.body);
  const marker = Buffer.from("{u}");
  const at = body.indexOf(marker);
  if (at === -1) return body;
  return Buffer.from(body.toString("latin1").replaceAll("{u}", token), "latin1");
}
