// Every test file starts with a fresh fake `wx` (tests/helpers/wx.js) so no module touches a real API.
const { createWx } = require('./wx')

global.wx = createWx()
// TDesign's components read the app (SuperComponent: this.app = getApp()) when they are created
if (typeof global.getApp !== 'function') global.getApp = () => ({ globalData: {} })
