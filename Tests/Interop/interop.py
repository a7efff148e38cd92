"""Interoperability checks between zkinfer and implementations we did not write.

groth16py 0.2.0 (arkworks) and py-ecc 8.0.0 must accept zkinfer's proofs, keys and files, and
zkinfer must accept theirs; tampered proofs, wrong public inputs and inputs >= r must be rejected
by both sides. Run by Tests/run.sh:  python interop.py ZKINFER_BINARY REPOSITORY_ROOT
Prints one line per check and closes with "N passed, N failed".
"""

import json
import os
import subprocess
import sys
import tempfile

import groth16py
from py_ecc import optimized_bn128 as bn

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
ZKINFER, ROOT = sys.argv[1], sys.argv[2]
WORK = tempfile.mkdtemp(prefix="zkinfer-interop-")
results = []


def check(name, condition, detail=""):
    results.append(bool(condition))
    print(("ok   " if condition else "FAIL ") + name + (f" ({detail})" if detail and not condition else ""), flush=True)


def path(name):
    return os.path.join(WORK, name)


def zk(*args):
    """Runs zkinfer and returns its exit code (output shown only on unexpected failure)."""
    run = subprocess.run([ZKINFER, *args], capture_output=True, text=True)
    return run.returncode, run.stdout + run.stderr


def write_json(name, value):
    with open(path(name), "w") as handle:
        json.dump(value, handle)
    return path(name)


def read_json(name):
    with open(name if os.path.isabs(name) else path(name)) as handle:
        return json.load(handle)


def fq2(pair):
    return bn.FQ2([int(pair[0]), int(pair[1])])


def g1(coordinates):
    return (bn.FQ(int(coordinates[0])), bn.FQ(int(coordinates[1])), bn.FQ(1))


def g2(coordinates):
    return (fq2(coordinates[0]), fq2(coordinates[1]), bn.FQ2.one())


def py_ecc_verify(vk, proof, public):
    """Groth16 verification written directly with py_ecc's pairing."""
    vk_x = g1(vk["IC"][0])
    for signal, point in zip(public, vk["IC"][1:]):
        vk_x = bn.add(vk_x, bn.multiply(g1(point), int(signal)))
    product = bn.FQ12.one()
    for p, q in [(bn.neg(g1(proof["pi_a"])), g2(proof["pi_b"])), (g1(vk["vk_alpha_1"]), g2(vk["vk_beta_2"])),
                 (vk_x, g2(vk["vk_gamma_2"])), (g1(proof["pi_c"]), g2(vk["vk_delta_2"]))]:
        product = product * bn.pairing(q, p, final_exponentiate=False)
    return bn.final_exponentiate(product) == bn.FQ12.one()


def groth16py_verify(vk_path, proof_json_path, public_path):
    vk = groth16py.VerifyingKey.from_snarkjs_file(vk_path)
    with open(proof_json_path) as proof_file, open(public_path) as public_file:
        return groth16py.Verifier(vk).verify_snarkjs(proof_file.read(), public_file.read())


def proof_bytes_to_json(blob):
    """groth16py's 256-byte proof (A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y) as snarkjs JSON."""
    words = [str(int.from_bytes(blob[i:i + 32], "big")) for i in range(0, 256, 32)]
    return {"pi_a": [words[0], words[1], "1"], "pi_b": [[words[3], words[2]], [words[5], words[4]], ["1", "0"]],
            "pi_c": [words[6], words[7], "1"], "protocol": "groth16", "curve": "bn128"}


# --- zkinfer writes the circuit, keys and proof -------------------------------------------------
code, output = zk("example-circuit", "chain", "--constraints", "300", "--r1cs", path("c.r1cs"), "--wtns", path("c.wtns"))
check("zkinfer writes a chain circuit", code == 0, output)
code, output = zk("setup", path("c.r1cs"), "--zkey", path("c.zkey"), "--vk", path("vk.json"))
check("zkinfer setup", code == 0, output)
code, output = zk("prove", path("c.zkey"), path("c.wtns"), "--proof", path("proof.json"), "--public", path("public.json"),
                  "--proof-bin", path("proof.bin"), "--r1cs", path("c.r1cs"))
