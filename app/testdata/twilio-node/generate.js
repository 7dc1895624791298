#!/usr/bin/env node
// Generates the cases of app/twilio_diff_test.go: requests signed by
// Twilio's official Node.js helper library (npm package "twilio", pinned in
// package.json), as JSON on stdout.
//
//   node generate.js [--seed N] [--count N] [--token T]
//
// The output is deterministic for a given seed and library version. Every
// signature comes from the library's own functions
// (getExpectedTwilioSignature, getExpectedBodyHash), and every case records
// whether the library's validators (validateRequest, validateRequestWithBody)
// accept it for the URL the server receives.
//
// Case classes:
//   agree      the library and Gatehouse must agree: the signed URL is the
//              requested URL, byte for byte.
//   variant    Twilio signed a variant of the requested URL that every
//              verifier must accept: the default port added or removed, or
//              a URL without a path ("https://host", requested as "/").
//   divergence a documented disagreement, asserted by the Go test:
//              "reencoded"   the library also accepts a signature over the
//                            URL as new URL() rewrites it (host lowercased,
//                            ' and other characters percent-encoded);
//                            Gatehouse signs and checks the URL as requested.
//              "utf16-order" the library sorts parameter names by UTF-16
//                            code units, Gatehouse (DESIGN.md) by bytes; the
//                            orders differ only when names mix characters
//                            above U+FFFF with U+E000..U+FFFF.
"use strict";

const webhooks = require("twilio/lib/webhooks/webhooks");

function parseArgs(argv) {
  const opts = { seed: 20261128, count: 2400, token: "differential-test-token" };
  for (let i = 2; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, "");
    if (!(name in opts) || i + 1 >= argv.length) {
      throw new Error(`usage: node generate.js [--seed N] [--count N] [--token T]`);
    }
    opts[name] = name === "token" ? argv[i + 1] : Number(argv[i + 1]);
  }
  return opts;
}

// A small deterministic PRNG (xorshift32), so that the cases do not depend
// on Math.random or on the Node version.
function prng(seed) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const r = {
    int: (n) => next() % n,
    chance: (p) => next() / 4294967296 < p,
    pick: (list) => list[next() % list.length],
  };
  r.string = (alphabet, min, max) => {
    let s = "";
    const n = min + r.int(max - min + 1);
    for (let i = 0; i < n; i++) s += r.pick(alphabet);
    return s;
  };
  return r;
}

const LETTERS = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"];
const DIGITS = [..."0123456789"];
const UNRESERVED = [...LETTERS, ...DIGITS, "-", ".", "_", "~"];
// Non-ASCII characters below U+E000 (see "utf16-order"), including one
// above U+FFFF.
const NON_ASCII = ["é", "ü", "ß", "ñ", "Ω", "中", "文", "日", "😀", "€"];
// What may stand raw in a query or a path besides unreserved characters.
const QUERY_EXTRA = ["+", "'", ":", "@", "%20", "%2B", "%27", "%3A", "%40", "%C3%A9", "!", "*", "(", ")", ",", ";", "$", "/", "?"];
const PATH_EXTRA = ["'", ":", "@", "+", "%20", "%C3%A9", "!", "*", ",", ";", "=", "$"];

const TWILIO_NAMES = [
  "AccountSid", "ApiVersion", "CallSid", "CallStatus", "Called", "CalledCity", "CalledCountry",
  "CalledState", "CalledZip", "Caller", "CallerCity", "CallerCountry", "CallerName", "CallerState",
  "CallerZip", "Digits", "Direction", "ForwardedFrom", "From", "FromCity", "FromCountry", "FromState",
  "FromZip", "SpeechResult", "Confidence", "To", "ToCity", "ToCountry", "ToState", "ToZip",
  "RecordingUrl", "Sid", "SidAccount", "Reason", "ReasonConferenceEnded", "msg",
];

function host(r) {
  switch (r.int(10)) {
    case 0:
      return `${1 + r.int(254)}.${r.int(256)}.${r.int(256)}.${1 + r.int(254)}`;
    case 1:
      return r.pick(["[::1]", "[2001:db8::1]", "[2001:DB8:0:0:8:800:200C:417A]"]);
    case 2:
      return "localhost";
    default: {
      const labels = [];
      const n = 1 + r.int(3);
      for (let i = 0; i < n; i++) labels.push(r.string([...LETTERS, ...DIGITS], 1, 10));
      labels.push(r.pick(["com", "io", "example", "COM", "co.uk"]));
      let h = labels.join(".");
      if (r.chance(0.7)) h = h.toLowerCase(); // else mixed case: signed as written
      return h;
    }
  }
}

function userinfo(r) {
  if (!r.chance(0.15)) return "";
  const user = r.string(UNRESERVED, 1, 8);
  return r.chance(0.2) ? `${user}@` : `${user}:${r.string([...UNRESERVED, "%21", "%40"], 1, 12)}@`;
}

