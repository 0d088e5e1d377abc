# Run by tests/guest/bash_test.ts with Debian's bash-static, natively and under NexaOS, with PATH
# holding busybox applets only. Everything it prints must be the same on both: no pids, times or
# paths. Each section exercises processes: forks for subshells and substitutions, pipes, execs
# of external commands, signals and waiting.
set -u

echo "== functions and local variables"
counter=10
double() {
	local counter=$1
	counter=$((counter * 2))
	echo "in double: $counter"
}
double 4
echo "global counter: $counter"
fact() {
	if (($1 <= 1)); then echo 1; else echo $(($1 * $(fact $(($1 - 1))))); fi
}
echo "fact 12 through nested substitutions: $(fact 12)"

echo "== subshells"
x=outer
(x=inner; echo "in subshell: $x"; exit 4)
echo "subshell status $?, x still $x"
( (echo deep; exit 6); echo "inner status $?" )
echo "BASH_SUBSHELL in a substitution: $(echo $BASH_SUBSHELL)"

echo "== command substitution and pipelines"
lines=$(seq 1 500 | grep 5 | wc -l)
echo "lines with a 5: $lines"
printf '%s\n' banana apple cherry apple banana apple | sort | uniq -c | sort -rn | head -2
echo "words: $(echo one two three | tr ' ' '\n' | wc -l)"
seq 1 2000 | awk '{ s += $1 } END { print "awk sum", s }'
false | true
echo "pipeline status $? PIPESTATUS ${PIPESTATUS[*]}"
true | (exit 3) | false
echo "PIPESTATUS ${PIPESTATUS[*]}"
set -o pipefail
(exit 5) | true
echo "pipefail status $?"
set +o pipefail

echo "== arithmetic"
echo $(((7 ** 3) % 10)) $((1 << 40)) $((-17 / 5)) $((-17 % 5)) $((0x1f + 010))
n=5
((n += 10, n *= 2))
echo "n=$n, $((n > 20 ? 1 : 0))"
let "m = n / 3"
echo "m=$m"

echo "== arrays"
arr=(zero one "two words" three)
echo "${#arr[@]} [${arr[2]}] ${arr[*]:1:2}"
arr+=(four)
for i in "${!arr[@]}"; do printf '%d=%s;' "$i" "${arr[$i]}"; done
echo
declare -A map=([b]=2 [a]=1 [c]=3)
for k in $(printf '%s\n' "${!map[@]}" | sort); do echo "$k -> ${map[$k]}"; done
mapfile -t from_seq < <(seq 3 5)
echo "mapfile: ${from_seq[*]}"
read -r -a split <<<"x y z"
echo "read -a: ${#split[@]} ${split[1]}"

echo "== here-strings and here-documents"
tr a-z A-Z <<<"here string"
read -r first second <<<"first second"
echo "$second $first"
cat <<EOF
heredoc $((2 + 3)) ${arr[1]} $(echo substituted)
EOF
cat <<'EOF'
quoted $((2 + 3)) stays
EOF
wc -l <<EOF
1
2
3
EOF

echo "== loops of external commands"
for i in 1 2 3; do echo "$i" | md5sum; done
seq 3 | while read -r n; do echo "square $((n * n))"; done
total=0
while read -r n; do total=$((total + n)); done < <(seq 10)
echo "sum through process substitution: $total"
echo "diff of equal substitutions: $(diff <(seq 3) <(seq 3) && echo same)"

echo "== traps and signals"
trap 'echo "USR1 trapped"' USR1
kill -USR1 $$
echo "after kill -USR1"
trap - USR1
# A subshell resets caught signals to their default (bash reports the death on stderr) but
# keeps ignored ones ignored.
trap 'echo "USR2 trapped"' USR2
(kill -USR2 $BASHPID; echo "not reached")
echo "subshell killed by the reset USR2: $?"
trap '' USR2
kill -USR2 $$
(kill -USR2 $BASHPID; echo "ignored USR2 stays ignored in a subshell")
echo "ignored USR2 did nothing"

echo "== jobs, wait and the status of killed children"
sleep 5 &
pid=$!
kill -TERM $pid
wait $pid
echo "killed job: $?"
(exit 7) &
wait $!
echo "subshell job: $?"
sleep 0.1 &
sleep 0.1 &
wait
echo "waited for all: $?"
{ sh -c 'kill -9 $$'; } 2>/dev/null
echo "child killed by SIGKILL: $?"
status=$(sh -c 'kill -INT $$'; echo $?)
echo "child killed by SIGINT, seen in a substitution: $status"
sleep 5 &
pid=$!
kill -STOP $pid
kill -CONT $pid
kill -KILL $pid
wait $pid 2>/dev/null
echo "stopped, continued, killed: $?"
wait
echo "wait with no jobs: $?"
bash_exit=$(exit 42)
echo "status of an exiting substitution: $?"

echo "== redirections and file descriptors"
tmp=$(mktemp -d)
exec 3>"$tmp/out"
echo "through fd 3" >&3
seq 3 >&3
exec 3>&-
cat "$tmp/out"
{ echo to-stderr >&2; } 2>&1 | tr a-z A-Z
ls "$tmp/missing" 2>/dev/null || echo "ls failed with status $?"
rm -r "$tmp"
[ -e "$tmp" ] || echo "temporary folder removed"

echo "== exit"
trap 'echo "EXIT trap sees status $?"' EXIT
exit 3
