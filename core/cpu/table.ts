// The decoding table: the single source of truth for every instruction form the CPU knows.
// Each family file contributes its rows (encoding, operands, handler, test hints); the decoder,
// the differential-test generator and `deno task` tooling all read this one list.

import type { FormSpec } from "./insn.ts";
import { MOV_FORMS } from "./ops/mov.ts";
import { ALU_FORMS } from "./ops/alu.ts";
import { SHIFT_FORMS } from "./ops/shift.ts";
import { MULDIV_FORMS } from "./ops/muldiv.ts";
import { BITS_FORMS } from "./ops/bits.ts";
import { ATOMIC_FORMS } from "./ops/atomic.ts";
import { STRING_FORMS } from "./ops/string.ts";
import { STACK_FORMS } from "./ops/stack.ts";
import { CONTROL_FORMS } from "./ops/control.ts";
import { SYSTEM_FORMS } from "./ops/system.ts";
import { PRIVILEGED_FORMS } from "./ops/privileged.ts";
import { X87_FORMS } from "./ops/x87.ts";
import { SSE_MOVE_FORMS } from "./ops/sse-move.ts";
import { SSE_INT_FORMS } from "./ops/sse-int.ts";
import { SSE_FLOAT_FORMS } from "./ops/sse-float.ts";
import { SSE_CONVERT_FORMS } from "./ops/sse-convert.ts";
import { SSE_STRING_FORMS } from "./ops/sse-string.ts";
import { SSE_STATE_FORMS } from "./ops/sse-state.ts";

export const FORMS: FormSpec[] = [
  ...MOV_FORMS,
  ...ALU_FORMS,
  ...SHIFT_FORMS,
  ...MULDIV_FORMS,
  ...BITS_FORMS,
  ...ATOMIC_FORMS,
  ...STRING_FORMS,
  ...STACK_FORMS,
  ...CONTROL_FORMS,
  ...SYSTEM_FORMS,
  ...PRIVILEGED_FORMS,
  ...X87_FORMS,
  ...SSE_MOVE_FORMS,
  ...SSE_INT_FORMS,
  ...SSE_FLOAT_FORMS,
  ...SSE_CONVERT_FORMS,
  ...SSE_STRING_FORMS,
  ...SSE_STATE_FORMS,
];
