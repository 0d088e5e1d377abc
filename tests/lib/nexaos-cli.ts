// The command line a test uses to start NexaOS as the user would (`deno task nexaos …`): the
// running Deno with the permissions deno.json's tasks grant, and main.ts's absolute path.

import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Deno's arguments for `main.ts <args…>`. */
export function nexaosArgs(args: string[]): string[] {
  return [
    "run",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-ffi",
    `${PROJECT_ROOT}main.ts`,
    ...args,
  ];
}
