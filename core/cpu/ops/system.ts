// (family file: being written)

import type { FormSpec } from "../insn.ts";

export const SYSTEM_FORMS: FormSpec[] = [];
