// Which signal a CPU exception raised in user mode becomes, with the siginfo code and address
// Linux reports (arch/x86/kernel/traps.c and fault.c).

import {
  VEC_AC,
  VEC_BP,
  VEC_DB,
  VEC_DE,
  VEC_GP,
  VEC_MF,
  VEC_OF,
  VEC_PF,
  VEC_SS,
  VEC_UD,
  VEC_XM,
} from "../../core/cpu/exceptions.ts";
import { SIGBUS, SIGFPE, SIGILL, SIGSEGV, SIGTRAP } from "./signals.ts";

export const SI_KERNEL = 0x80;
export const ILL_ILLOPN = 2;
export const FPE_INTDIV = 1;
export const FPE_FLTINV = 7;
export const SEGV_MAPERR = 1;
export const SEGV_ACCERR = 2;
export const BUS_ADRALN = 1;
export const TRAP_BRKPT = 1;

export interface FaultSignal {
  signal: number;
  code: number;
  address: number;
}

export function signalForException(
  e: { vector: number; errorCode: number; address: number },
  rip = 0,
): FaultSignal {
  switch (e.vector) {
    case VEC_DE:
      return { signal: SIGFPE, code: FPE_INTDIV, address: rip };
    case VEC_DB:
      return { signal: SIGTRAP, code: TRAP_BRKPT, address: rip };
    case VEC_BP:
      return { signal: SIGTRAP, code: SI_KERNEL, address: 0 };
    case VEC_UD:
      return { signal: SIGILL, code: ILL_ILLOPN, address: rip };
    case VEC_MF:
    case VEC_XM:
      return { signal: SIGFPE, code: FPE_FLTINV, address: rip };
    case VEC_SS:
      return { signal: SIGBUS, code: SI_KERNEL, address: 0 };
    case VEC_AC:
      return { signal: SIGBUS, code: BUS_ADRALN, address: 0 };
    case VEC_PF:
      return {
        signal: SIGSEGV,
        code: e.errorCode & 1 ? SEGV_ACCERR : SEGV_MAPERR,
        address: e.address,
      };
    case VEC_OF:
    case VEC_GP:
    default:
      return { signal: SIGSEGV, code: SI_KERNEL, address: 0 };
  }
}
