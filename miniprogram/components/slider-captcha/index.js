/**
 * The slider captcha (F45): a puzzle background with a gap and the piece on the left; the
 * shopper drags the handle, the piece follows, and on release the drop x and the finger's trail
 * go to captcha/verify. A pass resolves present(); a miss loads a fresh puzzle (each puzzle takes
 * one attempt). core/captcha.js asks the last attached slider (`presenter`, default on), so a
 * page that hosts one shows it as an overlay instead of opening the 安全验证 page.
 *
 * Only the piece's offset changes while dragging (one number per touchmove); images are data
 * URLs sized in px from the puzzle's own dimensions (core/captcha.js layout()).
 */
'use strict'

const api = require('../../core/api')
const captcha = require('../../core/captcha')

function windowWidth() {
  try {
    const info = wx.getWindowInfo ? wx.getWindowInfo() : wx.getSystemInfoSync()
    return Number(info.windowWidth) || 375
  } catch (err) {
    return 375
  }
}

function touchOf(e) {
  const list = (e && (e.touches && e.touches.length ? e.touches : e.changedTouches)) || []
  return list[0] || { clientX: 0, clientY: 0 }
}

Component({
  options: { addGlobalClass: true },
  properties: {
    // offer this slider to core/captcha.js while attached
    presenter: { type: Boolean, value: true },
    // inline: always shown, no overlay (the 安全验证 page)
    inline: { type: Boolean, value: false },
  },
  data: {
    visible: false,
    loading: false,
    verifying: false,
    status: '',
    failed: false,
    background: '',
    piece: '',
    box: null, // {width, height, pieceSize, pieceTop, maxOffset}
    offset: 0,
  },
  lifetimes: {
    attached() {
      if (this.data.presenter) this._unregister = captcha.register(this)
    },
    detached() {
      if (this._unregister) this._unregister()
      this.settle(null)
    },
  },
  methods: {
    /** Show a puzzle for `action`; resolves with the pass, or null when closed. */
    present(action) {
      this.settle(null) // a slider already open answers its caller "closed" first
      this._action = action || ''
      this.setData({ visible: true, status: '', failed: false })
      const result = new Promise((resolve) => {
        this._resolve = resolve
      })
      this.load()
      return result
    },

    settle(value) {
      const resolve = this._resolve
      this._resolve = null
      if (resolve) resolve(value)
    },

    async load() {
      this.setData({ loading: true, offset: 0, background: '', piece: '' })
      let challenge
      try {
        challenge = await api.captchaCreate(this._action)
      } catch (err) {
        this.setData({ loading: false, status: err.message, failed: true })
        return false
      }
      const box = captcha.layout(challenge, Math.min(windowWidth() - 64, 340))
      this._challenge = challenge
      this._recorder = new captcha.DragRecorder({ scale: box.scale, maxOffset: box.maxOffset })
      this.setData({ loading: false, background: challenge.background, piece: challenge.piece, box, offset: 0 })
      return true
    },

    onTouchStart(e) {
      if (!this._recorder || this.data.verifying || this.data.loading) return
      this._recorder.start(touchOf(e), e.timeStamp)
      if (this.data.status) this.setData({ status: '', failed: false })
    },
    onTouchMove(e) {
      if (!this._recorder || !this._recorder.started || this.data.verifying) return
      const offset = this._recorder.move(touchOf(e), e.timeStamp)
      if (offset !== this.data.offset) this.setData({ offset })
    },
    async onTouchEnd(e) {
      const recorder = this._recorder
      if (!recorder || !recorder.started || this.data.verifying) return null
      recorder.move(touchOf(e), e.timeStamp)
      const { x, trail } = recorder.finish()
      recorder.reset()
      if (x <= 0) {
        this.setData({ offset: 0 })
        return null
      }
      this.setData({ verifying: true, status: '验证中…' })
      try {
        const res = await api.captchaVerify({ id: this._challenge.id, x, trail })
        this.setData({ verifying: false, status: '验证通过', failed: false, visible: this.data.inline })
        this.settle(res.captcha_pass)
        this.triggerEvent('pass', { pass: res.captcha_pass })
        return res.captcha_pass
      } catch (err) {
        // the puzzle is spent whatever the outcome: a new one for the next try
        this.setData({ verifying: false, status: err.message, failed: true })
        await this.load()
        this.setData({ status: err.message, failed: true })
        return null
      }
    },

    onRefresh() {
      if (this.data.verifying) return Promise.resolve(false)
      return this.load()
    },
    onClose() {
      this.setData({ visible: false })
      this.settle(null)
      this.triggerEvent('cancel')
    },
    noop() {},
  },
})
