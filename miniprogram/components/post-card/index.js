/**
 * One post as a card (core/community.js postCard): cover (a ▶ mark for a video, the picture count
 * for several), an excerpt, the author, the like heart and the favourite star. Used by the community feed and the
 * product page's 买家秀, so it lives in the main package. Taps are told to the page (`open`,
 * `like`, `favourite` with the card's `index`), which owns the data and the network.
 */
'use strict'

Component({
  options: { addGlobalClass: true },
  properties: {
    post: { type: Object, value: null },
    index: { type: Number, value: 0 },
    compact: { type: Boolean, value: false },
  },
  methods: {
    onOpen() {
      this.triggerEvent('open', { index: this.data.index, id: this.data.post && this.data.post.id })
    },
    onLike() {
      this.triggerEvent('like', { index: this.data.index, id: this.data.post && this.data.post.id })
    },
    onFavourite() {
      this.triggerEvent('favourite', { index: this.data.index, id: this.data.post && this.data.post.id })
    },
  },
})
