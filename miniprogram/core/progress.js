/**
 * Progress of a deal (F47), one wording for every page that shows it:
 *   flash   {sold, total} or {percent}       → "已抢 62%" (bar 62), "已抢光" at 100
 *   group   {joined, size}                   → "还差 2 人成团" (bar joined / size)
 *   bargain {original, current, floor}       → "再砍 ¥5.00 即可免费拿" / "… 即可到底价"
 *   invite  {progress, threshold, remaining} → "再邀请 2 位好友得奖励" (bar progress / threshold)
 * Numbers come from the server (counts, fen); the client only divides, floors and caps, so a
 * bar never shows 100 % before the last unit is gone.
 */
'use strict'

const { groupProgressText, bargainProgressText } = require('./pricing')

function clampPercent(n) {
  if (!Number.isFinite(n)) return 0
  return Math.max(0, Math.min(100, n))
}

/** floor(part / whole × 100), at least 1 when part > 0 (some is gone), 100 only when all is. */
function ratioPercent(part, whole) {
  const p = Math.max(0, Number(part) || 0)
  const w = Math.max(0, Number(whole) || 0)
  if (!w) return 0
  if (p >= w) return 100
  return clampPercent(Math.max(p > 0 ? 1 : 0, Math.min(99, Math.floor((p * 100) / w))))
}

function flashView(d) {
  const percent = d.percent !== undefined && d.percent !== null ? clampPercent(Math.floor(Number(d.percent))) : ratioPercent(d.sold, d.total)
  return { text: percent >= 100 ? '已抢光' : `已抢 ${percent}%`, percent, done: percent >= 100 }
}

function groupView(d) {
  const size = Math.max(0, Number(d.size) || 0)
  const joined = Math.max(0, Number(d.joined) || 0)
  const missing = d.missing !== undefined && d.missing !== null ? Number(d.missing) : Math.max(0, size - joined)
  return { text: groupProgressText(missing), percent: ratioPercent(joined, size), done: missing <= 0 }
}

function bargainView(d) {
  const original = Number(d.original) || 0
  const current = Math.max(0, Number(d.current) || 0)
  const floor = Math.max(0, Number(d.floor) || 0)
  const remaining = d.remaining !== undefined && d.remaining !== null ? Math.max(0, Number(d.remaining)) : Math.max(0, current - floor)
  const span = Math.max(0, original - floor)
  return { text: bargainProgressText(remaining, floor), percent: ratioPercent(span - remaining, span), done: remaining === 0 }
}

function inviteView(d) {
  const threshold = Math.max(0, Number(d.threshold) || 0)
  const progress = Math.max(0, Number(d.progress) || 0)
  if (d.limit_reached || d.limitReached) return { text: '奖励已领满', percent: 100, done: true }
  const remaining = d.remaining !== undefined && d.remaining !== null ? Math.max(0, Number(d.remaining)) : Math.max(0, threshold - progress)
  const reward = d.reward ? String(d.reward) : '奖励'
  return { text: remaining > 0 ? `再邀请 ${remaining} 位好友得${reward}` : `已得${reward}`, percent: ratioPercent(progress, threshold), done: remaining === 0 }
}

const VIEWS = { flash: flashView, group: groupView, bargain: bargainView, invite: inviteView }

/** {text, percent, done} for a deal's progress; unknown kinds give an empty text. */
function progressView(kind, data) {
  const view = VIEWS[kind]
  return view ? view(data || {}) : { text: '', percent: 0, done: false }
}

module.exports = { progressView, ratioPercent }
