/* Unit tests of the site's JavaScript (tlog.js, ledger.js) against the specifications' test
 * vectors and the Python package's own answers (vectors.js, written by test_js.py). */
"use strict";
(async function () {
  const T = window.WaicoTlog, L = window.WaicoLedger, V = window.VECTORS;
  const results = [];
  const b64 = (s) => T.b64decode(s);
  const hex = (s) => T.fromHex(s);
  async function test(name, fn) {
    try {
      await fn();
      results.push({ name, ok: true });
    } catch (e) {
      results.push({ name, ok: false, error: String((e && e.stack) || e) });
    }
  }
  function eq(a, b, what) {
    const sa = JSON.stringify(a, (k, v) => (typeof v === "bigint" ? v.toString() : v));
    const sb = JSON.stringify(b, (k, v) => (typeof v === "bigint" ? v.toString() : v));
    if (sa !== sb) throw new Error((what || "") + ": " + sa + " !== " + sb);
  }
  async function rejects(fn, what) {
    let threw = false;
    try {
      await fn();
    } catch (e) {
      threw = true;
    }
    if (!threw) throw new Error("accepted: " + what);
  }

  await test("verifier keys of the vectors parse, with their key ids", async () => {
    for (const [text, id] of V.keys) eq((await T.parseVerifierKey(text)).keyId, id, text);
  });
  await test("every mangled verifier key is rejected", async () => {
    for (const bad of V.badKeys) await rejects(() => T.parseVerifierKey(bad), bad);
  });
  await test("Go's signed note opens with its key, and with both keys", async () => {
    const peter = await T.parseVerifierKey(V.note.peter), enoch = await T.parseVerifierKey(V.note.enoch);
    let r = await T.openNote(V.note.peterNote, [peter]);
    eq(r.text, V.note.text);
    eq(r.verified.map((s) => s.name), ["PeterNeumann"]);
    r = await T.openNote(V.note.bothNote, [peter, enoch]);
    eq(r.verified.map((s) => s.name), ["PeterNeumann", "EnochRoot"]);
    r = await T.openNote(V.note.bothNote, [enoch]);
    eq(r.verified.map((s) => s.name), ["EnochRoot"]);
  });
  await test("a note with a bad known signature, or none known, is rejected", async () => {
    const peter = await T.parseVerifierKey(V.note.peter), enoch = await T.parseVerifierKey(V.note.enoch);
    for (const bad of V.note.badNotes) await rejects(() => T.openNote(bad, [peter]), bad);
    await rejects(() => T.openNote(V.note.peterNote, [enoch]), "unknown signer only");
  });
  await test("a checkpoint signed by the package verifies; another origin or key does not", async () => {
    const key = await T.parseVerifierKey(V.checkpoint.key);
    const cp = await T.verifyCheckpoint(V.checkpoint.note, key, V.checkpoint.origin);
    eq([cp.origin, cp.size, T.hex(cp.root)], [V.checkpoint.origin, V.checkpoint.size, V.checkpoint.root]);
    await rejects(() => T.verifyCheckpoint(V.checkpoint.note, key, V.checkpoint.origin + "x"), "origin");
    const other = await T.parseVerifierKey(V.checkpoint.otherKey);
    await rejects(() => T.verifyCheckpoint(V.checkpoint.note, other, V.checkpoint.origin), "other key");
    for (const bad of V.checkpoint.badTexts) await rejects(async () => T.parseCheckpoint(bad), bad);
  });
  await test("RFC 6962 leaf hashes and roots of the reference tree", async () => {
    for (let i = 0; i < V.merkle.leaves.length; i++) eq(T.hex(await T.leafHash(hex(V.merkle.leaves[i]))), V.merkle.leafHashes[i]);
    eq(T.hex(await T.sha256(new Uint8Array(0))), V.merkle.roots[0]);
  });
  await test("inclusion vectors verify, and every proof up to 24 leaves, but not one bit off", async () => {
    for (const [index, size, proof, leafHash, root] of [...V.merkle.inclusion, ...V.merkle.inclusionAll]) {
      await T.verifyInclusion(hex(leafHash), index, size, proof.map(hex), hex(root));
      if (proof.length) {
        const wrong = proof.map(hex);
        wrong[0][size % 32] ^= 1;
        await rejects(() => T.verifyInclusion(hex(leafHash), index, size, wrong, hex(root)), "flipped " + index + "/" + size);
      }
      await rejects(() => T.verifyInclusion(hex(leafHash), index + 1, size, proof.map(hex), hex(root)), "index");
    }
  });
  await test("consistency vectors verify, and every proof up to 24 leaves, but not one bit off", async () => {
    for (const [oldSize, newSize, proof, oldRoot, newRoot] of [...V.merkle.consistency, ...V.merkle.consistencyAll]) {
      await T.verifyConsistency(oldSize, newSize, hex(oldRoot), hex(newRoot), proof.map(hex));
      if (proof.length) {
        const wrong = proof.map(hex);
        wrong[wrong.length - 1][3] ^= 1;
        await rejects(() => T.verifyConsistency(oldSize, newSize, hex(oldRoot), hex(newRoot), wrong), "flipped");
      }
    }
  });
  await test("the documented example leaf decodes field by field and hashes as pinned", async () => {
    const leaf = hex(V.leaf.bytes);
    const f = T.decodeLeaf(leaf);
    eq([f.chainId, f.blockNumber, T.hex(f.blockHash), T.hex(f.txHash), f.logIndex, T.hex(f.address), f.topics.map(T.hex), T.hex(f.data)],
       [31337n, 7, "11".repeat(32), "22".repeat(32), 3, "33".repeat(20), ["44".repeat(32), "55".repeat(32)], "deadbeef"]);
    eq(T.hex(await T.leafHash(leaf)), V.leaf.hash);
    for (const bad of V.leaf.bad) await rejects(async () => T.decodeLeaf(hex(bad)), bad);
  });
  await test("numbers are written as the Python side writes them", async () => {
    for (const [v, text] of V.show.int) eq(L.int(BigInt(v)), text, v);
    for (const [v, d, text] of V.show.token) eq(L.token(BigInt(v), d), text, v + "/" + d);
    for (const [v, text] of V.show.pct) eq(L.pct(BigInt(v)), text, v);
    for (const [d, text] of V.show.titles) eq(L.title(d), text, JSON.stringify(d));
  });
  await test("formula v1 pays what the Python reference pays", async () => {
    for (const [scores, budget, cap, floor, amounts] of V.formula) {
      eq(L.allocate(scores.map(BigInt), BigInt(budget), BigInt(cap), BigInt(floor)).map(String), amounts);
    }
  });
  await test("ABI data decodes as eth_abi encoded it", async () => {
    for (const [types, data, values] of V.abi) {
      const out = L.decodeTuple(types, hex(data), 0);
      eq(JSON.parse(JSON.stringify(out, (k, v) => (typeof v === "bigint" ? v.toString() : v))), values, types.join(","));
    }
    await rejects(async () => L.decodeTuple(["string"], hex("00".repeat(31) + "20"), 0), "truncated");
  });

  window.RESULTS = results;
  document.documentElement.setAttribute("data-done", "1");
})();
