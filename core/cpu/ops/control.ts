// (family file: being written)

import type { FormSpec } from "../insn.ts";

export const CONTROL_FORMS: FormSpec[] = [];
