// The x87 FPU family (opcodes D8-DF and FWAIT): collects the rows of its split files.
// Arithmetic: x87-arith.ts; loads, stores, constants, FXCH/FCMOV: x87-load.ts; comparisons:
// x87-compare.ts; transcendental and exact operations: x87-trans.ts; control words,
// environment and save images: x87-control.ts. Shared machinery: x87-common.ts.
//
// Operand notation in `args`: Mw/Md/Mq/Mt memory of 2/4/8/10 bytes (m16int, m32fp or m32int,
// m64fp or m64int, m80fp or m80bcd), M an environment/save area, ST = ST(0), STi = ST(i) from
// ModRM.rm. Test hint `fswUndef`: status-word bits (C0-C3) Intel documents as undefined.

import type { FormSpec } from "../insn.ts";
import { X87_ARITH_FORMS } from "./x87-arith.ts";
import { X87_LOAD_FORMS } from "./x87-load.ts";
import { X87_COMPARE_FORMS } from "./x87-compare.ts";
import { X87_TRANS_FORMS } from "./x87-trans.ts";
import { X87_CONTROL_FORMS } from "./x87-control.ts";

export const X87_FORMS: FormSpec[] = [
  ...X87_ARITH_FORMS,
  ...X87_LOAD_FORMS,
  ...X87_COMPARE_FORMS,
  ...X87_TRANS_FORMS,
  ...X87_CONTROL_FORMS,
];
