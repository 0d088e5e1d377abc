// Debian's busybox-static shell and applets doing process work under NexaOS: pipelines,
// background jobs and wait, traps, subshells, xargs, find -exec, timeout, command substitution,
// here-documents, loops of external commands and the exit status of killed children. Each command
// runs natively and under NexaOS with the same argv, environment and stdin; stdout, stderr and the
// exit status must be equal byte for byte. Skipped where /bin/busybox is not a static binary.
//
// Debian builds busybox with FEATURE_SH_STANDALONE and FEATURE_PREFER_APPLETS: its shell runs
// applets by re-executing /proc/self/exe (or in-process) without looking at PATH, so the guest
// needs no /bin symlinks. Natively PATH still holds the host's tools, but applets win there too;
// a command that escaped to a host binary would differ from NexaOS, which has none.

import assert from "node:assert/strict";
import { outcomeDifferences, runGuest, runNative, staticExecutable } from "./native-compare.ts";

const BUSYBOX = "/bin/busybox";
const ENV = ["PATH=/bin:/usr/bin", "HOME=/root", "LC_ALL=C"];
/** Guest instructions a case may use before it is killed (a hung guest fails, not hangs). */
const INSTRUCTION_LIMIT = 3e9;

const image = staticExecutable(BUSYBOX);

interface ShellCase {
  name: string;
  script: string;
  stdin?: string;
}

const CASES: ShellCase[] = [
  { name: "three-stage pipeline", script: "seq 1 10000 | grep 7 | wc -l" },
  { name: "background job and wait", script: "sleep 0.1 & wait; echo $?" },
  {
    name: "trap USR1 sent to itself",
    script: 'trap "echo caught" USR1; kill -USR1 $$; echo after',
  },
  { name: "subshell exit status", script: "(exit 3); echo $?" },
  { name: "xargs -n 3", script: "seq 1 20 | xargs -n 3 echo" },
  {
    name: "find -exec cat",
    script: 'd=$(mktemp -d) && mkdir -p "$d/a/b" && echo one > "$d/a/1.txt" && ' +
      'echo two > "$d/a/b/2.txt" && echo skip > "$d/a/3.dat" && ' +
      'find "$d" -name \'*.txt\' -exec cat {} \\; | sort; rm -rf "$d"; echo removed $?',
  },
  { name: "timeout kills sleep", script: "timeout 1 sleep 5; echo $?" },
  {
    name: "command substitution",
    script: 'x=$(echo hello | tr a-z A-Z); echo "[$x] $(seq 3 | wc -l) $(echo $(echo nested))"',
  },
  {
    name: "here-documents",
    script: "n=3\ncat <<EOF\nline $((n * 2))\n$(echo substituted)\nEOF\nwc -l <<'EOF'\na\n$b\nEOF",
  },
  { name: "for loop of external commands", script: "for i in 1 2 3; do echo $i | md5sum; done" },
  { name: "shell killed by SIGKILL", script: "kill -9 $$" },
  { name: "status of a child killed by SIGTERM", script: 'sh -c "kill -TERM \\$\\$"; echo $?' },
  { name: "background job killed", script: "sleep 5 & p=$!; kill $p; wait $p; echo $?" },
  {
    name: "stopped, continued and killed job",
    script: "sleep 5 & p=$!; kill -STOP $p; kill -CONT $p; kill -KILL $p; wait $p; echo $?",
  },
  {
    name: "exit codes of two jobs",
    script: "(exit 2) & a=$!; (exit 5) & b=$!; wait $b; echo $?; wait $a; echo $?",
  },
  {
    name: "pipefail",
    script: "false | true; echo $?; set -o pipefail; false | true; echo $?",
  },
  { name: "writer killed by SIGPIPE", script: "set -o pipefail; seq 1 100000 | head -1; echo $?" },
  { name: "six-stage pipeline", script: "seq 1000 | sed s/1/x/ | grep x | sort | uniq | wc -l" },
  { name: "EXIT trap and exit status", script: 'trap "echo bye \\$?" EXIT; exit 4' },
  { name: "env -i runs env", script: "env -i B=2 A=1 env | sort" },
  { name: "exec replaces the shell", script: "exec echo replaced; echo not reached" },
  { name: "read from stdin", script: 'read a b; echo "got $b $a"; cat', stdin: "one two\nrest\n" },
  {
    name: "/dev/stdin and /dev/stderr reopen the pipes",
    script: "cat /dev/stdin; echo to-stderr > /dev/stderr; seq 3 | tee /dev/stderr | wc -l",
    stdin: "from stdin\n",
  },
  {
    name: "while read over a pipe, in a subshell",
    script: "n=0; seq 5 | while read i; do n=$((n + i)); echo $n; done; echo outer $n",
  },
];

for (const c of CASES) {
  Deno.test({
    name: `busybox processes: ${c.name}`,
    ignore: image === null,
    async fn() {
      const args = ["sh", "-c", c.script];
      const native = await runNative(BUSYBOX, args, { env: ENV, stdin: c.stdin });
      const guest = await runGuest({
        image: image!,
        exePath: BUSYBOX,
        argv: ["busybox", ...args],
        env: ENV,
        instructionLimit: INSTRUCTION_LIMIT,
      }, c.stdin);
      const problems = outcomeDifferences(native, guest);
      if (problems.length) assert.fail(`${c.name}:\n  ${problems.join("\n  ")}`);
    },
  });
}
