/**
 * 点赞 / 收藏 on a post, the same on a feed card and on the post page: drawn at once (a heart that
 * waits for the network feels broken), then the server's count replaces ours; a refusal puts the
 * heart back and says why. One tap at a time per post and kind: a double tap can't send
 * like + unlike out of order.
 */
'use strict'

const community = require('../services/community')
const { countText, toggled } = require('./community')
const ui = require('./ui')

const KINDS = {
  like: { flag: 'liked', count: 'likeCount', text: 'likeText', answer: 'like_count', on: community.like, off: community.unlike },
  favourite: { flag: 'favourited', count: 'favouriteCount', text: 'favouriteText', answer: 'favourite_count', on: community.favourite, off: community.unfavourite },
}

/**
 * Flip `kind` on the item drawn at `path` of the page's data ("posts[3]", "post"); `zero` is the
 * word shown for a zero count ("赞", "点赞", "收藏"). Resolves to the new state (true = on).
 */
async function toggle(page, path, item, kind, zero) {
  const k = KINDS[kind]
  const busy = (page._reacting = page._reacting || {})
  const lock = `${kind}:${item.id}`
  if (!k || busy[lock]) return Promise.resolve(k ? item[k.flag] : false)
  busy[lock] = true
  // setData may write into the very object drawn: keep what it was before the tap
  const was = Math.max(0, Number(item[k.count]) || 0)
  const on = !item[k.flag]
  const count = Math.max(0, was + (on ? 1 : -1))
  page.setData({ [`${path}.${k.flag}`]: on, [`${path}.${k.count}`]: count, [`${path}.${k.text}`]: countText(count, zero) })
  try {
    const answer = await (on ? k.on(item.id) : k.off(item.id))
    const exact = toggled(was, on, answer, k.answer)
    if (exact !== count) page.setData({ [`${path}.${k.count}`]: exact, [`${path}.${k.text}`]: countText(exact, zero) })
    return on
  } catch (err) {
    page.setData({ [`${path}.${k.flag}`]: !on, [`${path}.${k.count}`]: was, [`${path}.${k.text}`]: countText(was, zero) })
    ui.toastError(err)
    return !on
  } finally {
    busy[lock] = false
  }
}

module.exports = { toggle }
