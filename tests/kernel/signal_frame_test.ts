// Unit tests for kernel/signals/delivery.ts and kernel/syscalls/sigreturn.ts on a fake machine:
// the rt_sigframe layout and handler registers, Linux's syscall restart rules (no blocking call
// returns -ERESTART* yet, so they are driven directly), rt_sigreturn's round trip including a
// RAX no JS number holds exactly, bad frames, restart_syscall, and trap RIP adjustment.

import assert from "node:assert/strict";
import { RAX, RDI, RDX, RSI, RSP } from "../../core/cpu/cpu.ts";
import { CpuException, VEC_BP } from "../../core/cpu/exceptions.ts";
import { getFlags } from "../../core/cpu/flags.ts";
import {
  EINTR,
  ERESTART_RESTARTBLOCK,
  ERESTARTNOHAND,
  ERESTARTNOINTR,
  ERESTARTSYS,
} from "../../kernel/errno.ts";
import {
  deliverSignals,
  NR_RESTART_SYSCALL,
  recordSyscallNumber,
  replaceSigmaskUntilDelivery,
  SA_RESTART,
  SA_RESTORER,
  SA_SIGINFO,
  setRestartBlock,
  userFaultInfo,
} from "../../kernel/signals/delivery.ts";
import { SI_KERNEL } from "../../kernel/signals/sigframe.ts";
import { SIGCHLD, SIGSEGV, SIGUSR1, SIGUSR2 } from "../../kernel/signals/signals.ts";
import { RESULT_IN_REGISTERS } from "../../kernel/syscalls/args.ts";
import { sigreturnSyscalls } from "../../kernel/syscalls/sigreturn.ts";
import { AREA, FakeMachine } from "./lib/fake-task.ts";

const HANDLER = 0x401000;
const RESTORER = 0x402000;
const USER_RIP = 0x403010;
/** An odd stack pointer, so the frame's alignment is the kernel's doing. */
const USER_RSP = AREA + 0x20000 + 3;

function machine(flags = SA_SIGINFO | SA_RESTORER, sig = SIGUSR1): FakeMachine {
  const m = new FakeMachine();
  m.proc.sigactions[sig] = {
    handler: HANDLER,
    flags,
    restorer: RESTORER,
    maskLow: 1 << (SIGUSR2 - 1),
    maskHigh: 0,
  };
  const cpu = m.kernel.cpu;
  cpu.setRegFromNumber(RSP, USER_RSP);
  cpu.rip = USER_RIP;
  return m;
}

/** Deliver what is pending; returns the signal that killed the process, if one did. */
function deliver(m: FakeMachine, fromSyscall = false): number | null {
  let died: number | null = null;
  deliverSignals(m.kernel, m.task, fromSyscall, (sig) => died = sig, () => false);
  return died;
}

/** A saved general register in the frame at `frame` (sigcontext offsets). */
function savedReg(m: FakeMachine, frame: number, offset: number): number {
  return m.i64(frame + 48 + offset);
}
const SC_RAX = 104, SC_RSP = 120, SC_RIP = 128, SC_FPSTATE = 184;

Deno.test("delivery: the rt_sigframe is laid out and aligned as Linux builds it", () => {
  const m = machine();
  const cpu = m.kernel.cpu;
  cpu.setRegFromNumber(RAX, 1234);
  m.task.sigmaskLow = 1 << (SIGCHLD - 1);
  m.task.pending.add(SIGUSR1);
  assert.equal(deliver(m), null);

  const fpstate = Math.floor((USER_RSP - 128 - 512) / 64) * 64;
  const frame = Math.floor((fpstate - 440) / 16) * 16 - 8;
  assert.equal(cpu.regNumber(RSP), frame);
  assert.equal(frame % 16, 8, "the handler sees RSP+8 16-byte aligned");
  assert.equal(cpu.rip, HANDLER);
  assert.equal(cpu.regNumber(RDI), SIGUSR1);
  assert.equal(cpu.regNumber(RSI), frame + 312);
  assert.equal(cpu.regNumber(RDX), frame + 8);
  assert.equal(cpu.regNumber(RAX), 0);

  assert.equal(m.i64(frame), RESTORER, "pretcode");
  assert.equal(m.i64(frame + 8), 6, "uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS");
  assert.equal(m.i64(frame + 16), 0, "uc_link");
  assert.equal(m.u32(frame + 32), 2, "uc_stack.ss_flags = SS_DISABLE");
  assert.equal(savedReg(m, frame, SC_RAX), 1234);
  assert.equal(savedReg(m, frame, SC_RSP), USER_RSP);
  assert.equal(savedReg(m, frame, SC_RIP), USER_RIP);
  assert.equal(savedReg(m, frame, SC_FPSTATE), fpstate);
  assert.equal(m.u32(frame + 48 + 144) & 0xffff, 0x33, "cs");
  assert.equal(m.u32(frame + 48 + 168), 1 << (SIGCHLD - 1), "oldmask");
  assert.equal(m.u32(frame + 304), 1 << (SIGCHLD - 1), "uc_sigmask is the old mask");
  assert.equal(m.u32(fpstate + 24), 0x1f80, "FXSAVE image: MXCSR");
  assert.equal(m.u32(frame + 312), SIGUSR1, "si_signo");
  assert.equal(m.u32(frame + 320), SI_KERNEL, "si_code");

  const expected = (1 << (SIGCHLD - 1)) | (1 << (SIGUSR1 - 1)) | (1 << (SIGUSR2 - 1));
  assert.equal(m.task.sigmaskLow, expected, "old mask | sa_mask | the signal");
  assert.equal(getFlags(cpu) & 0x400, 0, "DF clear");
});

