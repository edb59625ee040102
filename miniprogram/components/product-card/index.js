/** A product in a list or grid (home hot/new, category results). Tap opens the product page. */
'use strict'

const routes = require('../../core/routes')

Component({
  options: { addGlobalClass: true },
  properties: {
    product: { type: Object, value: {} },
    // grid: two per row with a square image; row: image left, text right
    layout: { type: String, value: 'grid' },
  },
  methods: {
    onTap() {
      const id = this.data.product && this.data.product.id
      if (id === undefined || id === null) return
      this.triggerEvent('open', { id })
      routes.go(routes.withQuery(routes.PAGES.product, { id })).catch(() => {})
    },
  },
})
