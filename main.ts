// The NexaOS command line. Sub-commands grow with the system; each has its own --help.

import { Command, CommanderError } from "commander";
import { cpuidLeaf } from "./core/cpu/cpuid.ts";
import { getDecoder } from "./core/cpu/cpu.ts";
import { addRunCommand } from "./cli/run.ts";
import { addImageCommand } from "./cli/image.ts";

function describeCpu(): string {
  const words = (leaf: number) => cpuidLeaf(leaf, 0);
  const text = (regs: number[]) =>
    regs.map((r) => String.fromCharCode(r & 0xff, (r >>> 8) & 0xff, (r >>> 16) & 0xff, r >>> 24))
      .join("");
  const [, b, c, d] = words(0);
  const vendor = text([b, d, c]);
  const brand = text([...words(0x80000002), ...words(0x80000003), ...words(0x80000004)])
    .replace(/\0+$/, "");
  const [, , ecx1, edx1] = words(1);
  const [, ebx7] = words(7);
  const [, , ecxE, edxE] = words(0x80000001);
  const names: [number, number, string][] = [
    [edx1, 0, "fpu"],
    [edx1, 4, "tsc"],
    [edx1, 8, "cx8"],
    [edx1, 15, "cmov"],
    [edx1, 19, "clflush"],
    [edx1, 23, "mmx"],
    [edx1, 24, "fxsr"],
    [edx1, 25, "sse"],
    [edx1, 26, "sse2"],
    [ecx1, 0, "sse3"],
    [ecx1, 9, "ssse3"],
    [ecx1, 13, "cx16"],
    [ecx1, 19, "sse4.1"],
    [ecx1, 20, "sse4.2"],
    [ecx1, 22, "movbe"],
    [ecx1, 23, "popcnt"],
    [ecx1, 30, "rdrand"],
    [ebx7, 3, "bmi1"],
    [ebx7, 8, "bmi2"],
    [ebx7, 18, "rdseed"],
    [ecxE, 0, "lahf_lm"],
    [ecxE, 5, "lzcnt"],
    [edxE, 11, "syscall"],
    [edxE, 20, "nx"],
    [edxE, 26, "pdpe1gb"],
    [edxE, 27, "rdtscp"],
    [edxE, 29, "lm"],
  ];
  const flags = names.filter(([reg, bit]) => (reg >>> bit) & 1).map(([, , n]) => n);
  return `vendor: ${vendor}\nbrand:  ${brand}\nflags:  ${flags.join(" ")}`;
}

function describeForms(asJson: boolean): string {
  const forms = getDecoder().forms;
  if (asJson) {
    return JSON.stringify(
      forms.map((f) => ({ op: f.spec.op, mnemonic: f.spec.mnem, operands: f.spec.args })),
      null,
      1,
    );
  }
  const mnemonics = new Set(forms.map((f) => f.spec.mnem));
  return `${forms.length} instruction forms, ${mnemonics.size} mnemonics:\n` +
    [...mnemonics].sort().join(" ");
}

export function buildCli(): Command {
  const program = new Command("nexaos")
    .description("NexaOS: an x86-64 machine and a Linux-compatible kernel in TypeScript")
    .configureOutput({
      // One line per mistake: "nexaos: unknown option '--x' (see nexaos --help)".
      outputError: (text, write) =>
        write(`nexaos: ${text.replace(/^error: /, "").trimEnd()} (see nexaos --help)\n`),
    })
    .exitOverride()
    .enablePositionalOptions();
  addRunCommand(program);
  addImageCommand(program);
  program.command("cpu")
    .description("describe the emulated CPU: its CPUID identity and features")
    .action(() => console.log(describeCpu()));
  program.command("forms")
    .description("list the instruction forms in the decoding table")
    .option("--json", "print every form as JSON")
    .action((opts: { json?: boolean }) => console.log(describeForms(!!opts.json)));
  return program;
}

if (import.meta.main) {
  try {
    await buildCli().parseAsync(Deno.args, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) Deno.exit(e.exitCode);
    console.error(`nexaos: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
}