check("zkinfer prove", code == 0, output)
vk, proof, public = read_json("vk.json"), read_json("proof.json"), read_json("public.json")

check("groth16py verifies zkinfer's proof", groth16py_verify(path("vk.json"), path("proof.json"), path("public.json")))
check("py_ecc pairing check accepts zkinfer's proof", py_ecc_verify(vk, proof, public))
with open(path("proof.bin"), "rb") as handle:
    binary = handle.read()
verifier = groth16py.Verifier(groth16py.VerifyingKey.from_snarkjs_file(path("vk.json")))
check("groth16py verifies zkinfer's 256-byte proof", verifier.verify(binary, [int(x) for x in public]))

# Tampered proof: C replaced by -C.
tampered = dict(proof)
tampered["pi_c"] = [proof["pi_c"][0], str(bn.field_modulus - int(proof["pi_c"][1])), "1"]
write_json("tampered.json", tampered)
check("groth16py rejects a tampered proof", not groth16py_verify(path("vk.json"), path("tampered.json"), path("public.json")))
check("py_ecc rejects a tampered proof", not py_ecc_verify(vk, tampered, public))
code, _ = zk("verify", path("vk.json"), path("tampered.json"), path("public.json"))
check("zkinfer rejects a tampered proof (exit 1)", code == 1, f"exit {code}")

# Wrong public input.
wrong = [str((int(public[0]) + 1) % R)] + public[1:]
write_json("wrong.json", wrong)
check("groth16py rejects a wrong public input", not groth16py_verify(path("vk.json"), path("proof.json"), path("wrong.json")))
code, _ = zk("verify", path("vk.json"), path("proof.json"), path("wrong.json"))
check("zkinfer rejects a wrong public input (exit 1)", code == 1, f"exit {code}")

# A public input >= r that aliases the true one (x + r): must be rejected, never reduced.
aliased = [str(int(public[0]) + R)] + public[1:]
write_json("aliased.json", aliased)
try:
    accepted = groth16py_verify(path("vk.json"), path("proof.json"), path("aliased.json"))
    check("groth16py rejects a public input >= r", not accepted)
except groth16py.EncodingError:
    check("groth16py rejects a public input >= r", True)
code, output = zk("verify", path("vk.json"), path("proof.json"), path("aliased.json"))
check("zkinfer rejects a public input >= r (exit 2)", code == 2 and "below r" in output, f"exit {code}: {output}")

# --- groth16py sets up and proves on zkinfer's files; zkinfer verifies --------------------------
pk, their_vk = groth16py.setup(path("c.r1cs"))
their_proof = groth16py.prove_wtns(pk, path("c.wtns"))
with open(path("their_vk.json"), "w") as handle:
    handle.write(their_vk.to_json())
with open(path("their_proof.bin"), "wb") as handle:
    handle.write(their_proof)
write_json("their_proof.json", proof_bytes_to_json(their_proof))
code, output = zk("verify", path("their_vk.json"), path("their_proof.bin"), path("public.json"))
check("zkinfer verifies groth16py's proof from zkinfer's .r1cs/.wtns (binary)", code == 0, output)
code, output = zk("verify", path("their_vk.json"), path("their_proof.json"), path("public.json"))
check("zkinfer verifies groth16py's proof (snarkjs JSON)", code == 0, output)
code, _ = zk("verify", path("their_vk.json"), path("their_proof.bin"), path("wrong.json"))
check("zkinfer rejects groth16py's proof with a wrong public input", code == 1, f"exit {code}")
corrupted = bytearray(their_proof)
corrupted[200] ^= 1
with open(path("corrupted.bin"), "wb") as handle:
    handle.write(bytes(corrupted))
code, _ = zk("verify", path("their_vk.json"), path("corrupted.bin"), path("public.json"))
check("zkinfer rejects a corrupted groth16py proof (exit 1 or 2)", code in (1, 2), f"exit {code}")

