/**
 * Profile (P02): nickname, phone and birthday through PATCH me. Only changed fields are sent.
 * The birthday can be set once (F18 birthday gifts must not be farmed), so once set it is shown
 * read-only; the server's birthday_already_set refusal is mapped in core/errors.js anyway.
 */
'use strict'

const { PHONE_RE } = require('../../core/address')
const api = require('../../core/api')
const store = require('../../core/store')
const ui = require('../../core/ui')

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
        form: { nickname: me.nickname || '', phone: me.phone || '', birthday: me.birthday || '' },
        birthdayLocked: !!me.birthday,
      })
    },
    onField(e) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value })
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
