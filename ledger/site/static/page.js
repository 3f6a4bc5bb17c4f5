/* The page's own verification, and its small conveniences (sortable tables, the key form).
 *
 * 1. The key: the observer's (the URL fragment #key=..., or one pasted into the form and kept
 *    in this browser), else the one the site ships, which cannot vouch for the site: the
 *    status says whose key verified the checkpoint (data-key="observer" | "site").
 * 2. The checkpoint's signature (Ed25519, C2SP signed note) under that key.
 * 3. Each shipped event's inclusion proof against the checkpoint's root (RFC 6962 SHA-256);
 *    the events that verify are decoded and make the model (ledger.js).
 * 4. Every [data-check] element: its value re-derived from the model and compared with what
 *    the page shows; data-verify becomes "ok" or "fail" (with the reason as its title).
 *    Sections and charts (data-check="group") are "ok" when all inside are.
 * If the checkpoint does not verify, nothing else can be: it alone is "fail", the rest stays
 * "pending". Nothing here writes HTML: text goes in as textContent.
 */
"use strict";
(function () {
  const T = window.WaicoTlog, L = window.WaicoLedger;
  const chunks = window.waicoData || [];
  const log = chunks.find((c) => c.kind === "log");
  const packs = chunks.filter((c) => c.kind === "pack");
  const status = document.getElementById("checkpoint-status");
  const detail = document.getElementById("verify-detail");
  const KEY_STORE = "waico-ledger-key";

  function mark(el, state, why) {
    el.setAttribute("data-verify", state);
    if (why) el.setAttribute("title", why);
    else el.removeAttribute("title");
  }

  function say(text) {
    if (detail) detail.textContent = text;
  }

  function keyFromFragment() {
    const m = /(?:^#|&)key=([^&]*)/.exec(location.hash);
    if (!m) return null;
    try {
      return decodeURIComponent(m[1]).trim() || null;
    } catch (e) {
      return null;
    }
  }

  function chosenKey() {
    const fromUrl = keyFromFragment();
    if (fromUrl) return { text: fromUrl, whose: "observer", from: "the key you gave in the address (#key=)" };
    let stored = null;
    try {
      stored = localStorage.getItem(KEY_STORE);
    } catch (e) {
      /* storage off: fine */
    }
    if (stored) return { text: stored, whose: "observer", from: "the key you pasted" };
    return { text: log.siteKey, whose: "site", from: "the key this site ships" };
  }

  function setUpKeyForm(key) {
    const form = document.getElementById("key-form");
    const input = document.getElementById("key-input");
    if (!form || !input) return;
    if (key.whose === "observer") input.value = key.text;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value.trim();
      try {
        if (text) localStorage.setItem(KEY_STORE, text);
        else localStorage.removeItem(KEY_STORE);
      } catch (e) {
        /* storage off: the fragment carries it */
      }
      const want = text ? "#key=" + encodeURIComponent(text) : "";
      if (location.hash === want) location.reload();
      else location.hash = want; // hashchange reloads
    });
    // Carry a key given in the address along the site's own links.
    if (keyFromFragment()) {
      for (const a of document.querySelectorAll("a[href]")) {
        const href = a.getAttribute("href");
        if (/^[a-z]+:/i.test(href) || href.startsWith("#") || a.hasAttribute("download")) continue;
        a.setAttribute("href", href.split("#")[0] + location.hash);
      }
    }
  }

  function setUpSorting() {
    for (const table of document.querySelectorAll("table.sortable")) {
      const heads = table.querySelectorAll("thead th");
      heads.forEach((th, column) => {
        th.setAttribute("tabindex", "0");
        th.setAttribute("aria-sort", "none");
        const sort = () => {
          const body = table.tBodies[0];
          const numeric = th.dataset.sort === "num";
          const up = th.getAttribute("aria-sort") !== "ascending";
          const key = (row) => {
            const c = row.cells[column];
            const text = c ? (c.dataset.sortValue !== undefined ? c.dataset.sortValue : c.textContent) : "";
            return numeric ? Number(text.replace(/[^0-9.\-]/g, "")) || 0 : text.toLowerCase();
          };
          const rows = Array.from(body.rows).map((r) => [key(r), r]);
          rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0) * (up ? 1 : -1));
          for (const [, r] of rows) body.appendChild(r);
          heads.forEach((h) => h.setAttribute("aria-sort", "none"));
          th.setAttribute("aria-sort", up ? "ascending" : "descending");
        };
        th.addEventListener("click", sort);
        th.addEventListener("keydown", (e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            sort();
          }
        });
      });
    }
  }

  async function proveEvents(pack, checkpoint, site) {
    if (pack.size !== checkpoint.size) throw new Error("the page's proofs are for a tree of " + pack.size + " events");
    const nodes = pack.nodes.map((n) => T.b64decode(n));
    return Promise.all(pack.events.map(async (e) => {
      try {
        const leaf = T.b64decode(e.leaf);
        const proof = e.proof.map((i) => {
          if (!(i in nodes)) throw new Error("proof names a missing node");
          return nodes[i];
        });
        await T.verifyInclusion(await T.leafHash(leaf), e.index, pack.size, proof, checkpoint.root);
        const fields = T.decodeLeaf(leaf);
        if (fields.chainId !== BigInt(site.chainId)) throw new Error("the leaf is from chain " + fields.chainId);
        return { index: e.index, ok: true, event: L.decodeEvent(e.index, fields, site), fields };
      } catch (err) {
        return { index: e.index, ok: false, why: String(err.message || err) };
      }
    }));
  }

  async function run() {
    if (!log) {
      mark(status, "fail", "no data/log.js");
      status.textContent = "No checkpoint: the site's data/log.js did not load.";
      return;
    }
    const key = chosenKey();
    setUpKeyForm(key);
    status.setAttribute("data-key", key.whose);
    let checkpoint, verifier;
    try {
      verifier = await T.parseVerifierKey(key.text);
      checkpoint = await T.verifyCheckpoint(log.note, verifier, log.origin);
    } catch (err) {
      mark(status, "fail", String(err.message || err));
      status.textContent = "Not verified: the checkpoint is not signed by " + key.from + ".";
      say("(" + (err.message || err) + ") Nothing on this page can be checked without it; every mark stays pending.");
      document.documentElement.setAttribute("data-verified", "fail");
      return;
    }
    mark(status, "ok");
    status.textContent = "Verified: " + checkpoint.origin + " at " + L.int(checkpoint.size) + " events, signed by "
      + verifier.name + "+" + verifier.keyId.toString(16).padStart(8, "0")
      + (key.whose === "observer" ? ": " + key.from + "." : ": the key this site ships, which cannot vouch for the site — give the key you expect.");

    const proven = (await Promise.all([{ size: log.last.size, nodes: log.last.nodes, events: log.last.events }, ...packs]
      .map((p) => proveEvents(p, checkpoint, log).catch((err) => p.events.map((e) => ({ index: e.index, ok: false, why: String(err.message || err) }))))))
      .flat();
    const good = new Map(), bad = new Map();
    for (const r of proven) {
      if (r.ok) good.set(r.index, r);
      else bad.set(r.index, r.why);
    }
    for (const i of bad.keys()) good.delete(i); // an index shipped twice, once wrong: wrong
    const last = good.get(checkpoint.size - 1);
    const events = Array.from(good.values()).map((r) => r.event).filter(Boolean);
    const M = new L.Model(log, events, last ? last.fields.blockNumber : null);
    M.checkpoint = checkpoint;
    M.pageExtra = packs.length ? packs[packs.length - 1].extra || {} : {};

    let ok = 0, failed = 0;
    const checks = Array.from(document.querySelectorAll("[data-check]"))
      .filter((el) => !["group", "checkpoint"].includes(el.dataset.check));
    for (const el of checks) {
      const leaf = el.dataset.leaf;
      if (leaf !== undefined && bad.has(Number(leaf))) {
        mark(el, "fail", "its event's proof failed: " + bad.get(Number(leaf)));
        failed++;
        continue;
      }
      try {
        if (el.dataset.check === "consistency") await checkConsistency(el, M, verifier, checkpoint);
        else L.runCheck(el, M);
        mark(el, "ok");
        ok++;
      } catch (err) {
        mark(el, "fail", String(err.message || err));
        failed++;
      }
    }
    const groups = Array.from(document.querySelectorAll('[data-check="group"]')).reverse();
    for (const g of groups) {
      const inner = Array.from(g.querySelectorAll("[data-verify]")).map((e) => e.getAttribute("data-verify"));
      mark(g, inner.includes("fail") ? "fail" : inner.every((s) => s === "ok") ? "ok" : "pending");
    }
    say(L.int(good.size) + " of " + L.int(good.size + bad.size) + " events proven in the checkpoint"
      + (bad.size ? " (" + bad.size + " FAILED)" : "") + "; " + L.int(ok) + " numbers and rows re-derived from them"
      + (failed ? ", " + failed + " FAILED (hover a red mark for why)." : ", all agree."));
    document.documentElement.setAttribute("data-verified", failed || bad.size ? "fail" : "ok");
  }

  async function checkConsistency(el, M, verifier, checkpoint) {
    const older = (M.pageExtra.checkpoints || [])[Number(el.dataset.checkpoint)];
    if (!older) throw new Error("no such earlier checkpoint in the page's data");
    const old = await T.verifyCheckpoint(older.note, verifier, checkpoint.origin);
    await T.verifyConsistency(old.size, checkpoint.size, old.root, checkpoint.root, older.proof.map(T.b64decode));
    const cells = el.querySelectorAll("td");
    if (cells.length < 2 || L.norm(cells[0].textContent) !== L.int(old.size) || cells[1].textContent !== T.hex(old.root)) {
      throw new Error("the row does not show the signed checkpoint's size and root");
    }
  }

  // A key typed into the address bar (#key=...) is checked at once.
  window.addEventListener("hashchange", () => location.reload());
  setUpSorting();
  run().catch((err) => {
    mark(status, "fail", String(err.message || err));
    say("The verifier stopped: " + (err.message || err));
  });
})();
