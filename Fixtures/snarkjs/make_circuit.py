import struct
r=21888242871839275222246405745257275088548364400416034343698204186575808495617
def fe(v): return (v % r).to_bytes(32,'little')
def section(sid, payload): return struct.pack('<IQ', sid, len(payload)) + payload
def write_r1cs(path, n_wires, n_pub_out, n_pub_in, n_prv_in, constraints, n_labels=None, order=(1,2,3), field_size=32, prime=r):
    """constraints: list of (A,B,C) where each is a dict wire->coef (standard form)."""
    n_labels = n_wires if n_labels is None else n_labels
    hdr = struct.pack('<I', field_size) + prime.to_bytes(field_size,'little') + struct.pack('<IIIIQI', n_wires, n_pub_out, n_pub_in, n_prv_in, n_labels, len(constraints))
    cs = b''
    for con in constraints:
        for lc in con:
            cs += struct.pack('<I', len(lc))
            for w in sorted(lc): cs += struct.pack('<I', w) + fe(lc[w])
    mp = b''.join(struct.pack('<Q', i) for i in range(n_wires))
    secs = {1: hdr, 2: cs, 3: mp}
    body = b''.join(section(s, secs[s]) for s in order)
    open(path,'wb').write(b'r1cs' + struct.pack('<II', 1, len(order)) + body)
def write_wtns(path, witness, version=2):
    hdr = struct.pack('<I', 32) + r.to_bytes(32,'little') + struct.pack('<I', len(witness))
    data = b''.join(fe(w) for w in witness)
    open(path,'wb').write(b'wtns' + struct.pack('<II', version, 2) + section(1,hdr) + section(2,data))
import json
m=99
A_,B_=5,11; Cv=13
T0=6
cons=[({0:3,2:2},{0:r-5,4:1},{T0:1})]
for i in range(m-1):
    cons.append(({T0+i:1},{T0+i:1,3:1},{T0+i+1:1}))
cons.append(({T0+m-1:1},{0:7},{1:1,2:1}))
nW=T0+m
w=[0]*nW; w[0]=1; w[2]=A_; w[3]=B_; w[4]=Cv; w[5]=424242
w[T0]=(2*A_+3)*(Cv-5)%r
for i in range(m-1): w[T0+i+1]=w[T0+i]*(w[T0+i]+B_)%r
w[1]=(w[T0+m-1]*7-A_)%r
# check
def ev(lc): return sum(v*w[k] for k,v in lc.items())%r
assert all(ev(a)*ev(b)%r==ev(c) for a,b,c in cons)
write_r1cs('circuit.r1cs', n_wires=nW, n_pub_out=1, n_pub_in=2, n_prv_in=2, constraints=cons, order=(2,1,3))
write_wtns('witness.wtns', w)

print('nC',len(cons),'nW',nW,'public',w[1:4])