# --- zkinfer's .zkey in groth16py ---------------------------------------------------------------
imported, imported_vk = groth16py.import_zkey(path("c.zkey"))
check("groth16py reads the verifying key in zkinfer's .zkey as zkinfer's verification_key.json",
      json.loads(imported_vk.to_json())["IC"] == json.loads(
          groth16py.VerifyingKey.from_snarkjs_file(path("vk.json")).to_json())["IC"])
imported_proof = groth16py.prove_wtns(imported, path("c.wtns"))
with open(path("imported_proof.bin"), "wb") as handle:
    handle.write(imported_proof)
check("groth16py proves with zkinfer's .zkey; groth16py verifies under zkinfer's key",
      verifier.verify(imported_proof, [int(x) for x in public]))
code, output = zk("verify", path("vk.json"), path("imported_proof.bin"), path("public.json"))
check("zkinfer verifies groth16py's proof made with zkinfer's .zkey", code == 0, output)

# --- a .zkey from snarkjs (groth16py's world) -------------------------------------------------
snarkjs = os.path.join(ROOT, "Fixtures", "snarkjs")
snarkjs_key, _ = groth16py.import_zkey(os.path.join(snarkjs, "circuit.zkey"))
snarkjs_proof = groth16py.prove_wtns(snarkjs_key, os.path.join(snarkjs, "witness.wtns"))
with open(path("snarkjs_key_proof.bin"), "wb") as handle:
    handle.write(snarkjs_proof)
code, output = zk("verify", os.path.join(snarkjs, "verification_key.json"), path("snarkjs_key_proof.bin"),
                  os.path.join(snarkjs, "public.json"))
check("zkinfer verifies groth16py's proof with snarkjs's .zkey", code == 0, output)
code, output = zk("prove", os.path.join(snarkjs, "circuit.zkey"), os.path.join(snarkjs, "witness.wtns"),
                  "--proof", path("ours_on_snarkjs.json"), "--public", path("ours_on_snarkjs_public.json"))
check("zkinfer proves with snarkjs's .zkey", code == 0, output)
check("groth16py verifies zkinfer's proof under snarkjs's key",
      groth16py_verify(os.path.join(snarkjs, "verification_key.json"), path("ours_on_snarkjs.json"),
                       path("ours_on_snarkjs_public.json")))

# --- a forged witness: zkinfer prove --r1cs names the unsatisfied constraint (exit 3) ----------
with open(path("c.wtns"), "rb") as handle:
    witness_bytes = bytearray(handle.read())
# The witness values follow the two section headers (12 + 12 + 40 bytes); bump wire 1, the output.
values_offset = 12 + 12 + 40 + 12
wire_one = int.from_bytes(witness_bytes[values_offset + 32:values_offset + 64], "little")
witness_bytes[values_offset + 32:values_offset + 64] = ((wire_one + 1) % R).to_bytes(32, "little")
with open(path("forged.wtns"), "wb") as handle:
    handle.write(bytes(witness_bytes))
code, output = zk("prove", path("c.zkey"), path("forged.wtns"), "--r1cs", path("c.r1cs"),
                  "--proof", path("forged_proof.json"), "--public", path("forged_public.json"))
check("zkinfer prove --r1cs rejects a forged witness, naming the constraint (exit 3)",
      code == 3 and "constraint 299 is not satisfied" in output and not os.path.exists(path("forged_proof.json")),
      f"exit {code}: {output.strip()}")
code, output = zk("prove", path("c.zkey"), path("forged.wtns"), "--proof", path("forged_proof.json"),
                  "--public", path("forged_public.json"))
code, _ = zk("verify", path("vk.json"), path("forged_proof.json"), path("forged_public.json"))
check("a proof of a forged witness (made without --r1cs) does not verify", code == 1, f"exit {code}")

# --- malformed inputs: zkinfer verify exits 2 with a message naming the file, and never crashes ----
P = bn.field_modulus


