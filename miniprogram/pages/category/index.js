/**
 * Category: the tree on the left, products on the right with keyword search, sub-category and
 * tag filters, sort (综合 / 销量 / 价格 / 新品) and paging on scroll. Every filter change starts
 * again at page 1; answers to superseded queries are dropped, so a slow old page never
 * overwrites a new filter's results. Home hands a category or keyword over through the store
 * (this is a tab page: switchTab carries no query).
 */
'use strict'

const api = require('../../core/api')
const store = require('../../core/store')
const track = require('../../core/track')

const ROUTE = 'pages/category/index'

const PAGE_SIZE = 20
const SORTS = [
  { value: '', label: '综合' },
  { value: 'sales', label: '销量' },
  { value: 'price', label: '价格' },
  { value: 'new', label: '新品' },
]

Component({
  data: {
    tree: [],
    treeError: '',
    active: 0, // index in the side bar: 0 is 全部
    child: '', // selected sub-category id, '' for the whole top category
    children: [],
    sorts: SORTS,
    sort: '',
    q: '',
    tag: '',
    products: [],
    page: 0,
    hasMore: true,
    loadingList: false,
    listError: '',
  },
  methods: track.withPage(ROUTE, {
    onLoad(query) {
      const q = query || {}
      this.setData({ q: q.q || '', tag: q.tag || '' })
      this._pendingCategory = q.category || ''
      return this.load()
    },
    onShow() {
      const intent = store.get('categoryIntent')
      if (!intent) return null
      store.set('categoryIntent', null)
      this.setData({ q: intent.q || '', tag: intent.tag || '' })
      // wait for the tree when onLoad is still fetching it; the newest reload wins
      return (this._treeReady || Promise.resolve()).then(() => {
        this.applyCategory(intent.category || '')
        return this.reload()
      })
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },
    onReachBottom() {
      return this.loadMore()
    },

    async load() {
      const treePromise = (this._treeReady = api.categoryTree().then(
        (tree) => this.setData({ tree: tree || [], treeError: '' }),
        (err) => this.setData({ treeError: err.message }),
      ))
      if (!this._pendingCategory) {
        // 全部: the product list needs nothing from the tree, fetch both at once
        await Promise.all([treePromise, this.reload()])
        return
      }
      await treePromise
      this.applyCategory(this._pendingCategory)
      this._pendingCategory = ''
      await this.reload()
    },

    /** Select the side-bar entry for a category id (top level or child). */
    applyCategory(id) {
      const tree = this.data.tree
      let active = 0
      let child = ''
      if (id !== '' && id !== undefined && id !== null) {
        tree.forEach((top, i) => {
          if (String(top.id) === String(id)) active = i + 1
          ;(top.children || []).forEach((c) => {
            if (String(c.id) === String(id)) {
              active = i + 1
              child = c.id
            }
          })
        })
      }
      const top = tree[active - 1]
      this.setData({ active, child, children: (top && top.children) || [] })
    },

    query(page) {
      const top = this.data.tree[this.data.active - 1]
      return {
        category: this.data.child || (top ? top.id : ''),
        q: this.data.q,
        tag: this.data.tag,
        sort: this.data.sort,
        page,
        page_size: PAGE_SIZE,
      }
    },

    reload() {
      this.setData({ products: [], page: 0, hasMore: true, listError: '' })
      return this.fetch(1)
    },

    loadMore() {
      if (!this.data.hasMore || this.data.loadingList) return Promise.resolve()
      return this.fetch(this.data.page + 1)
    },

    async fetch(page) {
      const seq = (this._seq = (this._seq || 0) + 1)
      this.setData({ loadingList: true })
      try {
        const res = await api.products(this.query(page))
        if (seq !== this._seq) return
        const results = (res && res.results) || []
        const offset = page === 1 ? 0 : this.data.products.length
        const payload = { page, hasMore: !!(res && res.next), loadingList: false, listError: '' }
        if (page === 1) payload.products = results
        // append by index paths: only the new items cross the bridge
        else results.forEach((p, i) => (payload[`products[${offset + i}]`] = p))
        this.setData(payload)
      } catch (err) {
        if (seq !== this._seq) return
        this.setData({ loadingList: false, listError: err.message })
      }
    },

    onSideBar(e) {
      const active = Number(e.detail.value)
      const top = this.data.tree[active - 1]
      this.setData({ active, child: '', children: (top && top.children) || [] })
      return this.reload()
    },
    onChild(e) {
      const id = e.currentTarget.dataset.id
      this.setData({ child: this.data.child === id ? '' : id })
      return this.reload()
    },
    onSort(e) {
      const value = e.currentTarget.dataset.value
      let sort = value
      // tapping 价格 again flips ascending / descending
      if (value === 'price' && (this.data.sort === 'price' || this.data.sort === '-price')) {
        sort = this.data.sort === 'price' ? '-price' : 'price'
      }
      this.setData({ sort })
      return this.reload()
    },
    onSearch(e) {
      const q = ((e.detail && e.detail.value) || '').trim()
      if (q) track.track('search', { page: ROUTE, query: q.slice(0, 64) })
      this.setData({ q })
      return this.reload()
    },
    onClearSearch() {
      this.setData({ q: '' })
      return this.reload()
    },
    onClearTag() {
      this.setData({ tag: '' })
      return this.reload()
    },
  }),
})
