/**
 * The marketing centre (F46): one home-page entry listing what is 正在进行 and 即将开始. The
 * home payload carries it as `marketing_center` (HomeScreen), either
 * split ({ongoing: […], upcoming: […]}) or as one list; every entry has start_at/end_at, so the
 * split is recomputed on server time here and an entry moves from 即将开始 to 正在进行 (or
 * disappears when it ends) without reloading. Absent or empty → null, and nothing is drawn.
 */
'use strict'

const countdown = require('./countdown')

function centreFrom(home) {
  if (!home) return null
  return home.marketing_center || null
}

function entries(centre) {
  if (!centre) return []
  if (Array.isArray(centre)) return centre
  const all = []
  ;['ongoing', 'running', 'upcoming', 'items', 'entries'].forEach((key) => {
    if (Array.isArray(centre[key])) all.push.apply(all, centre[key])
  })
  return all
}

/** {ongoing, upcoming, total} at server time `at`, or null when there is nothing to show. */
function splitCentre(centre, at) {
  const t = at === undefined ? countdown.now() : at
  const seen = {}
  const ongoing = []
  const upcoming = []
  entries(centre).forEach((item, i) => {
    if (!item) return
    const key = `${item.type || 'activity'}-${item.id !== undefined ? item.id : i}`
    if (seen[key]) return
    seen[key] = true
    const slot = countdown.slotState(item.start_at, item.end_at, t)
    const view = Object.assign({}, item, { key, state: slot.state, stateLabel: slot.label, target: slot.target })
    if (slot.state === 'running') ongoing.push(view)
    else if (slot.state === 'upcoming') upcoming.push(view)
  })
  const byTarget = (a, b) => (a.target === null ? Infinity : a.target) - (b.target === null ? Infinity : b.target)
  ongoing.sort(byTarget)
  upcoming.sort(byTarget)
  if (!ongoing.length && !upcoming.length) return null
  return { ongoing, upcoming, total: ongoing.length + upcoming.length }
}

module.exports = { centreFrom, entries, splitCentre }
