/**
 * Infinite paging for a list page, one behaviour for every community list (feed, my posts,
 * comments): the first page replaces the list, later pages append by index (the rows already drawn
 * are not sent again), a second "more" while one is in flight is ignored, and an answer for a list
 * that was reloaded in the meantime (a tab or topic changed) is dropped.
 *
 * The API pages by cursor (`next_cursor`, or a `cursor=` inside the `next` link) or by page number
 * (`next` present → page + 1); the pager hands whichever it has to `fetch`.
 */
'use strict'

/** The cursor a paged answer offers for the next page, else null. */
function cursorOf(res) {
  if (!res) return null
  if (res.next_cursor) return String(res.next_cursor)
  const m = typeof res.next === 'string' ? /[?&]cursor=([^&]+)/.exec(res.next) : null
  return m ? decodeURIComponent(m[1]) : null
}

/**
 * create(page, {key, fetch({page, cursor}) → answer, view(row) → row}) → {reload(), more()}.
 * The page's data gets `[key]` (rows), `[key + 'Loading']`, `[key + 'More']` (has more) and
 * `[key + 'Error']`.
 */
function create(page, { key, fetch, view = (row) => row }) {
  let seq = 0
  let next = null // {page, cursor} of the next page, null at the end
  const names = { loading: `${key}Loading`, more: `${key}More`, error: `${key}Error` }

  async function load(params, replace) {
    const mine = ++seq
    page.setData({ [names.loading]: true, [names.error]: '' })
    try {
      const res = (await fetch(params)) || {}
      if (mine !== seq) return false
      const rows = (Array.isArray(res) ? res : res.results || []).map(view)
      const cursor = cursorOf(res)
      next = cursor || (res.next && !Array.isArray(res)) ? { page: params.page + 1, cursor } : null
      const payload = { [names.loading]: false, [names.more]: !!next }
      if (replace) payload[key] = rows
      else {
        const offset = page.data[key].length
        rows.forEach((row, i) => (payload[`${key}[${offset + i}]`] = row))
      }
      page.setData(payload)
      return true
    } catch (err) {
      if (mine !== seq) return false
      page.setData({ [names.loading]: false, [names.error]: err.message || '加载失败，请稍后重试' })
      return false
    }
  }

  return {
    /** The first page again (pull-down, a new tab or filter). */
    reload() {
      next = null
      page.setData({ [key]: [], [names.more]: true })
      return load({ page: 1, cursor: null }, true)
    },
    /** The next page, when there is one and nothing is loading. */
    more() {
      if (!next || page.data[names.loading]) return Promise.resolve(false)
      return load(next, false)
    },
  }
}

module.exports = { create, cursorOf }