def expect_exit_2(name, vk_value=None, proof_value=None, public_value=None, proof_bytes=None, raw=None):
    vk_file = write_json("m_vk.json", vk_value) if vk_value is not None else path("vk.json")
    proof_file = write_json("m_proof.json", proof_value) if proof_value is not None else path("proof.json")
    public_file = write_json("m_public.json", public_value) if public_value is not None else path("public.json")
    if proof_bytes is not None:
        proof_file = path("m_proof.bin")
        with open(proof_file, "wb") as handle:
            handle.write(proof_bytes)
    if raw is not None:
        with open(path("m_raw.json"), "w") as handle:
            handle.write(raw)
        vk_file = path("m_raw.json")
    code, output = zk("verify", vk_file, proof_file, public_file)
    named = any(os.path.basename(f) in output for f in (vk_file, proof_file, public_file))
    check(f"zkinfer verify rejects {name} (exit 2, file named)", code == 2 and named, f"exit {code}: {output.strip()}")


def with_field(document, key, value):
    copy = json.loads(json.dumps(document))
    copy[key] = value
    return copy


code, output = zk("verify", path("does-not-exist.json"), path("proof.json"), path("public.json"))
check("zkinfer verify rejects a missing file (exit 2)", code == 2 and "does-not-exist.json" in output, output)
expect_exit_2("invalid JSON", raw='{"protocol": "groth16", "IC": [')
expect_exit_2("a verification key without IC", vk_value=with_field(vk, "IC", None))
expect_exit_2("nPublic that does not match IC", vk_value=with_field(vk, "nPublic", vk["nPublic"] + 1))
expect_exit_2("a coordinate >= p", proof_value=with_field(proof, "pi_a", [str(int(proof["pi_a"][0]) + P), proof["pi_a"][1], "1"]))
expect_exit_2("a G1 point off the curve", proof_value=with_field(proof, "pi_a", [proof["pi_a"][0], str((int(proof["pi_a"][1]) + 1) % P), "1"]))
expect_exit_2("a G2 point off the twist", proof_value=with_field(proof, "pi_b", [proof["pi_b"][0], [proof["pi_b"][1][0], "7"], ["1", "0"]]))
# A twist point outside the order-r subgroup, from the py-ecc vectors (Fixtures/bn254).
with open(os.path.join(ROOT, "Fixtures", "bn254", "vectors.json")) as handle:
    outside_point = json.load(handle)["g2_on_twist_not_in_subgroup"][0]
outside = [outside_point[0], outside_point[1], ["1", "0"]]
expect_exit_2("a G2 point outside the subgroup (proof)", proof_value=with_field(proof, "pi_b", outside))
expect_exit_2("a G2 point outside the subgroup (key)", vk_value=with_field(vk, "vk_delta_2", outside))
expect_exit_2("too few public signals", public_value=public[:-1])
expect_exit_2("a public signal that is not a string", public_value=[1] + public[1:])
expect_exit_2("a negative public signal", public_value=["-1"] + public[1:])
expect_exit_2("a truncated binary proof", proof_bytes=binary[:255])
expect_exit_2("a binary proof with a coordinate >= p", proof_bytes=(P + 1).to_bytes(32, "big") + binary[32:])

def section_offsets(data):
    """Where each section's body starts in an iden3 binary file (magic, version, count, then type/size/body)."""
    offset, sections = 12, {}
    while offset < len(data):
        kind, size = int.from_bytes(data[offset:offset + 4], "little"), int.from_bytes(data[offset + 4:offset + 12], "little")
        sections[kind] = offset + 12
        offset += 12 + size
    return sections


