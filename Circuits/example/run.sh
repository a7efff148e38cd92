#!/usr/bin/env bash
# The main job on the bundled example: check the arithmetic, write a circuit of 64-bit range checks
# (the shape of a quantized network's constraints), then set up, prove and verify it.
# Run from the repository root after `swift build -c release`. Outputs go to out/example/.
set -euo pipefail
cd "$(dirname "$0")/../.."
zkinfer="$(swift build -c release --show-bin-path)/zkinfer"
out=out/example
mkdir -p "$out"

"$zkinfer" selfcheck --samples 200
"$zkinfer" example-circuit bits --constraints 16000 --r1cs "$out/circuit.r1cs" --wtns "$out/witness.wtns"
"$zkinfer" setup "$out/circuit.r1cs" --zkey "$out/circuit.zkey" --vk "$out/verification_key.json"
"$zkinfer" prove "$out/circuit.zkey" "$out/witness.wtns" --r1cs "$out/circuit.r1cs" \
    --proof "$out/proof.json" --public "$out/public.json" --proof-bin "$out/proof.bin" --timings
"$zkinfer" verify "$out/verification_key.json" "$out/proof.json" "$out/public.json"
echo "artifacts in $out/: circuit.r1cs witness.wtns circuit.zkey verification_key.json proof.json public.json proof.bin"
