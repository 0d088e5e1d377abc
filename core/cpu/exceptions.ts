// CPU exception vectors and the object thrown inside core/ when an instruction faults. The run
// loop catches it, rewinds RIP to the faulting instruction and reports it to the kernel.

export const VEC_DE = 0; // divide error
export const VEC_DB = 1;
export const VEC_BP = 3; // int3
export const VEC_OF = 4;
export const VEC_UD = 6; // invalid opcode
export const VEC_NM = 7; // device not available
export const VEC_DF = 8;
export const VEC_SS = 12; // stack-segment fault (non-canonical stack address)
export const VEC_GP = 13; // general protection
export const VEC_PF = 14; // page fault
export const VEC_MF = 16; // x87 floating-point error
export const VEC_AC = 17; // alignment check
export const VEC_XM = 19; // SIMD floating-point exception

/** #PF error-code bits (Intel SDM vol. 3, 4.7). */
export const PF_PRESENT = 1;
export const PF_WRITE = 2;
export const PF_USER = 4;
export const PF_RSVD = 8;
export const PF_FETCH = 16;

export class CpuException {
  constructor(
    readonly vector: number,
    readonly errorCode = 0,
    /** For #PF: the faulting linear address (becomes CR2). */
    readonly address = 0,
  ) {}
}

export const VECTOR_NAMES: Record<number, string> = {
  0: "#DE",
  1: "#DB",
  3: "#BP",
  4: "#OF",
  6: "#UD",
  7: "#NM",
  8: "#DF",
  12: "#SS",
  13: "#GP",
  14: "#PF",
  16: "#MF",
  17: "#AC",
  19: "#XM",
};
