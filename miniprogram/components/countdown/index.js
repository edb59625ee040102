/**
 * A live countdown to `target` (ISO string or ms) on server time (core/countdown.js). Only the
 * text changes each second (one small setData), and the timer stops when the component leaves
 * the screen or reaches zero, when it fires `end`.
 */
'use strict'

const countdown = require('../../core/countdown')

Component({
  options: { addGlobalClass: true },
  properties: {
    target: { type: null, value: null },
    prefix: { type: String, value: '' },
    suffix: { type: String, value: '' },
    endedText: { type: String, value: '已结束' },
  },
  data: { text: '', ended: false },
  observers: {
    target() {
      this.restart()
    },
  },
  lifetimes: {
    attached() {
      this.restart()
    },
    detached() {
      this.stop()
    },
  },
  pageLifetimes: {
    show() {
      if (this._wasRunning) this.restart()
    },
    hide() {
      this._wasRunning = !!this._stop
      this.stop()
    },
  },
  methods: {
    stop() {
      if (this._stop) this._stop()
      this._stop = null
    },
    restart() {
      this.stop()
      const target = this.data.target
      if (target === null || target === undefined || target === '') {
        if (this.data.text) this.setData({ text: '' })
        return
      }
      let endedNow = false
      this._stop = countdown.startTicker({
        target,
        onTick: (parts) => {
          if (parts.text !== this.data.text) this.setData({ text: parts.text, ended: false })
        },
        onEnd: () => {
          endedNow = true
          this._stop = null
          this.setData({ ended: true })
          this.triggerEvent('end')
        },
      })
      if (endedNow) this._stop = null
    },
  },
})
