// Every syscall the table marks implemented or partial has a handler, and every handler's
// syscall is marked so: keeps kernel/syscalls/table.ts (and docs/syscalls.md) honest.

import assert from "node:assert/strict";
import { handlersByName } from "../../kernel/syscalls/dispatch.ts";
import { checkHandlers } from "../../kernel/syscalls/table.ts";

Deno.test("syscall table statuses match the registered handlers", () => {
  assert.deepEqual(checkHandlers(new Set(handlersByName().keys())), []);
});
