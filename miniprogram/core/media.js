/**
 * Image URLs from the API are "as the media storage gives them": a path on the API host by default
 * (/media/products/1.jpg), absolute when MEDIA_URL points at a CDN. <image src="/media/…"> would
 * look inside the mini-program package, so paths are made absolute against the API's origin.
 * Applied once to every answer in core/api.js, for the keys that hold pictures.
 */
'use strict'

const config = require('../config')
const client = require('./request')

const IMAGE_KEYS = { image: true, images: true, icon: true, avatar_url: true, main_image: true, cover: true }

function origin() {
  const m = /^(https?:\/\/[^/]+)/.exec(client.urlFor(''))
  return m ? m[1] : String(config.apiBase).replace(/^(https?:\/\/[^/]+).*$/, '$1')
}

/** "/media/a.jpg" → "http://127.0.0.1:8000/media/a.jpg"; absolute, wxfile:// and data: unchanged. */
function mediaUrl(value, base) {
  if (typeof value !== 'string' || !value) return value
  if (value.indexOf('//') === 0) return `https:${value}`
  if (value.charAt(0) === '/') return (base || origin()) + value
  return value
}

/** Rewrite picture fields anywhere in an answer (in place; returns it). */
function absolutize(data, base) {
  const root = base || origin()
  const walk = (node) => {
    if (Array.isArray(node)) {
      node.forEach(walk)
    } else if (node && typeof node === 'object') {
      Object.keys(node).forEach((key) => {
        const value = node[key]
        if (IMAGE_KEYS[key]) {
          if (typeof value === 'string') node[key] = mediaUrl(value, root)
          else if (Array.isArray(value)) node[key] = value.map((v) => (typeof v === 'string' ? mediaUrl(v, root) : (walk(v), v)))
          else walk(value)
        } else {
          walk(value)
        }
      })
    }
  }
  walk(data)
  return data
}

module.exports = { mediaUrl, absolutize, origin }
