/**
 * Marketing centre block on the home page (F46): 正在进行 / 即将开始 with live countdowns.
 * Renders nothing when the home payload has no centre. When an entry's countdown ends the split
 * is recomputed (an upcoming entry starts, an ongoing one ends). Tap fires `open` with the
 * entry; the page decides where it leads (core/routes.js marketingTarget).
 */
'use strict'

const marketing = require('../../core/marketing')

Component({
  options: { addGlobalClass: true },
  properties: {
    centre: { type: null, value: null },
  },
  data: { view: null, tab: 'ongoing' },
  observers: {
    centre() {
      this.refresh()
    },
  },
  methods: {
    refresh() {
      const view = marketing.splitCentre(this.data.centre)
      let tab = this.data.tab
      if (view && !view[tab].length) tab = view.ongoing.length ? 'ongoing' : 'upcoming'
      this.setData({ view, tab })
      return view
    },
    onTab(e) {
      this.setData({ tab: e.currentTarget.dataset.tab })
    },
    onEnd() {
      this.refresh()
    },
    onOpen(e) {
      const list = this.data.view ? this.data.view[this.data.tab] : []
      const item = list[Number(e.currentTarget.dataset.index)]
      if (item) this.triggerEvent('open', { item })
    },
  },
})
