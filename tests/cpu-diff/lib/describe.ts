// Human-readable dumps of a case's input state (for --verbose mismatch reports).

import { flagNames, GPR_NAMES, hex } from "./compare.ts";
import { DATA_BASE } from "./layout.ts";
import type { CaseInput } from "./protocol.ts";
import { readU32 } from "./values.ts";

function q(lo: number, hi: number): string {
  return (hi >>> 0).toString(16).padStart(8, "0") + (lo >>> 0).toString(16).padStart(8, "0");
}

export function describeInput(c: CaseInput, indent = ""): string {
  const lines: string[] = [];
  for (let r = 0; r < 16; r += 4) {
    const row = [r, r + 1, r + 2, r + 3].map((n) =>
      `${GPR_NAMES[n]}=${q(c.gpr[2 * n], c.gpr[2 * n + 1])}`
    );
    lines.push(row.join(" "));
  }
  const fx = c.fx;
  lines.push(
    `rflags=${flagNames(c.rflags)} fcw=${hex(fx[0] | (fx[1] << 8), 4)} fsw=${
      hex(fx[2] | (fx[3] << 8), 4)
    } ftw=${hex(fx[4], 2)} mxcsr=${hex(readU32(fx, 24), 4)}`,
  );
  for (let i = 0; i < 8; i++) {
    const at = 32 + 16 * i;
    lines.push(
      `st${i}=${(fx[at + 9] << 8 | fx[at + 8]).toString(16).padStart(4, "0")}:${
        q(readU32(fx, at), readU32(fx, at + 4))
      }  xmm${2 * i}=${q(readU32(fx, 168 + 32 * i), readU32(fx, 172 + 32 * i))}${
        q(readU32(fx, 160 + 32 * i), readU32(fx, 164 + 32 * i))
      } xmm${2 * i + 1}=${q(readU32(fx, 184 + 32 * i), readU32(fx, 188 + 32 * i))}${
        q(readU32(fx, 176 + 32 * i), readU32(fx, 180 + 32 * i))
      }`,
    );
  }
  for (const p of c.patches) {
    lines.push(
      `mem ${hex(DATA_BASE + p.off)}: ${
        Array.from(p.bytes.slice(0, 32), (b) => b.toString(16).padStart(2, "0")).join(" ")
      }${p.bytes.length > 32 ? " ..." : ""}`,
    );
  }
  return lines.map((l) => indent + l).join("\n");
}
