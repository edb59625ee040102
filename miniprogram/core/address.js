/** Shipping addresses: one-line text and the form check used before sending to the server. */
'use strict'

const PHONE_RE = /^1\d{10}$/

function addressText(a) {
  return a ? `${a.province || ''}${a.city || ''}${a.district || ''}${a.detail || ''}` : ''
}

/** The first problem with an address form, or '' when it can be sent. */
function validate(form) {
  const f = form || {}
  if (!String(f.receiver || '').trim()) return '请填写收货人'
  if (!PHONE_RE.test(String(f.phone || '').trim())) return '请填写正确的手机号'
  if (!f.province || !f.city) return '请选择所在地区'
  if (!String(f.detail || '').trim()) return '请填写详细地址'
  return ''
}

module.exports = { PHONE_RE, addressText, validate }