function port(r, scheme) {
  switch (r.int(10)) {
    case 0:
    case 1:
      return scheme === "https" ? ":443" : ":80";
    case 2:
    case 3:
    case 4:
      return ":" + r.pick(["8080", "8443", "3000", "5000", "1", "65535"]);
    default:
      return "";
  }
}

function path(r) {
  if (r.chance(0.1)) return "/";
  let p = "";
  const n = 1 + r.int(3);
  for (let i = 0; i < n; i++) {
    let seg = r.string(UNRESERVED, 1, 8);
    if (r.chance(0.3)) seg += r.pick(PATH_EXTRA) + r.string(UNRESERVED, 0, 4);
    if (r.chance(0.1)) seg += r.pick(NON_ASCII);
    p += "/" + seg;
  }
  if (r.chance(0.2)) p += r.pick([".php", ".xml", "/"]);
  return p;
}

// queryPart returns a raw query component: unreserved characters mixed with
// + ' % : @ and non-ASCII, as they may appear in a configured webhook URL.
function queryPart(r, min, max) {
  let s = "";
  const n = min + r.int(max - min + 1);
  for (let i = 0; i < n; i++) {
    const k = r.int(10);
    s += k < 6 ? r.pick(UNRESERVED) : k < 9 ? r.pick(QUERY_EXTRA) : r.pick(NON_ASCII);
  }
  return s;
}

function query(r) {
  if (r.chance(0.35)) return "";
  if (r.chance(0.05)) return "?"; // a trailing '?' is signed too
  const pairs = [];
  const n = 1 + r.int(4);
  for (let i = 0; i < n; i++) {
    const name = r.chance(0.5) ? r.pick(TWILIO_NAMES) : queryPart(r, 1, 6).replace(/[=&]/g, "x");
    if (r.chance(0.1)) pairs.push(name); // a bare name
    else pairs.push(`${name}=${r.chance(0.15) ? "" : queryPart(r, 1, 12)}`);
  }
  if (r.chance(0.2)) pairs.push(pairs[0]); // a repeated pair
  return "?" + pairs.join("&");
}

// paramName returns a form parameter name: a Twilio name or a random one
// (never empty, without '=' which the CLI's name=value cannot carry).
function paramName(r) {
  if (r.chance(0.6)) return r.pick(TWILIO_NAMES);
  let s = "";
  const n = 1 + r.int(8);
  for (let i = 0; i < n; i++) {
    const k = r.int(10);
    s += k < 6 ? r.pick(UNRESERVED) : k < 8 ? r.pick([" ", "+", "%", "&", "'", ":", "@", "/", "?"]) : r.pick(NON_ASCII);
  }
  return s;
}

function paramValue(r) {
  switch (r.int(8)) {
    case 0:
      return "";
    case 1:
      return "+1" + r.string(DIGITS, 10, 10);
    case 2:
      return "CA" + r.string([..."0123456789abcdef"], 32, 32);
    default: {
      let s = "";
      const n = 1 + r.int(16);
      for (let i = 0; i < n; i++) {
        const k = r.int(10);
        s += k < 5 ? r.pick(UNRESERVED) : k < 8 ? r.pick([" ", "+", "%", "&", "=", "'", ":", "@", "%41", "\n"]) : r.pick(NON_ASCII);
      }
      return s;
    }
  }
}

// params returns an ordered list of [name, value] pairs, with repeated
// names (same or different values) and empty values.
function params(r) {
  const list = [];
  const n = r.int(12);
  for (let i = 0; i < n; i++) {
    if (list.length > 0 && r.chance(0.2)) {
      const [name, value] = r.pick(list);
      list.push([name, r.chance(0.3) ? value : paramValue(r)]);
    } else {
      list.push([paramName(r), paramValue(r)]);
    }
  }
  return list;
}

// The library's parameter object: a repeated name maps to an array.
function paramObject(list) {
  const obj = {};
  for (const [name, value] of list) {
    if (!Object.prototype.hasOwnProperty.call(obj, name)) obj[name] = value;
    else if (Array.isArray(obj[name])) obj[name].push(value);
    else obj[name] = [obj[name], value];
  }
  return obj;
}

function jsonBody(r) {
  const obj = {};
  const n = r.int(6);
  for (let i = 0; i < n; i++) {
    obj[r.pick(TWILIO_NAMES)] = r.chance(0.3) ? r.int(1000) : r.chance(0.2) ? r.chance(0.5) : paramValue(r);
  }
  return r.chance(0.3) ? JSON.stringify(obj, null, 2) : JSON.stringify(obj);
}

// appendQuery appends a query parameter as Twilio adds bodySHA256: after
// '?' if the URL has no query, else after '&'.
function appendQuery(url, q) {
  const start = url.indexOf("?");
  if (start === -1) return url + "?" + q;
  if (start === url.length - 1 || url.endsWith("&")) return url + q;
  return url + "&" + q;
}

function defaultPort(scheme) {
  return scheme === "https" ? ":443" : ":80";
}

