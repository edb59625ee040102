/**
 * 种草 community answers (F23) shaped like the API (marketing/api/community.py), for the page
 * tests; each is checked against the OpenAPI document when the fake server gives it.
 */
'use strict'

function post(overrides = {}) {
  return Object.assign(
    {
      id: 41,
      text: '洗完脸不紧绷，泡沫很细腻，敏感肌也能用。',
      status: 'published',
      status_label: '已发布',
      reject_reason: '',
      is_featured: false,
      is_mine: false,
      media: [
        { id: 1, kind: 'image', url: '/media/community/a.jpg' },
        { id: 2, kind: 'image', url: '/media/community/b.jpg' },
      ],
      author: { nickname: '小多', avatar_url: '' },
      topics: [{ id: 3, slug: 'skincare', name: '护肤心得' }],
      products: [{ id: 7, title: '氨基酸洁面乳', image: '/media/products/7.jpg', purchased: true }],
      like_count: 12,
      comment_count: 2,
      favourite_count: 5,
      liked: false,
      favourited: false,
      published_at: '2026-03-10T09:40:00+08:00',
      created_at: '2026-03-10T09:30:00+08:00',
    },
    overrides,
  )
}

function page(results, nextCursor) {
  return { results, next_cursor: nextCursor || null }
}

/** A video post: one media row of kind video. */
function videoPost(overrides = {}) {
  return post(Object.assign({ media: [{ id: 9, kind: 'video', url: '/media/community/v.mp4' }] }, overrides))
}

function comment(overrides = {}) {
  return Object.assign(
    { id: 301, text: '求链接！', status: 'published', status_label: '已发布', is_mine: false, author: { nickname: '路人甲', avatar_url: '' }, created_at: '2026-03-10T10:00:00+08:00' },
    overrides,
  )
}

const TOPICS = [
  { id: 3, slug: 'skincare', name: '护肤心得' },
  { id: 4, slug: 'travel', name: '出差好物' },
]

module.exports = { post, videoPost, comment, page, TOPICS }

/** The post-card components a page draws (their insides are their own shadow trees). */
function cards(comp) {
  return comp.querySelectorAll('.post-card-host')
}

/** Text of `selector` inside each card (null where a card has none). */
function cardTexts(comp, selector) {
  return cards(comp).map((c) => {
    const node = c.querySelector(selector)
    return node ? node.dom.textContent.replace(/\s+/g, ' ').trim() : null
  })
}

/** Tap `selector` inside card `index`. */
function tapCard(comp, index, selector) {
  cards(comp)[index].querySelector(selector).dispatchEvent('tap')
}

module.exports.cards = cards
module.exports.cardTexts = cardTexts
module.exports.tapCard = tapCard
