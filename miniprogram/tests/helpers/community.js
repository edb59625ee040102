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
      images: [
        { id: 1, url: '/media/community/a.jpg' },
        { id: 2, url: '/media/community/b.jpg' },
      ],
      video: null,
      author: { nickname: '小多', avatar_url: '' },
      topics: [{ id: 3, slug: 'skincare', name: '护肤心得' }],
      products: [{ id: 7, title: '氨基酸洁面乳', image: '/media/products/7.jpg', purchased: true }],
      like_count: 12,
      comment_count: 2,
      favourite_count: 5,
      liked: false,
      favourited: false,
      featured: false,
      created_at: '2026-03-10T09:30:00+08:00',
    },
    overrides,
  )
}

function page(results, nextCursor) {
  return { results, next_cursor: nextCursor || null }
}

const TOPICS = [
  { id: 3, slug: 'skincare', name: '护肤心得' },
  { id: 4, slug: 'travel', name: '出差好物' },
]

module.exports = { post, page, TOPICS }

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