interface RestartCase {
  code: number;
  handler: "handler" | "handler+SA_RESTART" | "none";
  rax: number;
  rewound: boolean;
}

const READ_NR = 0;

const RESTART_CASES: RestartCase[] = [
  { code: ERESTARTSYS, handler: "handler", rax: -EINTR, rewound: false },
  { code: ERESTARTSYS, handler: "handler+SA_RESTART", rax: READ_NR, rewound: true },
  { code: ERESTARTNOINTR, handler: "handler", rax: READ_NR, rewound: true },
  { code: ERESTARTNOHAND, handler: "handler+SA_RESTART", rax: -EINTR, rewound: false },
  { code: ERESTART_RESTARTBLOCK, handler: "handler+SA_RESTART", rax: -EINTR, rewound: false },
  { code: ERESTARTSYS, handler: "none", rax: READ_NR, rewound: true },
  { code: ERESTARTNOHAND, handler: "none", rax: READ_NR, rewound: true },
  { code: ERESTARTNOINTR, handler: "none", rax: READ_NR, rewound: true },
  { code: ERESTART_RESTARTBLOCK, handler: "none", rax: NR_RESTART_SYSCALL, rewound: true },
];

for (const c of RESTART_CASES) {
  Deno.test(`delivery: -${c.code} with ${c.handler} -> rax ${c.rax}`, () => {
    const extra = c.handler === "handler+SA_RESTART" ? SA_RESTART : 0;
    const m = machine(SA_RESTORER | extra);
    const cpu = m.kernel.cpu;
    cpu.setRegFromNumber(RAX, -c.code);
    recordSyscallNumber(m.task, READ_NR);
    // With no handler, an ignored-by-default signal still ends the wait.
    m.task.pending.add(c.handler === "none" ? SIGCHLD : SIGUSR1);
    assert.equal(deliver(m, true), null);
    const rip = USER_RIP - (c.rewound ? 2 : 0);
    if (c.handler === "none") {
      assert.equal(cpu.regNumber(RAX), c.rax);
      assert.equal(cpu.rip, rip);
    } else {
      const frame = cpu.regNumber(RSP);
      assert.equal(savedReg(m, frame, SC_RAX), c.rax);
      assert.equal(savedReg(m, frame, SC_RIP), rip);
    }
  });
}

Deno.test("delivery: restart codes are left alone outside a syscall return", () => {
  const m = machine(SA_RESTORER | SA_RESTART);
  const cpu = m.kernel.cpu;
  cpu.setRegFromNumber(RAX, -ERESTARTSYS);
  m.task.pending.add(SIGUSR1);
  deliver(m, false);
  const frame = cpu.regNumber(RSP);
  assert.equal(savedReg(m, frame, SC_RAX), -ERESTARTSYS);
  assert.equal(savedReg(m, frame, SC_RIP), USER_RIP);
});

Deno.test("delivery: an unknown syscall number turns a restart into EINTR", () => {
  const m = machine();
  m.kernel.cpu.setRegFromNumber(RAX, -ERESTARTNOINTR);
  m.task.pending.add(SIGCHLD);
  deliver(m, true);
  assert.equal(m.kernel.cpu.regNumber(RAX), -EINTR);
  assert.equal(m.kernel.cpu.rip, USER_RIP);
});

const bit = (sig: number) => 1 << (sig - 1);

Deno.test("delivery: the frame keeps the mask sigsuspend replaced, not the temporary one", () => {
  const m = machine();
  m.task.sigmaskLow = bit(SIGUSR1) | bit(SIGCHLD);
  replaceSigmaskUntilDelivery(m.task, bit(SIGCHLD), 0);
  m.kernel.cpu.setRegFromNumber(RAX, -ERESTARTNOHAND);
  recordSyscallNumber(m.task, 130);
  m.task.pending.add(SIGUSR1);
  deliver(m, true);
  const frame = m.kernel.cpu.regNumber(RSP);
  assert.equal(m.u32(frame + 304), bit(SIGUSR1) | bit(SIGCHLD), "uc_sigmask");
  assert.equal(savedReg(m, frame, SC_RAX), -EINTR);
  assert.equal(m.task.sigmaskLow, bit(SIGCHLD) | bit(SIGUSR1) | bit(SIGUSR2));
});

