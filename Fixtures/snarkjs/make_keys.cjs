const snarkjs = require('snarkjs');
const fs = require('fs');
(async () => {
  const curve = await snarkjs.curves ? null : null;
  const ffj = require('ffjavascript');
  const bn128 = await ffj.buildBn128();
  await snarkjs.powersOfTau.newAccumulator(bn128, 8, 'pot8_0000.ptau');
  await snarkjs.powersOfTau.contribute('pot8_0000.ptau', 'pot8_0001.ptau', 'first', 'some entropy');
  await snarkjs.powersOfTau.preparePhase2('pot8_0001.ptau', 'pot8_final.ptau');
  const h = await snarkjs.zKey.newZKey('circuit.r1cs', 'pot8_final.ptau', 'big_0000.zkey');
  await snarkjs.zKey.contribute('big_0000.zkey', 'big_0001.zkey', 'c1', 'more entropy');
  for (const z of ['0000','0001']) {
    const vk = await snarkjs.zKey.exportVerificationKey('big_'+z+'.zkey');
    fs.writeFileSync('vk'+z+'.json', JSON.stringify(vk, null, 1));
    const {proof, publicSignals} = await snarkjs.groth16.prove('big_'+z+'.zkey', 'witness.wtns');
    fs.writeFileSync('proof'+z+'.json', JSON.stringify(proof, null, 1));
    fs.writeFileSync('public'+z+'.json', JSON.stringify(publicSignals, null, 1));
    console.log(z, 'verify', await snarkjs.groth16.verify(vk, publicSignals, proof));
  }
  process.exit(0);
})().catch(e => { console.error(e); process.exit(1); });
