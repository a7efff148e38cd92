"""zkinfer's generated EVM verifier on a real EVM (pyrevm: Rust revm), against solc's compile of snarkjs's verifier.

Usage: python evm_verifier.py ZKINFER_BINARY REPO_ROOT [--gas-table FILE]

For the demo model, models with 1, 10, 100 and 250 public signals (250 takes the looped code path) and a model bound
to its weight commitment: the exported Groth16Verifier.bin is deployed, `zkinfer calldata --format hex` is sent and must
return true; every tampered call (each proof coordinate, a wrong output, a signal + r, -A, a point off the curve, a
coordinate + p, truncated and extended calldata) must return false without reverting. The snarkjs fixture's proof,
encoded by zkinfer, must verify on solc's bytecode and on ours made from the same verification_key.json.
Every call, valid or not, on every contract (ours, the compiled .vy, solc's) is sent again through
`zkinfer verify-evm --calldata`, zkinfer's embedded EVM: the same verdict and the same gas as pyrevm, to the unit.
"""
import json
import os
import subprocess
import sys
import tempfile

from pyrevm import EVM

P = 21888242871839275222246405745257275088696311157297823662689037894645226208583
R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
BINARY, ROOT = sys.argv[1], sys.argv[2]
GAS_TABLE = sys.argv[sys.argv.index("--gas-table") + 1] if "--gas-table" in sys.argv else None
FIXTURES = os.path.join(ROOT, "..", "shared", "fixtures", "snarkjs-pot12-chain")
WORK = tempfile.mkdtemp(prefix="zkinfer-evm-")
DEPLOYER = "0x" + "11" * 20
failures = []
passed = 0
gas_rows = []
# One transaction gas limit for pyrevm and the embedded EVM: a failed precompile call burns 63/64 of what is left, so
# the gas of a rejected proof depends on it.
GAS_LIMIT = 5_000_000


def check(name, condition, detail=""):
    global passed
    if condition:
        passed += 1
    else:
        failures.append(name)
        print(f"FAIL {name} {detail}")