# --- setup from snarkjs's powers of tau (../shared/fixtures: a real snarkjs chain) -----------------
chain = os.path.join(ROOT, "..", "shared", "fixtures", "snarkjs-pot12-chain")
if os.path.isdir(chain):
    prepared = path("pot12_final.ptau")
    code, output = zk("ptau", "prepare", os.path.join(chain, "pot12_0001.ptau"), prepared)
    check("ptau prepare of snarkjs's pot12_0001.ptau", code == 0, output)
    code, output = zk("ptau", "info", prepared)
    check("ptau info: power 12, prepared, its one named contribution",
          code == 0 and "power 12" in output and "(sections 12-15): yes" in output and '"First contribution"' in output, output)
    ptau_zkey, ptau_vk = path("circuit_0000.zkey"), path("ptau_vk.json")
    code, output = zk("setup", os.path.join(chain, "TokenStateVerifier.r1cs"), "--ptau", prepared, "--zkey", ptau_zkey, "--vk", ptau_vk)
    check("setup --ptau on the fixture's circuit", code == 0, output)
    with open(ptau_zkey, "rb") as ours, open(os.path.join(chain, "circuit_0000.zkey"), "rb") as theirs:
        check("setup --ptau is byte-identical to snarkjs's circuit_0000.zkey", ours.read() == theirs.read())
    code, output = zk("prove", ptau_zkey, os.path.join(chain, "witness.wtns"), "--proof", path("ptau_proof.json"),
                      "--public", path("ptau_public.json"))
    check("zkinfer proves with the key set up from the ptau", code == 0, output)
    code, output = zk("verify", ptau_vk, path("ptau_proof.json"), path("ptau_public.json"))
    check("zkinfer verifies that proof", code == 0, output)
    check("groth16py verifies that proof", groth16py_verify(ptau_vk, path("ptau_proof.json"), path("ptau_public.json")))
    _, imported_ptau_vk = groth16py.import_zkey(ptau_zkey)
    check("groth16py reads the key's verifying key as zkinfer exported it",
          json.loads(imported_ptau_vk.to_json())["IC"] == json.loads(groth16py.VerifyingKey.from_snarkjs_file(ptau_vk).to_json())["IC"])
    # An unprepared ptau works too (the two Lagrange blocks the domain needs are computed): the same bytes.
    code, output = zk("setup", os.path.join(chain, "TokenStateVerifier.r1cs"), "--ptau", os.path.join(chain, "pot12_0001.ptau"),
                      "--zkey", path("from_unprepared.zkey"))
    with open(path("from_unprepared.zkey"), "rb") as ours, open(os.path.join(chain, "circuit_0000.zkey"), "rb") as theirs:
        check("setup --ptau with the unprepared ptau gives the same bytes", code == 0 and ours.read() == theirs.read(), output)
    # zkey verify: snarkjs's contributed key is accepted and its contribution named; tampered, rejected.
    final = os.path.join(chain, "circuit_final.zkey")
    code, output = zk("zkey", "verify", os.path.join(chain, "TokenStateVerifier.r1cs"), os.path.join(chain, "pot12_0001.ptau"), final)
    check("zkey verify accepts snarkjs's circuit_final.zkey and names its contribution",
          code == 0 and '"Second contribution"' in output and "ZKey OK" in output, output)
    code, output = zk("zkey", "verify", final, "--initial", os.path.join(chain, "circuit_0000.zkey"))
    check("zkey verify --initial accepts it too", code == 0 and "ZKey OK" in output, output)
    with open(final, "rb") as handle:
        data = bytearray(handle.read())
    sections = section_offsets(data)
    transcript = sections[10] + 64 + 4 + 3 * 64 + 128  # circuit hash, count, deltaAfter, g1_s, g1_sx, g2_spx
    data[transcript + 5] ^= 1
    with open(path("tampered_final.zkey"), "wb") as handle:
        handle.write(data)
    code, output = zk("zkey", "verify", os.path.join(chain, "TokenStateVerifier.r1cs"), os.path.join(chain, "pot12_0001.ptau"),
                      path("tampered_final.zkey"))
    check("zkey verify rejects a wrong transcript hash (exit 1)", code == 1 and "inconsistent transcript" in output, output)
    with open(path("truncated_final.zkey"), "wb") as handle:
        handle.write(bytes(data[:len(data) - 100]))
    code, output = zk("zkey", "verify", path("truncated_final.zkey"), "--initial", os.path.join(chain, "circuit_0000.zkey"))
    check("zkey verify on a truncated key exits 2 naming it", code == 2 and "truncated_final.zkey" in output, output)
    contributed = os.path.join(ROOT, "..", "shared", "fixtures", "snarkjs-contributed-zkey")
    code, output = zk("zkey", "verify", os.path.join(contributed, "confidential_transfer_final.zkey"),
                      "--initial", os.path.join(contributed, "confidential_transfer_0000.zkey"))
    check("zkey verify --initial accepts the second snarkjs project's contributed key (its ptau is not in the fixtures)",
          code == 0 and '"MeshCrypt Phase 2"' in output, output)
    # A contribution and a beacon by zkinfer on top of snarkjs's final key: zkey verify accepts the chain of three,
    # the beacon is reproducible, and proofs with the resulting key verify with zkinfer and groth16py.
    contributed_key, beacon_key = path("contributed.zkey"), path("beacon.zkey")
    code, output = zk("zkey", "contribute", final, contributed_key, "--name", "zkinfer test", "--entropy", "interop")
    check("zkey contribute on snarkjs's final key", code == 0, output)
    beacon = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    code, output = zk("zkey", "beacon", contributed_key, beacon_key, "--hash", beacon, "--iterations", "10", "--name", "beacon")
    check("zkey beacon", code == 0, output)
    zk("zkey", "beacon", contributed_key, path("beacon_again.zkey"), "--hash", beacon, "--iterations", "10", "--name", "beacon")
    with open(beacon_key, "rb") as first, open(path("beacon_again.zkey"), "rb") as second:
        check("the beacon is deterministic: the same key twice", first.read() == second.read())
    code, output = zk("zkey", "verify", os.path.join(chain, "TokenStateVerifier.r1cs"), os.path.join(chain, "pot12_0001.ptau"), beacon_key)
    check("zkey verify accepts snarkjs's contribution, zkinfer's and zkinfer's beacon",
          code == 0 and output.count("contribution #") == 3 and '(beacon) "beacon"' in output, output)
    code, output = zk("export-vk", beacon_key, "--vk", path("beacon_vk.json"))
    check("export-vk of the contributed key", code == 0, output)
    code, output = zk("prove", beacon_key, os.path.join(chain, "witness.wtns"), "--proof", path("beacon_proof.json"),
                      "--public", path("beacon_public.json"))
    check("zkinfer proves with the contributed key", code == 0, output)
    code, output = zk("verify", path("beacon_vk.json"), path("beacon_proof.json"), path("beacon_public.json"))
    check("zkinfer verifies it", code == 0, output)
    check("groth16py verifies it", groth16py_verify(path("beacon_vk.json"), path("beacon_proof.json"), path("beacon_public.json")))
    beacon_groth16py, beacon_groth16py_vk = groth16py.import_zkey(beacon_key)
    check("groth16py reads the contributed key's verifying key as export-vk wrote it",
          json.loads(beacon_groth16py_vk.to_json())["vk_delta_2"] == json.loads(groth16py.VerifyingKey.from_snarkjs_file(path("beacon_vk.json")).to_json())["vk_delta_2"])
    with open(path("beacon_groth16py_proof.bin"), "wb") as handle:
        handle.write(groth16py.prove_wtns(beacon_groth16py, os.path.join(chain, "witness.wtns")))
    code, output = zk("verify", path("beacon_vk.json"), path("beacon_groth16py_proof.bin"), path("beacon_public.json"))
    check("zkinfer verifies groth16py's proof made with the contributed key", code == 0, output)
    # A circuit larger than the ptau serves: exit 2, the sizes named, nothing written.
    zk("example-circuit", "chain", "--constraints", "5000", "--r1cs", path("big.r1cs"), "--wtns", path("big.wtns"))
    code, output = zk("setup", path("big.r1cs"), "--ptau", prepared, "--zkey", path("never.zkey"))
    check("setup --ptau with a circuit too large exits 2 naming the sizes",
          code == 2 and "2^13" in output and "power 12" in output and not os.path.exists(path("never.zkey")), output)
    # ptau verify: both of snarkjs's files (the fresh one, and the one with a real contribution); a tampered one, exit 1.
    code, output = zk("ptau", "verify", os.path.join(chain, "pot12_0001.ptau"))
    check("ptau verify accepts snarkjs's pot12_0001.ptau", code == 0 and '"First contribution"' in output, output)
    code, output = zk("ptau", "verify", os.path.join(chain, "pot12_0000.ptau"))
    check("ptau verify accepts snarkjs's fresh pot12_0000.ptau, saying it has no contribution",
          code == 0 and "no contribution yet" in output, output)
    with open(os.path.join(chain, "pot12_0001.ptau"), "rb") as handle:
        ptau_bytes = bytearray(handle.read())
    ptau_sections = section_offsets(ptau_bytes)
    # The contribution's next challenge follows its points (448 + 768 bytes) and partial hash (216): flip one byte.
    ptau_bytes[ptau_sections[7] + 4 + 448 + 768 + 216 + 9] ^= 1
    with open(path("broken_transcript.ptau"), "wb") as handle:
        handle.write(ptau_bytes)
    code, output = zk("ptau", "verify", path("broken_transcript.ptau"))
    check("ptau verify rejects a broken transcript (exit 1)", code == 1 and "next challenge" in output, output)
