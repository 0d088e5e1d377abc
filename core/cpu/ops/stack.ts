// (family file: being written)

import type { FormSpec } from "../insn.ts";

export const STACK_FORMS: FormSpec[] = [];
