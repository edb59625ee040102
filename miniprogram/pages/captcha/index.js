/**
 * 安全验证: the slider captcha as a page, opened by core/captcha.js when a guarded request was
 * refused with captcha_required on a page that hosts no slider of its own. The pass (or the
 * shopper leaving) goes back to the opener through the page's event channel; request.js then
 * repeats the refused request with it.
 */
'use strict'

function channel(page) {
  try {
    return page.getOpenerEventChannel ? page.getOpenerEventChannel() : null
  } catch (err) {
    return null
  }
}

Component({
  data: { action: '' },
  methods: {
    onLoad(query) {
      const action = (query && query.action) || ''
      this.setData({ action })
      this._answered = false
      const slider = this.selectComponent('#captcha')
      return slider ? slider.present(action) : Promise.resolve(null)
    },
    onPass(e) {
      this._answered = true
      const ch = channel(this)
      if (ch) ch.emit('pass', e.detail.pass)
      wx.navigateBack({ delta: 1 })
    },
    onUnload() {
      if (this._answered) return
      this._answered = true
      const ch = channel(this)
      if (ch) ch.emit('cancel')
    },
  },
})