// request returns one request as Twilio would send it: c.url is the URL
// the server receives; for JSON, c.baseUrl is that URL before bodySHA256.
// parts are kept so that variants can be built from them.
function request(r, kind, opts = {}) {
  const scheme = r.chance(0.7) ? "https" : "http";
  const parts = {
    scheme,
    userinfo: userinfo(r),
    host: host(r),
    port: opts.port !== undefined ? opts.port(scheme) : port(r, scheme),
    path: opts.path !== undefined ? opts.path : path(r),
    query: query(r),
  };
  const c = { kind, params: [], body: "" };
  c.url = `${parts.scheme}://${parts.userinfo}${parts.host}${parts.port}${parts.path}${parts.query}`;
  if (kind === "form") c.params = params(r);
  if (kind === "json") {
    c.body = jsonBody(r);
    c.baseUrl = c.url;
    c.url = appendQuery(c.url, "bodySHA256=" + webhooks.getExpectedBodyHash(c.body));
  }
  return { c, parts };
}

function sign(token, url, c) {
  return webhooks.getExpectedTwilioSignature(token, url, paramObject(c.params));
}

// libValid reports whether the library's validator accepts signature for a
// request to c.url.
function libValid(token, c, signature) {
  if (c.kind === "json") {
    return webhooks.validateRequestWithBody(token, signature, c.url, c.body);
  }
  return webhooks.validateRequest(token, signature, c.url, paramObject(c.params));
}

const KINDS = ["get", "form", "json"];

function agree(r, token, i) {
  const { c } = request(r, KINDS[i % 3]);
  c.class = "agree";
  c.signedUrl = c.url;
  if (c.kind === "json") c.signedBaseUrl = c.baseUrl;
  c.signature = sign(token, c.url, c);
  c.libValid = libValid(token, c, c.signature);
  return c;
}

// variant: Twilio signed the URL with the default port while the server is
// configured (and requested) without it, or the other way round, or the
// webhook URL has no path.
function variant(r, token, i) {
  const kind = KINDS[i % 3];
  const which = r.pick(["port-added", "port-removed", "root-slash"]);
  let c;
  if (which === "root-slash") {
    ({ c } = request(r, kind, { path: "" }));
    c.signedUrl = c.url;
    if (kind === "json") c.signedBaseUrl = c.baseUrl;
  } else {
    let parts;
    ({ c, parts } = request(r, kind, { port: which === "port-added" ? () => "" : defaultPort }));
    const withPort = parts.port === "" ? defaultPort(parts.scheme) : "";
    const authority = `${parts.scheme}://${parts.userinfo}${parts.host}`;
    const swap = (url) => authority + withPort + url.slice(authority.length + parts.port.length);
    c.signedUrl = swap(c.url);
    if (kind === "json") c.signedBaseUrl = swap(c.baseUrl);
  }
  c.class = "variant";
  c.note = which;
  c.signature = sign(token, c.signedUrl, c);
  c.libValid = libValid(token, c, c.signature);
  return c;
}

// reencoded: a signature over the URL as new URL() rewrites it, which the
// library accepts as a fallback and Gatehouse, by design, does not.
function reencoded(r, token, i) {
  for (;;) {
    // No default port and a path: the port and root-slash variants, which
    // Gatehouse accepts, are not at stake here.
    const { c } = request(r, KINDS[i % 3], { port: () => r.pick(["", ":8080"]) });
    let normalized;
    try {
      normalized = new URL(c.url).toString();
    } catch {
      continue;
    }
    if (normalized === c.url) continue;
    c.class = "divergence";
    c.note = "reencoded";
    c.signedUrl = normalized;
    c.signature = sign(token, normalized, c);
    c.libValid = libValid(token, c, c.signature);
    return c;
  }
}

// utf16Order: two names whose UTF-16 order differs from their byte order.
function utf16Order(r, token) {
  const { c } = request(r, "form");
  c.params = [
    ["\u{1F600}" + r.string(LETTERS, 0, 3), paramValue(r)],
    ["\uFF21" + r.string(LETTERS, 0, 3), paramValue(r)],
    [r.pick(TWILIO_NAMES), paramValue(r)],
  ];
  c.class = "divergence";
  c.note = "utf16-order";
  c.signedUrl = c.url;
  c.signature = sign(token, c.url, c);
  c.libValid = libValid(token, c, c.signature);
  return c;
}

function main() {
  const opts = parseArgs(process.argv);
  const r = prng(opts.seed);
  const cases = [];
  for (let i = 0; i < opts.count; i++) cases.push(agree(r, opts.token, i));
  const extra = Math.max(30, Math.floor(opts.count / 16));
  for (let i = 0; i < extra; i++) cases.push(variant(r, opts.token, i));
  for (let i = 0; i < extra / 2; i++) cases.push(reencoded(r, opts.token, i));
  for (let i = 0; i < 12; i++) cases.push(utf16Order(r, opts.token));
  const version = require("twilio/package.json").version;
  process.stdout.write(JSON.stringify({ library: `twilio@${version}`, seed: opts.seed, token: opts.token, cases }));
}

main();
