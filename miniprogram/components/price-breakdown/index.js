/**
 * The full price breakdown of a checkout quote or an order (B04): each line, goods amount, every
 * discount by the rule that gave it, shipping, points, payable; offers that did not apply and
 * why; 凑单 hints with a "去凑单" action (fires `hint`). All wording comes from core/pricing.js.
 */
'use strict'

const pricing = require('../../core/pricing')

Component({
  options: { addGlobalClass: true },
  properties: {
    quote: { type: Object, value: null },
    showLines: { type: Boolean, value: true },
    hintAction: { type: String, value: '去凑单' },
  },
  data: { view: null, rejectedOpen: false },
  observers: {
    quote(q) {
      this.setData({ view: q ? pricing.breakdown(q) : null })
    },
  },
  methods: {
    toggleRejected() {
      this.setData({ rejectedOpen: !this.data.rejectedOpen })
    },
    onHint(e) {
      this.triggerEvent('hint', { key: e.detail.key })
    },
  },
})
