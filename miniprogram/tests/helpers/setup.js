// Every test file starts with a fresh fake `wx` (tests/helpers/wx.js) so no module touches a real API.
const { createWx } = require('./wx')

global.wx = createWx()
