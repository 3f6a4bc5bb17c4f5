/* The transparency log's formats, in the browser: the same rules as the Python package's
 * ledger/tlog, checked against the same test vectors (tests/ledger/site/test_js.py).
 *
 *   leaves      a leaf is "waico-event/1\n" || chain id (8) || block number (8) || block hash (32)
 *               || tx hash (32) || log index (4) || address (20) || topic count (1) || topics (32
 *               each) || data length (4) || data; integers big-endian
 *   merkle      RFC 6962 hashing (leaf: SHA-256(0x00 || leaf), node: SHA-256(0x01 || l || r));
 *               inclusion and consistency proofs verified as RFC 9162 2.1.3.2 and 2.1.4.2
 *   note        C2SP signed-note: "text\n\n— name base64(keyID(4) || Ed25519 signature)\n";
 *               a key "name+keyid+base64(0x01 || public key)", keyID = SHA-256(name || "\n" ||
 *               0x01 || public key)[:4]
 *   checkpoint  C2SP tlog-checkpoint: origin, tree size, base64 root, then extension lines
 *
 * SHA-256 and Ed25519 are WebCrypto's. Every check throws an Error saying what failed; nothing
 * returns a boolean to forget. No DOM here.
 */
"use strict";
(function (global) {
  const tlog = {};
  const utf8 = new TextEncoder();

  tlog.concat = function (...parts) {
    const size = parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };

  tlog.equal = function (a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  };

  tlog.hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

  tlog.fromHex = function (text) {
    if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw new Error("not hex");
    const out = new Uint8Array(text.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
    return out;
  };

  tlog.b64encode = function (bytes) {
    let bin = "";
    for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin);
  };

  /* Strict standard base64: the alphabet, canonical padding and trailing bits (as the note's). */
  tlog.b64decode = function (text) {
    if (typeof text !== "string" || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
      throw new Error("not base64");
    }
    const bin = atob(text);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    if (tlog.b64encode(out) !== text) throw new Error("not canonical base64");
    return out;
  };

  tlog.sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));

  // --- leaves ----------------------------------------------------------------------------

  const MAGIC = utf8.encode("waico-event/1\n");
  const HEAD = MAGIC.length + 8 + 8 + 32 + 32 + 4 + 20 + 1;

  /* The fields of a leaf, or an Error; integers of 64 bits as BigInt (chainId) or Number. */
  tlog.decodeLeaf = function (leaf) {
    if (leaf.length < HEAD || !tlog.equal(leaf.subarray(0, MAGIC.length), MAGIC)) throw new Error("not a waico-event/1 leaf");
    const view = new DataView(leaf.buffer, leaf.byteOffset, leaf.byteLength);
    let at = MAGIC.length;
    const chainId = view.getBigUint64(at);
    const blockNumber = Number(view.getBigUint64(at + 8));
    at += 16;
    const blockHash = leaf.slice(at, at + 32);
    const txHash = leaf.slice(at + 32, at + 64);
    at += 64;
    const logIndex = view.getUint32(at);
    const address = leaf.slice(at + 4, at + 24);
    const count = leaf[at + 24];
    at += 25;
    if (count > 4 || leaf.length < at + 32 * count + 4) throw new Error("leaf has too many topics or is truncated");
    const topics = [];
    for (let i = 0; i < count; i++) topics.push(leaf.slice(at + 32 * i, at + 32 * (i + 1)));
    at += 32 * count;
    const length = view.getUint32(at);
    at += 4;
    if (leaf.length !== at + length) throw new Error("leaf data length does not match");
    return { chainId, blockNumber, blockHash, txHash, logIndex, address, topics, data: leaf.slice(at) };
  };

  // --- merkle ----------------------------------------------------------------------------

  tlog.leafHash = (data) => tlog.sha256(tlog.concat(new Uint8Array([0]), data));
  tlog.nodeHash = (left, right) => tlog.sha256(tlog.concat(new Uint8Array([1]), left, right));

  function checkHash(what, value) {
    if (!(value instanceof Uint8Array) || value.length !== 32) throw new Error(what + " is not a 32-byte hash");
  }

  // Index arithmetic with Numbers (exact below 2^53), never 32-bit bit operators.
  const odd = (n) => n % 2 === 1;
  const half = (n) => Math.floor(n / 2);

  tlog.rootFromInclusion = async function (leafHash, index, size, proof) {
    checkHash("leaf hash", leafHash);
    proof.forEach((p, i) => checkHash("proof[" + i + "]", p));
    if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) {
      throw new Error("leaf index " + index + " outside a tree of size " + size);
    }
    let fn = index, sn = size - 1, r = leafHash;
    for (const p of proof) {
      if (sn === 0) throw new Error("inclusion proof is too long");
      if (odd(fn) || fn === sn) {
        r = await tlog.nodeHash(p, r);
        while (fn !== 0 && !odd(fn)) {
          fn = half(fn);
          sn = half(sn);
        }
      } else {
        r = await tlog.nodeHash(r, p);
      }
      fn = half(fn);
      sn = half(sn);
    }
    if (sn !== 0) throw new Error("inclusion proof is too short");
    return r;
  };

  tlog.verifyInclusion = async function (leafHash, index, size, proof, root) {
    checkHash("root", root);
    const r = await tlog.rootFromInclusion(leafHash, index, size, proof);
    if (!tlog.equal(r, root)) throw new Error("leaf " + index + " is not in the tree of size " + size + " with this root");
  };

  tlog.verifyConsistency = async function (oldSize, newSize, oldRoot, newRoot, proof) {
    checkHash("old root", oldRoot);
    checkHash("new root", newRoot);
    proof.forEach((p, i) => checkHash("proof[" + i + "]", p));
    if (!(oldSize >= 0 && oldSize <= newSize)) throw new Error("old size " + oldSize + " is not between 0 and the new size");
    if (oldSize === newSize) {
      if (proof.length) throw new Error("a proof between equal sizes must be empty");
      if (!tlog.equal(oldRoot, newRoot)) throw new Error("two different roots for the same size");
      return;
    }
    if (oldSize === 0) {
      if (proof.length) throw new Error("a proof from the empty tree must be empty");
      return;
    }
    if (!proof.length) throw new Error("consistency proof is empty");
    const path = proof.slice();
    let n = oldSize;
    while (n > 1 && !odd(n)) n = half(n);
    if (n === 1) path.unshift(oldRoot); // the old tree is a complete subtree: its root starts the path
    let fn = oldSize - 1, sn = newSize - 1;
    while (odd(fn)) {
      fn = half(fn);
      sn = half(sn);
    }
    let fr = path[0], sr = path[0];
    for (const c of path.slice(1)) {
      if (sn === 0) throw new Error("consistency proof is too long");
      if (odd(fn) || fn === sn) {
        fr = await tlog.nodeHash(c, fr);
        sr = await tlog.nodeHash(c, sr);
        while (fn !== 0 && !odd(fn)) {
          fn = half(fn);
          sn = half(sn);
        }
      } else {
        sr = await tlog.nodeHash(sr, c);
      }
      fn = half(fn);
      sn = half(sn);
    }
    if (sn !== 0) throw new Error("consistency proof is too short");
    if (!tlog.equal(fr, oldRoot)) throw new Error("proof does not lead to the old root at size " + oldSize);
    if (!tlog.equal(sr, newRoot)) throw new Error("proof does not lead to the new root at size " + newSize);
  };

  // --- keys and signed notes -------------------------------------------------------------

  const validName = (name) => name.length > 0 && !name.includes("+") && !/\s/.test(name);

  tlog.keyId = async function (name, publicKey) {
    const digest = await tlog.sha256(tlog.concat(utf8.encode(name + "\n"), new Uint8Array([1]), publicKey));
    return ((digest[0] << 24) | (digest[1] << 16) | (digest[2] << 8) | digest[3]) >>> 0;
  };

  /* A verifier key "name+keyid+base64(0x01 || key)": {name, keyId, publicKey, text}. */
  tlog.parseVerifierKey = async function (text) {
    text = String(text).trim();
    const first = text.indexOf("+");
    const second = text.indexOf("+", first + 1);
    if (first < 0 || second < 0) throw new Error("malformed verifier key");
    const name = text.slice(0, first), hexId = text.slice(first + 1, second), b64 = text.slice(second + 1);
    if (!validName(name)) throw new Error("invalid key name");
    if (!/^[0-9a-f]{8}$/.test(hexId)) throw new Error("malformed verifier key: key ID must be 8 lowercase hex digits");
    let raw;
    try {
      raw = tlog.b64decode(b64);
    } catch (e) {
      throw new Error("malformed verifier key: bad base64");
    }
    if (!raw.length || raw[0] !== 1) throw new Error("unsupported verifier key algorithm (only Ed25519, 0x01)");
    if (raw.length !== 33) throw new Error("malformed verifier key: Ed25519 key must be 32 bytes");
    const publicKey = raw.slice(1);
    const keyId = await tlog.keyId(name, publicKey);
    if (keyId !== parseInt(hexId, 16)) throw new Error("verifier key " + name + ": key ID does not match the key");
    return { name, keyId, publicKey, text: name + "+" + hexId + "+" + b64 };
  };

  async function ed25519Verify(publicKey, signature, message) {
    try {
      const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
      return await crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
    } catch (e) {
      if (e && e.name === "NotSupportedError") throw new Error("this browser's WebCrypto has no Ed25519");
      return false;
    }
  }

  /* The text of a signed note and the signatures of `verifiers` on it (Go's note.Open):
   * unknown keys' signatures are ignored, a known key's bad signature rejects the note, and
   * at least one known key must have signed. */
  tlog.openNote = async function (note, verifiers) {
    if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) throw new Error("malformed note: control character");
    const split = note.lastIndexOf("\n\n");
    if (split < 0) throw new Error("malformed note: no blank line before the signatures");
    const text = note.slice(0, split + 1), block = note.slice(split + 2);
    if (!block.endsWith("\n")) throw new Error("malformed note: signatures must end with a newline");
    const lines = block.slice(0, -1).split("\n");
    if (lines.length > 100) throw new Error("malformed note: more than 100 signatures");
    const message = utf8.encode(text);
    const verified = [], seen = new Set();
    for (const line of lines) {
      if (!line.startsWith("\u2014 ")) throw new Error("malformed note: signature line must start with an em dash");
      const rest = line.slice(2), space = rest.indexOf(" ");
      const name = space < 0 ? rest : rest.slice(0, space), b64 = space < 0 ? "" : rest.slice(space + 1);
      let raw = new Uint8Array(0);
      try {
        raw = tlog.b64decode(b64);
      } catch (e) {
        /* reported below */
      }
      if (!validName(name) || raw.length < 5) throw new Error("malformed note: bad signature line");
      const id = ((raw[0] << 24) | (raw[1] << 16) | (raw[2] << 8) | raw[3]) >>> 0;
      const matches = verifiers.filter((v) => v.name === name && v.keyId === id);
      if (!matches.length) continue;
      if (matches.length > 1) throw new Error("ambiguous key " + name);
      const key = name + "+" + id.toString(16).padStart(8, "0");
      if (seen.has(key)) continue;
      seen.add(key);
      if (!(await ed25519Verify(matches[0].publicKey, raw.slice(4), message))) {
        throw new Error("invalid signature for key " + key);
      }
      verified.push({ name, keyId: id });
    }
    if (!verified.length) throw new Error("note has no verifiable signatures");
    return { text, verified };
  };

  tlog.parseCheckpoint = function (text) {
    if (!text.endsWith("\n")) throw new Error("malformed checkpoint: must end with a newline");
    const lines = text.slice(0, -1).split("\n");
    if (lines.length < 3) throw new Error("malformed checkpoint: needs origin, size and root lines");
    const [origin, size, root, ...extensions] = lines;
    if (!origin) throw new Error("checkpoint origin must be one non-empty line");
    if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) {
      throw new Error("malformed checkpoint: size must be a decimal without leading zeros");
    }
    let rawRoot;
    try {
      rawRoot = tlog.b64decode(root);
    } catch (e) {
      throw new Error("malformed checkpoint: root is not base64");
    }
    if (rawRoot.length !== 32) throw new Error("checkpoint root must be 32 bytes");
    return { origin, size: Number(size), root: rawRoot, extensions };
  };

  /* The checkpoint in `note` if the log `origin`'s key `verifier` signed it. */
  tlog.verifyCheckpoint = async function (note, verifier, origin) {
    if (verifier.name !== origin) throw new Error("the key is named " + verifier.name + ", not the log's origin " + origin);
    const { text } = await tlog.openNote(note, [verifier]);
    const checkpoint = tlog.parseCheckpoint(text);
    if (checkpoint.origin !== origin) throw new Error("the checkpoint is for origin " + checkpoint.origin);
    return checkpoint;
  };

  global.WaicoTlog = tlog;
})(typeof window !== "undefined" ? window : globalThis);
