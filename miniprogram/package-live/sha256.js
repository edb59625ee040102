/**
 * SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104) over UTF-8 text, hex out. The mini-program has
 * no WebCrypto, and the 评论抽奖 draw (F24) is meant to be checked by the shopper's own phone:
 * sha256(revealed seed) must equal the hash published when the lottery opened, and the winners
 * are the entries ordered by HMAC-SHA256(seed, entry id). Small inputs only (a seed, an id).
 */
'use strict'

const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]

/** UTF-8 bytes of a string (WeChat's JS engine has no TextEncoder everywhere). */
function utf8(text) {
  const out = []
  const s = String(text)
  for (let i = 0; i < s.length; i += 1) {
    let c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const low = s.charCodeAt(i + 1)
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00)
        i += 1
      }
    }
    if (c < 0x80) out.push(c)
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63))
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63))
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63))
  }
  return out
}

function rotr(x, n) {
  return (x >>> n) | (x << (32 - n))
}

/** SHA-256 of a byte array → 32 bytes. */
function digest(bytes) {
  const h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
  const bitLength = bytes.length * 8
  const data = bytes.slice()
  data.push(0x80)
  while (data.length % 64 !== 56) data.push(0)
  const high = Math.floor(bitLength / 0x100000000)
  for (let s = 24; s >= 0; s -= 8) data.push((high >>> s) & 0xff)
  for (let s = 24; s >= 0; s -= 8) data.push((bitLength >>> s) & 0xff)
  const w = new Array(64)
  for (let offset = 0; offset < data.length; offset += 64) {
    for (let t = 0; t < 16; t += 1) {
      const i = offset + t * 4
      w[t] = ((data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3]) >>> 0
    }
    for (let t = 16; t < 64; t += 1) {
      const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3)
      const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10)
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) >>> 0
    }
    let [a, b, c, d, e, f, g, k] = h
    for (let t = 0; t < 64; t += 1) {
      const t1 = (k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]) >>> 0
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0
      k = g
      g = f
      f = e
      e = (d + t1) >>> 0
      d = c
      c = b
      b = a
      a = (t1 + t2) >>> 0
    }
    ;[a, b, c, d, e, f, g, k].forEach((v, i) => (h[i] = (h[i] + v) >>> 0))
  }
  const out = []
  h.forEach((v) => out.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff))
  return out
}

function hex(bytes) {
  return bytes.map((b) => (b < 16 ? '0' : '') + b.toString(16)).join('')
}

/** sha256("abc") → "ba7816bf…" */
function sha256(text) {
  return hex(digest(utf8(text)))
}

/** HMAC-SHA256 with a text key over a text message → hex. */
function hmacSha256(key, message) {
  let k = utf8(key)
  if (k.length > 64) k = digest(k)
  while (k.length < 64) k.push(0)
  const inner = digest(k.map((b) => b ^ 0x36).concat(utf8(message)))
  return hex(digest(k.map((b) => b ^ 0x5c).concat(inner)))
}

module.exports = { sha256, hmacSha256, utf8 }
