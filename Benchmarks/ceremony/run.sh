#!/usr/bin/env bash
# Times and peak memory of the ceremony commands at ptau powers 12, 16 and 18 (or those given):
# ptau new, ptau contribute, ptau prepare, and setup from the prepared file of the largest circuit that power serves
# without filling its whole domain (a chain circuit, domain 2^(p-1)), then zkey contribute and zkey verify.
# Usage (repository root, after `swift build -c release --product zkinfer`):
#   bash Benchmarks/ceremony/run.sh [POWER...] > Benchmarks/results/ceremony.md
set -euo pipefail
cd "$(dirname "$0")/../.."
zkinfer="$(swift build -c release --show-bin-path)/zkinfer"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
powers=("$@")
[ ${#powers[@]} -gt 0 ] || powers=(12 16 18)

measure() {  # label, command...: prints a table row with wall seconds and peak RSS
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2>&1 || { cat "$work/out" >&2; exit 1; }
    read -r seconds kilobytes < "$work/time"
    printf '| %s | %s | %.1f s | %d MiB |\n' "$power" "$label" "$seconds" $((kilobytes / 1024))
}

echo "# Ceremony commands: time and peak memory"
echo
echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $(date -u +%Y-%m-%d)."
echo "Command: \`bash Benchmarks/ceremony/run.sh ${powers[*]}\` (release build; wall time and peak RSS from /usr/bin/time)."
echo "No peer ran beside it: snarkjs needs npm, whose registry this machine cannot reach."
echo
echo "| power | step | wall | peak RSS |"
echo "| --- | --- | --- | --- |"
for power in "${powers[@]}"; do
    constraints=$(( (1 << (power - 2)) + (1 << (power - 3)) ))
    measure "ptau new" "$zkinfer" ptau new "$power" "$work/p0.ptau"
    measure "ptau contribute" "$zkinfer" ptau contribute "$work/p0.ptau" "$work/p1.ptau" --name bench --entropy bench
    measure "ptau verify (unprepared)" "$zkinfer" ptau verify "$work/p1.ptau"
    measure "ptau prepare" "$zkinfer" ptau prepare "$work/p1.ptau" "$work/final.ptau"
    "$zkinfer" example-circuit chain --constraints "$constraints" --r1cs "$work/c.r1cs" --wtns "$work/c.wtns" > /dev/null
    measure "setup --ptau ($constraints constraints, domain 2^$((power - 1)))" "$zkinfer" setup "$work/c.r1cs" --ptau "$work/final.ptau" --zkey "$work/c0.zkey"
    measure "zkey contribute" "$zkinfer" zkey contribute "$work/c0.zkey" "$work/c1.zkey" --name bench
    measure "zkey verify" "$zkinfer" zkey verify "$work/c.r1cs" "$work/final.ptau" "$work/c1.zkey"
    rm -f "$work"/*.ptau "$work"/*.zkey
done
