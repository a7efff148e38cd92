#!/usr/bin/env bash
# The project's test command: installs what the tests need, runs the Swift test suites, then the
# interoperability checks against groth16py and py-ecc, and ONNX models against onnxruntime (pinned, in venvs
# under .build/).
# Usage: bash Tests/run.sh   (from anywhere; installs Debian packages when run as root or with sudo)
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for package in libgmp-dev libssl-dev nettle-dev pkg-config; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || missing+=(python3-venv)
if ((${#missing[@]})); then
    echo "installing ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

# Release build: the arithmetic-heavy property tests run ~100x faster than in debug.
swift test -c release
# The arithmetic suites again on the portable multiplication (the default path uses ADX where present).
ZKINFER_NO_ADX=1 swift test -c release --skip-build --filter "AlgebraTests|CurvesTests"

swift build -c release --product zkinfer
venv=.build/interop-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import groth16py, py_ecc" >/dev/null 2>&1; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r Tests/Interop/requirements.txt
fi
"$venv/bin/python" Tests/Interop/interop.py "$(swift build -c release --show-bin-path)/zkinfer" "$PWD"

# The generated EVM verifier on a real EVM (pyrevm, pinned, in its own venv), against solc's compile of snarkjs's.
evm_venv=.build/evm-venv
if [ ! -x "$evm_venv/bin/python" ] || ! "$evm_venv/bin/python" -c "import pyrevm, vyper, tree_sitter, tree_sitter_solidity, eth" >/dev/null 2>&1; then
    python3 -m venv "$evm_venv"
    "$evm_venv/bin/pip" install --quiet --disable-pip-version-check -r Tests/Interop/requirements-evm.txt
fi
"$evm_venv/bin/python" Tests/Interop/evm_verifier.py "$(swift build -c release --show-bin-path)/zkinfer" "$PWD"

# ONNX models end to end against onnxruntime (numpy, onnx and onnxruntime pinned, in their own venv).
onnx_venv=.build/onnx-venv
if [ ! -x "$onnx_venv/bin/python" ] || ! "$onnx_venv/bin/python" -c "import onnx, onnxruntime, numpy, light_poseidon_python" >/dev/null 2>&1; then
    python3 -m venv "$onnx_venv"
    "$onnx_venv/bin/pip" install --quiet --disable-pip-version-check -r Tests/Interop/requirements-onnx.txt
fi
"$onnx_venv/bin/python" Tests/Interop/onnx_models.py "$(swift build -c release --show-bin-path)/zkinfer" "$PWD"
# ONNX's own backend cases (exported by PyTorch, opsets 6-12) against their expected outputs, and the corpus of models
# exported by today's PyTorch (both exporters) and tf2onnx against onnxruntime.
"$onnx_venv/bin/python" Tests/Interop/onnx_backend_cases.py "$(swift build -c release --show-bin-path)/zkinfer" "$PWD"
"$onnx_venv/bin/python" Tests/Interop/onnx_corpus.py "$(swift build -c release --show-bin-path)/zkinfer" "$PWD"
# scikit-learn models exported by skl2onnx (ai.onnx.ml trees and linear models) against onnxruntime.
"$onnx_venv/bin/python" Tests/Interop/sklearn_corpus.py "$(swift build -c release --show-bin-path)/zkinfer" "$PWD"