else:
    print(f"skipped: {chain} is absent (shared fixtures are not beside this clone)")

# --- the demo model's keys from a ceremony run by zkinfer alone: ptau new, contribute, beacon, prepare, setup,
# a phase-2 contribution; each file verifies, and the demo proves and verifies with the final key.
ceremony = path("ceremony")
os.makedirs(ceremony)
demo = os.path.join(ceremony, "demo")
run = subprocess.run([ZKINFER, "demo", "--output", demo], capture_output=True, text=True, cwd=ROOT)
check("demo for the ceremony", run.returncode == 0, run.stderr)
steps = [
    ("ptau new", ["ptau", "new", "14", os.path.join(ceremony, "pot14_0000.ptau")]),
    ("ptau contribute", ["ptau", "contribute", os.path.join(ceremony, "pot14_0000.ptau"), os.path.join(ceremony, "pot14_0001.ptau"),
                         "--name", "first", "--entropy", "interop"]),
    ("ptau beacon", ["ptau", "beacon", os.path.join(ceremony, "pot14_0001.ptau"), os.path.join(ceremony, "pot14_beacon.ptau"),
                     "--hash", "00" * 31 + "2a", "--iterations", "10", "--name", "beacon"]),
    ("ptau prepare", ["ptau", "prepare", os.path.join(ceremony, "pot14_beacon.ptau"), os.path.join(ceremony, "pot14_final.ptau")]),
    ("ptau verify of the prepared file", ["ptau", "verify", os.path.join(ceremony, "pot14_final.ptau")]),
    ("setup of the demo from it", ["setup", demo, "--ptau", os.path.join(ceremony, "pot14_final.ptau"), "--zkey", os.path.join(ceremony, "demo_0000.zkey"),
                                   "--vk", os.path.join(ceremony, "unused_vk.json")]),
    ("zkey contribute", ["zkey", "contribute", os.path.join(ceremony, "demo_0000.zkey"), os.path.join(demo, "circuit.zkey"), "--name", "phase 2"]),
    ("zkey verify", ["zkey", "verify", os.path.join(demo, "circuit.r1cs"), os.path.join(ceremony, "pot14_final.ptau"), os.path.join(demo, "circuit.zkey")]),
    ("export-vk", ["export-vk", os.path.join(demo, "circuit.zkey"), "--vk", os.path.join(demo, "verification_key.json")]),
    ("prove the demo", ["prove", demo, "--input", os.path.join(ROOT, "Circuits", "digits-cnn", "input.json")]),
    ("verify the demo", ["verify", demo]),
]
for name, args in steps:
    code, output = zk(*args)
    check(f"ceremony: {name}", code == 0, output)
    if code != 0:
        break
check("ceremony: the prepared file lists both contributions",
      '"first"' in zk("ptau", "verify", os.path.join(ceremony, "pot14_final.ptau"))[1])
check("groth16py verifies the demo's proof under the ceremony's key",
      groth16py_verify(os.path.join(demo, "verification_key.json"), os.path.join(demo, "proof.json"), os.path.join(demo, "public.json")))


passed = sum(results)
print(f"{passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)
