/**
 * The 种草 community's API (F23, /api/v1/community/…): the feed (推荐 / 最新, by topic or product),
 * a post with its comments, likes, favourites and reports, the shopper's own posts, topics, the
 * products they may post about, media upload and the new post. Picture paths come absolute
 * (core/media.js) for the fields it knows; media rows carry `url`, made absolute here too.
 */
'use strict'

const client = require('../core/request')
const { absolutize, mediaUrl } = require('../core/media')
const { uploadFile } = require('../core/upload')

function enc(value) {
  return encodeURIComponent(String(value))
}

/** Absolute pictures everywhere, including media rows' `url` (a picture or a video). */
function pictures(data) {
  absolutize(data)
  const walk = (node) => {
    if (Array.isArray(node)) node.forEach(walk)
    else if (node && typeof node === 'object') {
      if (typeof node.url === 'string') node.url = mediaUrl(node.url)
      Object.keys(node).forEach((k) => walk(node[k]))
    }
  }
  walk(data)
  return data
}

const get = (path, query) => client.get(path, query).then(pictures)
const post = (path, data, opts) => client.post(path, data, opts).then(pictures)
const del = (path) => client.del(path)

/** Only the filters that are set (the API reads an empty `topic=` as a topic called ""). */
function clean(query) {
  const out = {}
  Object.keys(query || {}).forEach((k) => {
    if (query[k] !== undefined && query[k] !== null && query[k] !== '') out[k] = query[k]
  })
  return out
}

module.exports = {
  // {results, next_cursor} (keyset: pass next_cursor back as cursor); sort recommended | recent,
  // topic (slug), product_id, limit
  feed: (query) => get('community/feed', clean(query)),
  topics: () => get('community/topics'),
  post: (id) => get(`community/posts/${enc(id)}`),
  // text, media_ids, product_ids, topic_ids → the post, pending review (never retried blindly)
  createPost: (body) => post('community/posts', body),
  deletePost: (id) => del(`community/posts/${enc(id)}`),
  like: (id) => post(`community/posts/${enc(id)}/like`, {}),
  unlike: (id) => client.del(`community/posts/${enc(id)}/like`).then(pictures),
  favourite: (id) => post(`community/posts/${enc(id)}/favourite`, {}),
  unfavourite: (id) => client.del(`community/posts/${enc(id)}/favourite`).then(pictures),
  // page-numbered {count, next, results}, oldest first, my own pending ones included
  comments: (id, query) => get(`community/posts/${enc(id)}/comments`, clean(query)),
  comment: (id, text) => post(`community/posts/${enc(id)}/comments`, { text }),
  report: (id, reason, text) => post(`community/posts/${enc(id)}/report`, { reason, text: text || '' }),
  mine: (query) => get('community/mine', clean(query)),
  invitable: () => get('community/invitable'),
  /** One picture or video → {id, url, …}; onProgress follows the upload (core/upload.js). */
  uploadMedia: (filePath, opts = {}) => uploadFile('community/media', filePath, { onProgress: opts.onProgress }).then(pictures),
}
