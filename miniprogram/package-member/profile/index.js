/**
 * Profile (P02): nickname, phone and birthday through PATCH me. Only changed fields are sent.
 * The birthday can be set once (F18 birthday gifts must not be farmed), so once set it is shown
 * read-only; the server's birthday_already_set refusal is mapped in core/errors.js anyway.
 *
 * WeChat's own pickers: the avatar is a <button open-type="chooseAvatar"> whose picture goes
 * straight to POST me/avatar (wx.uploadFile); the nickname field is <input type="nickname"> (WeChat
 * offers the shopper's nickname above the keyboard); 微信手机号 is a
 * <button open-type="getPhoneNumber"> whose one-time code the server exchanges with WeChat
 * (POST me/phone/wechat) — the number never passes through the client unverified.
 */
'use strict'

const { PHONE_RE } = require('../../core/address')
const api = require('../../core/api')
const store = require('../../core/store')
const ui = require('../../core/ui')
const { uploadFile } = require('../../core/upload')

function today() {
  const d = new Date()
  const pad = (n) => (n < 10 ? `0${n}` : String(n))
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

Component({
  data: {
    loading: true,
    error: '',
    saving: false,
    uploading: false,
    binding: false,
    avatar: '',
    original: null,
    form: { nickname: '', phone: '', birthday: '' },
    birthdayLocked: false,
    today: today(),
  },
  methods: {
    async onLoad() {
      try {
        const me = await api.me()
        this.fill(me)
      } catch (err) {
        this.setData({ loading: false, error: err.message })
      }
    },
    fill(me) {
      store.set('member', me)
      this.setData({
        loading: false,
        original: me,
        avatar: me.avatar_url || '',
        form: { nickname: me.nickname || '', phone: me.phone || '', birthday: me.birthday || '' },
        birthdayLocked: !!me.birthday,
      })
    },
    onField(e) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value })
    },
    /** chooseAvatar: WeChat hands a temporary file; it is stored on the server at once. */
    async onChooseAvatar(e) {
      const path = e && e.detail && e.detail.avatarUrl
      if (!path || this.data.uploading) return false
      this.setData({ uploading: true })
      try {
        const me = await uploadFile('me/avatar', path)
        this.setData({ uploading: false, avatar: me.avatar_url || '', 'original.avatar_url': me.avatar_url || '' })
        store.set('member', Object.assign({}, store.get('member'), { avatar_url: me.avatar_url || '' }))
        ui.toast('头像已更新', 'success')
        return true
      } catch (err) {
        this.setData({ uploading: false })
        ui.toastError(err)
        return false
      }
    },
    /** getPhoneNumber: only a code comes back; a refusal (the shopper said no) changes nothing. */
    async onGetPhoneNumber(e) {
      const code = e && e.detail && e.detail.code
      if (!code) {
        if (e && e.detail && /deny|cancel/i.test(e.detail.errMsg || '')) ui.toast('未授权手机号，可手动填写')
        return false
      }
      if (this.data.binding) return false
      this.setData({ binding: true })
      try {
        const me = await api.bindPhoneWechat(code)
        this.setData({ binding: false, 'form.phone': me.phone || '', 'original.phone': me.phone || '' })
        store.set('member', Object.assign({}, store.get('member'), { phone: me.phone || '' }))
        ui.toast('手机号已绑定', 'success')
        return true
      } catch (err) {
        this.setData({ binding: false })
        ui.toastError(err)
        return false
      }
    },
    onBirthday(e) {
      this.setData({ 'form.birthday': e.detail.value })
    },
    /** The PATCH body: only what changed; null when nothing did. Throws on invalid input. */
    changes() {
      const f = this.data.form
      const o = this.data.original || {}
      const body = {}
      const nickname = f.nickname.trim()
      if (nickname !== (o.nickname || '')) {
        if (!nickname) throw new Error('昵称不能为空')
        body.nickname = nickname
      }
      const phone = f.phone.trim()
      if (phone !== (o.phone || '')) {
        if (phone && !PHONE_RE.test(phone)) throw new Error('手机号格式不正确')
        body.phone = phone
      }
      if (!this.data.birthdayLocked && f.birthday && f.birthday !== (o.birthday || '')) body.birthday = f.birthday
      return Object.keys(body).length ? body : null
    },
    async save() {
      if (this.data.saving) return false
      let body
      try {
        body = this.changes()
      } catch (err) {
        ui.toast(err.message)
        return false
      }
      if (!body) {
        ui.toast('没有修改')
        return false
      }
      if (body.birthday && !(await ui.confirm(`生日设置为 ${body.birthday} 后不能修改，确定吗？`))) return false
      this.setData({ saving: true })
      try {
        const me = await api.updateMe(body)
        this.fill(me)
        this.setData({ saving: false })
        ui.toast('已保存', 'success')
        return true
      } catch (err) {
        this.setData({ saving: false })
        ui.toastError(err)
        return false
      }
    },
  },
})
