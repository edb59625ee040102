/**
 * A deal's progress bar with its sentence (F47): "已抢 62%", "还差 2 人成团", "再砍 ¥5.00 即可免费拿",
 * "再邀请 2 位好友得…"
 * (core/progress.js). `kind` + the numbers the server sent; `compact` draws the thin bar of a
 * list row. Recomputed only when its inputs change, one setData of three fields.
 */
'use strict'

const { progressView } = require('../../core/progress')

Component({
  options: { addGlobalClass: true },
  properties: {
    kind: { type: String, value: '' },
    // flash: sold + total (or percent); group: joined + size (or missing); bargain: original + current + floor (or remaining)
    sold: { type: null, value: null },
    total: { type: null, value: null },
    percent: { type: null, value: null },
    joined: { type: null, value: null },
    size: { type: null, value: null },
    missing: { type: null, value: null },
    original: { type: null, value: null },
    current: { type: null, value: null },
    floor: { type: null, value: null },
    remaining: { type: null, value: null },
    // invite: progress + threshold (+ remaining, reward wording, limitReached)
    progress: { type: null, value: null },
    threshold: { type: null, value: null },
    reward: { type: String, value: '' },
    limitReached: { type: Boolean, value: false },
    compact: { type: Boolean, value: false },
  },
  data: { text: '', width: 0, done: false },
  observers: {
    'kind, sold, total, percent, joined, size, missing, original, current, floor, remaining, progress, threshold, reward, limitReached'() {
      const d = this.data
      const view = progressView(d.kind, Object.assign({}, d, { limit_reached: d.limitReached }))
      if (view.text !== d.text || view.percent !== d.width || view.done !== d.done) {
        this.setData({ text: view.text, width: view.percent, done: view.done })
      }
    },
  },
})
