#!/usr/bin/env bash
# Regenerate onnx.pb.swift from ONNX's onnx.proto with apple/swift-protobuf's protoc-gen-swift.
# Usage: regenerate.sh OUTPUT_PATH   (e.g. Sources/ONNXProto/onnx.pb.swift)
# Env:   WORK (scratch dir, default /tmp/onnxgen-regen), ONNX_VERSION, SWIFT_PROTOBUF_VERSION
set -euo pipefail

OUT=${1:?usage: regenerate.sh OUTPUT_PATH}
ONNX_VERSION=${ONNX_VERSION:-1.23.2}
SWIFT_PROTOBUF_VERSION=${SWIFT_PROTOBUF_VERSION:-1.39.0}
WORK=${WORK:-/tmp/onnxgen-regen}
mkdir -p "$WORK"
OUT=$(realpath -m "$OUT")

# 1. onnx.proto from the onnx wheel (proto2, package onnx).
if [ ! -x "$WORK/venv/bin/python" ]; then python3 -m venv "$WORK/venv"; fi
"$WORK/venv/bin/pip" install -q "onnx==$ONNX_VERSION"
PROTO_DIR=$("$WORK/venv/bin/python" -c 'import os, onnx; print(os.path.dirname(onnx.__file__))')
test -f "$PROTO_DIR/onnx.proto"

# 2. protoc: Debian's protobuf-compiler, else grpcio-tools from PyPI.
if command -v protoc >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ] \
     && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq protobuf-compiler >/dev/null; }; then
  PROTOC=(protoc)
else
  "$WORK/venv/bin/pip" install -q grpcio-tools
  PROTOC=("$WORK/venv/bin/python" -m grpc_tools.protoc)
fi
echo "protoc: $("${PROTOC[@]}" --version)"

# 3. protoc-gen-swift at the pinned swift-protobuf tag (release build).
SP="$WORK/swift-protobuf"
if [ ! -d "$SP/.git" ]; then git clone -q https://github.com/apple/swift-protobuf "$SP"; fi
git -C "$SP" fetch -q --tags || true
git -C "$SP" checkout -q "$SWIFT_PROTOBUF_VERSION"
(cd "$SP" && nice -n 10 swift build -c release -j 1 --product protoc-gen-swift)
PLUGIN="$(cd "$SP" && swift build -c release --show-bin-path)/protoc-gen-swift"
echo "plugin: $("$PLUGIN" --version)"

# 4. Generate.
GEN="$WORK/gen"; rm -rf "$GEN"; mkdir -p "$GEN"
"${PROTOC[@]}" --plugin=protoc-gen-swift="$PLUGIN" \
  --swift_out="$GEN" --swift_opt=Visibility=Public --swift_opt=FileNaming=DropPath \
  -I "$PROTO_DIR" "$PROTO_DIR/onnx.proto"
mkdir -p "$(dirname "$OUT")"
cp "$GEN/onnx.pb.swift" "$OUT"
echo "wrote $OUT (onnx $ONNX_VERSION, swift-protobuf $SWIFT_PROTOBUF_VERSION)"