def zk(*args):
    result = subprocess.run([BINARY, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"zkinfer {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result.stdout


def intrinsic_gas(data):
    return 21000 + sum(16 if byte else 4 for byte in data)


class Deployed:
    def __init__(self, creation_hex, spec="SHANGHAI"):
        self.evm = EVM(spec_id=spec)
        self.address = self.evm.deploy(DEPLOYER, bytes.fromhex(creation_hex.strip().removeprefix("0x")), gas=GAS_LIMIT)
        self.deployment_gas = self.evm.result.gas_used
        self.last_transaction_gas = None

    def call(self, data):
        """Returns (result word or 'revert', execution gas); the transaction's gas is kept in last_transaction_gas."""
        try:
            output = self.evm.message_call(DEPLOYER, self.address, calldata=bytes(data), gas=GAS_LIMIT)
        except Exception as error:  # pyrevm raises on revert and halt
            self.last_transaction_gas = self.evm.result.gas_used
            return "revert: " + str(error)[:80], None
        self.last_transaction_gas = self.evm.result.gas_used
        gas = self.evm.result.gas_used - intrinsic_gas(data)
        if len(output) != 32:
            return f"output of {len(output)} bytes", gas
        return int.from_bytes(output, "big"), gas


class PyEVMContract:
    """The same contract on py-evm (pure Python; its BN254 precompiles are py_ecc's, an independent reference):
    the creation code runs as a create message and its output, the runtime code, is called with each calldata."""

    def __init__(self, creation_hex):
        from eth.constants import BLANK_ROOT_HASH
        from eth.db.atomic import AtomicDB
        from eth.vm.execution_context import ExecutionContext
        from eth.vm.forks.shanghai.computation import ShanghaiComputation
        from eth.vm.forks.shanghai.state import ShanghaiState
        from eth.vm.transaction_context import BaseTransactionContext

        context = ExecutionContext(
            coinbase=bytes(20), timestamp=1, block_number=1, difficulty=0, mix_hash=bytes(32), gas_limit=30_000_000,
            prev_hashes=[], chain_id=1, base_fee_per_gas=0)
        self.state = ShanghaiState(AtomicDB(), context, BLANK_ROOT_HASH)
        self.computation = ShanghaiComputation
        self.transaction = BaseTransactionContext(gas_price=0, origin=bytes.fromhex(DEPLOYER[2:]))
        created = self._run(bytes.fromhex(creation_hex.strip().removeprefix("0x")), b"")
        check("py-evm: the creation code succeeds", created.is_success)
        self.runtime = created.output

    def _run(self, code, data):
        from eth.vm.message import Message
        message = Message(gas=10_000_000, to=b"\x22" * 20, sender=bytes.fromhex(DEPLOYER[2:]), value=0, data=data, code=code)
        return self.computation.apply_computation(self.state, message, self.transaction)

    def call(self, data):
        result = self._run(self.runtime, bytes(data))
        if not result.is_success:
            return "revert", None
        return int.from_bytes(result.output, "big") if len(result.output) == 32 else f"output of {len(result.output)} bytes", result.get_gas_used()


def words(data):
    return [int.from_bytes(data[4 + 32 * i:36 + 32 * i], "big") for i in range((len(data) - 4) // 32)]


def encode(selector, values):
    return selector + b"".join(v.to_bytes(32, "big") for v in values)


def tampered_calls(data):
    """(name, calldata) for every tampering the verifier must reject."""
    selector, values = data[:4], words(data)
    cases = []
    for index, name in enumerate(["A.x", "A.y", "B.x.c1", "B.x.c0", "B.y.c1", "B.y.c0", "C.x", "C.y"]):
        changed = list(values)
        changed[index] = (changed[index] + 1) % P
        cases.append((f"{name} + 1", encode(selector, changed)))
        if changed[index] + P < 2 ** 256:
            changed[index] = values[index] + P
            cases.append((f"{name} + p (>= p)", encode(selector, changed)))
    if len(values) > 8:
        changed = list(values)
        changed[8] = (changed[8] + 1) % R
        cases.append(("first signal + 1 (a wrong output)", encode(selector, changed)))
        changed[8] = values[8] + R
        cases.append(("first signal + r (aliasing)", encode(selector, changed)))
        changed = list(values)
        changed[-1] = (changed[-1] + 1) % R
        cases.append(("last signal + 1", encode(selector, changed)))
    negated = list(values)
    negated[1] = (P - values[1]) % P
    cases.append(("-A", encode(selector, negated)))
    off_curve = list(values)
    off_curve[0], off_curve[1] = 1, 3
    cases.append(("A = (1, 3), off the curve", encode(selector, off_curve)))
    swapped = list(values)
    swapped[2], swapped[3] = swapped[3], swapped[2]
    cases.append(("B.x limbs swapped (not EIP-197 order)", encode(selector, swapped)))
    cases.append(("truncated by one byte", data[:-1]))
    cases.append(("truncated by one word", data[:-32]))
    cases.append(("extended by one word", data + bytes(32)))
    return cases


def vyper_bytecode(verifier_dir):
    """Compiles the exported Groth16Verifier.vy with vyper (pinned in the venv, beside this interpreter)."""
    vyper = os.path.join(os.path.dirname(sys.executable), "vyper")
    source = os.path.join(verifier_dir, "Groth16Verifier.vy")
    result = subprocess.run([vyper, "--evm-version", "shanghai", "-f", "bytecode", source], capture_output=True, text=True)
    check(f"{source} compiles with vyper", result.returncode == 0, result.stderr[-400:])
    return result.stdout.strip()


def solidity_constants(path):
    """Parses Groth16Verifier.sol with tree-sitter-solidity (a grammar, not a compiler) and returns its constants."""
    import tree_sitter
    import tree_sitter_solidity
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_solidity.language()))
    source = open(path, "rb").read()
    tree = parser.parse(source)
    check(f"{path} parses as Solidity", not tree.root_node.has_error)
    constants, stack = {}, [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "state_variable_declaration":
            parts = {child.type: child.text.decode() for child in node.children}
            constants[parts["identifier"]] = int(parts["expression"])
        stack.extend(node.children)
    broken = parser.parse(source.replace(b"return false;", b"return false", 1))
    check(f"{path}: the grammar catches a missing semicolon (the parse check can fail)", broken.root_node.has_error)
    return constants


def check_solidity_against_key(verifier_dir, key_path, bound=None):
    """The .sol's constants must be the verification key's (EIP-197 order for G2), IC0 folded when bound."""
    key = json.load(open(key_path))
    constants = solidity_constants(os.path.join(verifier_dir, "Groth16Verifier.sol"))
    expected = {"R": R, "Q": P, "ALPHA_X": int(key["vk_alpha_1"][0]), "ALPHA_Y": int(key["vk_alpha_1"][1])}
    for name in ("beta", "gamma", "delta"):
        point = key[f"vk_{name}_2"]
        for part, value in zip(("X1", "X0", "Y1", "Y0"), (point[0][1], point[0][0], point[1][1], point[1][0])):
            expected[f"{name.upper()}_{part}"] = int(value)
    ic = key["IC"][:-1] if bound else key["IC"]
    for index, point in enumerate(ic):
        if index == 0 and bound:
            continue
        expected[f"IC{index}_X"], expected[f"IC{index}_Y"] = int(point[0]), int(point[1])
    expected["N"] = len(ic) - 1
    mismatched = [name for name, value in expected.items() if constants.get(name) != value]
    check(f"{verifier_dir}/Groth16Verifier.sol constants equal {key_path}'s", not mismatched, f"differ: {mismatched}")
    check(f"{verifier_dir}/Groth16Verifier.sol has no extra IC point", f"IC{len(ic)}_X" not in constants)


def same_on_embedded_evm(label, verifier, calls, deployment_gas, runtime=False):
    """Sends the calls pyrevm ran, (name, calldata, outcome, transaction gas), through `zkinfer verify-evm --calldata`:
    the verdict (true, false, or a revert) and the gas of every call, and the deployment's gas, must equal pyrevm's."""
    path = os.path.join(WORK, "calls.txt")
    with open(path, "w") as handle:
        handle.write("# one call per line\n" + "".join("0x" + data.hex() + "\n" for _, data, _, _ in calls))
    args = ["verify-evm", verifier, "--calldata", path, "--json", "--gas-limit", str(GAS_LIMIT)] + (["--runtime"] if runtime else [])
    result = subprocess.run([BINARY, *args], capture_output=True, text=True)
    expected_exit = 0 if all(outcome == 1 for _, _, outcome, _ in calls) else 1
    check(f"{label}: verify-evm exits {expected_exit}", result.returncode == expected_exit, f"exit {result.returncode}: {result.stderr}")
    if result.returncode not in (0, 1):
        return
    report = json.loads(result.stdout)
    check(f"{label}: verify-evm ran every call", len(report["calls"]) == len(calls), f"{len(report['calls'])} of {len(calls)}")
    if not runtime:
        check(f"{label}: the embedded EVM's deployment gas equals pyrevm's", report["deploymentGas"] == deployment_gas,
              f"{report['deploymentGas']} vs {deployment_gas}")
    for (name, _, outcome, gas), ours in zip(calls, report["calls"]):
        verdict = {1: True, 0: False}.get(outcome) if not isinstance(outcome, str) else None
        status = "reverted" if isinstance(outcome, str) else "returned"
        check(f"{label}, embedded EVM: {name}: the verdict pyrevm gave", ours["verified"] == verdict and ours["status"] == status,
              f"{ours['verified']}/{ours['status']} vs {outcome}")
        check(f"{label}, embedded EVM: {name}: pyrevm's gas", ours["transactionGas"] == gas, f"{ours['transactionGas']} vs {gas}")


def exercise(label, verifier_dir, proof_args, bind=False, table_name=None, language="bytecode"):
    """Deploys the exported verifier (zkinfer's bytecode, or the .vy compiled by vyper), sends the tampered calls, and
    sends them all again through the embedded EVM."""
    if language == "vyper":
        creation = vyper_bytecode(verifier_dir)
        label += " (Vyper)"
        verifier = os.path.join(WORK, "vyper.bin")
        open(verifier, "w").write(creation)
    else:
        verifier = verifier_dir
        creation = open(os.path.join(verifier_dir, "Groth16Verifier.bin")).read()
    contract = Deployed(creation)
    extra = ["--bind-weights"] if bind else []
    data = bytes.fromhex(zk("calldata", *proof_args, "--format", "hex", *extra).strip()[2:])
    result, gas = contract.call(data)
    check(f"{label}: valid proof returns true", result == 1, f"got {result}")
    sent = [("valid proof", data, result, contract.last_transaction_gas)]
    for name, call in tampered_calls(data):
        outcome, _ = contract.call(call)
        sent.append((name, call, outcome, contract.last_transaction_gas))
        if language == "vyper" and name.startswith("truncated"):
            # Vyper's ABI decoder reverts on short calldata before the body runs (documented in the .vy and README).
            check(f"{label}: {name} reverts", isinstance(outcome, str) and outcome.startswith("revert"), f"got {outcome}")
        else:
            check(f"{label}: {name} returns false", outcome == 0, f"got {outcome}")
    other = Deployed(creation)
    outcome, _ = other.call(b"\x12\x34\x56\x78" + data[4:])
    check(f"{label}: another selector reverts", isinstance(outcome, str) and outcome.startswith("revert"), f"got {outcome}")
    sent.append(("another selector", b"\x12\x34\x56\x78" + data[4:], outcome, other.last_transaction_gas))
    same_on_embedded_evm(label, verifier, sent, contract.deployment_gas)
    if table_name:
        gas_rows.append((table_name, len(words(data)) - 8, gas))
    return data, gas


def model_with_outputs(count, weights="fixed", seed=0):
    directory = os.path.join(WORK, f"gemm{count}-{weights}-{seed}")
    model = {
        "format": "zkinfer-model/2", "name": f"gemm-{count}",
        "inputs": [{"name": "x", "shape": [1, 4], "range": [0, 1]}], "outputs": ["y"],
        "constants": {
            "w": {"shape": [4, count], "values": [((i * 7919 + seed * 31) % 200 - 100) / 100 for i in range(4 * count)]},
            "b": {"shape": [count], "values": [((i * 104729) % 100 - 50) / 100 for i in range(count)]},
        },
        "nodes": [{"op": "Gemm", "name": "dense", "inputs": ["x", "w", "b"], "outputs": ["y"]}],
    }
    os.makedirs(WORK, exist_ok=True)
    model_path = os.path.join(WORK, f"gemm{count}-{seed}.json")
    json.dump(model, open(model_path, "w"))
    input_path = os.path.join(WORK, "x.json")
    json.dump([0.25, 0.5, 0.75, 1.0], open(input_path, "w"))
    zk("compile", model_path, "-o", directory, "--weights", weights)
    zk("setup", directory)
    zk("prove", directory, "--input", input_path)
    return directory


# The demo model (the bundled digits CNN, 10 public outputs).
demo = os.path.join(WORK, "demo")
subprocess.run([BINARY, "demo", "--output", demo], capture_output=True, check=True, cwd=ROOT)
zk("export-verifier", demo, "-o", os.path.join(demo, "verifier"))
exercise("demo model", os.path.join(demo, "verifier"), [demo], table_name="zkinfer, digits CNN demo")
check_solidity_against_key(os.path.join(demo, "verifier"), os.path.join(demo, "verification_key.json"))
exercise("demo model", os.path.join(demo, "verifier"), [demo], table_name="zkinfer's Vyper source, digits CNN demo", language="vyper")

# Once per run on py-evm: the demo verifier accepts the proof with the gas pyrevm measured, and rejects tampered calls.
demo_creation = open(os.path.join(demo, "verifier", "Groth16Verifier.bin")).read()
py_evm = PyEVMContract(demo_creation)
check("py-evm: the creation code returns Groth16Verifier.runtime.bin",
      "0x" + py_evm.runtime.hex() == open(os.path.join(demo, "verifier", "Groth16Verifier.runtime.bin")).read().strip())
demo_data = bytes.fromhex(zk("calldata", demo, "--format", "hex").strip()[2:])
outcome, py_evm_gas = py_evm.call(demo_data)
check("py-evm: demo model's valid proof returns true", outcome == 1, f"got {outcome}")
check("py-evm: the same execution gas as pyrevm", py_evm_gas == gas_rows[0][2], f"{py_evm_gas} vs {gas_rows[0][2]}")
for name, call in tampered_calls(demo_data):
    if name.endswith("+ 1") or name.startswith(("first signal + r", "-A", "A = (1, 3)", "truncated", "extended")):
        outcome, _ = py_evm.call(call)
        check(f"py-evm: demo model: {name} returns false", outcome == 0, f"got {outcome}")

# No PUSH0 and no other post-Istanbul opcode: the same bytecode verifies on an Istanbul EVM (EIP-1108's prices).
istanbul = Deployed(open(os.path.join(demo, "verifier", "Groth16Verifier.bin")).read(), spec="ISTANBUL")
outcome, _ = istanbul.call(bytes.fromhex(zk("calldata", demo, "--format", "hex").strip()[2:]))
check("demo model: verifies on an Istanbul EVM", outcome == 1, f"got {outcome}")

for count in (1, 10, 100, 250):
    directory = model_with_outputs(count)
    zk("export-verifier", directory, "-o", os.path.join(directory, "verifier"))
    exercise(f"{count} public signals", os.path.join(directory, "verifier"), [directory], table_name=f"zkinfer, Gemm, N = {count}")
    check_solidity_against_key(os.path.join(directory, "verifier"), os.path.join(directory, "verification_key.json"))
    if count in (1, 10, 100):
        exercise(f"{count} public signals", os.path.join(directory, "verifier"), [directory],
                 table_name=f"zkinfer's Vyper source, Gemm, N = {count}", language="vyper")

# Bound to the weights: the contract takes the outputs only.
bound = model_with_outputs(10, weights="hashed")
zk("export-verifier", bound, "-o", os.path.join(bound, "verifier"), "--bind-weights")
abi = json.load(open(os.path.join(bound, "verifier", "Groth16Verifier.abi.json")))
check("bound ABI takes the 10 outputs only", abi[0]["inputs"][3]["type"] == "uint256[10]", abi[0]["inputs"][3]["type"])
exercise("weight-bound", os.path.join(bound, "verifier"), [bound], bind=True)
check_solidity_against_key(os.path.join(bound, "verifier"), os.path.join(bound, "verification_key.json"), bound=True)
exercise("weight-bound", os.path.join(bound, "verifier"), [bound], bind=True, language="vyper")
# Another model's proof (same architecture and keys, other weights): its outputs with this contract's bound commitment.
other = model_with_outputs(10, weights="hashed", seed=1)
zk("prove", bound, "--input", os.path.join(WORK, "x.json"), "--weights", os.path.join(WORK, "gemm10-1.json"))
zk("verify", bound)  # the other weights' proof is valid for the unbound key: only the binding rejects it
other_data = bytes.fromhex(zk("calldata", bound, "--format", "hex", "--bind-weights").strip()[2:])
outcome, _ = Deployed(open(os.path.join(bound, "verifier", "Groth16Verifier.bin")).read()).call(other_data)
check("weight-bound contract rejects a proof made with other weights", outcome == 0, f"got {outcome}")

# Bad input: exit 2, a message naming the file, nothing written.
def refused(name, args, expected_text, must_not_exist=None):
    result = subprocess.run([BINARY, *args], capture_output=True, text=True)
    check(f"{name} exits 2", result.returncode == 2, f"exit {result.returncode}: {result.stderr}")
    check(f"{name} names the problem", expected_text in result.stderr, result.stderr)
    if must_not_exist:
        check(f"{name} writes nothing", not os.path.exists(must_not_exist))


fixed = model_with_outputs(1)
refused("export-verifier --bind-weights on a fixed-weights model",
        ["export-verifier", fixed, "-o", os.path.join(WORK, "never1"), "--bind-weights"], "compiled.json",
        os.path.join(WORK, "never1"))
refused("export-verifier --bind-weights on a bare verification key",
        ["export-verifier", os.path.join(fixed, "verification_key.json"), "-o", os.path.join(WORK, "never2"), "--bind-weights"],
        "needs a model directory", os.path.join(WORK, "never2"))
truncated_key = os.path.join(WORK, "truncated_vk.json")
open(truncated_key, "w").write(open(os.path.join(fixed, "verification_key.json")).read()[:200])
refused("export-verifier on a truncated verification key", ["export-verifier", truncated_key, "-o", os.path.join(WORK, "never3")],
        "truncated_vk.json", os.path.join(WORK, "never3"))
bad_proof = os.path.join(WORK, "bad_proof.json")
json.dump({"pi_a": ["1", "3", "1"], "pi_b": [["0", "0"], ["0", "0"], ["1", "0"]], "pi_c": ["1", "2", "1"],
           "protocol": "groth16", "curve": "bn128"}, open(bad_proof, "w"))
refused("calldata with a proof point off the curve", ["calldata", bad_proof, os.path.join(fixed, "public.json")], "bad_proof.json")

# verify-evm given a proof rather than calldata: true and exit 0; a wrong output, false and exit 1.
demo_verifier = os.path.join(demo, "verifier")
result = subprocess.run([BINARY, "verify-evm", demo_verifier, demo], capture_output=True, text=True)
check("verify-evm on the demo's proof exits 0", result.returncode == 0, f"exit {result.returncode}: {result.stderr}")
check("verify-evm prints true and the gas pyrevm measured", f"true; execution gas {gas_rows[0][2]:,}" in result.stdout, result.stdout)
wrong_public = os.path.join(WORK, "wrong_public.json")
signals = json.load(open(os.path.join(demo, "public.json")))
json.dump([str((int(signals[0]) + 1) % R)] + signals[1:], open(wrong_public, "w"))
result = subprocess.run([BINARY, "verify-evm", demo_verifier, os.path.join(demo, "proof.json"), wrong_public],
                        capture_output=True, text=True)
check("verify-evm with a wrong output exits 1", result.returncode == 1, f"exit {result.returncode}: {result.stderr}")
check("verify-evm with a wrong output prints false", result.stdout.splitlines()[-1].startswith("false"), result.stdout)
not_hex = os.path.join(WORK, "not_hex.bin")
open(not_hex, "w").write("0x60zz\n")
refused("verify-evm with a bytecode file that is not hex", ["verify-evm", not_hex, demo], "not_hex.bin")
storage = os.path.join(WORK, "storage.bin")
open(storage, "w").write("0x6001600055600160005260206000f3\n")  # SSTORE, then return 1
refused("verify-evm on code that writes storage", ["verify-evm", storage, demo, "--runtime"], "SSTORE")
empty_calls = os.path.join(WORK, "empty_calls.txt")
open(empty_calls, "w").write("# nothing\n")
refused("verify-evm with a calldata file without calls", ["verify-evm", demo_verifier, "--calldata", empty_calls], "empty_calls.txt")
no_bytecode = os.path.join(WORK, "artifact.json")
json.dump({"abi": []}, open(no_bytecode, "w"))
refused("verify-evm with an artifact without bytecode", ["verify-evm", no_bytecode, demo], '"bytecode"')

# snarkjs's fixture: solc's compiled verifier and ours from the same key.
if os.path.isdir(FIXTURES):
    artifact = json.load(open(os.path.join(FIXTURES, "Groth16Verifier.json")))
    solc = Deployed(artifact["bytecode"])
    proof_args = [os.path.join(FIXTURES, "proof.json"), os.path.join(FIXTURES, "public.json")]
    data = bytes.fromhex(zk("calldata", *proof_args, "--format", "hex").strip()[2:])
    result, solc_gas = solc.call(data)
    check("snarkjs fixture: solc-compiled verifier accepts zkinfer's calldata", result == 1, f"got {result}")
    solc_sent = [("valid proof", data, result, solc.last_transaction_gas)]
    ours_dir = os.path.join(WORK, "fixture-verifier")
    zk("export-verifier", os.path.join(FIXTURES, "verification_key.json"), "-o", ours_dir)
    _, our_gas = exercise("snarkjs fixture, zkinfer verifier", ours_dir, proof_args)
    exercise("snarkjs fixture, zkinfer verifier", ours_dir, proof_args, language="vyper")
    check_solidity_against_key(ours_dir, os.path.join(FIXTURES, "verification_key.json"))
    for name, call in tampered_calls(data):
        outcome, _ = solc.call(call)
        solc_sent.append((name, call, outcome, solc.last_transaction_gas))
        if name.startswith("truncated"):
            check(f"snarkjs fixture, solc: {name} is refused", outcome == 0 or str(outcome).startswith("revert"), f"got {outcome}")
        elif name.startswith("extended"):
            print(f"note: solc's verifier, {name}: {outcome} (solc's ABI decoder ignores trailing calldata; ours returns false)")
        else:
            check(f"snarkjs fixture, solc: {name} returns false", outcome == 0, f"got {outcome}")
    # solc's bytecode, read from its artifact, on the embedded EVM: every call as pyrevm ran it.
    same_on_embedded_evm("snarkjs fixture, solc", os.path.join(FIXTURES, "Groth16Verifier.json"), solc_sent, solc.deployment_gas)
    text = zk("calldata", *proof_args).strip()
    check("snarkjs calldata text has the four arguments", text.count("[") == 6 and text.count('"0x') == 9, text[:80])
    gas_rows.append(("snarkjs 0.7 template, solc 0.8.20 (fixture), N = 1", 1, solc_gas))
    gas_rows.append(("zkinfer, same verification key, N = 1", 1, our_gas))
else:
    print(f"skipped: {FIXTURES} is absent (shared fixtures are not beside this clone)")

# The embedded EVM opcode by opcode against revm: a program applies every arithmetic, comparison and bitwise opcode to
# three calldata words, stores each result, and returns them with a Keccak-256 of them, GAS, MSIZE and copies of
# calldata past its end; both EVMs must give the same bytes and the same gas for every operand triple.
def differential_program():
    binary = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0a, 0x0b, 0x10, 0x11, 0x12, 0x13, 0x14, 0x16, 0x17, 0x18,
              0x1a, 0x1b, 0x1c, 0x1d]
    code, slot = bytearray(), 0

    def store():
        nonlocal slot
        code.extend([0x61, (32 * slot) >> 8, (32 * slot) & 0xff, 0x52])  # PUSH2 offset, MSTORE
        slot += 1
    for op in binary:
        code.extend([0x60, 0x20, 0x35, 0x60, 0x00, 0x35, op]); store()  # op(word0, word1)
    for op in (0x08, 0x09):
        code.extend([0x60, 0x40, 0x35, 0x60, 0x20, 0x35, 0x60, 0x00, 0x35, op]); store()  # op(word0, word1, word2)
    for op in (0x15, 0x19):
        code.extend([0x60, 0x00, 0x35, op]); store()
    code.extend([0x61, (32 * slot) >> 8, (32 * slot) & 0xff, 0x60, 0x00, 0x20]); store()  # KECCAK256 of the results
    code.extend([0x60, 0x40, 0x60, 0x50, 0x61, (32 * slot) >> 8, (32 * slot) & 0xff, 0x37]); slot += 2  # CALLDATACOPY past the end
    code.extend([0x36, 0x61, (32 * slot) >> 8, (32 * slot) & 0xff, 0x53]); slot += 1  # MSTORE8 of CALLDATASIZE
    for op in (0x59, 0x38, 0x58, 0x5a):  # MSIZE, CODESIZE, PC, GAS
        code.append(op); store()
    code.extend([0x61, (32 * slot) >> 8, (32 * slot) & 0xff, 0x60, 0x00, 0xf3])  # RETURN everything
    prefix = bytes([0x61, len(code) >> 8, len(code) & 0xff, 0x80, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3])
    return (prefix + code).hex()


edges = [0, 1, 2, 3, 7, 31, 32, 255, 256, 2 ** 64 - 1, 2 ** 128, 2 ** 255 - 1, 2 ** 255, 2 ** 255 + 1, 2 ** 256 - 2,
         2 ** 256 - 1, P, R, P - 1]
import random
randomness = random.Random(7)
triples = [(a, b, edges[(i + j) % len(edges)]) for i, a in enumerate(edges) for j, b in enumerate(edges)]
triples += [tuple(randomness.getrandbits(randomness.choice([8, 64, 255, 256])) for _ in range(3)) for _ in range(40)]
program = differential_program()
program_path = os.path.join(WORK, "differential.bin")
open(program_path, "w").write("0x" + program + "\n")
reference = Deployed(program)
calls_path = os.path.join(WORK, "differential_calls.txt")
expected = []
with open(calls_path, "w") as handle:
    for triple in triples:
        data = b"".join(v.to_bytes(32, "big") for v in triple)
        output = reference.evm.message_call(DEPLOYER, reference.address, calldata=data, gas=GAS_LIMIT)
        expected.append((bytes(output), reference.evm.result.gas_used))
        handle.write("0x" + data.hex() + "\n")
result = subprocess.run([BINARY, "verify-evm", program_path, "--calldata", calls_path, "--json", "--gas-limit", str(GAS_LIMIT)],
                        capture_output=True, text=True)
check("differential program: verify-evm runs it (exit 1: its output is not a verdict)", result.returncode == 1, result.stderr)
if result.returncode == 1:
    report = json.loads(result.stdout)
    check("differential program: the same deployment gas as revm", report["deploymentGas"] == reference.deployment_gas,
          f"{report['deploymentGas']} vs {reference.deployment_gas}")
    mismatches = [(triple, ours["output"], "0x" + output.hex(), ours["transactionGas"], gas)
                  for triple, ours, (output, gas) in zip(triples, report["calls"], expected)
                  if ours["output"] != "0x" + output.hex() or ours["transactionGas"] != gas]
    check(f"differential program: {len(triples)} operand triples give revm's output and gas", not mismatches,
          f"first mismatch: {mismatches[:1]}")

print("\nexecution gas (total minus the 21,000 intrinsic and calldata), pyrevm 0.3.7, Shanghai:")
lines = ["| verifier | N | execution gas | EIP-1108 floor 181,000 + 6,150 N | over the floor |", "| --- | --- | --- | --- | --- |"]
for name, count, gas in gas_rows:
    floor = 181000 + 6150 * count
    lines.append(f"| {name} | {count} | {gas:,} | {floor:,} | {gas - floor:,} |")
print("\n".join(lines))
if GAS_TABLE:
    with open(GAS_TABLE, "w") as handle:
        handle.write("\n".join(lines) + "\n")

print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
