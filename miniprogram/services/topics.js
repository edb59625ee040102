/**
 * Topic pages (F25): the shop's 专题 list and one topic. A topic is a campaign page (GET
 * pages/{slug}, every block resolved, the guide block's product cards included); opening one
 * remembers `src=topic:<page id>` so an order placed afterwards is attributed to the topic (the
 * latest remembered source wins, kept for share.SRC_DAYS, as a push's or a share's is).
 */
'use strict'

const api = require('../core/api')
const routes = require('../core/routes')
const share = require('../core/share')

/** The listed topics' cards, in the merchant's order. */
async function list() {
  const answer = await api.topics()
  return answer.results || []
}

/** One topic page by its address; remembers it as the source of the next order. */
async function open(slug) {
  const page = await api.page(slug)
  if (page && page.id) share.rememberSrc({ src: `topic:${page.id}` })
  return page
}

/**
 * The funnel's attribution for a cart add or a checkout that follows a topic: while the
 * remembered source is `topic:<page id>` (the same rule that attributes the order), the events
 * carry tool=topic and the page id, so the topic's 加购 and 结算 steps count like its views.
 */
function funnelProps(now) {
  const match = /^topic:(\d+)$/.exec(share.currentSrc(now))
  return match ? { tool: 'topic', campaign_id: Number(match[1]) } : {}
}

function pagePath(slug) {
  return routes.withQuery(routes.PAGES.topic, { slug })
}

module.exports = { list, open, pagePath, funnelProps }
