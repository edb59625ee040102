/**
 * Login (P02): 微信一键登录 (wx.login → auth/wechat-login; request.js sends shoppers here only
 * when silent sign-in and token refresh both failed). Outside release builds a development login
 * with a nickname is offered too, for servers without WECHAT_APPID (DEV_LOGIN_ENABLED).
 * Signing in needs the shopper's agreement to the user agreement and the privacy guide, which
 * opens through WeChat's own wx.openPrivacyContract (the guide the merchant filed with WeChat).
 */
'use strict'

const auth = require('../../core/auth')
const routes = require('../../core/routes')
const ui = require('../../core/ui')

function envVersion() {
  try {
    return wx.getAccountInfoSync().miniProgram.envVersion || 'develop'
  } catch (err) {
    return 'develop'
  }
}

Component({
  data: {
    busy: false,
    error: '',
    showDev: false,
    nickname: '',
    agreed: false,
  },
  methods: {
    onLoad(query) {
      this._redirect = (query && query.redirect && decodeURIComponent(query.redirect)) || ''
      this.setData({ showDev: envVersion() !== 'release' })
    },
    done() {
      ui.toast('登录成功', 'success')
      if (this._redirect) return routes.go(this._redirect, { redirect: true }).catch(() => {})
      const pages = typeof getCurrentPages === 'function' ? getCurrentPages() : []
      if (pages.length > 1) return new Promise((resolve) => wx.navigateBack({ delta: 1, complete: resolve }))
      return routes.go(routes.PAGES.home).catch(() => {})
    },
    onAgree() {
      this.setData({ agreed: !this.data.agreed })
    },
    onPrivacy() {
      if (wx.openPrivacyContract) wx.openPrivacyContract({ fail: () => ui.toast('暂时无法打开隐私保护指引') })
    },
    async onWechatLogin() {
      if (this.data.busy) return false
      if (!this.data.agreed) {
        ui.toast('请先阅读并同意用户协议和隐私保护指引')
        return false
      }
      this.setData({ busy: true, error: '' })
      try {
        await auth.login()
        this.setData({ busy: false })
        await this.done()
        return true
      } catch (err) {
        this.setData({ busy: false, error: err.message })
        return false
      }
    },
    onNickname(e) {
      this.setData({ nickname: e.detail.value })
    },
    async onDevLogin() {
      if (this.data.busy) return false
      this.setData({ busy: true, error: '' })
      try {
        await auth.devLogin({ nickname: this.data.nickname.trim() })
        this.setData({ busy: false })
        await this.done()
        return true
      } catch (err) {
        this.setData({ busy: false, error: err.code === 'not_found' ? '服务器未开启开发登录（DEV_LOGIN_ENABLED）' : err.message })
        return false
      }
    },
  },
})
