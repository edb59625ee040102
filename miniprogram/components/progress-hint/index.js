/**
 * A progress hint (F47, B04 凑单): a sentence, an optional bar, an optional action
 * ("再买 ¥9.00 可减 ¥20.00 [去凑单]", later "还差 2 人成团 [邀请好友]"). Tapping the action fires
 * `action` with the hint's key; the page decides where it leads.
 */
'use strict'

Component({
  options: { addGlobalClass: true },
  properties: {
    text: { type: String, value: '' },
    // 0-100; null hides the bar
    percent: { type: null, value: null },
    actionText: { type: String, value: '' },
    hintKey: { type: String, value: '' },
  },
  data: { width: 0, showBar: false },
  observers: {
    percent(p) {
      const showBar = p !== null && p !== undefined && p !== '' && Number.isFinite(Number(p))
      this.setData({ showBar, width: showBar ? Math.max(0, Math.min(100, Number(p))) : 0 })
    },
  },
  methods: {
    onAction() {
      this.triggerEvent('action', { key: this.data.hintKey })
    },
  },
})
