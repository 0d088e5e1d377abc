// (family file: filled in by its owner; see core/cpu/table.ts)

import type { FormSpec } from "../insn.ts";

export const X87_FORMS: FormSpec[] = [];
