/**
 * One action at a time on a page: `busy` is set while `fn` runs, a second tap in the meantime
 * is ignored, a refusal is toasted with the server's reason, and the page reloads afterwards
 * either way (the server's state is what the page shows). Resolves true when `fn` succeeded.
 */
'use strict'

const ui = require('./ui')

async function runBusy(page, fn, doneText) {
  if (page.data.busy) return false
  page.setData({ busy: true })
  let ok = true
  try {
    await fn()
    if (doneText) ui.toast(doneText, 'success')
  } catch (err) {
    ok = false
    ui.toastError(err)
  }
  page.setData({ busy: false })
  await page.load()
  return ok
}

module.exports = { runBusy }