Deno.test("delivery: putting back a replaced mask delivers what it unblocks", () => {
  const m = machine();
  m.task.sigmaskLow = 0;
  replaceSigmaskUntilDelivery(m.task, bit(SIGUSR1), 0);
  m.task.pending.add(SIGUSR1); // blocked while the temporary mask holds
  m.task.pending.add(SIGCHLD); // ignored by default, yet it ended the wait
  m.kernel.cpu.setRegFromNumber(RAX, -ERESTARTNOHAND);
  recordSyscallNumber(m.task, 7);
  deliver(m, true);
  const cpu = m.kernel.cpu;
  assert.equal(cpu.rip, HANDLER, "SIGUSR1 delivered once the old mask is back");
  const frame = cpu.regNumber(RSP);
  assert.equal(savedReg(m, frame, SC_RAX), 7, "the poll restarts after the handler");
  assert.equal(savedReg(m, frame, SC_RIP), USER_RIP - 2);
  assert.equal(m.u32(frame + 304), 0, "uc_sigmask");
});

/** Deliver SIGUSR1, then return from the handler as its `ret` would: RSP just past pretcode. */
function deliverAndReturn(m: FakeMachine, rax: bigint): number {
  const cpu = m.kernel.cpu;
  m.task.pending.add(SIGUSR1);
  deliver(m);
  const frame = cpu.regNumber(RSP);
  m.writeI64(frame + 48 + SC_RAX, rax);
  cpu.setRegFromNumber(RAX, 99);
  cpu.setRegFromNumber(RSP, frame + 8);
  return m.callSync(sigreturnSyscalls.rt_sigreturn, []);
}

Deno.test("rt_sigreturn: restores registers (RAX included) and the mask", () => {
  const m = machine();
  m.task.sigmaskLow = 1 << (SIGCHLD - 1);
  const result = deliverAndReturn(m, -5n);
  const cpu = m.kernel.cpu;
  assert.equal(result, RESULT_IN_REGISTERS);
  assert.equal(cpu.r64[RAX], 0xfffffffffffffffbn);
  assert.equal(cpu.rip, USER_RIP);
  assert.equal(cpu.regNumber(RSP), USER_RSP);
  assert.equal(m.task.sigmaskLow, 1 << (SIGCHLD - 1));
  assert.equal(m.task.pending.size, 0);
});

Deno.test("rt_sigreturn: a RAX beyond 2^53 comes back exactly", () => {
  const m = machine();
  const rax = 0x3ff0000000000001n;
  assert.equal(deliverAndReturn(m, rax), RESULT_IN_REGISTERS);
  const cpu = m.kernel.cpu;
  assert.equal(cpu.rip, USER_RIP);
  assert.equal(cpu.r64[RAX], rax);
});

Deno.test("rt_sigreturn: an unreadable frame forces SIGSEGV", () => {
  const m = machine();
  m.proc.sigactions[SIGSEGV] = { handler: 1, flags: 0, restorer: 0, maskLow: 0, maskHigh: 0 };
  m.kernel.cpu.setRegFromNumber(RSP, 0x1000);
  assert.equal(m.callSync(sigreturnSyscalls.rt_sigreturn, []), 0);
  assert.ok(m.task.pending.has(SIGSEGV));
  assert.equal(m.proc.sigactions[SIGSEGV].handler, 0, "an ignored SIGSEGV is reset to SIG_DFL");
  assert.equal(deliver(m), SIGSEGV);
});

Deno.test("restart_syscall: runs the registered continuation once, then fails with EINTR", () => {
  const m = new FakeMachine();
  setRestartBlock(m.task, () => 42);
  assert.equal(m.callSync(sigreturnSyscalls.restart_syscall, []), 42);
  assert.equal(m.callSync(sigreturnSyscalls.restart_syscall, []), -EINTR);
});

Deno.test("faults: int3 and int 3 are traps reported past the instruction", () => {
  for (const [bytes, length] of [[[0xcc], 1], [[0xcd, 0x03], 2]] as const) {
    const m = new FakeMachine();
    m.write(AREA, new Uint8Array(bytes));
    const cpu = m.kernel.cpu;
    cpu.rip = AREA;
    const info = userFaultInfo(m.task, cpu, new CpuException(VEC_BP));
    assert.equal(cpu.rip, AREA + length);
    assert.deepEqual(info, { signo: 5, code: SI_KERNEL, kind: "fault", addr: 0 });
  }
});
