/** Small promise wrappers around WeChat's toast/modal so pages read top to bottom. */
'use strict'

function toast(title, icon = 'none') {
  if (!title) return
  wx.showToast({ title: String(title).slice(0, 40), icon, duration: 2000 })
}

/** Show an ApiError (or any Error) as a toast; returns the error for chaining. */
function toastError(err) {
  toast((err && err.message) || '操作失败，请稍后重试')
  return err
}

/** Resolve true when the shopper confirms. */
function confirm(content, opts = {}) {
  return new Promise((resolve) => {
    wx.showModal({
      title: opts.title || '提示',
      content,
      confirmText: opts.confirmText || '确定',
      cancelText: opts.cancelText || '取消',
      success: (res) => resolve(!!res.confirm),
      fail: () => resolve(false),
    })
  })
}

module.exports = { toast, toastError, confirm }
