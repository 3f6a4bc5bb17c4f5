/* The organization's numbers, re-derived in the browser from verified leaves: the twin of the
 * Python package's ledger/site/model.py and show.py, following the contracts.
 *
 * decodeEvent   a leaf's log decoded with the event ABI the site ships (data/log.js "events",
 *               generated from the deployment manifest), only for the contract it belongs to
 * Model         members (kind, tier, status, names), weights at any block (VoteWeights.sol:
 *               basic + tier votes, the corporate bloc scaled down to its cap), proposals
 *               (tally, quorum, state as of the log's last event), the fund, formula v1
 * SHOW          how each value is written on the pages (the same spellings as show.py)
 * CHECKS        what each `data-check` on a page means, as a function of the model
 *
 * Every event and argument name the checks use is in EVENTS below (the Python side's are in
 * ledger/site/data.py): when the contracts change, these two places change.
 */
"use strict";
(function (global) {
  const T = global.WaicoTlog;
  const L = {};
  const BPS = 10000n;
  const KINDS = ["State", "Corporate"];
  const TRACKS = ["Ordinary", "RapidResponse", "Constitutional"];
  const TIER_CHANGE = ["Governance", "Promotion", "Demotion"];
  const SUPPORT = ["against", "for", "abstain"];
  const DEFAULT_TIERS = ["Observer", "Associate", "Partner", "Full"];

  const EVENTS = {
    admitted: "MemberAdmitted", // account, kind, tier, name, identifier
    tierChanged: "MemberTierChanged", // account, fromTier, toTier, reason
    suspended: "MemberSuspended", // account
    reinstated: "MemberReinstated",
    expelled: "MemberExpelled",
    schedule: "VoteScheduleSet", // basicVotes, tierVotes[3]
    cap: "CorporateCapSet", // cap
    tierName: "TierNameSet", // tier, name
    standard: "StandardRegistered", // standardId, title
    created: "ProposalCreated", // proposalId, proposer, voteStart, voteEnd, description
    track: "ProposalTrack", // proposalId, track, quorumBps, passBps
    queued: "ProposalQueued", // proposalId
    executed: "ProposalExecuted",
    canceled: "ProposalCanceled",
    vote: "VoteCast", // voter, proposalId, support, weight, reason
    contributed: "Contributed", // contributor, amount
    payout: "Payout", // roundId, member, score, budget, amount, pushed
    round: "RoundExecuted", // roundId, budget, paid, capBps, floor
    claimed: "Claimed", // member, amount
  };
  L.EVENTS = EVENTS;

  // --- ABI decoding ----------------------------------------------------------------------

  const utf8 = new TextDecoder("utf-8");

  function word(data, at) {
    if (at < 0 || at + 32 > data.length) throw new Error("ABI data is truncated");
    return data.subarray(at, at + 32);
  }
  function big(bytes) {
    let v = 0n;
    for (const b of bytes) v = (v << 8n) | BigInt(b);
    return v;
  }
  function offset(data, at) {
    const v = big(word(data, at));
    if (v > BigInt(data.length)) throw new Error("ABI offset out of range");
    return Number(v);
  }
  const ARRAY = /^(.*)\[(\d*)\]$/;

  function isDynamic(type) {
    if (type === "string" || type === "bytes") return true;
    const m = ARRAY.exec(type);
    if (!m) return false;
    return m[2] === "" || isDynamic(m[1]);
  }
  function headSize(type) {
    const m = ARRAY.exec(type);
    if (m && m[2] !== "" && !isDynamic(type)) return Number(m[2]) * headSize(m[1]);
    return 32;
  }
  function decodeStatic(type, data, at) {
    const m = ARRAY.exec(type);
    if (m) return decodeTuple(Array(Number(m[2])).fill(m[1]), data, at);
    const w = word(data, at);
    if (/^uint\d*$/.test(type)) return big(w);
    if (/^int\d*$/.test(type)) {
      const v = big(w);
      return v >= 1n << 255n ? v - (1n << 256n) : v;
    }
    if (type === "address") return "0x" + T.hex(w.subarray(12));
    if (type === "bool") return big(w) !== 0n;
    const b = /^bytes(\d+)$/.exec(type);
    if (b) return "0x" + T.hex(w.subarray(0, Number(b[1])));
    throw new Error("unsupported ABI type " + type);
  }
  function decodeAt(type, data, start) {
    if (type === "string" || type === "bytes") {
      const length = offset(data, start);
      if (start + 32 + length > data.length) throw new Error("ABI bytes are truncated");
      const raw = data.subarray(start + 32, start + 32 + length);
      return type === "string" ? utf8.decode(raw) : "0x" + T.hex(raw);
    }
    const m = ARRAY.exec(type);
    if (m[2] === "") {
      const length = offset(data, start);
      if (length * 32 > data.length) throw new Error("ABI array is too long");
      return decodeTuple(Array(length).fill(m[1]), data, start + 32);
    }
    return decodeTuple(Array(Number(m[2])).fill(m[1]), data, start);
  }
  function decodeTuple(types, data, base) {
    let at = base;
    const out = [];
    for (const type of types) {
      out.push(isDynamic(type) ? decodeAt(type, data, base + offset(data, at)) : decodeStatic(type, data, at));
      at += headSize(type);
    }
    return out;
  }
  L.decodeTuple = decodeTuple;

  /* A verified leaf's event: {index, block, logIndex, tx, contract, name, args}, or null when
   * the site's ABI does not know it (or it comes from another address than its contract's). */
  L.decodeEvent = function (index, fields, site) {
    if (!fields.topics.length) return null;
    const entry = site.events[T.hex(fields.topics[0])];
    if (!entry) return null;
    const address = "0x" + T.hex(fields.address);
    if ((site.contracts[entry.contract] || "").toLowerCase() !== address) return null;
    const indexed = entry.inputs.filter((i) => i.indexed);
    const plain = entry.inputs.filter((i) => !i.indexed);
    if (indexed.length !== fields.topics.length - 1) throw new Error(entry.name + ": wrong number of topics");
    const args = {};
    indexed.forEach((input, i) => {
      args[input.name] = isDynamic(input.type) ? "0x" + T.hex(fields.topics[i + 1]) : decodeStatic(input.type, fields.topics[i + 1], 0);
    });
    decodeTuple(plain.map((i) => i.type), fields.data, 0).forEach((v, i) => {
      args[plain[i].name] = v;
    });
    return { index, block: fields.blockNumber, logIndex: fields.logIndex, tx: "0x" + T.hex(fields.txHash),
             contract: entry.contract, name: entry.name, args };
  };

  // --- formats (twins of ledger/site/show.py) --------------------------------------------

  const commas = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  L.int = (v) => (BigInt(v) < 0n ? "-" + commas(-BigInt(v)) : commas(BigInt(v)));
  L.token = function (units, decimals) {
    units = BigInt(units);
    if (decimals <= 0) return L.int(units);
    const shown = Math.min(decimals, 2);
    const unit = 10n ** BigInt(decimals);
    const rest = (units % unit) / 10n ** BigInt(decimals - shown);
    return L.int(units / unit) + "." + String(rest).padStart(shown, "0");
  };
  L.pct = (bps) => {
    bps = BigInt(bps);
    return String(bps / 100n) + "." + String(bps % 100n).padStart(2, "0") + "%";
  };
  /* The title rule of model.title_of. */
  L.title = (description) => description.split("\n")[0].replace(/^[# ]+/, "").replace(/[ \t\r]+$/, "") || "(untitled)";
  /* What the HTML parser makes of a text: CR and CRLF become LF, NUL becomes U+FFFD. */
  L.norm = (text) => String(text).replace(/\r\n?/g, "\n").replace(/\u0000/g, "\uFFFD");
  const name = (list, v) => list[Number(v)] === undefined ? String(v) : list[Number(v)];

  const SHOW = {
    int: (v) => L.int(v),
    plain: (v) => String(v),
    token: (v, M) => L.token(v, M.site.token.decimals),
    pct: (v) => L.pct(v),
    support: (v) => (Number(v) in SUPPORT ? SUPPORT[Number(v)] : "support " + v),
    bool: (v) => (v ? "yes" : "no"),
    name: (v, M) => M.nameOf(v),
    address: (v) => String(v).toLowerCase(),
    tier: (v, M) => M.tierName(Number(v)),
    kind: (v) => name(KINDS, v),
    memberkind: (v, M) => {
      const m = M.members.get(String(v).toLowerCase());
      return m ? KINDS[m.kind] : "?";
    },
    track: (v) => name(TRACKS, v),
    tierchange: (v) => name(TIER_CHANGE, v),
    text: (v) => L.norm(v),
    title: (v) => L.norm(L.title(v)),
    hex: (v) => String(v).toLowerCase(),
    standard: (v, M) => M.standards.get(String(v)) || "standard " + v,
    contract: (v, M) => M.contractName(v),
    round: (v) => "round " + v,
    money: (v) => ({ Payout: "payout", Contributed: "contribution" })[v] || String(v),
    version: (v) => "v" + v,
  };
  L.SHOW = SHOW;

  // --- formula v1 (ledger/org/formula.py, EquityFormula.sol) ----------------------------

  L.allocate = function (scores, budget, capBps, floor) {
    const n = BigInt(scores.length);
    if (!scores.length) throw new Error("formula v1 needs at least one eligible member");
    if (capBps < 1n || capBps > BPS) throw new Error("cap out of range");
    if (scores.some((s) => s <= 0n)) throw new Error("every eligible score must be positive");
    const cap = (budget * capBps) / BPS;
    let f = floor;
    if (budget / n < f) f = budget / n;
    if (cap < f) f = cap;
    const amounts = scores.map(() => f);
    let rest = budget - n * f;
    let active = scores.map((_, i) => i);
    while (rest > 0n && active.length) {
      const total = active.reduce((s, i) => s + scores[i], 0n);
      const shares = new Map(active.map((i) => [i, (rest * scores[i]) / total]));
      const capped = active.filter((i) => f + shares.get(i) > cap);
      if (!capped.length) {
        for (const i of active) amounts[i] = f + shares.get(i);
        break;
      }
      for (const i of capped) amounts[i] = cap;
      rest -= BigInt(capped.length) * (cap - f);
      active = active.filter((i) => f + shares.get(i) <= cap);
    }
    return amounts;
  };

  // --- the model -------------------------------------------------------------------------

  class Model {
    constructor(site, events, now) {
      this.site = site;
      this.now = now; // the block of the log's last event, or null if it did not verify
      this.events = events.slice().sort((a, b) => a.index - b.index);
      this.byIndex = new Map(this.events.map((e) => [e.index, e]));
      this.named = new Map();
      for (const e of this.events) {
        if (!this.named.has(e.name)) this.named.set(e.name, []);
        this.named.get(e.name).push(e);
      }
      this.tierNames = DEFAULT_TIERS.slice();
      for (const e of this.of(EVENTS.tierName)) {
        const tier = Number(e.args.tier);
        if (tier < this.tierNames.length) this.tierNames[tier] = e.args.name;
      }
      this.standards = new Map(this.of(EVENTS.standard).map((e) => [String(e.args.standardId), e.args.title]));
      this.members = new Map();
      for (const e of this.memberEvents()) {
        const account = e.args.account.toLowerCase();
        if (e.name === EVENTS.admitted) {
          this.members.set(account, { account, kind: Number(e.args.kind), tier: Number(e.args.tier), status: "Active",
                                      name: e.args.name, identifier: e.args.identifier, admitted: e });
        }
        const m = this.members.get(account);
        if (!m) continue;
        if (e.name === EVENTS.tierChanged) m.tier = Number(e.args.toTier);
        else if (e.name === EVENTS.suspended) m.status = "Suspended";
        else if (e.name === EVENTS.reinstated) m.status = "Active";
        else if (e.name === EVENTS.expelled) m.status = "Expelled";
      }
      this.weightCache = new Map();
    }

    of(eventName) {
      return this.named.get(eventName) || [];
    }

    memberEvents() {
      const names = new Set([EVENTS.admitted, EVENTS.tierChanged, EVENTS.suspended, EVENTS.reinstated, EVENTS.expelled]);
      return this.events.filter((e) => names.has(e.name));
    }

    nameOf(address) {
      const m = this.members.get(String(address).toLowerCase());
      return m ? m.name : String(address).toLowerCase();
    }

    tierName(tier) {
      return tier < this.tierNames.length ? this.tierNames[tier] : "tier " + tier;
    }

    contractName(address) {
      for (const [name, a] of Object.entries(this.site.contracts)) if (a.toLowerCase() === String(address).toLowerCase()) return name;
      return String(address).toLowerCase();
    }

    /* Effective weights as getPastVotes(account, block): Membership events of blocks <= block. */
    weightsAt(block) {
      if (this.weightCache.has(block)) return this.weightCache.get(block);
      const state = new Map();
      for (const e of this.memberEvents()) {
        if (e.block > block) break;
        const account = e.args.account.toLowerCase();
        if (e.name === EVENTS.admitted) state.set(account, { kind: Number(e.args.kind), tier: Number(e.args.tier), active: true });
        const s = state.get(account);
        if (!s) continue;
        if (e.name === EVENTS.tierChanged) s.tier = Number(e.args.toTier);
        else if (e.name === EVENTS.suspended || e.name === EVENTS.expelled) s.active = false;
        else if (e.name === EVENTS.reinstated) s.active = true;
      }
      let basic = 0n, tiers = [0n, 0n, 0n], cap = BPS;
      for (const e of this.events) {
        if (e.block > block) break;
        if (e.name === EVENTS.schedule) {
          basic = BigInt(e.args.basicVotes);
          tiers = e.args.tierVotes.map(BigInt);
        } else if (e.name === EVENTS.cap) {
          cap = BigInt(e.args.cap);
        }
      }
      const raw = (tier) => (tier >= 1 && tier <= 3 ? basic + tiers[tier - 1] : 0n);
      let statesRaw = 0n, corporateRaw = 0n;
      const voting = [];
      for (const [account, s] of state) {
        if (!s.active || s.tier < 1 || s.tier > 3) continue;
        voting.push([account, s]);
        if (s.kind === 1) corporateRaw += raw(s.tier);
        else statesRaw += raw(s.tier);
      }
      let num = 1n, den = 1n;
      if (cap < BPS && corporateRaw * BPS > cap * (statesRaw + corporateRaw)) {
        num = cap * statesRaw;
        den = (BPS - cap) * corporateRaw;
      }
      const of = new Map();
      let states = 0n, corporates = 0n;
      for (const [account, s] of voting) {
        const w = s.kind === 1 ? (raw(s.tier) * num) / den : raw(s.tier);
        of.set(account, w);
        if (s.kind === 1) corporates += w;
        else states += w;
      }
      const weights = { of, states, corporates, total: states + corporates, cap };
      this.weightCache.set(block, weights);
      return weights;
    }

    needNow() {
      if (this.now === null) throw new Error("the log's last event did not verify: no 'now'");
      return this.now;
    }

    proposal(id) {
      id = String(id);
      const mine = (e) => String(e.args.proposalId) === id;
      const created = this.of(EVENTS.created).find(mine);
      const track = this.of(EVENTS.track).find(mine);
      const statuses = [EVENTS.queued, EVENTS.executed, EVENTS.canceled].flatMap((n) => this.of(n).filter(mine))
        .sort((a, b) => a.index - b.index);
      const votes = this.of(EVENTS.vote).filter(mine);
      return { id, created, track, statuses, votes };
    }

    tally(p) {
      const t = [0n, 0n, 0n];
      let statesFor = 0n, statesAgainst = 0n;
      for (const v of p.votes) {
        const s = Number(v.args.support);
        if (s >= 0 && s <= 2) t[s] += v.args.weight;
        const m = this.members.get(v.args.voter.toLowerCase());
        if (m && m.kind === 0) {
          if (s === 1) statesFor += 1n;
          if (s === 0) statesAgainst += 1n;
        }
      }
      return { against: t[0], for: t[1], abstain: t[2], byIndex: t, statesFor, statesAgainst };
    }

    quorum(p) {
      if (!p.created || !p.track) throw new Error("the proposal's creation or track is not among the verified events");
      const snapshot = Number(p.created.args.voteStart);
      if (snapshot >= this.needNow()) return 0n;
      const scaled = this.weightsAt(snapshot).total * BigInt(p.track.args.quorumBps);
      return (scaled + BPS - 1n) / BPS; // rounded up, as the governor
    }

    state(p) {
      if (!p.created) throw new Error("the proposal's creation is not among the verified events");
      for (const s of p.statuses.slice().reverse()) {
        if (s.name === EVENTS.canceled) return "Canceled";
        if (s.name === EVENTS.executed) return "Executed";
        if (s.name === EVENTS.queued) return "Queued";
      }
      const now = this.needNow();
      if (Number(p.created.args.voteStart) >= now) return "Pending";
      if (Number(p.created.args.voteEnd) >= now) return "Active";
      const t = this.tally(p);
      const pass = BigInt(p.track ? p.track.args.passBps : BPS);
      const passes = t.for + t.abstain >= this.quorum(p) && t.for > t.against && t.for * BPS >= pass * (t.for + t.against)
        && (!p.track || Number(p.track.args.track) !== 2 || t.statesFor > t.statesAgainst);
      return passes ? "Succeeded" : "Defeated";
    }

    matches(e, where) {
      for (const clause of (where || "").split(";").filter(Boolean)) {
        const eq = clause.indexOf("=");
        const arg = clause.slice(0, eq), want = clause.slice(eq + 1).toLowerCase();
        if (String(e.args[arg]).toLowerCase() !== want) return false;
      }
      return true;
    }

    sum(eventName, arg, where) {
      return this.of(eventName).filter((e) => this.matches(e, where)).reduce((s, e) => s + BigInt(e.args[arg]), 0n);
    }
  }
  L.Model = Model;

  // --- checks ----------------------------------------------------------------------------

  /* A check's result: the value it derived and how that value is written. */
  const value = (v, show) => ({ value: v, show });

  function fieldValue(event, field, item) {
    let v;
    if (field === "@event") v = event.name;
    else if (field === "@block") v = event.block;
    else if (field === "@budgetShare") v = event.args.budget ? (event.args.amount * BPS) / event.args.budget : 0n;
    else {
      if (!(field in event.args)) throw new Error(event.name + " has no field " + field);
      v = event.args[field];
    }
    if (item !== undefined) {
      if (!Array.isArray(v) || Number(item) >= v.length) throw new Error(field + "[" + item + "] is not in the event");
      v = v[Number(item)];
    }
    return v;
  }

  /* Compare each [data-field] cell that belongs to `el` (not to a nested check) with `event`. */
  function checkFields(el, event, M, derived) {
    const cells = [el, ...el.querySelectorAll("[data-field]")].filter(
      (c) => c.dataset.field && (c === el || c.parentElement.closest("[data-check]") === el));
    for (const c of cells) {
      const f = c.dataset.field;
      const raw = derived && f in derived ? derived[f] : fieldValue(event, f, c.dataset.item);
      const show = SHOW[c.dataset.show || "text"];
      if (!show) throw new Error("unknown format " + c.dataset.show);
      const shown = show(raw, M);
      if (c.dataset.value !== undefined) {
        if (c.dataset.value !== String(raw)) throw new Error(f + " is " + raw + " in the event, the page says " + c.dataset.value);
      } else if (L.norm(c.textContent) !== shown) {
        throw new Error(f + " is “" + shown + "” in the event, the page shows “" + c.textContent + "”");
      }
    }
  }

  function eventAt(el, M) {
    const e = M.byIndex.get(Number(el.dataset.leaf));
    if (!e) throw new Error("event " + el.dataset.leaf + " is not among the verified events");
    return e;
  }

  function membersWhere(M, d) {
    let n = 0n;
    for (const m of M.members.values()) {
      if (d.status !== "any" && m.status !== (d.status || "Active")) continue;
      if (d.tier !== undefined && m.tier !== Number(d.tier)) continue;
      if (d.kind !== undefined && KINDS[m.kind] !== d.kind) continue;
      n += 1n;
    }
    return n;
  }

  const CHECKS = {
    event(el, M) {
      checkFields(el, eventAt(el, M), M);
    },
    leaf(el, M) {
      eventAt(el, M);
    },
    vote(el, M) {
      const e = eventAt(el, M);
      checkFields(el, e, M);
      const p = M.proposal(e.args.proposalId);
      if (!p.created) throw new Error("the vote's proposal is not among the verified events");
      const w = M.weightsAt(Number(p.created.args.voteStart)).of.get(e.args.voter.toLowerCase()) || 0n;
      if (w !== e.args.weight) throw new Error("counted with weight " + e.args.weight + ", the voter's weight at the snapshot is " + w);
    },
    payout(el, M) {
      const e = eventAt(el, M);
      checkFields(el, e, M);
      const id = e.args.roundId;
      const round = M.of(EVENTS.round).find((r) => r.args.roundId === id);
      if (!round) throw new Error("round " + id + " is not among the verified events");
      const payouts = M.of(EVENTS.payout).filter((p) => p.args.roundId === id);
      const amounts = L.allocate(payouts.map((p) => p.args.score), round.args.budget, BigInt(round.args.capBps), round.args.floor);
      const expected = amounts[payouts.indexOf(e)];
      if (expected !== e.args.amount) throw new Error("paid " + e.args.amount + ", formula v1 gives " + expected);
      if (e.args.budget !== round.args.budget) throw new Error("the payout's budget is not the round's");
    },
    member(el, M) {
      const m = M.members.get(el.dataset.account);
      if (!m) throw new Error("no verified admission of " + el.dataset.account);
      const w = M.weightsAt(M.needNow()).of.get(m.account) || 0n;
      checkFields(el, m.admitted, M, { name: m.name, identifier: m.identifier, kind: KINDS[m.kind], tier: M.tierName(m.tier),
                                       status: m.status, weight: w, admitted: m.admitted.block });
    },
    members: (el, M) => value(membersWhere(M, el.dataset), "int"),
    share(el, M) {
      const w = M.weightsAt(M.needNow());
      const part = el.dataset.kind === "Corporate" ? w.corporates : w.states;
      return value(w.total ? (part * BPS) / w.total : 0n, "pct");
    },
    cap: (el, M) => value(M.weightsAt(M.needNow()).cap, "pct"),
    bloc(el, M) {
      const w = M.weightsAt(M.needNow());
      return value({ State: w.states, Corporate: w.corporates }[el.dataset.kind] ?? w.total, "int");
    },
    tally: (el, M) => value(M.tally(M.proposal(el.dataset.proposal)).byIndex[Number(el.dataset.support)], "int"),
    ballots(el, M) {
      const votes = M.proposal(el.dataset.proposal).votes;
      const s = el.dataset.support;
      return value(BigInt(votes.filter((v) => s === undefined || Number(v.args.support) === Number(s)).length), "int");
    },
    states(el, M) {
      const t = M.tally(M.proposal(el.dataset.proposal));
      return value(Number(el.dataset.support) === 1 ? t.statesFor : t.statesAgainst, "int");
    },
    quorum: (el, M) => value(M.quorum(M.proposal(el.dataset.proposal)), "int"),
    state: (el, M) => value(M.state(M.proposal(el.dataset.proposal)), "text"),
    count(el, M) {
      const d = el.dataset;
      const n = M.of(d.event).filter((e) => (d.arg === undefined || String(e.args[d.arg]).toLowerCase() === d.equals)
        && M.matches(e, d.where)).length;
      return value(BigInt(n), "int");
    },
    // the pathway's measure of sharing: distinct requesters that confirmed a delivery from the offerer
    served(el, M) {
      const requesters = new Set(M.of("DeliveryConfirmed").filter((e) => M.matches(e, "offerer=" + el.dataset.offerer))
        .map((e) => String(e.args.requester).toLowerCase()));
      return value(BigInt(requesters.size), "int");
    },
    sum: (el, M) => value(M.sum(el.dataset.event, el.dataset.arg, el.dataset.where), el.dataset.show || "token"),
    fund(el, M) {
      const balance = M.sum(EVENTS.contributed, "amount") - M.sum(EVENTS.round, "paid")
        + M.sum(EVENTS.payout, "amount", "pushed=false") - M.sum(EVENTS.claimed, "amount");
      return value(balance, "token");
    },
    round(el, M) {
      const id = BigInt(el.dataset.round);
      const round = M.of(EVENTS.round).find((r) => r.args.roundId === id);
      const paid = M.of(EVENTS.payout).filter((p) => p.args.roundId === id).reduce((s, p) => s + p.args.amount, 0n);
      if (!round) throw new Error("round " + id + " is not among the verified events");
      if (round.args.paid !== paid) throw new Error("the round says it paid " + round.args.paid + ", its payouts add up to " + paid);
      return value(paid, "token");
    },
    note(el, M) {
      const cp = M.checkpoint;
      return { origin: value(cp.origin, "text"), size: value(BigInt(cp.size), "int"), root: value(T.hex(cp.root), "text") }[el.dataset.what];
    },
    now: (el, M) => value(M.needNow(), "plain"),
  };
  L.CHECKS = CHECKS;

  /* Run the check of one element: throws with the reason, or returns normally. */
  L.runCheck = function (el, M) {
    const fn = CHECKS[el.dataset.check];
    if (!fn) throw new Error("unknown check " + el.dataset.check);
    const result = fn(el, M);
    if (result === undefined) return;
    const shown = SHOW[result.show](result.value, M);
    if (el.dataset.value !== undefined && el.dataset.value !== String(result.value)) {
      throw new Error("re-counted " + result.value + ", the page says " + el.dataset.value);
    }
    if (L.norm(el.textContent) !== shown) throw new Error("re-counted “" + shown + "”, the page shows “" + el.textContent + "”");
  };

  global.WaicoLedger = L;
})(typeof window !== "undefined" ? window : globalThis);
